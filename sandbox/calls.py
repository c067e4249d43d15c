"""What a handler gets (`Call`) and gives back (`Reply`), with the body and query readers."""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import validation_failed
from .timeutil import parse_timestamp_us
from .validation import MAX_STRING, Violations, decimals_of

INTEGER = re.compile(r"-?[0-9]{1,30}")
DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")


@dataclass
class Reply:
    status: int
    body: object = None
    etag: str | None = None
    headers: dict = field(default_factory=dict)


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def malformed(message: str):
    v = Violations()
    v.add(None, "MALFORMED_JSON", message)
    return validation_failed(v.items)


def parse_json_object(raw: bytes, empty_is=None) -> dict:
    """The body as a JSON object, or 400 `MALFORMED_JSON`. `empty_is` answers an empty body."""
    if not raw.strip():
        if empty_is is not None:
            return empty_is
        raise malformed("The body must be a JSON object; it is empty.")
    try:
        value = json.loads(
            raw.decode("utf-8"), parse_float=Decimal, parse_constant=_reject_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise malformed("The body is not valid JSON in UTF-8.") from None
    if not isinstance(value, dict):
        raise malformed("The body must be a JSON object.")
    return value


@dataclass
class Call:
    method: str
    path: str
    query: list
    headers: object  # an http.client.HTTPMessage: case-insensitive `get`
    raw_body: bytes
    client_ip: str
    params: dict = field(default_factory=dict)
    client_id: str | None = None
    # Set when the body could not be read (too large, a broken chunk): the call is still
    # handled and counted, but its body is malformed.
    body_problem: str | None = None
    # Content-Length over the limit: answered 413 with the body unread (CONTRACT.md 6.10).
    too_large: bool = False

    def json(self, empty_is=None) -> dict:
        if self.body_problem is not None:
            raise malformed(self.body_problem)
        return parse_json_object(self.raw_body, empty_is)

    def header(self, name) -> str | None:
        return self.headers.get(name)


class Query:
    """Reads query parameters, collecting violations with the parameter's name as `field`."""

    def __init__(self, pairs, allowed, v: Violations):
        self.v = v
        self.values = {}
        for name, value in pairs:
            if name not in allowed:
                v.add(name, "UNKNOWN_FIELD", f"{name} is not a known parameter.")
            elif name in self.values:
                v.add(name, "INVALID_VALUE", f"{name} is given more than once.")
            else:
                self.values[name] = value

    def __contains__(self, name):
        return name in self.values

    def integer(self, name, minimum=None, maximum=None) -> int | None:
        text = self.values.get(name)
        if text is None:
            return None
        if not INTEGER.fullmatch(text):
            self.v.add(name, "WRONG_TYPE", f"{name} must be a whole number.")
            return None
        number = int(text)
        if minimum is not None and number < minimum:
            code = "MUST_BE_POSITIVE" if minimum == 1 else "INVALID_VALUE"
            self.v.add(name, code, f"{name} must be at least {minimum}.")
            return None
        if maximum is not None and number > maximum:
            self.v.add(name, "INVALID_VALUE", f"{name} must be at most {maximum}.")
            return None
        return number

    def text(self, name) -> str | None:
        text = self.values.get(name)
        if text is not None and len(text) > MAX_STRING:
            self.v.add(name, "TOO_LONG", f"{name} must be at most {MAX_STRING} characters.")
            return None
        return text

    def choice(self, name, choices) -> str | None:
        text = self.values.get(name)
        if text is not None and text not in choices:
            self.v.add(name, "INVALID_VALUE", f"{name} must be one of {', '.join(choices)}.")
            return None
        return text

    def timestamp_us(self, name) -> int | None:
        text = self.values.get(name)
        if text is None:
            return None
        stamp = parse_timestamp_us(text)
        if stamp is None:
            msg = f"{name} must be an ISO-8601 timestamp such as 2026-11-28T06:05:21.123Z."
            self.v.add(name, "INVALID_DATE", msg)
        return stamp

    def money(self, name) -> Decimal | None:
        text = self.values.get(name)
        if text is None:
            return None
        if not DECIMAL.fullmatch(text):
            self.v.add(name, "WRONG_TYPE", f"{name} must be a number such as 12500.00.")
            return None
        number = Decimal(text)
        if decimals_of(number) > 2:
            self.v.add(name, "TOO_MANY_DECIMALS", f"{name} takes at most two decimals.")
            return None
        if number <= 0:
            self.v.add(name, "MUST_BE_POSITIVE", f"{name} must be above zero.")
            return None
        return number
