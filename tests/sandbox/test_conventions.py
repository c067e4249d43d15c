"""CONTRACT.md sections 3 and 4: trace ids, content type, the error object, and no 500 for any
input, however broken."""

import json
import socket
import uuid

import pytest
import requests

from tests.sandbox.helpers import MANUAL, TRACE, assert_error, full_proposal, violations


def test_every_answer_has_a_unique_uuid4_trace_id_repeated_in_the_error(api, other_api):
    proposal, etag = api.create()
    pid = proposal["id"]
    answers = [
        api.get("/common/offices"),  # 200
        api.post("/proposals", json=full_proposal()),  # 201
        api.post("/proposals", json={}),  # 400
        requests.get(api.url + "/common/offices", timeout=5),  # 401
        other_api.get(f"/proposals/{pid}"),  # 403
        api.get("/proposals/999999999"),  # 404 of a proposal
        api.get("/no/such/path"),  # 404 of a path
        api.patch(f"/proposals/{pid}", json={}),  # 412
        api.change("DELETE", f"/proposals/{pid}/assets/1", etag),  # 204
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200, 201, 400, 401, 403, 404, 404, 412, 204]
    traces = [answer.headers[TRACE] for answer in answers]
    assert len(set(traces)) == len(traces)
    for answer, trace in zip(answers, traces, strict=True):
        assert uuid.UUID(trace).version == 4
        if answer.status_code >= 400:
            assert answer.json()["traceId"] == trace


def test_the_error_object_has_its_documented_shape(api):
    body = assert_error(api.get("/proposals/424242"), 404, "NOT_FOUND")
    assert set(body) == {"traceId", "status", "code", "message"}
    body = assert_error(api.post("/proposals", json={}), 400, "VALIDATION_FAILED")
    assert set(body) == {"traceId", "status", "code", "message", "violations"}
    assert body["violations"] == [
        {"field": "officeId", "code": "REQUIRED", "userMessage": "officeId is required."}
    ]


def test_unknown_paths_and_methods_are_404_with_a_trace_id(api, sandbox):
    assert_error(api.get("/proposals/7000001/unknown"), 404, "NOT_FOUND")
    assert_error(api.request("DELETE", "/proposals/search"), 404, "NOT_FOUND")
    assert_error(api.request("OPTIONS", "/common/offices"), 404, "NOT_FOUND")
    assert_error(api.get("/proposals/abc"), 404, "NOT_FOUND")
    assert_error(api.get("/proposals/"), 404, "NOT_FOUND")
    outside = requests.get(sandbox.base_url + "/elsewhere", timeout=5)
    assert_error(outside, 404, "NOT_FOUND")


def test_the_openapi_document_needs_no_token(sandbox):
    response = requests.get(sandbox.api_url + "/openapi.json", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "bearerAuth" in document["components"]["securitySchemes"]


MALFORMED = [
    b"",
    b"   ",
    b"{",
    b"null",
    b"[]",
    b"[1, 2]",
    b'"a string"',
    b"42",
    b"true",
    b'{"officeId": NaN}',
    b'{"officeId": Infinity}',
    b'{"officeId": -Infinity}',
    b"\xff\xfe\x00{",
    b'{"label": "\xe9t\xe9"}',  # Latin-1, not UTF-8
    b"\xef\xbb\xbf{}",  # a byte-order mark
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'{"officeId": 1' + b"0" * 5000 + b"}",
]


@pytest.mark.parametrize("data", MALFORMED, ids=range(len(MALFORMED)))
def test_a_body_that_is_not_a_json_object_is_one_malformed_json_violation(api, data):
    response = api.post("/proposals", data=data, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "VALIDATION_FAILED")
    assert violations(response) == [(None, "MALFORMED_JSON")]


WRONG_TYPES = [
    ({"officeId": True}, "officeId", "WRONG_TYPE"),
    ({"officeId": "1001"}, "officeId", "WRONG_TYPE"),
    ({"officeId": 1001.0}, "officeId", "WRONG_TYPE"),
    ({"officeId": 1001, "label": 12}, "label", "WRONG_TYPE"),
    ({"officeId": 1001, "assets": {}}, "assets", "WRONG_TYPE"),
    ({"officeId": 1001, "assets": [True]}, "assets[0]", "WRONG_TYPE"),
    ({"officeId": 1001, "customer": "01234567"}, "customer", "WRONG_TYPE"),
    ({"officeId": 10**30}, "officeId", "INVALID_VALUE"),  # beyond 64 bits (v2)
    ({"officeId": -1}, "officeId", "OFFICE_NOT_FOUND"),
    ({"officeId": 1001, "unknown": {"deep": [1, 2]}}, "unknown", "UNKNOWN_FIELD"),
    # Found by fuzzing: partners that are not a list, or not objects, once gave a 500.
    ({"officeId": 1001, "customerManual": {**MANUAL, "partners": 20}}, "customerManual.partners",
     "WRONG_TYPE"),
    ({"officeId": 1001, "customerManual": {**MANUAL, "partners": [True]}},
     "customerManual.partners[0]", "WRONG_TYPE"),
    ({"officeId": 1001, "customerManual": {**MANUAL, "address": []}}, "customerManual.address",
     "WRONG_TYPE"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "field", "code"), WRONG_TYPES)
def test_wrong_types_huge_numbers_and_unknown_fields_are_violations(api, body, field, code):
    assert (field, code) in violations(api.post("/proposals", json=body))


def test_huge_and_odd_numbers_in_money_fields_are_violations_not_errors(api):
    body = full_proposal()
    raw = json.dumps(body).replace('"valuePerAsset": 1450.0', '"valuePerAsset": 1e400')
    response = api.post("/proposals", data=raw, headers={"Content-Type": "application/json"})
    assert ("assets[0].valuePerAsset", "INVALID_VALUE") in violations(response)
    raw = json.dumps(body).replace('"valuePerAsset": 1450.0', '"valuePerAsset": 1e-400')
    response = api.post("/proposals", data=raw, headers={"Content-Type": "application/json"})
    assert ("assets[0].valuePerAsset", "TOO_MANY_DECIMALS") in violations(response)
    body["assets"][0]["quantity"] = 10**300  # beyond 64 bits (v2)
    assert ("assets[0].quantity", "INVALID_VALUE") in violations(api.post("/proposals", json=body))


def test_a_body_larger_than_a_mebibyte_is_refused_without_a_500(api, sandbox):
    before = sandbox.stats()["requests"]["byEndpoint"].get("POST /proposals", 0)
    response = api.post("/proposals", data=b" " * (2 * 1024 * 1024))
    assert_error(response, 400, "VALIDATION_FAILED")
    assert violations(response) == [(None, "MALFORMED_JSON")]
    assert response.headers["Connection"] == "close"
    # Still an API request: counted like any other.
    assert sandbox.stats()["requests"]["byEndpoint"]["POST /proposals"] == before + 1


def test_a_chunked_body_is_read(api):
    def chunks():
        yield b'{"officeId": '
        yield b"1001}"

    response = api.post("/proposals", data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 201


def test_a_garbled_request_line_is_answered_in_json(sandbox):
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        answer = raw.recv(65536).decode("latin-1")
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert TRACE.lower() in head.lower()
    assert json.loads(body)["code"] == "VALIDATION_FAILED"


def test_connections_are_kept_alive(api):
    first = api.get("/common/titles")
    second = api.get("/common/titles")
    assert first.status_code == second.status_code == 200
    assert first.headers.get("Connection", "").lower() != "close"
    assert len(api.session.adapters["http://"].poolmanager.pools) == 1


def test_no_500_was_answered_to_any_of_this(sandbox):
    assert "500" not in sandbox.stats()["requests"]["byStatus"]
