"""A broker's file for SFS's checklist (CONTRACT.md 6.10): checked, stored, then sent by a job.

The file is judged by its first bytes, never by its name or the browser's word. It is kept
through Django's storage API and the row is the queue of record, so a failed send is retried and
never lost. SFS must never get a file twice: an upload whose answer was lost (or any attempt after
the first) reads the checklist before sending, and adopts the item if the file is there.
"""

import logging
import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from proposals import jobs
from proposals.models import (
    OPEN_UPLOAD_STATES,
    DocumentUpload,
    Proposal,
    UploadState,
    User,
)
from proposals.services import PortalError
from proposals.services.documents import checklist_store, mirrored_document
from proposals.services.events import event_record
from proposals.services.refresh import proposal_take_remote
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import Lane

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
FILE_NAME_AT_MOST = 200
# (first bytes, content type, extension): what SFS takes (6.10), judged as SFS judges it.
MAGIC = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
# SFS accepts no upload in these states (CONTRACT.md 6.6, v2 paragraph).
UPLOAD_FORBIDDEN = frozenset({"CANCELLED", "DECLINED", "ACTIVATED"})
# Clocks differ: an item received this long before our first attempt may still be our file.
CLOCK_SKEW = timedelta(seconds=5)

ALREADY_ON_ITS_WAY = "A file for this document is already on its way to SFS: wait until it is sent."


class UploadRefused(PortalError):
    """The file or the moment is not right; the message is for the broker, next to the field."""


# -- checks -------------------------------------------------------------------------------------


def upload_file_name_clean(name: str | None, *, extension: str = "") -> str:
    """No path parts, no control characters, at most 200 characters with the extension kept."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        name = f"document.{extension}" if extension else "document"
    if len(name) <= FILE_NAME_AT_MOST:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and 0 < len(suffix) <= 10:
        return stem[: FILE_NAME_AT_MOST - len(suffix) - 1].rstrip(" .") + "." + suffix
    return name[:FILE_NAME_AT_MOST]


def upload_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) by the file's first bytes, or None for anything else."""
    for magic, content_type, extension in MAGIC:
        if head.startswith(magic):
            return content_type, extension
    return None


def _checked_file(uploaded) -> tuple[str, str]:
    if uploaded is None:
        raise UploadRefused("Choose a file to upload.")
    if not uploaded.size:
        raise UploadRefused("The file is empty: choose the document itself.")
    if uploaded.size > MAX_UPLOAD_BYTES:
        megabytes = uploaded.size / (1024 * 1024)
        raise UploadRefused(f"The file is {megabytes:.1f} MiB: SFS takes files up to 10 MiB.")
    uploaded.seek(0)
    kind = upload_kind(uploaded.read(16))
    uploaded.seek(0)
    if kind is None:
        raise UploadRefused(
            "This file is not a PDF, PNG or JPEG (whatever its name says): SFS takes only those."
        )
    return kind


def _target(proposal: Proposal, id_type: str, id_value: str, document_type_id) -> dict:
    """The checklist item (or the type of a new one) the file is for."""
    if not proposal.sfs_id or proposal.credential_id is None:
        raise UploadRefused("SFS does not have this proposal yet, so it takes no documents.")
    if proposal.workflow_status in UPLOAD_FORBIDDEN:
        raise UploadRefused("SFS takes no more documents for this proposal.")
    if id_type or id_value:
        item = mirrored_document(proposal, id_type, id_value)
        if item is None:
            raise UploadRefused("That document is not on SFS's checklist for this proposal.")
        if item.get("received") and item.get("valid"):
            raise UploadRefused("SFS already has this document and accepted it.")
        type_id = (item.get("documentType") or {}).get("id")
        if type_id is None:
            raise UploadRefused("SFS's checklist does not say what kind of document this is.")
        return {"item_type": id_type, "item_value": id_value, "document_type_id": int(type_id)}
    try:
        return {"item_type": "", "item_value": "", "document_type_id": int(document_type_id)}
    except (TypeError, ValueError):
        raise UploadRefused("Say which document this file is.") from None


def document_upload_start(
    *,
    proposal: Proposal,
    user: User,
    uploaded,
    id_type: str = "",
    id_value: str = "",
    document_type_id: int | None = None,
) -> DocumentUpload:
    """Check the file, store it, queue its send. ``uploaded`` is a Django ``UploadedFile``."""
    target = _target(proposal, id_type, id_value, document_type_id)
    content_type, extension = _checked_file(uploaded)
    open_uploads = DocumentUpload.objects.filter(
        proposal=proposal, state__in=OPEN_UPLOAD_STATES, **target
    )
    if open_uploads.exists():
        raise UploadRefused(ALREADY_ON_ITS_WAY)
    upload = DocumentUpload(
        proposal=proposal,
        file_name=upload_file_name_clean(uploaded.name, extension=extension),
        size=uploaded.size,
        content_type=content_type,
        created_by=user,
        **target,
    )
    upload.file.save("upload", uploaded, save=False)
    try:
        with transaction.atomic():
            upload.save()
            # The earlier files of this item are history now.
            DocumentUpload.objects.filter(proposal=proposal, **target).exclude(
                Q(pk=upload.pk) | Q(state__in=OPEN_UPLOAD_STATES)
            ).update(state=UploadState.SUPERSEDED, updated=timezone.now())
    except IntegrityError:
        # The other tab won the race: its file goes to SFS, this one is not kept.
        upload.file.delete(save=False)
        raise UploadRefused(ALREADY_ON_ITS_WAY) from None
    event_record(
        proposal=proposal,
        kind="document_upload",
        actor=user,
        message=f"File {upload.file_name} ({upload.size} bytes) queued for SFS.",
    )
    jobs.job_enqueue(jobs.DOCUMENT_UPLOAD, upload.pk)
    return upload


# -- the job ------------------------------------------------------------------------------------


def _claim(upload_id: int) -> DocumentUpload | None:
    """QUEUED or VERIFYING (or SENDING whose worker died) → SENDING, with a lease. None when
    another worker has it or there is nothing to do."""
    now = timezone.now()
    claimable = Q(state__in=[UploadState.QUEUED, UploadState.VERIFYING]) | Q(
        state=UploadState.SENDING, lease_until__lt=now
    )
    claimed = DocumentUpload.objects.filter(claimable, pk=upload_id).update(
        state=UploadState.SENDING,
        lease_until=now + timedelta(seconds=settings.SEND_LEASE_SECONDS),
        attempts=F("attempts") + 1,
        updated=now,
    )
    if not claimed:
        return None
    upload = DocumentUpload.objects.select_related("proposal__credential").get(pk=upload_id)
    if upload.first_attempt_at is None:
        upload.first_attempt_at = now
        upload.save(update_fields=["first_attempt_at"])
    return upload


def _finish(upload: DocumentUpload, state: str, error: str = "") -> None:
    upload.state, upload.error, upload.lease_until = state, error[:2000], None
    fields = ["state", "error", "lease_until", "updated"]
    if state == UploadState.SENT:
        upload.sent_at = timezone.now()
        fields.append("sent_at")
    upload.save(update_fields=fields)


def _comparable(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


def _landed(client, upload: DocumentUpload, checklist):
    """The checklist item that holds this very file, if SFS has it already."""
    since = upload.first_attempt_at - CLOCK_SKEW
    if upload.item_type:
        candidates = [checklist.find((upload.item_type, upload.item_value))]
    else:
        candidates = [
            doc
            for doc in checklist
            if doc.document_type is not None and doc.document_type.id == upload.document_type_id
        ]
    for document in candidates:
        if document is None or not document.received or document.received_date is None:
            continue
        if document.received_date < since:
            continue
        if _same_file_name(client, upload, document):
            return document
    return None


def _same_file_name(client, upload: DocumentUpload, document) -> bool:
    """The checklist holds no file name; the uploaded file's download names it. A name SFS
    does not give leaves the received date to decide."""
    if not document.download_uploaded_allowed:
        return True
    download = client.download_document(upload.proposal.sfs_id, document.id, variant="uploaded")
    download.close()  # its headers are all we need
    if not download.file_name:
        return True
    return _comparable(download.file_name) == _comparable(upload.file_name)


def _send(client, upload: DocumentUpload, etag: str):
    with upload.file.open("rb") as handle:
        return client.upload_document(
            upload.proposal.sfs_id,
            etag=etag,
            file=handle,
            document_type_id=upload.document_type_id,
            file_name=upload.file_name,
            document_id=(upload.item_type, _item_value(upload)) if upload.item_type else None,
        )


def _item_value(upload: DocumentUpload):
    # SFS's ids are numbers in the sandbox; echo a number back as a number.
    return int(upload.item_value) if upload.item_value.isdigit() else upload.item_value


def _send_once_more_after_412(client, upload: DocumentUpload):
    """SFS's version moved (a review, an underwriter): take it in, send again once."""
    proposal = upload.proposal
    remote = client.get_proposal(proposal.sfs_id)
    proposal_take_remote(
        proposal=proposal, remote=remote, actor_label="upload", lane=Lane.INTERACTIVE
    )
    return _send(client, upload, remote.etag), remote.etag


def document_upload_run(*, upload_id: int) -> str:
    """The upload job: "sent", "adopted" (SFS had it already), "failed", or "skipped". A
    failure SFS may get over is raised for the task's retry policy, the row back in the queue
    (or VERIFYING when the file may have arrived)."""
    upload = _claim(upload_id)
    if upload is None:
        return "skipped"
    proposal = upload.proposal
    client = client_for(
        credential=proposal.credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk
    )
    try:
        if upload.attempts > 1:
            checklist = client.list_documents(proposal.sfs_id)
            if _landed(client, upload, checklist):
                checklist_store(proposal=proposal, checklist=checklist)
                _finish(upload, UploadState.SENT)
                event_record(
                    proposal=proposal,
                    kind="document_upload",
                    message=f"SFS already had {upload.file_name}: not sent again.",
                )
                return "adopted"
        etag = proposal.etag
        try:
            checklist = _send(client, upload, etag)
        except errors.EtagMismatchError:
            checklist, etag = _send_once_more_after_412(client, upload)
    except errors.SieSmartError as error:
        return _after_failure(upload, error)
    checklist_store(proposal=proposal, checklist=checklist, sent_etag=etag)
    _finish(upload, UploadState.SENT)
    event_record(
        proposal=proposal, kind="document_upload", message=f"{upload.file_name} sent to SFS."
    )
    return "sent"


def _after_failure(upload: DocumentUpload, error: errors.SieSmartError) -> str:
    # A 503 says SFS was unavailable: the file waits in the queue. The next attempt reads the
    # checklist first all the same, so a 503 that had stored it is not sent twice either.
    if error.outcome_unknown and error.status != 503:
        _finish(upload, UploadState.VERIFYING, str(error))
        raise error
    if error.retryable or isinstance(
        error,
        errors.BudgetExhausted
        | errors.RateLimitedError
        | errors.EtagMismatchError
        | errors.MalformedResponseError,
    ):
        _finish(upload, UploadState.QUEUED, str(error))
        raise error
    _finish(upload, UploadState.FAILED, _refusal_words(error))
    event_record(
        proposal=upload.proposal,
        kind="document_upload_failed",
        message=f"SFS refused {upload.file_name}: {error}",
    )
    return "failed"


def _refusal_words(error: errors.SieSmartError) -> str:
    if isinstance(error, errors.ValidationError) and error.violations:
        return "; ".join(
            violation.user_message or str(violation.code) for violation in error.violations
        )
    if isinstance(error, errors.ConflictError):
        return "SFS does not take this document now (it may already be accepted)."
    return str(error)


# -- for the page -------------------------------------------------------------------------------


def uploads_latest_by_item(proposal: Proposal) -> dict[str, DocumentUpload]:
    """The latest upload of each checklist item, keyed "TYPE-VALUE" as the page's rows are."""
    latest: dict[str, DocumentUpload] = {}
    for upload in proposal.uploads.exclude(item_type="").order_by("created", "id"):
        latest[f"{upload.item_type}-{upload.item_value}"] = upload
    return latest


# What the broker reads for each state of an upload.
STATE_WORDS = {
    UploadState.QUEUED: "Waiting to be sent to SFS…",
    UploadState.SENDING: "Sending to SFS…",
    UploadState.VERIFYING: "Checking with SFS whether the file arrived…",
    UploadState.SENT: "Sent: SFS is checking it.",
    UploadState.FAILED: "Not sent",
    UploadState.SUPERSEDED: "Replaced by a later file.",
}


def upload_words(upload: DocumentUpload) -> str:
    words = STATE_WORDS.get(upload.state, upload.get_state_display())
    if upload.state == UploadState.FAILED and upload.error:
        return f"{words}: {upload.error}"
    if upload.state == UploadState.QUEUED and upload.attempts:
        return "SFS is not answering just now: the file waits and is sent once SFS is back."
    return words


def uploads_sweep() -> int:
    """Beat's net under the upload jobs, as for sends: an upload whose worker died (its lease
    ran out) or whose message was lost (queued or verifying for two requeue periods) is asked
    again. The claim and the checklist read before any second attempt make this harmless."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.SEND_REQUEUE_AFTER_SECONDS)
    stuck = list(
        DocumentUpload.objects.filter(
            Q(state=UploadState.SENDING, lease_until__lt=now)
            | Q(state__in=[UploadState.QUEUED, UploadState.VERIFYING], updated__lt=stale_before)
        ).values_list("pk", flat=True)[:100]
    )
    for upload_id in stuck:
        jobs.job_enqueue(jobs.DOCUMENT_UPLOAD, upload_id)
    return len(stuck)
