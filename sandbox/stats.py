"""The statistics of `GET /__sandbox__/stats` and the delivery log of
`GET /__sandbox__/notifications` (CONTRACT.md section 7). A reset empties both.
"""

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
            self.notifications = {"sent": 0, "delivered": 0, "failed": 0}
            # Records of notifications since the reset; a delivery still under way after a reset
            # updates its own record, which is no longer listed.
            self.notification_log: list[dict] = []

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

    def notification_created(self, notification_id, event_type, proposal_id, url) -> dict:
        """A new notification (or the second copy of a duplicate): its record, listed."""
        record = {
            "notificationId": notification_id,
            "eventType": event_type,
            "proposalId": proposal_id,
            "url": url,
            "attempts": 0,
            "lastStatus": None,
            "delivered": False,
        }
        with self._lock:
            self.notification_log.append(record)
        return record

    def notification_attempted(self, record: dict, url: str, status: int | None, delivered: bool):
        """One POST made; `status` None when no answer came in time."""
        with self._lock:
            record["url"] = url
            record["attempts"] += 1
            record["lastStatus"] = status
            record["delivered"] = delivered
            self.notifications["sent"] += 1
            if delivered:
                self.notifications["delivered"] += 1

    def notification_dropped(self):
        with self._lock:
            self.notifications["failed"] += 1

    def notifications_listed(self) -> list[dict]:
        with self._lock:
            return [dict(record) for record in self.notification_log]

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
                "notifications": dict(self.notifications),
            }
