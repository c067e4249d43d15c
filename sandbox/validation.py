"""A small declarative checker for request bodies: it collects every violation, not the first only.

A spec cleans a JSON value (parsed with `Decimal` for non-integer numbers) and returns the clean
value, or `INVALID` after recording violations. Field paths follow CONTRACT.md section 4:
dotted, with `[index]` for list items, exactly as in the request body.
"""

import re
from datetime import date
from decimal import Decimal

INVALID = object()

MAX_STRING = 255
MAX_NOTE = 2000
# Money above this is no amount anyone finances; the cap also keeps every sum exact and every
# rendered float an exact copy of its two-decimal value.
MAX_MONEY = Decimal("10000000000000")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
# Integers are 64-bit signed at SFS (Java `long`): a larger one is refused, never wrapped.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
DIGITS = re.compile(r"-?[0-9]+")


class Violations:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, field, code, message):
        self.items.append({"field": field, "code": code, "userMessage": message})

    def __len__(self):
        return len(self.items)


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def label(path: str) -> str:
    """The last name of a path, for messages: `assets[0].quantity` -> `quantity`."""
    return path.rsplit(".", 1)[-1] if path else "The body"


def type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class Spec:
    def clean(self, value, path, v: Violations):
        raise NotImplementedError

    def wrong_type(self, value, path, v, expected):
        v.add(path, "WRONG_TYPE", f"{label(path)} must be {expected}, not {type_name(value)}.")
        return INVALID


class Str(Spec):
    def __init__(self, max_length=MAX_STRING, pattern=None, hint=None):
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern else None
        self.hint = hint

    def clean(self, value, path, v):
        if not isinstance(value, str):
            return self.wrong_type(value, path, v, "a string")
        if len(value) > self.max_length:
            msg = f"{label(path)} must be at most {self.max_length} characters."
            v.add(path, "TOO_LONG", msg)
            return INVALID
        if self.pattern and not self.pattern.fullmatch(value):
            v.add(path, "INVALID_VALUE", f"{label(path)} must be {self.hint}.")
            return INVALID
        return value


class Int(Spec):
    def __init__(self, minimum=None):
        self.minimum = minimum

    def clean(self, value, path, v):
        # bool is a subclass of int in Python, but `true` is not a number in JSON.
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong_type(value, path, v, "a whole number")
        if not INT64_MIN <= value <= INT64_MAX:
            v.add(path, "INVALID_VALUE", f"{label(path)} is outside the 64-bit integer range.")
            return INVALID
        if self.minimum is not None and value < self.minimum:
            if self.minimum == 1:
                v.add(path, "MUST_BE_POSITIVE", f"{label(path)} must be at least 1.")
            else:
                v.add(path, "INVALID_VALUE", f"{label(path)} must not be below {self.minimum}.")
            return INVALID
        return value


class Bool(Spec):
    def clean(self, value, path, v):
        if not isinstance(value, bool):
            return self.wrong_type(value, path, v, "true or false")
        return value


def decimals_of(number: Decimal) -> int:
    """How many decimals a number really has: 1.100 has one. Exact, without a context."""
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places = -exponent
    index = len(digits) - 1
    while places and index >= 0 and digits[index] == 0:
        places -= 1
        index -= 1
    return places


class Money(Spec):
    def clean(self, value, path, v):
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return self.wrong_type(value, path, v, "a number")
        number = Decimal(value)
        if not number.is_finite():
            return self.wrong_type(value, path, v, "a number")
        if decimals_of(number) > 2:
            v.add(path, "TOO_MANY_DECIMALS", f"{label(path)} takes at most two decimals.")
            return INVALID
        if number <= 0:
            v.add(path, "MUST_BE_POSITIVE", f"{label(path)} must be above zero.")
            return INVALID
        if number >= MAX_MONEY:
            v.add(path, "INVALID_VALUE", f"{label(path)} is too large.")
            return INVALID
        return number.quantize(Decimal("0.01"))


class Date(Spec):
    """A calendar date `YYYY-MM-DD`, not in the future."""

    def clean(self, value, path, v):
        if not isinstance(value, str):
            return self.wrong_type(value, path, v, "a date YYYY-MM-DD")
        try:
            if not DATE_PATTERN.fullmatch(value):
                raise ValueError(value)
            parsed = date.fromisoformat(value)
        except ValueError:
            v.add(path, "INVALID_DATE", f"{label(path)} must be a real date as YYYY-MM-DD.")
            return INVALID
        if parsed > date.today():
            v.add(path, "INVALID_DATE", f"{label(path)} must not be in the future.")
            return INVALID
        return value


class Enum(Spec):
    def __init__(self, values):
        self.values = tuple(values)

    def clean(self, value, path, v):
        if not isinstance(value, str):
            return self.wrong_type(value, path, v, "a string")
        if value not in self.values:
            v.add(path, "INVALID_VALUE", f"{label(path)} must be one of {', '.join(self.values)}.")
            return INVALID
        return value


class ListOf(Spec):
    def __init__(self, item: Spec):
        self.item = item

    def clean(self, value, path, v):
        if not isinstance(value, list):
            return self.wrong_type(value, path, v, "a list")
        # Items that failed stay in place as INVALID, so later rules keep their indexes.
        return [self.item.clean(item, f"{path}[{index}]", v) for index, item in enumerate(value)]


class Obj(Spec):
    """An object with known fields: `{name: (spec, required)}`; unknown fields are violations.

    A `null` counts as absent. With `keep_null`, an explicit `null` stays in the clean value
    as None (PATCH uses it to clear a field). The clean value holds the fields that passed, so the
    business rules can still check them and report every problem at once; whether the whole
    object passed is told by the violations collected.
    """

    def __init__(self, fields: dict, keep_null=False):
        self.fields = fields
        self.keep_null = keep_null

    def clean(self, value, path, v):
        if not isinstance(value, dict):
            return self.wrong_type(value, path, v, "an object")
        cleaned = {}
        for key in value:
            if key not in self.fields:
                v.add(join(path, key), "UNKNOWN_FIELD", f"{key} is not a known field.")
        for key, (spec, required) in self.fields.items():
            field_path = join(path, key)
            item = value.get(key)
            if item is None or (required and isinstance(item, str) and not item.strip()):
                if required:
                    v.add(field_path, "REQUIRED", f"{key} is required.")
                elif key in value and self.keep_null:
                    cleaned[key] = None
                continue
            result = spec.clean(item, field_path, v)
            if result is not INVALID:
                cleaned[key] = result
        return cleaned


def ref(required_id=True) -> Obj:
    """A reference to a configured item, `{"id": n}`."""
    return Obj({"id": (Int(), required_id)})


def outside_int64(text: str) -> bool:
    """Whether a string of digits names a whole number a 64-bit integer cannot hold.

    Judged by length first, so a number of thousands of digits is never converted.
    """
    digits = text.lstrip("-").lstrip("0")
    if len(digits) > len(str(INT64_MAX)):
        return True
    number = int(text)
    return not INT64_MIN <= number <= INT64_MAX


def int64_parameter(q, name, minimum=None, maximum=None) -> int | None:
    """A whole-number query parameter read by `calls.Query`, held to the 64-bit range.

    Out of range is `INVALID_VALUE`, not a wrong type: it is a number, just one SFS cannot hold.
    """
    text = q.values.get(name)
    if text is not None and DIGITS.fullmatch(text) and outside_int64(text):
        q.v.add(name, "INVALID_VALUE", f"{name} is outside the 64-bit integer range.")
        return None
    low = INT64_MIN if minimum is None else minimum
    high = INT64_MAX if maximum is None else maximum
    return q.integer(name, minimum=low, maximum=high)
