"""Downloads of a proposal's documents and decision document, streamed from SFS (6.10, 6.11).

The same checks as every page first (``proposal_get_for_user``: 404 for anyone else); only an
item of the mirrored checklist can be asked for. The file goes through in chunks, never whole in
memory, and SFS's answer is closed once the last chunk went out (or the browser left).
"""

import re
import unicodedata
from collections.abc import Iterator

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from proposals.selectors import proposal_get_for_user
from proposals.services.documents import mirrored_document
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.checklist import DocumentDownload
from proposals.siesmart.enums import DownloadVariant, Lane
from proposals.views.access import ANYONE, role_required

# Served as they are; anything else SFS sends goes out as bytes to save, never rendered here.
SAFE_CONTENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
FILE_NAME_AT_MOST = 120
VARIANTS = frozenset(variant.value for variant in DownloadVariant)


def safe_file_name(name: str | None, fallback: str) -> str:
    """A file name without path parts or control characters, of a sane length."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return fallback
    if len(name) > FILE_NAME_AT_MOST:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 8:
            return stem[: FILE_NAME_AT_MOST - len(extension) - 1] + "." + extension
        return name[:FILE_NAME_AT_MOST]
    return name


def _chunks_then_close(download: DocumentDownload) -> Iterator[bytes]:
    try:
        yield from download.iter_content()
    finally:
        download.close()


def _streamed(download: DocumentDownload, fallback_name: str) -> StreamingHttpResponse:
    content_type = (download.content_type or "").split(";", 1)[0].strip().lower()
    if content_type not in SAFE_CONTENT_TYPES:
        content_type = "application/octet-stream"
    response = StreamingHttpResponse(_chunks_then_close(download), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, safe_file_name(download.file_name, fallback_name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    if download.content_length is not None:
        response["Content-Length"] = str(download.content_length)
    return response


def _back(request, proposal):
    if request.user.is_staff_member:
        return redirect("staff_proposal", pk=proposal.pk)
    return redirect("proposal_detail", pk=proposal.pk)


def _fetch(request, proposal, fetch, fallback_name: str, not_allowed: str):
    """Ask SFS for the file; any refusal or failure is a message on the proposal's page."""
    if not proposal.sfs_id or proposal.credential is None:
        messages.error(request, "SFS does not have this proposal, so it has no documents.")
        return _back(request, proposal)
    client = client_for(
        credential=proposal.credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk
    )
    try:
        download = fetch(client)
    except errors.ConflictError:
        messages.error(request, not_allowed)
        return _back(request, proposal)
    except errors.SieSmartError:
        messages.error(request, "SFS could not give the file just now. Please try again shortly.")
        return _back(request, proposal)
    return _streamed(download, fallback_name)


@role_required(ANYONE)
@require_GET
def document_download(request, pk, id_type, value):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    item = mirrored_document(proposal, id_type, value)
    variant = request.GET.get("variant") or None
    if item is None or (variant is not None and variant not in VARIANTS):
        messages.error(request, "That document is not on SFS's checklist for this proposal.")
        return _back(request, proposal)
    name = str((item.get("documentType") or {}).get("name") or "document")
    fallback = safe_file_name(f"{proposal.reference} {name}.pdf", "document.pdf")
    return _fetch(
        request,
        proposal,
        lambda client: client.download_document(proposal.sfs_id, item["id"], variant=variant),
        fallback,
        f"SFS does not allow this download of the {name} now.",
    )


@role_required(ANYONE)
@require_GET
def decision_document_download(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    return _fetch(
        request,
        proposal,
        lambda client: client.download_decision_document(proposal.sfs_id),
        safe_file_name(f"{proposal.reference} decision.pdf", "decision.pdf"),
        "SFS has no decision document for this proposal yet: it comes once SFS has decided.",
    )
