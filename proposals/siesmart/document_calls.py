"""v2 document calls (CONTRACT.md 6.10, 6.11): the checklist, uploads, downloads, e-signature and
the decision document. A mixin of `SieSmartClient`.

An upload is never repeated by the client, whatever the failure: its answer may have been lost
after SFS stored the file, and re-sending 10 MiB blindly is the caller's decision. The caller
reads the checklist (`list_documents`) to learn whether it arrived, then sends again if not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import endpoints
from . import parsing as p
from .checklist import Document, DocumentDownload, DocumentId, file_name_of
from .transport import Answer
from .upload_body import Base64JsonBody, FileSource

DocumentIdLike = DocumentId | dict[str, Any] | tuple[str, Any]


@dataclass(frozen=True)
class Checklist:
    """The proposal's documents in SFS's order, and the proposal's ETag when the call moved it."""

    documents: tuple[Document, ...]
    etag: str | None = None

    def __iter__(self):
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    def find(self, document_id: DocumentIdLike) -> Document | None:
        wanted = DocumentId.of(document_id)
        return next((doc for doc in self.documents if _same_id(doc.id, wanted)), None)

    def of_type(self, code: str) -> tuple[Document, ...]:
        return tuple(doc for doc in self.documents if doc.type_code == code)

    @property
    def outstanding(self) -> tuple[Document, ...]:
        return tuple(doc for doc in self.documents if doc.outstanding)


@dataclass(frozen=True)
class RefreshedDocument:
    """The answer to a signing refresh: one document; `etag` None when SFS sent none."""

    document: Document
    etag: str | None


def _same_id(left: DocumentId, right: DocumentId) -> bool:
    # A value sent as 501 may come back as "501" from another system: compare as text.
    return str(left.type) == str(right.type) and str(left.value) == str(right.value)


def _checklist(answer: Answer) -> Checklist:
    items = p.require_list(answer.body, "checklist")
    return Checklist(documents=tuple(Document.from_json(item) for item in items), etag=answer.etag)


def _refreshed(answer: Answer) -> RefreshedDocument:
    body = answer.body
    # Tolerant: a checklist of one where a single document was expected.
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    return RefreshedDocument(document=Document.from_json(body), etag=answer.etag)


def _download(answer: Answer) -> DocumentDownload:
    response = answer.response
    assert response is not None  # a streamed call
    length = response.headers.get("Content-Length")
    return DocumentDownload(
        response=response,
        content_type=response.headers.get("Content-Type"),
        file_name=file_name_of(response.headers.get("Content-Disposition")),
        content_length=int(length) if length and length.isdigit() else None,
        trace_id=answer.trace_id,
    )


def emails_in_cc(emails: str | Iterable[str] | None) -> str | None:
    """[ASSUME] one comma-separated string."""
    if emails is None or isinstance(emails, str):
        return emails or None
    joined = ",".join(email.strip() for email in emails if email and email.strip())
    return joined or None


class DocumentCalls:
    _request: Any  # SieSmartClient._request

    def list_documents(self, proposal_id: int) -> Checklist:
        return self._request("GET", endpoints.proposal_documents(proposal_id), parse=_checklist)

    def upload_document(
        self,
        proposal_id: int,
        *,
        etag: str,
        file: FileSource,
        document_type_id: int,
        file_name: str | None = None,
        document_id: DocumentIdLike | None = None,
    ) -> Checklist:
        """Upload a file (bytes, a path, or an open binary file at its start), base64-encoded
        while it is sent. With `document_id` it fulfils that item; without, it adds one.
        Never repeated: on an error with `outcome_unknown`, read the checklist first."""
        body: dict[str, Any] = {}
        if document_id is not None:
            body["documentId"] = DocumentId.of(document_id).to_json()
        if file_name is not None:
            body["fileName"] = file_name
        body["uploadedDocument"] = {
            "fileContent": Base64JsonBody.FILE_CONTENT,
            "type": {"id": document_type_id},
        }
        return self._request(
            "POST",
            endpoints.proposal_documents(proposal_id),
            stream=Base64JsonBody(body, file),
            if_match=etag,
            retry=False,
            parse=_checklist,
        )

    def download_document(
        self, proposal_id: int, document_id: DocumentIdLike, *, variant: str | None = None
    ) -> DocumentDownload:
        """The file, streamed: read it from the answer, then close it. `variant`: original,
        signed or uploaded (SFS's default when None)."""
        wanted = DocumentId.of(document_id)
        params = None if variant is None else {endpoints.DOWNLOAD_VARIANT_PARAM: str(variant)}
        return self._request(
            "GET",
            endpoints.proposal_document_download(proposal_id, wanted.type, wanted.value),
            params=params,
            stream_response=True,
            parse=_download,
        )

    def request_signing(
        self,
        proposal_id: int,
        *,
        etag: str,
        document_ids: Sequence[DocumentIdLike],
        signatories: Sequence[dict[str, Any]],
        cc_emails: str | Iterable[str] | None = None,
    ) -> Checklist:
        """Send documents for e-signature. A signatory: `{"firstName", "lastName", "email",
        "phone"?, "jobTitle": {"id"}?, "jobTitleCustom"?, ...}` as in CONTRACT.md 6.11."""
        body: dict[str, Any] = {
            "documentIds": [DocumentId.of(item).to_json() for item in document_ids],
            "signatories": [dict(signatory) for signatory in signatories],
        }
        joined = emails_in_cc(cc_emails)
        if joined is not None:
            body["emailsInCC"] = joined
        return self._request(
            "POST",
            endpoints.proposal_signing(proposal_id),
            json=body,
            if_match=etag,
            parse=_checklist,
        )

    def refresh_signing(
        self, proposal_id: int, *, etag: str, document_id: DocumentIdLike
    ) -> RefreshedDocument:
        """SFS asks the signing service; the ETag moves only when the document changed."""
        return self._request(
            "POST",
            endpoints.proposal_signing_refresh(proposal_id),
            json=DocumentId.of(document_id).to_json(),
            if_match=etag,
            parse=_refreshed,
        )

    def download_decision_document(self, proposal_id: int) -> DocumentDownload:
        """The decision's PDF, streamed; 409 INVALID_STATE (a ConflictError) before a decision."""
        return self._request(
            "GET",
            endpoints.proposal_decision_document(proposal_id),
            stream_response=True,
            parse=_download,
        )
