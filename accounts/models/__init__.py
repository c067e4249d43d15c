"""The account lifecycle: its audit trail (and, in their own modules, invitations)."""

from accounts.models.audit import AccountAudit

__all__ = ["AccountAudit"]
