"""The account lifecycle: its audit trail and invitations."""

from accounts.models.audit import AccountAudit
from accounts.models.invitations import Invitation, InvitationState

__all__ = ["AccountAudit", "Invitation", "InvitationState"]
