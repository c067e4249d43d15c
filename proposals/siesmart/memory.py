"""Thread-safe in-process implementations of the protocols, for tests and scripts.
They share state within one process only; the portal uses its Redis and database versions."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .enums import Lane
from .protocols import CallRecord
from .types import Token


class MemoryTokenStore:
    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()
        self._renewal_locks: dict[str, threading.Lock] = {}

    def get(self, key: str) -> Token | None:
        with self._lock:
            return self._tokens.get(key)

    def put(self, key: str, token: Token) -> None:
        with self._lock:
            self._tokens[key] = token

    def discard(self, key: str, access_token: str) -> None:
        with self._lock:
            current = self._tokens.get(key)
            if current is not None and current.access_token == access_token:
                del self._tokens[key]

    @contextmanager
    def renewal_lock(self, key: str, timeout: float) -> Iterator[bool]:
        # In one process a holder cannot vanish without releasing, so `timeout` is not needed.
        with self._lock:
            lock = self._renewal_locks.setdefault(key, threading.Lock())
        acquired = lock.acquire(blocking=False)
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()


class MemoryLimiter:
    """A sliding 60-second window. The background lane may use the budget less
    `interactive_reserve`, so a person waiting always finds a slot before polling does."""

    def __init__(
        self,
        budget_per_minute: int = 90,
        *,
        interactive_reserve: int = 10,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if budget_per_minute < 1:
            raise ValueError("budget_per_minute must be at least 1")
        self.budget = budget_per_minute
        # The background lane keeps at least one slot, whatever the reserve.
        self.interactive_reserve = max(0, min(interactive_reserve, budget_per_minute - 1))
        self.window = window_seconds
        self._clock = clock
        self._taken: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def _limit(self, lane: str) -> int:
        if lane == Lane.INTERACTIVE:
            return self.budget
        return self.budget - self.interactive_reserve

    def acquire(self, lane: str) -> float:
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._paused_until - now
            while self._taken and self._taken[0] <= now - self.window:
                self._taken.popleft()
            limit = self._limit(lane)
            if len(self._taken) < limit:
                self._taken.append(now)
                return 0.0
            # Room comes back when enough of the oldest slots leave the window.
            freeing = self._taken[len(self._taken) - limit]
            return max(freeing + self.window - now, 0.001)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def in_window(self) -> int:
        with self._lock:
            now = self._clock()
            return sum(1 for taken in self._taken if taken > now - self.window)


class MemoryRecorder:
    def __init__(self) -> None:
        self._calls: list[CallRecord] = []
        self._lock = threading.Lock()

    def record(self, call: CallRecord) -> None:
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[CallRecord]:
        with self._lock:
            return list(self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
