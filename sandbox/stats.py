"""The statistics of `GET /__sandbox__/stats` (CONTRACT.md section 7)."""

import threading
from collections import Counter


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self.total = 0
            self.by_status: Counter = Counter()
            self.by_endpoint: Counter = Counter()
            self.max_in_window: dict[str, int] = {}
            self.per_label: Counter = Counter()
            self.tokens = 0

    def request(self, endpoint: str, ip: str, in_window: int):
        """A counted API request has arrived; `in_window` counts it too."""
        with self._lock:
            self.total += 1
            self.by_endpoint[endpoint] += 1
            if in_window > self.max_in_window.get(ip, 0):
                self.max_in_window[ip] = in_window

    def answered(self, status):
        """`status` is the HTTP status, or "dropped" for a connection closed without an answer."""
        with self._lock:
            self.by_status[str(status)] += 1

    def proposal_created(self, label):
        # Proposals without a label are counted under "".
        with self._lock:
            self.per_label[label or ""] += 1

    def token_issued(self):
        with self._lock:
            self.tokens += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "requests": {
                    "total": self.total,
                    "byStatus": dict(self.by_status),
                    "byEndpoint": dict(self.by_endpoint),
                },
                "maxRequestsIn60s": dict(self.max_in_window),
                "proposalsPerLabel": dict(self.per_label),
                "tokensIssued": self.tokens,
            }
