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
from proposals.models.uploads import OPEN_UPLOAD_STATES, DocumentUpload, UploadState

__all__ = [
    "IN_FLIGHT",
    "ConnectionTest",
    "Credential",
    "CredentialAudit",
    "DocumentUpload",
    "Environment",
    "MirroredLookups",
    "MirroredOffice",
    "OPEN_UPLOAD_STATES",
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
    "UploadState",
    "User",
]
