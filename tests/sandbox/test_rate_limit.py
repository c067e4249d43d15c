"""The rate limit of CONTRACT.md section 3: a sliding 60-second window per client IP."""

import socket
import time

import pytest
import requests

from tests.sandbox.helpers import TRACE, Api, assert_error
from tests.support.sandbox_server import SandboxProcess


@pytest.fixture(scope="module")
def limited():
    """The documented limit: 100 requests a minute."""
    with SandboxProcess(rate_limit=100) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def short_window():
    """5 requests in a 2-second window, so the block lifts within a test's patience."""
    with SandboxProcess(rate_limit=5, extra_args=["--rate-window", "2"]) as sandbox:
        yield sandbox


def raw_get(sandbox, path, source_ip, token):
    """A GET sent from another loopback address: a second client IP on this machine."""
    with socket.create_connection(
        ("127.0.0.1", sandbox.port), timeout=5, source_address=(source_ip, 0)
    ) as connection:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Connection: close\r\n\r\n"
        )
        connection.sendall(request.encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_the_101st_request_within_60_seconds_is_429(limited):
    limited.reset_stats()
    with Api(limited, limited.token()) as api:
        for number in range(100):
            # Every API request counts, whatever its answer: 200, 404 and 401 alike.
            if number % 10 == 0:
                response = requests.get(limited.api_url + "/common/titles", timeout=5)
                assert response.status_code == 401
            elif number % 10 == 1:
                assert api.get("/proposals/1").status_code == 404
            else:
                assert api.get("/common/titles").status_code == 200
            if number % 25 == 0:  # never counted: the token, the document, the control calls
                limited.token()
                requests.get(limited.api_url + "/openapi.json", timeout=5)
                limited.stats()
        response = api.get("/common/titles")
        body = assert_error(response, 429, "RATE_LIMITED")
        assert body["traceId"] == response.headers[TRACE]
        retry_after = int(response.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        # A 429 is counted too, and the next call is refused as well.
        assert api.get("/common/offices").status_code == 429
        stats = limited.stats()
        assert stats["maxRequestsIn60s"] == {"127.0.0.1": 102}
        assert stats["requests"]["byStatus"]["429"] == 2
        assert stats["requests"]["total"] == 102
        # Another client IP has a window of its own.
        assert raw_get(limited, "/siesmart/b2b/v1/common/titles", "127.0.0.2", api.token) == 200
        assert limited.stats()["maxRequestsIn60s"]["127.0.0.2"] == 1
        # Resetting the statistics empties the window.
        limited.reset_stats()
        assert api.get("/common/titles").status_code == 200


def test_retry_after_can_be_left_out(limited):
    limited.reset_stats()
    limited.set_settings(retryAfterHeader=False, rateLimitPerMinute=3)
    try:
        with Api(limited, limited.token()) as api:
            statuses = [api.get("/common/titles").status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            response = api.get("/common/titles")
            assert_error(response, 429, "RATE_LIMITED")
            assert "Retry-After" not in response.headers
    finally:
        limited.set_settings(retryAfterHeader=True, rateLimitPerMinute=100)
        limited.reset_stats()


def test_the_rate_limit_comes_before_the_faults_and_the_token(limited):
    limited.reset_stats()
    limited.set_settings(rateLimitPerMinute=2)
    limited.set_faults(serverErrorRate=1.0)
    try:
        no_token = [requests.get(limited.api_url + "/common/titles", timeout=5) for _ in range(3)]
        assert [r.status_code for r in no_token] == [500, 500, 429]
    finally:
        limited.set_faults()
        limited.set_settings(rateLimitPerMinute=100)
        limited.reset_stats()


def test_a_limit_of_zero_means_none():
    with SandboxProcess(rate_limit=0) as sandbox, Api(sandbox, sandbox.token()) as api:
        assert all(api.get("/common/titles").status_code == 200 for _ in range(150))
        assert sandbox.stats()["maxRequestsIn60s"] == {"127.0.0.1": 150}


def test_the_block_lifts_by_itself_once_the_rate_falls(short_window):
    sandbox = short_window
    sandbox.reset_stats()
    with Api(sandbox, sandbox.token()) as api:
        assert [api.get("/common/titles").status_code for _ in range(5)] == [200] * 5
        response = api.get("/common/titles")
        assert response.status_code == 429
        retry_after = int(response.headers["Retry-After"])
        assert 1 <= retry_after <= 2
        time.sleep(retry_after + 0.05)
        assert api.get("/common/titles").status_code == 200


def test_a_client_that_keeps_hammering_stays_blocked(short_window):
    sandbox = short_window
    sandbox.reset_stats()
    with Api(sandbox, sandbox.token()) as api:
        assert [api.get("/common/titles").status_code for _ in range(5)] == [200] * 5
        started = time.monotonic()
        statuses = []
        while time.monotonic() - started < 2.5:  # longer than the window
            statuses.append(api.get("/common/titles").status_code)
            time.sleep(0.1)
        assert set(statuses) == {429}
        retry_after = int(api.get("/common/titles").headers["Retry-After"])
        assert 1 <= retry_after <= 2


def test_max_requests_in_the_window_is_the_busiest_window(short_window):
    sandbox = short_window
    sandbox.reset_stats()
    with Api(sandbox, sandbox.token()) as api:
        for _ in range(4):
            api.get("/common/titles")
        time.sleep(2.1)
        for _ in range(2):
            api.get("/common/titles")
    stats = sandbox.stats()
    assert stats["maxRequestsIn60s"] == {"127.0.0.1": 4}
