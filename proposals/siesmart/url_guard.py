"""A session that asks a guard before every request, so the portal can refuse a URL (SSRF).

The client stays free of Django and of any policy: the portal passes a `GuardedSession` with its
own `check` (see `proposals/services/url_safety.py`). The check runs on the URL *before* query
parameters are added, just before each attempt, so a credential saved earlier or a host whose DNS
changed since is caught at the moment of the call. Redirects are never followed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from .enums import ClientErrorCode
from .errors import SieSmartError, TokenError


class UrlRefused(requests.exceptions.InvalidURL):
    """Raised by a guard: the URL may not be called. Nothing was sent."""


# A guard: returns None when the URL may be called; raises `UrlRefused` (never call it) or
# `requests.ConnectionError` (cannot be checked now, e.g. DNS down: transient, never sent).
UrlCheck = Callable[[str], None]


class UrlRefusedError(SieSmartError):
    """An API call the guard refused: a configuration fault, never retried."""

    default_code = ClientErrorCode.INVALID_REQUEST


class TokenUrlRefusedError(UrlRefusedError, TokenError):
    """The token call refused by the guard; a TokenError so token callers handle it alike."""


class GuardedSession(requests.Session):
    def __init__(self, check: UrlCheck) -> None:
        super().__init__()
        self._check = check
        # Not max_redirects = 0: requests computes the next hop even when not following it,
        # and would raise TooManyRedirects instead of returning the 3xx.

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any):
        self._check(url if isinstance(url, str) else url.decode("utf-8", "replace"))
        # A redirect could lead anywhere the guard never saw: a 3xx is an answer, not a hop.
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)
