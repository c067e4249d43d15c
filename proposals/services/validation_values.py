"""The value checks under ``proposal_validate``: one ``Checker`` collects every problem at once.

Each check reads a key of a stored part (shaped as CONTRACT.md's request body), adds the problem
with SFS's violation code and path when the value is wrong, and answers the clean value or None.
A value that is None or blank counts as absent, as SFS reads it.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from proposals.services.countries import country_problem

MAX_TEXT = 255
MAX_NOTE = 2000
# No amount anyone finances reaches this; SFS refuses it too (and sums stay exact).
MAX_MONEY = Decimal("10000000000000")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
MONEY_PATTERN = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
COUNTRY_PATTERN = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Problem:
    """One thing to fix. ``field`` is SFS's path (``assets[0].quantity``); None: the whole."""

    field: str | None
    code: str
    message: str


def join(path: str | None, key: str) -> str:
    return f"{path}.{key}" if path else key


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decimals_of(number: Decimal) -> int:
    """How many decimals a number really has: 1.10 has one."""
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places, index = -exponent, len(digits) - 1
    while places and index >= 0 and digits[index] == 0:
        places -= 1
        index -= 1
    return places


def to_decimal(value: Any) -> Decimal | None:
    """A stored amount as Decimal: money is stored as a string; None when it is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    elif isinstance(value, str) and MONEY_PATTERN.fullmatch(value.strip()):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def money_text(amount: Decimal, currency: str = "") -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency or "", "")
    text = f"{amount:,.2f}"
    if symbol:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text} {currency}".strip()


def adult_on(born: date, today: date) -> bool:
    try:
        eighteenth = born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February: the birthday falls on 1 March
        eighteenth = date(born.year + 18, 3, 1)
    return eighteenth <= today


class Checker:
    """Collects problems; each check answers the clean value, or None (absent or wrong)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str | None, code: str, message: str) -> None:
        self.problems.append(Problem(field, code, message))

    def has(self, field: str) -> bool:
        return any(problem.field == field for problem in self.problems)

    def _present(self, data: dict, key: str, path: str, label: str, required: bool):
        value = data.get(key) if isinstance(data, dict) else None
        if is_blank(value):
            if required:
                self.add(path, "REQUIRED", f"{label} is required.")
            return None
        return value

    def obj(self, data, key, path, label, *, required) -> dict | None:
        value = self._present(data, key, path, label, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(path, "WRONG_TYPE", f"{label} is not in the expected form.")
            return None
        return value

    def text(self, data, key, path, label, *, required, max_length=MAX_TEXT) -> str | None:
        value = self._present(data, key, path, label, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(path, "WRONG_TYPE", f"{label} must be text.")
            return None
        if len(value) > max_length:
            self.add(path, "TOO_LONG", f"{label} must be at most {max_length:,} characters.")
            return None
        return value

    def country(self, data, key, path, label, *, required) -> str | None:
        value = self.text(data, key, path, label, required=required)
        if value is not None and not COUNTRY_PATTERN.fullmatch(value):
            self.add(path, "INVALID_VALUE", f"{label} must be a two-letter code such as GB.")
            return None
        if value is not None and (problem := country_problem(value)):
            self.add(path, "INVALID_VALUE", problem)
            return None
        return value

    def integer(self, data, key, path, label, *, required, minimum=None) -> int | None:
        value = self._present(data, key, path, label, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "WRONG_TYPE", f"{label} must be a whole number.")
            return None
        if minimum is not None and value < minimum:
            if minimum == 1:
                self.add(path, "MUST_BE_POSITIVE", f"{label} must be at least 1.")
            else:
                self.add(path, "INVALID_VALUE", f"{label} must not be below {minimum}.")
            return None
        return value

    def ref(self, data, key, path, label, *, required) -> int | None:
        """A reference to a configured item, ``{"id": n}``: answers the id."""
        value = self.obj(data, key, path, label, required=required)
        if value is None:
            return None
        return self.integer(value, "id", join(path, "id"), label, required=True)

    def choice(self, data, key, path, label, values, *, required) -> str | None:
        value = self.text(data, key, path, label, required=required)
        if value is not None and value not in values:
            self.add(path, "INVALID_VALUE", f"{label} must be one of: {', '.join(values)}.")
            return None
        return value

    def boolean(self, data, key, path, label) -> bool | None:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(path, "WRONG_TYPE", f"{label} must be yes or no.")
            return None
        return value

    def money(self, data, key, path, label, *, required) -> Decimal | None:
        value = self._present(data, key, path, label, required)
        if value is None:
            return None
        number = to_decimal(value)
        if number is None:
            self.add(path, "WRONG_TYPE", f"{label} must be an amount such as 1450.00.")
            return None
        if decimals_of(number) > 2:
            self.add(path, "TOO_MANY_DECIMALS", f"{label} takes at most two decimals.")
            return None
        if number <= 0:
            self.add(path, "MUST_BE_POSITIVE", f"{label} must be above zero.")
            return None
        if number >= MAX_MONEY:
            self.add(path, "INVALID_VALUE", f"{label} is too large.")
            return None
        return number.quantize(Decimal("0.01"))

    def date(self, data, key, path, label, *, required) -> date | None:
        """A calendar date ``YYYY-MM-DD``, not in the future."""
        value = self._present(data, key, path, label, required)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
                raise ValueError(value)
            parsed = date.fromisoformat(value)
        except ValueError:
            self.add(path, "INVALID_DATE", f"{label} must be a real date, such as 31/01/1980.")
            return None
        if parsed > date.today():
            self.add(path, "INVALID_DATE", f"{label} must not be in the future.")
            return None
        return parsed

    def items(self, data, key, path, label) -> list | None:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(path, "WRONG_TYPE", f"{label} must be a list.")
            return None
        return value
