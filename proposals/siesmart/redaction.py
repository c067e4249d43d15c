"""Remove secrets from bodies before they are recorded or logged, and keep records small."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

REDACTED = "[REDACTED]"
# Recorded bodies longer than this (as JSON text) are cut to a preview.
DEFAULT_BODY_LIMIT = 8000

# Any key that names a secret. Over-redacting (`token_type`) is harmless; missing one is not.
_SECRET_KEY = re.compile(r"secret|token|password|authori[sz]ation|api[-_]?key|credential", re.I)
# Secrets that may sit in free text (an HTML page, a header dump): key=value, "key": "value",
# and bearer tokens.
_SECRET_IN_TEXT = re.compile(
    r"""(?ix)
    (
      ["']?[\w-]*(?:secret|token|password|authori[sz]ation)[\w-]*["']?  # the key
      \s*[:=]\s*
      ["']?
    )
    (?:bearer\s+)?
    [^"'\s,&;}]+
    """
)
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+")


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and bool(_SECRET_KEY.search(key))


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with every secret-named key's value replaced. Decimals become
    plain numbers so that the record can be stored as JSON."""
    if isinstance(value, dict):
        return {
            key: REDACTED if is_secret_key(key) else redact(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_text(text: str, known_secrets: Iterable[str] = ()) -> str:
    """Free text with secret-looking assignments, bearer tokens and the known secrets removed."""
    for secret in known_secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _SECRET_IN_TEXT.sub(lambda match: match.group(1) + REDACTED, text)
    return _BEARER.sub(f"Bearer {REDACTED}", text)


def scrub(value: Any, known_secrets: Iterable[str]) -> Any:
    """Remove the exact known secrets (the client secret, the current token) from anywhere in a
    value, keys and all: the last line of defence if SFS ever echoes one back."""
    secrets = [secret for secret in known_secrets if secret]
    if not secrets:
        return value
    if isinstance(value, dict):
        return {scrub(key, secrets): scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value


def truncate(value: Any, limit: int = DEFAULT_BODY_LIMIT) -> Any:
    """The value itself when small; otherwise a preview that says how much was cut."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= limit:
        return value
    return {"truncated": True, "length": len(text), "preview": text[:limit]}


def for_record(
    value: Any, *, known_secrets: Iterable[str] = (), limit: int = DEFAULT_BODY_LIMIT
) -> Any:
    """What a CallRecord may hold of a body: redacted, scrubbed of known secrets, truncated."""
    return truncate(scrub(redact(value), list(known_secrets)), limit)
