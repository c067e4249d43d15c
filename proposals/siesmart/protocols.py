"""The shared state the client needs but does not own.

The portal implements these with Redis or the database (one token and one rate budget for every
process); `memory.py` has in-process versions for tests and scripts.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from .types import Token


@runtime_checkable
class TokenStore(Protocol):
    """One bearer token per credential, shared by every process."""

    def get(self, key: str) -> Token | None: ...

    def put(self, key: str, token: Token) -> None: ...

    def discard(self, key: str, access_token: str) -> None:
        """Drop the stored token only if it is still `access_token` (after a 401): a token that
        another process has renewed in the meantime must survive."""
        ...

    def renewal_lock(self, key: str, timeout: float) -> AbstractContextManager[bool]:
        """Try once, without blocking, to become the one process that renews the token.
        Yields True when this process got the lock (and must renew), False when another holds
        it. `timeout` bounds how long the lock may be held, so a crashed holder frees it."""
        ...


@runtime_checkable
class Limiter(Protocol):
    """The shared rate budget (SFS allows 100 requests a minute per IP for the deployment)."""

    def acquire(self, lane: str) -> float:
        """0.0: a slot is taken now. Above 0: no slot was taken; try again after that many seconds
        (this includes a shared pause after a 429). `lane` is "interactive" or "background"."""
        ...

    def pause(self, seconds: float) -> None:
        """A 429 pauses every process for `seconds`."""
        ...

    # Optional: ``for_holder(credential_key) -> Limiter``. A limiter shared by several
    # organisations may offer it to share the budget fairly between them; the client calls it
    # once with its credential key and takes its slots from what it returns (see
    # ``bind_limiter``). A limiter without it serves every caller alike.


def bind_limiter(limiter: Limiter, credential_key: str) -> Limiter:
    """The limiter that takes slots on behalf of `credential_key`'s holder, where it can."""
    for_holder = getattr(limiter, "for_holder", None)
    return for_holder(credential_key) if callable(for_holder) else limiter


@dataclass(frozen=True)
class CallRecord:
    """One attempt of one call to SieSmart, the token call included. Holds no secret: bodies are
    redacted (and truncated) before they get here."""

    started_at: datetime  # UTC
    credential_key: str
    method: str
    path: str  # relative to the API base, e.g. /proposals/7000123; /oauth/token for the token
    url: str  # the full URL with its query
    status: int | None  # None: no answer (timeout, connection error)
    duration_ms: int
    trace_id: str | None
    attempt: int  # 1-based, per call (a retry or the replay after a 401 counts up)
    error_code: str | None
    error_message: str | None
    lane: str
    request_body: Any = None
    response_body: Any = None
    outcome_unknown: bool = False


@runtime_checkable
class Recorder(Protocol):
    def record(self, call: CallRecord) -> None:
        """Keep the record. Must not raise for long; the client logs and ignores an exception
        here, since losing a log line must never lose the outcome of a call."""
        ...
