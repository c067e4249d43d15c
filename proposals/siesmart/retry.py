"""When to send a failed call again, and how long to wait first.

Retries go by failure class, as in stripe-python's `_should_retry`: only a failure that may be
transient, and only for a call that is safe to repeat. Delays are botocore's capped exponential
backoff with full jitter, so many workers that failed together do not retry together.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import requests
import urllib3.exceptions

from .enums import ClientErrorCode
from .errors import (
    ServerError,
    SieSmartConnectionError,
    SieSmartError,
    SieSmartTimeout,
)

# Safe to repeat by their nature. A POST or DELETE is safe only with If-Match: if the first
# attempt was carried out, the version moved on and the repeat is refused with 412 instead of
# acting twice. A create has no If-Match and is never repeated blindly.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_FAILURES: tuple[type[SieSmartError], ...] = (
    ServerError,
    SieSmartTimeout,
    SieSmartConnectionError,
)


@dataclass(frozen=True)
class CallPolicy:
    """Timeouts, retries and waits for every call (the client's constructor sets them)."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 2  # so at most three attempts
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_inline_wait: float = 2.0  # longer waits for a rate slot are the caller's (BudgetExhausted)


def safe_to_repeat(method: str, if_match: str | None) -> bool:
    return method.upper() in IDEMPOTENT_METHODS or if_match is not None


def should_retry(error: SieSmartError, *, retries_done: int, max_retries: int) -> bool:
    """For a call that is safe to repeat: 5xx, timeouts and connection failures, a few times.
    Never 4xx (the same request gets the same answer), never an unreadable answer."""
    return retries_done < max_retries and isinstance(error, RETRYABLE_FAILURES)


def backoff_delay(retries_done: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: uniform between 0 and min(cap, base * 2 ** retries_done)."""
    return rng.uniform(0.0, min(cap, base * (2**retries_done)))


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (requests wraps urllib3 wraps the socket error)."""
    seen: list[BaseException] = []
    stack: list[object] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or any(item is known for known in seen):
            continue
        seen.append(item)
        stack.extend(item.args)
        stack.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
    return seen


def _never_sent(exc: BaseException) -> bool:
    """A failure to open the connection (refused, unresolvable) means the request never left;
    anything else (a reset, a drop mid-answer, even a TLS failure) may have reached SFS, and
    a wrong "never sent" could double a proposal, so the doubt goes to "sent"."""
    return any(isinstance(item, urllib3.exceptions.NewConnectionError) for item in _chain(exc))


def error_from_exception(exc: requests.RequestException) -> SieSmartError:
    """The typed error for a request that got no answer."""
    name = type(exc).__name__
    if isinstance(exc, requests.ConnectTimeout):
        return SieSmartTimeout(f"Connecting to SieSmart timed out ({name})", request_sent=False)
    if isinstance(exc, requests.Timeout):
        return SieSmartTimeout(f"SieSmart did not answer in time ({name})", request_sent=True)
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        sent = not _never_sent(exc)
        detail = "the connection dropped" if sent else "could not connect"
        return SieSmartConnectionError(
            f"SieSmart unreachable: {detail} ({name})", request_sent=sent
        )
    # An invalid URL or header: our configuration, not a transient fault.
    return SieSmartError(
        f"The request to SieSmart could not be made ({name})",
        code=ClientErrorCode.INVALID_REQUEST,
    )
