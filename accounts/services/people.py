"""An organisation's people: who is in it, and disabling or re-enabling an account.

A disabled account is signed out at once: its session rows are deleted, and since Django's
ModelBackend refuses inactive users, any session left in a cache would not authenticate either.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.utils import timezone

from accounts.models import AccountAudit, Invitation
from accounts.services.audit import account_audit_record
from proposals.models import User
from proposals.services import PortalError


def people_list(*, organisation) -> list[User]:
    return list(User.objects.filter(organisation=organisation).order_by("username"))


def invitations_open(*, organisation) -> list[Invitation]:
    return list(
        Invitation.objects.filter(
            organisation=organisation, accepted_at=None, withdrawn_at=None
        ).select_related("invited_by")
    )


def account_audit_recent(*, organisation, limit: int = 20) -> list[AccountAudit]:
    return list(
        AccountAudit.objects.filter(organisation=organisation).select_related("actor", "subject")[
            :limit
        ]
    )


def user_sessions_end(*, user: User) -> int:
    """Delete every stored session of ``user``; answers how many. Session stores without a
    table (signed cookies, plain cache) cannot be listed: there ``is_active`` alone ends them."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    user_id = str(user.pk)
    keys = [
        row.session_key
        for row in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(row.get_decoded().get(SESSION_KEY)) == user_id
    ]
    for key in keys:
        store_class(session_key=key).delete()
    return len(keys)


def person_disable(*, actor: User, person: User) -> None:
    if person.pk == actor.pk:
        raise PortalError("You cannot disable your own account.")
    if person.organisation_id != actor.organisation_id:
        raise PortalError("This person is not in your organisation.")
    with transaction.atomic():
        User.objects.filter(pk=person.pk).update(is_active=False)
        person.is_active = False
        ended = user_sessions_end(user=person)
        account_audit_record(
            organisation=actor.organisation,
            action="user_disabled",
            actor=actor,
            subject=person,
            sessions_ended=ended,
        )


def person_enable(*, actor: User, person: User) -> None:
    if person.organisation_id != actor.organisation_id:
        raise PortalError("This person is not in your organisation.")
    with transaction.atomic():
        User.objects.filter(pk=person.pk).update(is_active=True)
        person.is_active = True
        account_audit_record(
            organisation=actor.organisation, action="user_enabled", actor=actor, subject=person
        )
