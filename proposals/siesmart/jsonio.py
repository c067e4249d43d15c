"""JSON in and out with money as Decimal (CONTRACT.md section 3: never a float in our hands)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def decode(content: bytes | str) -> Any:
    """Parse an answer; numbers with a fraction become Decimal. Raises ValueError when not JSON."""
    if isinstance(content, bytes):
        # The contract says UTF-8; a stray byte must give a clean error, not a UnicodeDecodeError
        # escaping as something else (it is a ValueError subclass, which callers catch).
        content = content.decode("utf-8")
    return json.loads(content, parse_float=Decimal)


def format_timestamp(value: datetime) -> str:
    """The contract's timestamp form: ISO-8601 UTC with milliseconds, e.g. 2026-11-28T06:05:21.123Z.
    A naive datetime is taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _default(value: object) -> int | float | str:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()  # calendar dates are YYYY-MM-DD
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        # An integral amount goes out as an integer; otherwise as the shortest float that reads
        # back as the same decimal (exact for money with two decimals, far beyond any amount).
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode(body: Any) -> str:
    """Serialise a request body: Decimal money as a JSON number, dates in the contract's forms."""
    return json.dumps(body, default=_default, ensure_ascii=False, separators=(",", ":"))
