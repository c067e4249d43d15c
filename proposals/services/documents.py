"""SFS's document checklist (CONTRACT.md 6.9, 6.10) mirrored on the proposal, and its words.

The refresh reads the checklist when an accepted proposal's version moved (one call, background
lane); pages read only the mirror. ``documents_checked_at`` empty means "read it at the next
cycle": never read yet, or the last read failed.
"""

import logging
from dataclasses import dataclass

from django.utils import timezone

from proposals.models import Proposal, Status
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import DocumentIdType, Lane, SigningStatus, WorkflowStatus

logger = logging.getLogger(__name__)

# SFS keeps a checklist from the acceptance on; after activation it is read once more so that
# the signed copies can be downloaded.
CHECKLIST_STATUSES = frozenset(
    {WorkflowStatus.ACCEPTED, WorkflowStatus.MORE_INFORMATION, WorkflowStatus.ACTIVATED}
)
# The statuses in which documents are still awaited: a checklist never read is caught up.
AWAITING_DOCUMENTS = frozenset({WorkflowStatus.ACCEPTED, WorkflowStatus.MORE_INFORMATION})
CATCH_UP_AT_MOST = 20  # checklist reads a cycle spends on proposals whose checklist is unread


def checklist_read(*, proposal: Proposal, lane: str = Lane.BACKGROUND) -> bool:
    """Read SFS's checklist into ``proposal.documents``. False when SFS did not answer: the
    mirror keeps what it had and the next cycle tries again."""
    client = client_for(credential=proposal.credential, lane=lane, proposal_id=proposal.pk)
    try:
        checklist = client.list_documents(proposal.sfs_id)
    except errors.SieSmartError as failure:
        logger.warning("Checklist of proposal %s not read: %s", proposal.pk, failure)
        Proposal.objects.filter(pk=proposal.pk).update(documents_checked_at=None)
        proposal.documents_checked_at = None
        return False
    checklist_store(proposal=proposal, checklist=checklist)
    return True


def checklist_store(*, proposal: Proposal, checklist, sent_etag: str | None = None) -> None:
    """SFS's checklist into the mirror: the one place that writes it. An upload or a signing
    request moves the ETag; the new one is taken only when the version the call was sent from
    is still the one held (else the refresh's three-way compare must still see SFS's change)."""
    proposal.documents = [dict(document.raw) for document in checklist]
    proposal.documents_checked_at = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(
        documents=proposal.documents, documents_checked_at=proposal.documents_checked_at
    )
    if sent_etag and checklist.etag:
        taken = Proposal.objects.filter(pk=proposal.pk, etag=sent_etag).update(etag=checklist.etag)
        if taken:
            proposal.etag = checklist.etag


def checklist_follow(*, proposal: Proposal, version_moved: bool, lane: str) -> int:
    """After SFS's answer was taken: read the checklist if the proposal has one and it may have
    changed. Returns the calls made (0 or 1)."""
    if proposal.workflow_status not in CHECKLIST_STATUSES or not proposal.sfs_id:
        return 0
    if not version_moved and proposal.documents_checked_at is not None:
        return 0
    checklist_read(proposal=proposal, lane=lane)
    return 1


def checklists_catch_up(*, credential, skip_ids=()) -> int:
    """Accepted proposals whose checklist was never read (or whose last read failed) and whose
    version did not move this cycle. Returns the calls made."""
    unread = (
        Proposal.objects.filter(
            credential=credential,
            status=Status.SENT,
            sfs_id__isnull=False,
            workflow_status__in=AWAITING_DOCUMENTS,
            documents_checked_at__isnull=True,
        )
        .exclude(pk__in=list(skip_ids))
        .select_related("credential")
        .order_by("pk")[:CATCH_UP_AT_MOST]
    )
    calls = 0
    for proposal in unread:
        checklist_read(proposal=proposal)
        calls += 1
    return calls


def mirrored_document(proposal: Proposal, id_type: str, value: str) -> dict | None:
    """The checklist item named by a URL's type and value, as SFS sent it (its id exactly)."""
    for item in proposal.documents or []:
        document_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(document_id, dict):
            continue
        if str(document_id.get("type")) == id_type and str(document_id.get("value")) == value:
            return item
    return None


# -- words for the page ------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadLink:
    label: str
    variant: str


@dataclass(frozen=True)
class ChecklistRow:
    name: str
    id_type: str
    id_value: str
    required: bool
    received: bool
    valid: bool
    received_on: str
    reason: str
    reason_note: str
    next_step: str
    done: bool
    downloads: tuple[DownloadLink, ...]


def _object(item: dict, key: str) -> dict:
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _in_a_sentence(name: str) -> str:
    """ "Finance agreement" reads "finance agreement" mid-sentence; "Direct Debit mandate" stays."""
    if name and not any(char.isupper() for char in name[1:]):
        return name[0].lower() + name[1:]
    return name


def _next_step(item: dict, name: str) -> str:
    signing_status = _object(item, "signingRequest").get("status")
    received, valid = bool(item.get("received")), bool(item.get("valid"))
    generated = _object(item, "id").get("type") == DocumentIdType.GENERATED
    if received and valid:
        return "Nothing: SFS has it."
    if received and (item.get("reason") or item.get("reasonNote")):
        return f"SFS rejected it: upload the {_in_a_sentence(name)} again."
    if received:
        return "SFS is checking it."
    if signing_status in (SigningStatus.SENT, SigningStatus.AUTHORING):
        return "Sent for signature: waiting for the signatories."
    if signing_status == SigningStatus.DECLINED:
        return f"A signatory declined: send the {_in_a_sentence(name)} for signature again."
    if signing_status == SigningStatus.EXPIRED:
        return f"The signing request expired: send the {_in_a_sentence(name)} again."
    if item.get("eligibleForSigning") or (generated and item.get("signingEnabled")):
        return f"Sign the {_in_a_sentence(name)}: send it for e-signature."
    if not item.get("required"):
        return "Optional."
    return f"Upload the {_in_a_sentence(name)}."


def _downloads(item: dict) -> tuple[DownloadLink, ...]:
    links = []
    if item.get("downloadAllowed"):
        links.append(DownloadLink("Download", "original"))
    if item.get("downloadSignedAllowed"):
        links.append(DownloadLink("Signed copy", "signed"))
    if item.get("downloadUploadedAllowed"):
        links.append(DownloadLink("File sent", "uploaded"))
    return tuple(links)


def _day(value) -> str:
    return str(value)[:10] if value else ""


def checklist_rows(proposal: Proposal) -> list[ChecklistRow]:
    """The mirrored checklist in words a broker reads: SFS's own names, never a code."""
    rows = []
    for item in proposal.documents or []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), dict):
            continue
        document_type = _object(item, "documentType")
        name = str(document_type.get("name") or "Document")
        rows.append(
            ChecklistRow(
                name=name,
                id_type=str(item["id"].get("type")),
                id_value=str(item["id"].get("value")),
                required=bool(item.get("required")),
                received=bool(item.get("received")),
                valid=bool(item.get("valid")),
                received_on=_day(item.get("receivedDate")),
                reason=str(item.get("reason") or ""),
                reason_note=str(item.get("reasonNote") or ""),
                next_step=_next_step(item, name),
                done=bool(item.get("received") and item.get("valid")),
                downloads=_downloads(item),
            )
        )
    return rows
