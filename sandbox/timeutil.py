"""Timestamps: proposals keep integer epoch milliseconds, the API shows ISO-8601 UTC with ms."""

import time
from datetime import UTC, datetime, timedelta


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def iso_ms(ms: int) -> str:
    """Format epoch milliseconds as `2026-11-28T06:05:21.123Z`."""
    seconds, millis = divmod(ms, 1000)
    stamp = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{millis:03d}Z"


def next_version(previous_ms: int | None) -> int:
    """The later of now and the previous version plus 1 ms, so versions strictly increase."""
    now = now_ms()
    if previous_ms is None:
        return now
    return max(now, previous_ms + 1)


def parse_timestamp_us(text: str) -> int | None:
    """Parse an ISO-8601 timestamp into epoch microseconds; None when it is not one.

    A value without a zone is read as UTC. Microseconds keep the comparison with millisecond
    versions exact, so `*-after` and `*-before` can be exclusive.
    """
    value = text.strip()
    if len(value) < 10 or len(value) > 64:
        return None
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    delta = parsed - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def add_days_ms(ms: int, days: int) -> int:
    return ms + int(timedelta(days=days).total_seconds() * 1000)
