"""Delivery of notifications (CONTRACT.md 6.12 item 3 and section 7): a POST to the registered
`basePath` + `/notifications`, retried 1, 5, 25 and 125 seconds after the attempt before, then
dropped.

Deliveries wait in a heap by due time and are sent by a few threads of their own, never by a
request thread or the decision scheduler, so a slow receiver delays no API answer and no decision.
Several senders keep one receiver that hangs for the full 5 seconds from holding up the others.
"""

import heapq
import http.client
import ipaddress
import itertools
import json
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

RETRY_DELAYS = (1.0, 5.0, 25.0, 125.0)
ANSWER_TIMEOUT = 5.0
SENDERS = 4
# The answer's body means nothing to SFS; reading a little lets the receiver finish cleanly.
MAX_ANSWER_BYTES = 65536
TRACE_HEADER = "X-B2B-TRACE-ID"


def retry_delay(attempts_made: int) -> float | None:
    """Seconds from the end of attempt number `attempts_made` to the next; None: drop it."""
    if 1 <= attempts_made <= len(RETRY_DELAYS):
        return RETRY_DELAYS[attempts_made - 1]
    return None


def loopback_problem(url: str) -> str | None:
    """Why `url` is not a base path the sandbox may call, or None when it is one.

    Only http(s) to a loopback host: the sandbox never sends traffic off the machine.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return "basePath must be an absolute http or https URL."
    if parts.scheme not in ("http", "https") or not host:
        return "basePath must be an absolute http or https URL."
    if parts.query or parts.fragment or parts.username is not None:
        return "basePath must not carry a query, a fragment or credentials."
    if host.lower() == "localhost":
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        return "basePath must name a loopback host (127.0.0.0/8, localhost or [::1])."
    return None


def notifications_url(base_path: str) -> str:
    # One slash between the two, whether or not the base path ends with one.
    return base_path.rstrip("/") + "/notifications"


def post_json(url: str, body: bytes, headers: dict, timeout: float = ANSWER_TIMEOUT) -> int | None:
    """POST once; the status when an answer came within `timeout` seconds, else None.

    http.client follows no redirect: a 3xx is just a status that is not 2xx.
    """
    if loopback_problem(url) is not None:
        return None
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    deadline = time.monotonic() + timeout
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", parts.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_ANSWER_BYTES)
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    # The socket timeout bounds each read, not the whole answer: a trickling one is late too.
    if time.monotonic() > deadline:
        return None
    return response.status


@dataclass(order=True)
class Delivery:
    """One copy of a notification on its way; a duplicate fault makes two with the same body."""

    due: float
    order: int
    payload: dict = field(compare=False)
    record: dict = field(compare=False)
    attempts: int = field(default=0, compare=False)


class Deliverer:
    """The heap of due deliveries and the threads that send them.

    `target_of(subscription_id)` answers (url, api key or None) while the subscription lives,
    else None: a delivery whose subscription died (unsubscribed, endpoint deleted, proposal wiped)
    is not sent again.
    """

    def __init__(self, stats, target_of, senders: int = SENDERS):
        self.stats = stats
        self.target_of = target_of
        self._heap: list[Delivery] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._threads = [
            threading.Thread(target=self._run, name=f"sandbox-notify-{n}", daemon=True)
            for n in range(senders)
        ]
        for thread in self._threads:
            thread.start()

    def enqueue(self, payload: dict, record: dict, delay: float):
        self._push(Delivery(time.monotonic() + delay, next(self._order), payload, record))

    def _push(self, delivery: Delivery):
        with self._cond:
            heapq.heappush(self._heap, delivery)
            self._cond.notify()

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def _next_due(self) -> Delivery | None:
        with self._cond:
            while not self._stopped:
                now = time.monotonic()
                if self._heap and self._heap[0].due <= now:
                    return heapq.heappop(self._heap)
                self._cond.wait(self._heap[0].due - now if self._heap else None)
            return None

    def _run(self):
        while (delivery := self._next_due()) is not None:
            try:
                self._attempt(delivery)
            except Exception:  # noqa: BLE001 - one broken delivery must not stop the others
                traceback.print_exc()

    def _attempt(self, delivery: Delivery):
        target = self.target_of(delivery.payload["subscriptionId"])
        if target is None:
            return
        url, api_key = target
        headers = {"Content-Type": "application/json", TRACE_HEADER: str(uuid.uuid4())}
        if api_key is not None:
            headers["X-API-KEY"] = api_key
        body = json.dumps(delivery.payload, separators=(",", ":")).encode("utf-8")
        status = post_json(url, body, headers)
        delivery.attempts += 1
        delivered = status is not None and 200 <= status < 300
        self.stats.notification_attempted(delivery.record, url, status, delivered)
        if delivered:
            return
        delay = retry_delay(delivery.attempts)
        if delay is None:
            self.stats.notification_dropped()
            return
        delivery.due = time.monotonic() + delay
        self._push(delivery)
