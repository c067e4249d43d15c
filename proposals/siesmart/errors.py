"""The client's errors, built in one place from an answer (`error_from_response`).

Two properties tell a caller what to do with any of them:
- `retryable`: the failure is transient; the same call may succeed later (a task reschedules).
- `outcome_unknown`: the request may have been carried out although no clean answer came back
  (a timeout after sending, a dropped connection, a 5xx, an unreadable 2xx). After a create, the
  caller verifies by label before it ever sends again (ARCHITECTURE.md, "Send").
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from . import endpoints, jsonio
from .enums import ClientErrorCode, ErrorCode, ViolationCode

# How much of a body that is not JSON we keep on an error (an HTML error page can be long).
_TEXT_SNIPPET = 500


@dataclass(frozen=True)
class Violation:
    """One problem of a request. `field` is a dotted path like `assets[0].quantity`, or None for a
    problem of the whole proposal; `code` is a ViolationCode, or a plain string if unknown."""

    field: str | None
    code: str
    user_message: str | None = None

    @classmethod
    def from_json(cls, data: object) -> Violation | None:
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            return None
        field = data.get("field")
        message = data.get("userMessage")
        return cls(
            field=field if isinstance(field, str) else None,
            code=ViolationCode.parse(data["code"]),
            user_message=message if isinstance(message, str) else None,
        )


def parse_violations(items: object) -> list[Violation]:
    """Tolerant: an entry we cannot read is skipped rather than losing all the others."""
    if not isinstance(items, list):
        return []
    parsed = (Violation.from_json(item) for item in items)
    return [violation for violation in parsed if violation is not None]


class SieSmartError(Exception):
    """Base of every error the client raises."""

    default_code: str | None = None
    transient = False  # the class's answer to `retryable`

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        trace_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code if code is not None else self.default_code
        self.trace_id = trace_id
        self.body = body

    @property
    def retryable(self) -> bool:
        return self.transient

    @property
    def outcome_unknown(self) -> bool:
        return False

    def __str__(self) -> str:
        parts = [self.message]
        label = " ".join(str(part) for part in (self.status, self.code) if part)
        if label:
            parts.append(f"[{label}]")
        if self.trace_id:
            parts.append(f"(trace id {self.trace_id})")
        return " ".join(parts)


class UnauthorizedError(SieSmartError):  # 401: the token is missing, unknown, revoked or expired
    default_code = ErrorCode.UNAUTHORIZED


class ForbiddenError(SieSmartError):  # 403: the office or proposal belongs to another introducer
    default_code = ErrorCode.FORBIDDEN


class NotFoundError(SieSmartError):  # 404: in the test environment, a wipe makes proposals vanish
    default_code = ErrorCode.NOT_FOUND


class ValidationError(SieSmartError):
    """400: every problem of the request at once, in `violations`."""

    default_code = ErrorCode.VALIDATION_FAILED

    def __init__(self, message: str, *, violations: list[Violation] | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.violations: list[Violation] = list(violations or [])

    @property
    def is_precondition_failure(self) -> bool:
        """A decision request refused because the pre-check fails (the proposal is incomplete)."""
        return self.code == ErrorCode.PRECONDITION_VIOLATIONS

    def violations_by_field(self) -> dict[str | None, list[Violation]]:
        grouped: dict[str | None, list[Violation]] = {}
        for violation in self.violations:
            grouped.setdefault(violation.field, []).append(violation)
        return grouped


class PreconditionFailedError(SieSmartError):  # 412
    pass


class IfMatchMissingError(PreconditionFailedError):
    """412 IF_MATCH_MISSING: our bug (a change sent without If-Match); fail loudly, never retry."""

    default_code = ErrorCode.IF_MATCH_MISSING


class EtagMismatchError(PreconditionFailedError):
    """412 ETAG_MISMATCH: the proposal changed since our ETag; re-read, merge, send again once."""

    default_code = ErrorCode.ETAG_MISMATCH


class ConflictError(SieSmartError):  # 409 INVALID_STATE: the proposal's state forbids it
    default_code = ErrorCode.INVALID_STATE


class PayloadTooLargeError(SieSmartError):  # 413 (v2): refused by its Content-Length, unread
    default_code = ErrorCode.PAYLOAD_TOO_LARGE


class RateLimitedError(SieSmartError):
    """429: the client has already paused the shared limiter; the caller reschedules."""

    default_code = ErrorCode.RATE_LIMITED
    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(SieSmartError):
    """5xx. SFS may have carried the request out before failing, so the outcome is unknown."""

    default_code = ErrorCode.INTERNAL_ERROR
    transient = True

    @property
    def outcome_unknown(self) -> bool:
        return True


class _TransportError(SieSmartError):
    """No answer at all. Whether the request reached SFS depends on where it failed."""

    transient = True

    def __init__(self, message: str, *, request_sent: bool = True, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.request_sent = request_sent

    @property
    def outcome_unknown(self) -> bool:
        return self.request_sent


class SieSmartTimeout(_TransportError):
    """A connect timeout never sent the request; a read timeout did, and SFS may have acted."""

    default_code = ClientErrorCode.TIMEOUT


class SieSmartConnectionError(_TransportError):
    """Refused or unresolvable: never sent. Dropped mid-request: sent, outcome unknown."""

    default_code = ClientErrorCode.CONNECTION_ERROR


class MalformedResponseError(SieSmartError):
    """An answer we cannot read: not JSON, not the expected shape, a required field missing.
    A 2xx that is unreadable was still carried out, so its outcome is unknown to us."""

    default_code = ClientErrorCode.MALFORMED_RESPONSE

    @property
    def outcome_unknown(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class BudgetExhausted(SieSmartError):
    """The shared rate budget has no room soon; nothing was sent. Reschedule: `wait_seconds`."""

    default_code = ClientErrorCode.BUDGET_EXHAUSTED
    transient = True

    def __init__(self, wait_seconds: float, *, lane: str | None = None) -> None:
        super().__init__(f"The SieSmart rate budget is exhausted; retry in {wait_seconds:.1f} s")
        self.wait_seconds = wait_seconds
        self.lane = lane


class TokenError(SieSmartError):
    """The token could not be obtained, so the API call was never sent.
    `error` and `error_description` are the Auth0 fields when the endpoint refused."""

    default_code = ClientErrorCode.TOKEN_ERROR

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
        transient: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, code=error, **kwargs)
        self.error = error
        self.error_description = error_description
        self.transient = transient


# -- building errors from answers ------------------------------------------------------------------

_BY_STATUS: dict[int, type[SieSmartError]] = {
    400: ValidationError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    429: RateLimitedError,
}
_PRECONDITION_BY_CODE: dict[str, type[PreconditionFailedError]] = {
    ErrorCode.IF_MATCH_MISSING: IfMatchMissingError,
    ErrorCode.ETAG_MISMATCH: EtagMismatchError,
}


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from Retry-After: whole seconds [DOC] or an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def _read_body(response: requests.Response) -> Any:
    """The parsed JSON body, else a snippet of the text, else None."""
    if not response.content:
        return None
    try:
        return jsonio.decode(response.content)
    except ValueError:
        return response.text[:_TEXT_SNIPPET]


def error_from_response(response: requests.Response) -> SieSmartError:
    """The typed error for a non-2xx answer. Never raises itself: an answer that is not the
    contract's error object (an HTML 502 from a proxy) still gives the error class of its status."""
    status = response.status_code
    body = _read_body(response)
    error_object = body if isinstance(body, dict) else {}

    header_trace_id = response.headers.get(endpoints.TRACE_ID_HEADER)
    body_trace_id = error_object.get("traceId")
    trace_id = header_trace_id or (body_trace_id if isinstance(body_trace_id, str) else None)

    raw_code = error_object.get("code")
    code = ErrorCode.parse(raw_code) if isinstance(raw_code, str) else None
    raw_message = error_object.get("message")
    if isinstance(raw_message, str) and raw_message:
        message = raw_message
    else:
        message = f"SieSmart answered HTTP {status} {response.reason or ''}".rstrip()

    common: dict[str, Any] = {"status": status, "code": code, "trace_id": trace_id, "body": body}
    if status == 400:
        return ValidationError(
            message, violations=parse_violations(error_object.get("violations")), **common
        )
    if status == 412:
        return _PRECONDITION_BY_CODE.get(code or "", PreconditionFailedError)(message, **common)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get(endpoints.RETRY_AFTER_HEADER))
        return RateLimitedError(message, retry_after=retry_after, **common)
    if status >= 500:
        if code is None:
            # Not SFS's error object (a proxy's page, say): name the status rather than guess.
            common["code"] = ErrorCode.SERVICE_UNAVAILABLE if status == 503 else f"HTTP_{status}"
        return ServerError(message, **common)
    return _BY_STATUS.get(status, SieSmartError)(message, **common)
