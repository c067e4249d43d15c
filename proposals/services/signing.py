"""E-signature (CONTRACT.md 6.11): the broker picks documents and signatories, a job sends them.

The page offers only what the mirrored checklist allows (``sendSigningRequestAllowed``); the
request itself travels as the job's arguments (ids, names and addresses: nothing secret), so a
lost message or a retry never needs anything the database does not have. SFS stays the judge:
the job takes its 409 as "not now", tells the broker, and keeps the checklist SFS holds.
"""

import logging

from proposals import jobs
from proposals.models import Proposal, Status, User
from proposals.services import PortalError
from proposals.services.documents import checklist_store
from proposals.services.events import event_record
from proposals.services.notifications import notification_send
from proposals.services.remote import remote_save
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import Lane, SigningStatus

logger = logging.getLogger(__name__)

MAX_SIGNATORIES = 10
NOT_ALLOWED_NOW = "SFS does not allow signing this document now"
# A request of ours that SFS took shows as one of these on each document it named.
_TAKEN = frozenset({SigningStatus.AUTHORING, SigningStatus.SENT, SigningStatus.COMPLETED})
REFUSED_KIND = "signing_refused"


# -- what the page may offer ---------------------------------------------------------------------


def document_key(item: dict) -> str:
    """A checklist item's id as one form value, "TYPE:VALUE"."""
    document_id = item.get("id") or {}
    return f"{document_id.get('type')}:{document_id.get('value')}"


def document_name(item: dict) -> str:
    document_type = item.get("documentType")
    name = document_type.get("name") if isinstance(document_type, dict) else None
    return str(name or "Document")


def signable_documents(proposal: Proposal) -> list[dict]:
    """The mirrored items SFS allows to be sent for signing now, in SFS's order."""
    return [
        item
        for item in proposal.documents or []
        if isinstance(item, dict)
        and isinstance(item.get("id"), dict)
        and item.get("sendSigningRequestAllowed") is True
    ]


def combination_refusal(items: list[dict]) -> str:
    """Why these documents cannot go in one request ("" when they can)."""
    if len(items) < 2:
        return ""
    apart = [document_name(item) for item in items if not item.get("canBeSignedCombined")]
    if not apart:
        return ""
    return (
        f"SFS signs the {', '.join(apart)} on its own: send it in a request of its own, "
        "or choose only documents that can be signed together."
    )


def signatories_prefill(proposal: Proposal) -> list[dict]:
    """The typed-in customer's directors or partners as signatory rows (no email: SFS has none).
    A registered company's directors are SFS's to know: the broker types them."""
    if proposal.customer_kind != "manual" or not isinstance(proposal.customer, dict):
        return []
    rows = []
    for partner in proposal.customer.get("partners") or []:
        if not isinstance(partner, dict):
            continue
        first, last = partner.get("firstName") or "", partner.get("lastName") or ""
        if first or last:
            rows.append({"first_name": first, "last_name": last, "email": ""})
    return rows[:MAX_SIGNATORIES]


# -- the broker's request -------------------------------------------------------------------------


def signing_request(
    *, proposal: Proposal, user: User, document_keys: list[str], signatories: list[dict], cc=""
) -> dict:
    """Check the request against the mirror and enqueue the job that sends it; returns the
    payload. Refuses (PortalError) a document SFS does not allow now, or a forbidden mix."""
    if proposal.status != Status.SENT or not proposal.sfs_id or proposal.credential is None:
        raise PortalError("SFS does not have this proposal, so nothing can be signed.")
    allowed = {document_key(item): item for item in signable_documents(proposal)}
    refused = [key for key in document_keys if key not in allowed]
    if refused or not document_keys:
        raise PortalError(f"{NOT_ALLOWED_NOW}: choose from the documents offered.")
    chosen = [allowed[key] for key in dict.fromkeys(document_keys)]
    refusal = combination_refusal(chosen)
    if refusal:
        raise PortalError(refusal)
    if not signatories or len(signatories) > MAX_SIGNATORIES:
        raise PortalError(f"Name between 1 and {MAX_SIGNATORIES} signatories.")
    payload = {
        "documentIds": [dict(item["id"]) for item in chosen],
        "signatories": [dict(person) for person in signatories],
        "emailsInCC": cc or "",
    }
    jobs.job_enqueue(jobs.SIGNING, proposal.pk, payload)
    return payload


# -- the job -------------------------------------------------------------------------------------


def _taken_already(proposal: Proposal, payload: dict) -> bool:
    """Did SFS take this very request (an earlier attempt whose answer was lost)? Each named
    document carries a request to exactly these addresses."""
    wanted = sorted(str(p.get("email", "")).lower() for p in payload["signatories"])
    items = {document_key(item): item for item in proposal.documents or [] if item.get("id")}
    for document_id in payload["documentIds"]:
        item = items.get(document_key({"id": document_id}))
        request = (item or {}).get("signingRequest") or {}
        people = request.get("signatories") or []
        emails = sorted(str(p.get("email", "")).lower() for p in people if isinstance(p, dict))
        if request.get("status") not in _TAKEN or emails != wanted:
            return False
    return True


def _names(payload: dict) -> str:
    return ", ".join(
        f"{p.get('firstName', '')} {p.get('lastName', '')} <{p.get('email', '')}>".strip()
        for p in payload["signatories"]
    )


def _documents_named(proposal: Proposal, payload: dict) -> str:
    items = {document_key(item): item for item in proposal.documents or [] if item.get("id")}
    names = [
        document_name(items.get(document_key({"id": document_id})) or {})
        for document_id in payload["documentIds"]
    ]
    return ", ".join(names)


def _sent(proposal: Proposal, payload: dict, note: str = "") -> str:
    event_record(
        proposal=proposal,
        kind="signing_sent",
        message=f"Sent for e-signature to {_names(payload)}: "
        f"{_documents_named(proposal, payload)}.{note}",
    )
    return "sent"


def _notify_refused(proposal: Proposal, message: str) -> None:
    notification_send(proposal=proposal, kind=REFUSED_KIND, message=message)


def _refused(proposal: Proposal, payload: dict, client) -> str:
    try:
        checklist_store(proposal=proposal, checklist=client.list_documents(proposal.sfs_id))
    except errors.SieSmartError as failure:
        logger.warning("Checklist of proposal %s not read: %s", proposal.pk, failure)
    if _taken_already(proposal, payload):
        return _sent(proposal, payload, " (SFS had it already: its first answer was lost)")
    message = f"{NOT_ALLOWED_NOW}: {_documents_named(proposal, payload)}."
    event_record(proposal=proposal, kind="signing_refused", message=message)
    _notify_refused(proposal, message)
    return "refused"


def signing_send(*, proposal_id: int, payload: dict) -> str:
    """POST .../documents/signing with If-Match; a stale ETag is read again and tried once more.
    A 409 (SFS does not allow it now) is recorded and told to the broker, never retried."""
    proposal = Proposal.objects.select_related("credential", "broker").get(pk=proposal_id)
    if proposal.status != Status.SENT or not proposal.sfs_id:
        return "not sent"
    client = client_for(
        credential=proposal.credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk
    )
    for attempt in (1, 2):
        sent_etag = proposal.etag
        try:
            checklist = client.request_signing(
                proposal.sfs_id,
                etag=proposal.etag,
                document_ids=payload["documentIds"],
                signatories=payload["signatories"],
                cc_emails=payload.get("emailsInCC") or None,
            )
        except errors.EtagMismatchError:
            if attempt == 2:
                raise
            remote_save(proposal=proposal, remote=client.get_proposal(proposal.sfs_id))
            continue
        except errors.ConflictError:
            return _refused(proposal, payload, client)
        except errors.ValidationError as error:
            words = "; ".join(v.user_message or v.code for v in error.violations) or str(error)
            message = f"SFS refused the signing request: {words}"
            event_record(proposal=proposal, kind="signing_refused", message=message)
            _notify_refused(proposal, message)
            return "invalid"
        break
    checklist_store(proposal=proposal, checklist=checklist, sent_etag=sent_etag)
    return _sent(proposal, payload)
