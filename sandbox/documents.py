"""The document checklist, uploads, reviews and downloads (CONTRACT.md 6.10 and section 7).

Each proposal keeps its checklist as `Item`s in `proposal.documents`, in the order they joined it.
Items are rendered under the store's lock, so they may change in place. A pending review timer
names the item's `review_ticket`: a new upload or a manual review makes it stale.
"""

import binascii
import re
from dataclasses import dataclass

from . import activation, papers
from .access import owned_proposal, parse_id, require_if_match
from .calls import Query, Reply
from .errors import ApiError, invalid_state, not_found, validation_failed
from .timeutil import iso_ms
from .validation import Enum, Int, Obj, Str, Violations, ref

GENERATED, UPLOADED = "GENERATED", "UPLOADED"
KINDS = (GENERATED, UPLOADED)
# CONTRACT.md 6.6, v2 paragraph: no uploads in these states.
UPLOAD_FORBIDDEN = ("CANCELLED", "DECLINED", "ACTIVATED")
MAX_FILE_BYTES = 10 * 1024 * 1024
SIGNABLE_CODES = ("AGREEMENT", "DD_MANDATE")
VARIANTS = ("original", "signed", "uploaded")
UNREADABLE = "Unreadable document"
UNREADABLE_NOTE = "The file could not be read. Please upload a clear, complete copy."
MAGIC = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)

DOCUMENT_ID = Obj({"type": (Enum(KINDS), True), "value": (Int(), True)})
UPLOAD = Obj(
    {
        "documentId": (DOCUMENT_ID, False),
        "fileName": (Str(), False),
        "uploadedDocument": (
            Obj({"fileContent": (Str(max_length=20_000_000), True), "type": (ref(), True)}),
            True,
        ),
    }
)


@dataclass
class StoredFile:
    content: bytes
    name: str
    content_type: str


@dataclass
class Item:
    kind: str
    value: int
    document_type: dict
    required: bool = False
    received_date: str | None = None
    valid: bool = False
    validation_date: str | None = None
    reason: str | None = None
    reason_note: str | None = None
    original: StoredFile | None = None
    uploaded: StoredFile | None = None
    signed: StoredFile | None = None
    signing_request: dict | None = None
    review_ticket: int = 0
    signing_ticket: int = 0

    @property
    def code(self) -> str:
        return self.document_type["code"]

    @property
    def eligible_for_signing(self) -> bool:
        return self.kind == GENERATED and self.code in SIGNABLE_CODES

    def send_signing_allowed(self, proposal) -> bool:
        if not self.eligible_for_signing or self.valid:
            return False
        if proposal.workflow_status in UPLOAD_FORBIDDEN:
            return False
        request = self.signing_request
        return request is None or request["status"] in ("DECLINED", "EXPIRED")

    def render(self, proposal) -> dict:
        request = self.signing_request
        if request is not None:
            request = {**request, "signatories": [dict(s) for s in request["signatories"]]}
        return {
            "id": {"type": self.kind, "value": self.value},
            "documentType": dict(self.document_type),
            "required": self.required,
            "received": self.received_date is not None,
            "receivedDate": self.received_date,
            "valid": self.valid,
            "validationDate": self.validation_date,
            "reason": self.reason,
            "reasonNote": self.reason_note,
            "downloadAllowed": self.original is not None,
            "downloadSignedAllowed": self.signed is not None,
            "downloadUploadedAllowed": self.uploaded is not None,
            "sendByEmailAllowed": False,
            "printOptions": [],
            "eligibleForSigning": self.eligible_for_signing,
            "signingEnabled": self.eligible_for_signing,
            "sendSigningRequestAllowed": self.send_signing_allowed(proposal),
            "canBeSignedCombined": self.eligible_for_signing,
            "signingRequest": request,
        }


# ---- the checklist ---------------------------------------------------------------------------


def document_types(sb, office_id) -> list[dict]:
    """The document types of an office: the seed's, the same for every office."""
    return [dict(kind) for kind in sb.seed.document_types_list()]


def type_of_code(sb, office_id, code) -> dict:
    return next(t for t in document_types(sb, office_id) if t["code"] == code)


def render_list(proposal) -> list[dict]:
    return [item.render(proposal) for item in proposal.documents]


def find(proposal, kind, value) -> Item | None:
    for item in proposal.documents:
        if item.kind == kind and item.value == value:
            return item
    return None


def has_valid(proposal, code) -> bool:
    return any(item.code == code and item.valid for item in proposal.documents)


def add_item(proposal, kind, document_type, required=False) -> Item:
    value = 1 + max((item.value for item in proposal.documents), default=0)
    item = Item(kind, value, document_type, required=required)
    proposal.documents.append(item)
    return item


def require(sb, proposal, code, kind=UPLOADED) -> Item:
    """Make an item of `code` required: the latest one of that kind if there is one, else a new one
    (an invoice uploaded before the acceptance fulfils the required one)."""
    for item in reversed(proposal.documents):
        if item.code == code and item.kind == kind:
            item.required = True
            return item
    return add_item(proposal, kind, type_of_code(sb, proposal.office_id, code), required=True)


def on_accepted(sb, proposal, medium_amount):
    """The checklist of an accepted proposal (section 7): agreement, mandate, invoice, maybe ID."""
    for code, paper in (("AGREEMENT", papers.agreement), ("DD_MANDATE", papers.mandate)):
        if any(i.code == code and i.kind == GENERATED for i in proposal.documents):
            continue
        item = require(sb, proposal, code, GENERATED)
        name = item.document_type["name"]
        item.original = StoredFile(
            paper(proposal, name), f"{code.lower()}-{proposal.id}.pdf", "application/pdf"
        )
    require(sb, proposal, "SUPPLIER_INVOICE")
    if (proposal.amount_financed or 0) > medium_amount:
        require(sb, proposal, "PROOF_OF_ID")


# ---- reviews ---------------------------------------------------------------------------------


def review(sb, proposal, item, valid, reason=None, reason_note=None):
    """SFS's review of a received item; it bumps the ETag and may make the proposal ready."""
    proposal.touch()
    item.review_ticket += 1  # a review still pending for the item now does nothing
    item.valid = valid
    item.validation_date = iso_ms(proposal.updated)
    item.reason = None if valid else (reason or UNREADABLE)
    item.reason_note = None if valid else reason_note
    activation.check(sb, proposal)


def _review_due(sb, proposal_id, kind, value, ticket):
    with sb.store.lock:
        proposal = sb.store.get(proposal_id)
        item = find(proposal, kind, value) if proposal is not None else None
        if item is None or item.review_ticket != ticket or proposal.workflow_status == "CANCELLED":
            return  # wiped, cancelled, uploaded again or reviewed by hand meanwhile
        if "invalid" in item.uploaded.name.lower():
            review(sb, proposal, item, False, UNREADABLE, UNREADABLE_NOTE)
        else:
            review(sb, proposal, item, True)


# ---- the API ---------------------------------------------------------------------------------


def checklist(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        return Reply(200, render_list(proposal), proposal.etag)


def _decode_file(text: str, field: str, v: Violations) -> tuple | None:
    """The decoded file and its (content type, extension), or None after a violation."""
    try:
        # Strict: only the standard alphabet, correct padding, nothing after it.
        content = binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        v.add(field, "INVALID_VALUE", "fileContent must be standard base64.")
        return None
    if len(content) > MAX_FILE_BYTES:
        v.add(field, "FILE_TOO_LARGE", "The file must be at most 10 MiB.")
        return None
    for magic, content_type, extension in MAGIC:
        if content.startswith(magic):
            return content, content_type, extension
    v.add(field, "FILE_TYPE_NOT_ALLOWED", "The file must be a PDF, PNG or JPEG.")
    return None


def upload(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        require_if_match(call, proposal)
        if proposal.workflow_status in UPLOAD_FORBIDDEN:
            raise invalid_state(proposal.workflow_status)
        v = Violations()
        clean = UPLOAD.clean(call.json(), "", v)
        item = None
        document_id = clean.get("documentId") or {}
        if "type" in document_id and "value" in document_id:
            item = find(proposal, document_id["type"], document_id["value"])
            if item is None:
                v.add("documentId", "INVALID_VALUE", "documentId names no item of the checklist.")
            elif item.valid:
                msg = "The document is already valid: it cannot be replaced."
                raise ApiError(409, message=msg)
        uploaded = clean.get("uploadedDocument") or {}
        document_type = _checked_type(sb, proposal, item, uploaded, v)
        decoded = None
        if "fileContent" in uploaded:
            decoded = _decode_file(uploaded["fileContent"], "uploadedDocument.fileContent", v)
        if len(v):
            raise validation_failed(v.items)
        content, content_type, extension = decoded
        proposal.touch()
        if item is None:
            item = add_item(proposal, UPLOADED, document_type)
        name = clean.get("fileName") or f"{document_type['code'].lower()}-{item.value}.{extension}"
        item.uploaded = StoredFile(content, name, content_type)
        item.received_date = iso_ms(proposal.updated)
        item.valid, item.validation_date, item.reason, item.reason_note = False, None, None, None
        item.review_ticket += 1
        delay = sb.settings.delay("document_review_delay")
        ticket = item.review_ticket
        sb.scheduler.call_later(delay, _review_due, sb, proposal.id, item.kind, item.value, ticket)
        return Reply(200, render_list(proposal), proposal.etag)


def _checked_type(sb, proposal, item, uploaded, v) -> dict | None:
    type_id = (uploaded.get("type") or {}).get("id")
    if type_id is None:
        return None
    field = "uploadedDocument.type.id"
    known = {t["id"]: t for t in document_types(sb, proposal.office_id)}
    if type_id not in known:
        v.add(field, "INVALID_VALUE", f"Document type {type_id} does not exist for the office.")
        return None
    if item is not None and item.document_type["id"] != type_id:
        v.add(field, "INVALID_VALUE", f"The document is of type {item.code}.")
        return None
    return known[type_id]


def item_of_path(proposal, params) -> Item:
    kind, value = params.get("type"), parse_id(params.get("value"))
    item = find(proposal, kind, value) if kind in KINDS and value is not None else None
    if item is None:
        raise not_found("The document")
    return item


SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")


def file_reply(stored: StoredFile) -> Reply:
    # Only plain characters go into the header: a name is the client's text and could hold CR/LF.
    plain = SAFE_NAME.sub("_", stored.name) or "document"
    headers = {
        "Content-Type": stored.content_type,
        "Content-Disposition": f'attachment; filename="{plain}"',
    }
    return Reply(200, stored.content, headers=headers)


def download(sb, call) -> Reply:
    v = Violations()
    query = Query(call.query, {"variant"}, v)
    variant = query.choice("variant", VARIANTS)
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        item = item_of_path(proposal, call.params)
        if len(v):
            raise validation_failed(v.items)
        if variant is None:
            variant = "original" if item.kind == GENERATED else "uploaded"
        stored = {"original": item.original, "signed": item.signed, "uploaded": item.uploaded}
        if stored[variant] is None:
            raise ApiError(409, message=f"The {variant} file of this document is not available.")
        return file_reply(stored[variant])
