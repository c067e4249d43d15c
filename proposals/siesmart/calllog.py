"""The record of every attempt of every call (the token call included), and its log line.
Neither ever holds a secret: bodies are redacted and the known secrets scrubbed first."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests

from . import endpoints, jsonio, redaction
from .errors import SieSmartError
from .protocols import CallRecord, Recorder

logger = logging.getLogger("proposals.siesmart")

# `record(response_body=...)` default: read the answer's body (never for a streamed download).
FROM_RESPONSE: Any = object()


def trace_id_of(response: requests.Response | None) -> str | None:
    return response.headers.get(endpoints.TRACE_ID_HEADER) if response is not None else None


def _body_of(response: requests.Response | None) -> Any:
    if response is None or not response.content:
        return None
    try:
        return jsonio.decode(response.content)
    except ValueError:
        return response.text


class CallLog:
    def __init__(self, *, recorder: Recorder, credential_key: str, client_secret: str) -> None:
        self.recorder = recorder
        self.credential_key = credential_key
        self._client_secret = client_secret

    def __repr__(self) -> str:  # never the secret
        return f"<CallLog {self.credential_key}>"

    def record(
        self,
        *,
        lane: str,
        started_at: datetime,
        duration_ms: int,
        method: str,
        path: str,
        url: str,
        attempt: int,
        response: requests.Response | None,
        error: SieSmartError | None,
        request_body: Any,
        token: str | None = None,
        response_body: Any = FROM_RESPONSE,
    ) -> None:
        """Record one attempt. `token`: the access token sent or received, scrubbed like the
        client secret should SFS ever echo it back."""
        secrets = (self._client_secret, token or "")
        status = response.status_code if response is not None else None
        trace_id = trace_id_of(response) or (error.trace_id if error else None)
        record = CallRecord(
            started_at=started_at,
            credential_key=self.credential_key,
            method=method,
            path=path,
            url=redaction.redact_text(url, secrets),
            status=status,
            duration_ms=duration_ms,
            trace_id=trace_id,
            attempt=attempt,
            error_code=str(error.code) if error and error.code else None,
            error_message=redaction.redact_text(error.message, secrets) if error else None,
            lane=lane,
            request_body=redaction.for_record(request_body, known_secrets=secrets),
            response_body=redaction.for_record(
                _body_of(response) if response_body is FROM_RESPONSE else response_body,
                known_secrets=secrets,
            ),
            outcome_unknown=bool(error and error.outcome_unknown),
        )
        logger.log(
            logging.WARNING if error else logging.INFO,
            "SieSmart %s %s -> %s in %d ms (attempt %d, lane %s, trace id %s%s)",
            method, path, status if status is not None else "no answer", duration_ms, attempt,
            lane, trace_id or "-", f", {record.error_code}" if error else "",
        )  # fmt: skip
        try:
            self.recorder.record(record)
        except Exception:
            # Losing a log line must never lose the outcome of the call itself.
            logger.exception("Could not record a SieSmart call to %s", path)
