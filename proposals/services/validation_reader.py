"""Reading a step's POST (strings) into stored values: one ``Reader`` collects a ``Problem`` for
each value that cannot become its stored type, and the helpers that number a formset's rows.
"""

import re
from datetime import datetime
from decimal import Decimal

from proposals.services.validation_values import (
    MAX_MONEY,
    MAX_TEXT,
    MONEY_PATTERN,
    Problem,
    decimals_of,
    join,
)

INVALID = object()  # could not be read: keep what was stored, show the problem
MAX_ID = 2**53  # ids and counts stay exact in JSON and fit the database's big integers
MAX_COUNT = 10**9
MAX_RAW_VALUE = 20_000
MAX_RAW_KEYS = 2_000
MAX_ROWS = {"partners": 20, "assets": 100, "loans": 20}
MAX_PAYMENT_TYPES = 20
IGNORED_KEYS = {"csrfmiddlewaretoken", "go", "add"}
CHECKED = {"on", "true", "1", "yes"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
INT_PATTERN = re.compile(r"[+-]?\d{1,20}")
ROW_KEY = re.compile(r"^(partners|assets|loans)-(\d{1,4})-(\w+)$")


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value).replace("\x00", "")[:MAX_RAW_VALUE]


def raw_input(data) -> dict[str, str]:
    """The POST as a plain dict of strings, minus the CSRF token and the buttons; size-capped."""
    raw: dict[str, str] = {}
    if data is None:
        return raw
    getlist = getattr(data, "getlist", None)
    for key in list(data.keys())[:MAX_RAW_KEYS]:
        name = _clean(key)[:200]
        if name in IGNORED_KEYS:
            continue
        raw[name] = _clean(getlist(key) if getlist else data[key])
    return raw


class Reader:
    """Reads typed strings into stored values, collecting a problem for each that cannot be."""

    def __init__(self, raw: dict[str, str]):
        self.raw = raw
        self.problems: list[Problem] = []

    def get(self, key: str) -> str:
        return (self.raw.get(key) or "").strip()

    def checked(self, key: str) -> bool:
        return self.get(key).lower() in CHECKED

    def text(self, key, path, label, max_length=MAX_TEXT, upper=False):
        value = self.get(key)
        if not value:
            return None
        if len(value) > max_length:
            self.problems.append(
                Problem(path, "TOO_LONG", f"{label} must be at most {max_length:,} characters.")
            )
            return INVALID
        return value.upper() if upper else value

    def integer(self, key, path, label, maximum=MAX_COUNT, hint="such as 36"):
        value = self.get(key).replace(",", "").replace(" ", "")
        if not value:
            return None
        if not INT_PATTERN.fullmatch(value):
            self.problems.append(
                Problem(path, "WRONG_TYPE", f"{label} must be a whole number, {hint}.")
            )
            return INVALID
        number = int(value)
        if abs(number) > maximum:
            self.problems.append(Problem(path, "INVALID_VALUE", f"{label} is too large."))
            return INVALID
        return number

    def choice_id(self, key, path, label):
        return self.integer(key, path, label, maximum=MAX_ID, hint="chosen from the list")

    def money(self, key, path, label):
        value = self.get(key)
        for noise in ("£", "€", "$", ",", " ", "_"):
            value = value.replace(noise, "")
        if not value:
            return None
        if not MONEY_PATTERN.fullmatch(value) or len(value) > 40:
            self.problems.append(
                Problem(path, "WRONG_TYPE", f"{label} must be an amount, such as 1450.00.")
            )
            return INVALID
        number = Decimal(value)
        if decimals_of(number) > 2:
            self.problems.append(
                Problem(path, "TOO_MANY_DECIMALS", f"{label} takes at most two decimals (pence).")
            )
            return INVALID
        if abs(number) >= MAX_MONEY:
            self.problems.append(Problem(path, "INVALID_VALUE", f"{label} is too large."))
            return INVALID
        return str(number.quantize(Decimal("0.01")))

    def date(self, key, path, label):
        value = self.get(key)
        if not value:
            return None
        for pattern in DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, pattern).date()  # noqa: DTZ007 (a calendar date)
            except ValueError:
                continue
            if parsed.year >= 1000:
                return parsed.isoformat()
        self.problems.append(
            Problem(path, "INVALID_DATE", f"{label} must be a real date, such as 31/01/1980.")
        )
        return INVALID

    def address(self, prefix: str, path: str) -> dict | None:
        address = put(
            {},
            address1=self.text(f"{prefix}address1", join(path, "address1"), "Address line 1"),
            address2=self.text(f"{prefix}address2", join(path, "address2"), "Address line 2"),
            city=self.text(f"{prefix}city", join(path, "city"), "Town or city"),
            postalCode=self.text(
                f"{prefix}postal_code", join(path, "postalCode"), "Postcode", upper=True
            ),
        )
        if not address:  # the country alone (it comes filled in) is no address
            return None
        code = self.text(f"{prefix}country", join(path, "country"), "Country", upper=True)
        if code not in (None, INVALID):
            address["country"] = {"code": code}
        return address

    def rows(self, prefix: str) -> list[int]:
        """A formset's row numbers as posted, deleted rows left out (no management form needed)."""
        found = set()
        for key in self.raw:
            match = ROW_KEY.match(key)
            if match and match.group(1) == prefix:
                found.add(int(match.group(2)))
        kept = [i for i in sorted(found) if not self.checked(f"{prefix}-{i}-DELETE")]
        return kept[: MAX_ROWS[prefix]]


def put(target: dict, **values) -> dict:
    """Set the values that were read; absent (None) and unreadable ones are left out."""
    for key, value in values.items():
        if value is not None and value is not INVALID:
            target[key] = value
    return target


def renumber(raw: dict[str, str], prefix: str, rows: list[int]) -> dict[str, str]:
    """The raw input with a formset's kept rows numbered 0.. in order, as the stored list is."""
    new_index = {old: new for new, old in enumerate(rows)}
    result = {}
    for key, value in raw.items():
        match = ROW_KEY.match(key)
        if match and match.group(1) == prefix:
            old = int(match.group(2))
            if old in new_index and match.group(3) != "DELETE":
                result[f"{prefix}-{new_index[old]}-{match.group(3)}"] = value
        elif not key.startswith(f"{prefix}-"):
            result[key] = value
    result[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    result[f"{prefix}-INITIAL_FORMS"] = "0"
    return result


def blank_row(read: Reader, prefix: str, index: int, fields: tuple[str, ...]) -> bool:
    return not any(read.get(f"{prefix}-{index}-{name}") for name in fields)
