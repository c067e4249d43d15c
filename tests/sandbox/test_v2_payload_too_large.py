"""CONTRACT.md 6.10 and section 4: a request whose Content-Length is over 15,000,000 bytes is
answered 413 `PAYLOAD_TOO_LARGE`, without its body being read, on any API call."""

import json
import socket
import time

import requests

from tests.sandbox.helpers import TRACE, assert_error, unique_label
from tests.sandbox.v2_flow import etag_of, upload

LIMIT = 15_000_000


def _raw_answer(sandbox, request: bytes, timeout=5.0) -> tuple[str, dict, float]:
    """Send a request head only, then read the whole answer; (head, body, seconds taken)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=timeout) as raw:
        raw.sendall(request)
        answer = b""
        while chunk := raw.recv(65536):  # the server closes the connection after a 413
            answer += chunk
    head, _, body = answer.decode("latin-1").partition("\r\n\r\n")
    return head, json.loads(body), time.monotonic() - started


def test_the_answer_comes_without_the_body_being_sent(sandbox, demo_token):
    path = "/siesmart/b2b/v1/proposals/7000001/documents"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {demo_token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {LIMIT + 1}\r\n\r\n"
    ).encode()
    head, body, seconds = _raw_answer(sandbox, request)
    # Not one byte of the body was sent: the sandbox answered without waiting for it.
    assert head.startswith("HTTP/1.1 413")
    assert "connection: close" in head.lower()
    assert body["status"] == 413 and body["code"] == "PAYLOAD_TOO_LARGE"
    assert f"{TRACE.lower()}: {body['traceId']}" in head.lower()
    assert body["message"] and seconds < 3


def test_any_api_call_is_413_even_without_a_token(sandbox):
    for method, path in (("POST", "/proposals"), ("PUT", "/proposals/1/customer"),
                         ("GET", "/common/offices"), ("POST", "/nowhere")):  # fmt: skip
        request = (
            f"{method} /siesmart/b2b/v1{path} HTTP/1.1\r\nHost: x\r\n"
            f"Content-Length: 99999999999\r\n\r\n"
        ).encode()
        head, body, _ = _raw_answer(sandbox, request)
        assert head.startswith("HTTP/1.1 413"), (method, path, head)
        assert body["code"] == "PAYLOAD_TOO_LARGE"


def test_a_client_that_sends_the_whole_body_reads_the_413(api):
    pid = api.create(label=unique_label())[0]["id"]
    before = etag_of(api, pid)
    response = api.change(
        "POST", f"/proposals/{pid}/documents", before, data=b"x" * (LIMIT + 1),
        headers={"Content-Type": "application/json"}, timeout=30,
    )  # fmt: skip
    body = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert set(body) == {"traceId", "status", "code", "message"}
    assert etag_of(api, pid) == before
    # The connection was closed; the next call opens a new one and works.
    assert upload(api, pid, "OTHER").status_code == 200


def test_exactly_the_limit_is_read_and_judged_as_usual(api):
    pid = api.create(label=unique_label())[0]["id"]
    response = api.change(
        "POST", f"/proposals/{pid}/documents", etag_of(api, pid), data=b" " * LIMIT,
        headers={"Content-Type": "application/json"}, timeout=30,
    )  # fmt: skip
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["violations"][0]["code"] == "MALFORMED_JSON"


def test_the_413_is_counted_like_any_api_request(sandbox, demo_token):
    before = sandbox.stats()["requests"]["byStatus"].get("413", 0)
    response = requests.post(
        sandbox.api_url + "/proposals", data=b"{" * (LIMIT + 10),
        headers={"Authorization": f"Bearer {demo_token}"}, timeout=30,
    )  # fmt: skip
    assert response.status_code == 413
    assert sandbox.stats()["requests"]["byStatus"]["413"] == before + 1
