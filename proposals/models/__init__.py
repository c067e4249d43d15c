from proposals.models.calls import SieSmartCall
from proposals.models.config import MirroredLookups, MirroredOffice
from proposals.models.credentials import (
    ConnectionTest,
    Credential,
    CredentialAudit,
    Environment,
    RatePause,
    RateSlot,
)
from proposals.models.people import Organisation, Role, User
from proposals.models.proposal import (
    IN_FLIGHT,
    Notification,
    Proposal,
    ProposalEvent,
    Status,
)
from proposals.models.sfs_notifications import SfsEndpoint, SfsNotification, SfsSubscription

__all__ = [
    "IN_FLIGHT",
    "ConnectionTest",
    "Credential",
    "CredentialAudit",
    "Environment",
    "MirroredLookups",
    "MirroredOffice",
    "Notification",
    "Organisation",
    "Proposal",
    "ProposalEvent",
    "RatePause",
    "RateSlot",
    "Role",
    "SfsEndpoint",
    "SfsNotification",
    "SfsSubscription",
    "SieSmartCall",
    "Status",
    "User",
]
