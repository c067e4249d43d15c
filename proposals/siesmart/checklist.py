"""v2 documents (CONTRACT.md 6.10, 6.11): the checklist, signing requests and downloads.

Tolerant as everywhere: an unknown id type, document code, signing or signatory status is kept as
the plain string it came as; unknown fields are ignored; an absent flag reads as False (the
cautious reading: "not allowed")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from typing import Any

import requests

from . import parsing as p
from .config_types import DocumentType
from .enums import DocumentIdType, SignatoryStatus, SigningStatus


@dataclass(frozen=True)
class DocumentId:
    """The pair that names a document. `value` is kept exactly as SFS sent it (int or string),
    so that it goes back unchanged."""

    type: str  # a DocumentIdType, or the unknown value as it came
    value: Any

    @classmethod
    def from_json(cls, data: object, what: str = "document id") -> DocumentId:
        data = p.require_object(data, what)
        value = data.get("value")
        if value is None or isinstance(value, bool | dict | list):
            raise p.malformed(what, "lacks a usable 'value'")
        return cls(type=DocumentIdType.parse(p.text(data, "type", what)), value=value)

    @classmethod
    def of(cls, given: DocumentId | dict[str, Any] | tuple[str, Any]) -> DocumentId:
        """A caller's document id in any of three forms: a DocumentId, a dict, a pair."""
        if isinstance(given, DocumentId):
            return given
        if isinstance(given, dict):
            return cls(type=given["type"], value=given["value"])
        id_type, value = given
        return cls(type=id_type, value=value)

    def to_json(self) -> dict[str, Any]:
        return {"type": str(self.type), "value": self.value}


@dataclass(frozen=True)
class SignatoryState:
    """A signatory as SFS answers it, with their own status [CL 1.2.5]."""

    first_name: str | None
    last_name: str | None
    email: str | None
    status: str | None  # a SignatoryStatus, or the unknown value as it came
    phone: str | None = None
    job_title_id: int | None = None
    job_title_custom: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: object, what: str = "signatory") -> SignatoryState:
        data = p.require_object(data, what)
        job_title = p.obj(data, "jobTitle", what) or {}
        return cls(
            first_name=p.text(data, "firstName", what, required=False),
            last_name=p.text(data, "lastName", what, required=False),
            email=p.text(data, "email", what, required=False),
            status=SignatoryStatus.parse(p.text(data, "status", what, required=False)),
            phone=p.text(data, "phone", what, required=False),
            job_title_id=p.integer(job_title, "id", f"{what}.jobTitle", required=False),
            job_title_custom=p.text(data, "jobTitleCustom", what, required=False),
            raw=data,
        )


@dataclass(frozen=True)
class SigningRequest:
    status: str | None  # a SigningStatus, or the unknown value as it came
    send_date: datetime | None
    document_version: Any
    refresh_allowed: bool
    delete_allowed: bool
    download_allowed: bool
    send_reminder_allowed: bool
    sender_first_name: str | None
    sender_last_name: str | None
    signatories: tuple[SignatoryState, ...]

    @classmethod
    def from_json(cls, data: object, what: str = "signing request") -> SigningRequest:
        data = p.require_object(data, what)
        return cls(
            status=SigningStatus.parse(p.text(data, "status", what, required=False)),
            send_date=p.timestamp(data, "sendDate", what),
            document_version=data.get("documentVersion"),
            refresh_allowed=p.boolean(data, "refreshAllowed", what, required=False),
            delete_allowed=p.boolean(data, "deleteAllowed", what, required=False),
            download_allowed=p.boolean(data, "downloadAllowed", what, required=False),
            send_reminder_allowed=p.boolean(data, "sendReminderAllowed", what, required=False),
            sender_first_name=p.text(data, "senderFirstName", what, required=False),
            sender_last_name=p.text(data, "senderLastName", what, required=False),
            signatories=tuple(
                SignatoryState.from_json(item, f"{what}.signatories[]")
                for item in p.items(data, "signatories", what)
            ),
        )


def _flag(data: dict[str, Any], key: str, what: str) -> bool:
    return p.boolean(data, key, what, required=False)


@dataclass(frozen=True)
class Document:
    """One item of the checklist."""

    id: DocumentId
    document_type: DocumentType | None
    required: bool
    received: bool
    received_date: datetime | None
    valid: bool
    validation_date: datetime | None
    reason: str | None
    reason_note: str | None
    download_allowed: bool
    download_signed_allowed: bool
    download_uploaded_allowed: bool
    send_by_email_allowed: bool
    eligible_for_signing: bool
    signing_enabled: bool
    send_signing_request_allowed: bool
    can_be_signed_combined: bool
    signing_request: SigningRequest | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: object, what: str = "document") -> Document:
        data = p.require_object(data, what)
        document_type = p.obj(data, "documentType", what)
        signing = p.obj(data, "signingRequest", what)
        return cls(
            id=DocumentId.from_json(p.obj(data, "id", what, required=True), f"{what}.id"),
            document_type=(
                DocumentType.from_json(document_type, f"{what}.documentType")
                if document_type is not None
                else None
            ),
            required=_flag(data, "required", what),
            received=_flag(data, "received", what),
            received_date=p.timestamp(data, "receivedDate", what),
            valid=_flag(data, "valid", what),
            validation_date=p.timestamp(data, "validationDate", what),
            reason=p.text(data, "reason", what, required=False),
            reason_note=p.text(data, "reasonNote", what, required=False),
            download_allowed=_flag(data, "downloadAllowed", what),
            download_signed_allowed=_flag(data, "downloadSignedAllowed", what),
            download_uploaded_allowed=_flag(data, "downloadUploadedAllowed", what),
            send_by_email_allowed=_flag(data, "sendByEmailAllowed", what),
            eligible_for_signing=_flag(data, "eligibleForSigning", what),
            signing_enabled=_flag(data, "signingEnabled", what),
            send_signing_request_allowed=_flag(data, "sendSigningRequestAllowed", what),
            can_be_signed_combined=_flag(data, "canBeSignedCombined", what),
            signing_request=(
                SigningRequest.from_json(signing, f"{what}.signingRequest")
                if signing is not None
                else None
            ),
            raw=data,
        )

    @property
    def type_code(self) -> str | None:
        return self.document_type.code if self.document_type is not None else None

    @property
    def outstanding(self) -> bool:
        """A required item not yet received and valid (the search's OUTSTANDING)."""
        return self.required and not (self.received and self.valid)


def file_name_of(content_disposition: str | None) -> str | None:
    """The file name of a Content-Disposition header, `filename*=` (RFC 5987) included."""
    if not content_disposition:
        return None
    message = Message()
    message["content-disposition"] = content_disposition
    name = message.get_filename()
    return name or None


@dataclass
class DocumentDownload:
    """A file being downloaded: read it with `iter_content` (or `raw`), then `close()`; or use it
    as a context manager. The body is never read into memory by the client."""

    response: requests.Response = field(repr=False)
    content_type: str | None
    file_name: str | None
    content_length: int | None
    trace_id: str | None

    def iter_content(self, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        return self.response.iter_content(chunk_size=chunk_size)

    @property
    def raw(self) -> Any:
        """The underlying file-like stream (urllib3's), for `shutil.copyfileobj`."""
        return self.response.raw

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> DocumentDownload:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
