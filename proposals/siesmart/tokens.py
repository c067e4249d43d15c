"""One token for every process: reused until it nears expiry, then renewed once, by one process.

SFS asks clients to reuse the 24-hour token, never one per request [DOC]. The token lives in the
shared TokenStore; renewal happens under the store's renewal lock, and a process that did not get
the lock keeps using the old token while it is valid, or waits briefly for the new one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .errors import TokenError
from .protocols import TokenStore
from .types import Token

logger = logging.getLogger(__name__)


class TokenManager:
    def __init__(
        self,
        *,
        store: TokenStore,
        key: str,
        fetch: Callable[[], Token],
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        renew_before: float = 300.0,
        min_validity: float = 30.0,
        lock_timeout: float = 120.0,
        wait_step: float = 0.2,
        max_wait: float = 10.0,
    ) -> None:
        self._store = store
        self._key = key
        self._fetch = fetch
        self._clock = clock
        self._sleep = sleep
        self.renew_before = renew_before
        self.min_validity = min_validity
        self.lock_timeout = lock_timeout
        self.wait_step = wait_step
        self.max_wait = max_wait

    def _due(self, token: Token) -> bool:
        return token.seconds_left(self._clock()) <= token.renewal_margin(self.renew_before)

    def _usable(self, token: Token | None, rejected: str | None) -> Token | None:
        """The token if it may still be sent: not the one SFS just refused, and not so close to
        expiry that it could expire in flight."""
        if token is None or token.access_token == rejected:
            return None
        margin = min(self.min_validity, token.renewal_margin(self.renew_before) / 2)
        if token.seconds_left(self._clock()) <= margin:
            return None
        return token

    def token(self, *, rejected: str | None = None) -> Token:
        """A token to send now. `rejected`: an access token SFS answered 401 to; never reused."""
        current = self._usable(self._store.get(self._key), rejected)
        if current is not None and not self._due(current):
            return current
        waited = 0.0
        while True:
            with self._store.renewal_lock(self._key, self.lock_timeout) as may_renew:
                if may_renew:
                    return self._renew(rejected)
            # Another process is renewing. A still-valid token serves in the meantime.
            if current is not None:
                return current
            if waited >= self.max_wait:
                raise TokenError(
                    "Another process is renewing the SieSmart token and has not finished",
                    transient=True,
                )
            self._sleep(self.wait_step)
            waited += self.wait_step
            current = self._usable(self._store.get(self._key), rejected)

    def _renew(self, rejected: str | None) -> Token:
        # Between our read and the lock, another process may have renewed already.
        latest = self._usable(self._store.get(self._key), rejected)
        if latest is not None and not self._due(latest):
            return latest
        logger.info("Renewing the SieSmart token for %s", self._key)
        fresh = self._fetch()
        self._store.put(self._key, fresh)
        return fresh

    def renew_now(self) -> Token:
        """Ask the token endpoint now and share the answer (an admin's "Test connection")."""
        fresh = self._fetch()
        self._store.put(self._key, fresh)
        return fresh

    def reject(self, token: Token) -> None:
        """SFS answered 401 to this token: drop it from the store unless it was already replaced."""
        self._store.discard(self._key, token.access_token)
