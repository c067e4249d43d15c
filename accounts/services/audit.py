"""One way to write the account audit trail."""

from accounts.models import AccountAudit


def account_audit_record(*, organisation, action, actor=None, subject=None, **details):
    return AccountAudit.objects.create(
        organisation=organisation, action=action, actor=actor, subject=subject, details=details
    )
