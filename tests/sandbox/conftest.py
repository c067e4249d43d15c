"""Fixtures of the sandbox tests: real sandbox processes, spoken to over HTTP only."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.sandbox.helpers import Api
from tests.support.sandbox_server import SandboxProcess

DECISION_DELAY = 0.2
# Review, signing and activation delays (CONTRACT.md section 7), set apart from the decision's.
V2_DELAYS = {
    "documentReviewDelaySeconds": 0.2,
    "signingDelaySeconds": 0.2,
    "activationDelaySeconds": 0.2,
}


@pytest.fixture(scope="session")
def sandbox():
    """The shared sandbox: no rate limit, fast decisions. Tests that change it put it back."""
    with SandboxProcess(rate_limit=0, decision_delay=DECISION_DELAY) as process:
        process.set_settings(**V2_DELAYS)
        yield process


@pytest.fixture(scope="session")
def demo_token(sandbox):
    return sandbox.token()


@pytest.fixture(scope="session")
def other_token(sandbox):
    return sandbox.token("other-introducer", "other-secret")


@pytest.fixture
def api(sandbox, demo_token):
    """A client of demo-introducer (offices 1001 GB, 1002 IE, 1003 GB)."""
    with Api(sandbox, demo_token) as client:
        yield client


@pytest.fixture
def other_api(sandbox, other_token):
    """A client of other-introducer (office 2001)."""
    with Api(sandbox, other_token) as client:
        yield client


@pytest.fixture
def restore_settings(sandbox):
    """For tests that change the shared sandbox's settings or faults."""
    yield sandbox
    sandbox.set_faults()
    sandbox.set_settings(
        rateLimitPerMinute=0,
        retryAfterHeader=True,
        tokenLifetimeSeconds=86400,
        decisionDelaySeconds=DECISION_DELAY,
        **V2_DELAYS,
    )


class Receiver:
    """A notification receiver on 127.0.0.1, in a thread of the test process.

    `answers` holds (status, seconds to wait first) for the next requests, in order; once it is
    empty every request gets 200 at once. Each request is kept in `received`.
    """

    def __init__(self):
        self.answers: list[tuple[int, float]] = []
        self.received: list[dict] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(
                        {
                            "at": time.monotonic(),
                            "path": self.path,
                            "headers": dict(self.headers.items()),
                            "body": json.loads(raw) if raw else None,
                        }
                    )
                    status, wait = receiver.answers.pop(0) if receiver.answers else (200, 0.0)
                time.sleep(wait)
                self.send_response(status)
                if status in (301, 302, 307, 308):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base_path = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/sfs"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self._thread.daemon = True
        self._thread.start()

    def bodies(self) -> list[dict]:
        with self._lock:
            return [request["body"] for request in self.received]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"{count} notifications expected, {len(self.received)} came")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def no_endpoints(api, other_api):
    """Both introducers start and end without a notification endpoint (they are per client)."""
    api.delete("/notification-endpoints")
    other_api.delete("/notification-endpoints")
    yield
    api.delete("/notification-endpoints")
    other_api.delete("/notification-endpoints")
