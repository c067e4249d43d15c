"""Readers for the fields of an answer: each returns the typed value or raises
MalformedResponseError naming the field, so a surprise from SFS is an error, never a crash."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import MalformedResponseError

logger = logging.getLogger(__name__)

_MISSING = object()


def malformed(what: str, problem: str) -> MalformedResponseError:
    return MalformedResponseError(f"Unreadable SieSmart answer: {what} {problem}")


def require_object(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise malformed(what, f"is {type(data).__name__}, expected an object")
    return data


def require_list(data: object, what: str) -> list[Any]:
    """A JSON array. Tolerant of a paged wrapper `{"content": [...]}` around it."""
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        return data["content"]
    if not isinstance(data, list):
        raise malformed(what, f"is {type(data).__name__}, expected a list")
    return data


def _get(data: dict[str, Any], key: str, what: str, required: bool) -> Any:
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise malformed(what, f"lacks the field {key!r}")
        return None
    return value


def integer(data: dict[str, Any], key: str, what: str, *, required: bool = True) -> int | None:
    value = _get(data, key, what, required)
    if value is None:
        return None
    # bool is an int in Python, never in JSON; an integral Decimal (1001.0) is tolerated.
    if isinstance(value, bool):
        raise malformed(what, f"field {key!r} is a boolean, expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise malformed(what, f"field {key!r} is {type(value).__name__}, expected an integer")


def text(data: dict[str, Any], key: str, what: str, *, required: bool = True) -> str | None:
    value = _get(data, key, what, required)
    if value is None:
        return None
    if not isinstance(value, str):
        raise malformed(what, f"field {key!r} is {type(value).__name__}, expected a string")
    return value


def boolean(
    data: dict[str, Any], key: str, what: str, *, required: bool = True, default: bool = False
) -> bool:
    value = _get(data, key, what, required)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise malformed(what, f"field {key!r} is {type(value).__name__}, expected a boolean")
    return value


def optional_boolean(data: dict[str, Any], key: str, what: str) -> bool | None:
    value = _get(data, key, what, False)
    if value is None:
        return None
    return boolean(data, key, what)


def money(data: dict[str, Any], key: str, what: str, *, required: bool = True) -> Decimal | None:
    """Money as Decimal. A JSON number is the contract; a numeric string is tolerated."""
    value = _get(data, key, what, required)
    if value is None:
        return None
    if isinstance(value, bool):
        raise malformed(what, f"field {key!r} is a boolean, expected a number")
    if isinstance(value, int | float | str):
        try:
            # str() first: Decimal(0.1) would carry the float's binary error into the money.
            amount = Decimal(str(value))
        except InvalidOperation:
            raise malformed(what, f"field {key!r} is not a number: {value!r}") from None
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise malformed(what, f"field {key!r} is {type(value).__name__}, expected a number")
    if not amount.is_finite():
        raise malformed(what, f"field {key!r} is not a finite number")
    return amount


def timestamp(
    data: dict[str, Any], key: str, what: str, *, required: bool = False
) -> datetime | None:
    """An ISO-8601 timestamp. A string we cannot read is logged and kept as None: the raw answer
    still holds it, and a date format is not worth failing a whole proposal for."""
    raw = text(data, key, what, required=required)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        logger.warning("Unreadable timestamp in %s.%s kept as None: %r", what, key, raw)
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def obj(data: dict[str, Any], key: str, what: str, *, required: bool = False) -> dict | None:
    value = _get(data, key, what, required)
    if value is None:
        return None
    return require_object(value, f"{what}.{key}")


def items(data: dict[str, Any], key: str, what: str, *, required: bool = False) -> list[Any]:
    value = _get(data, key, what, required)
    if value is None:
        return []
    if not isinstance(value, list):
        raise malformed(what, f"field {key!r} is {type(value).__name__}, expected a list")
    return value


def strings(
    data: dict[str, Any], key: str, what: str, *, required: bool = False
) -> tuple[str, ...]:
    values = items(data, key, what, required=required)
    if not all(isinstance(value, str) for value in values):
        raise malformed(what, f"field {key!r} must be a list of strings")
    return tuple(values)


def integers(data: dict[str, Any], key: str, what: str) -> tuple[int, ...]:
    values = items(data, key, what)
    return tuple(integer({"value": value}, "value", f"{what}.{key}") for value in values)
