"""The rate limit: a sliding window per client IP (CONTRACT.md section 3).

Every counted request enters the window, the ones answered 429 included, so a client that keeps
hammering stays blocked; the block lifts by itself once its rate falls below the limit. The same
window feeds the statistic `maxRequestsIn60s`.
"""

import math
import threading
import time
from collections import deque

WINDOW_SECONDS = 60.0


class SlidingWindow:
    def __init__(self, window: float = WINDOW_SECONDS):
        self.window = window
        self._lock = threading.Lock()
        self._hits: dict[str, deque] = {}

    def hit(self, ip: str, limit: int) -> tuple[int | None, int]:
        """Count a request. Answers (None or the Retry-After seconds when over, count in window).

        A request is over the limit when `limit` requests are already in the window.
        """
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(ip, deque())
            horizon = now - self.window
            while hits and hits[0] <= horizon:
                hits.popleft()
            over = limit > 0 and len(hits) >= limit
            hits.append(now)
            count = len(hits)
            if not over:
                return None, count
            # Room comes back when all but limit-1 of the requests in the window have left it.
            leaving = hits[count - limit]
            return max(1, math.ceil(leaving + self.window - now)), count

    def reset(self):
        with self._lock:
            self._hits.clear()
