"""Every attempt leaves a record; no record and no log line ever holds the secret or a token."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import requests
import responses

from proposals.siesmart import CallRecord, ServerError, SieSmartTimeout, ValidationError

from .helpers import (
    ACCESS_TOKEN,
    ETAG,
    PROPOSAL,
    SECRET,
    TRACE,
    add_token,
    api,
    error_body,
    headers,
)

PROPOSAL_URL = api("/proposals/7000123")


def _everything_recorded(recorder) -> str:
    return "\n".join(repr(call) for call in recorder.calls)


def test_every_attempt_is_recorded(client, rsps, recorder):
    add_token(rsps)
    rsps.add(responses.GET, PROPOSAL_URL, json=error_body(500, "INTERNAL_ERROR"), status=500)
    rsps.add(responses.GET, PROPOSAL_URL, body=requests.ReadTimeout("slow"))
    rsps.add(responses.GET, PROPOSAL_URL, json=PROPOSAL, headers=headers())
    client.get_proposal(7000123)
    token_call, *attempts = recorder.calls
    assert token_call.path == "/oauth/token"
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert [a.status for a in attempts] == [500, None, 200]
    assert [a.error_code for a in attempts] == ["INTERNAL_ERROR", "CLIENT_TIMEOUT", None]
    assert [a.outcome_unknown for a in attempts] == [True, True, False]
    assert [a.trace_id for a in attempts] == [TRACE, None, TRACE]
    for attempt in attempts:
        assert attempt.method == "GET"
        assert attempt.path == "/proposals/7000123"
        assert attempt.url == PROPOSAL_URL
        assert attempt.credential_key == "credential:1"
        assert attempt.lane == "background"
        assert attempt.duration_ms >= 0
        assert attempt.started_at.tzinfo is UTC
        assert isinstance(attempt.started_at, datetime)
    assert attempts[2].response_body["id"] == 7000123
    assert attempts[1].error_message.startswith("SieSmart did not answer in time")


def test_the_token_call_is_recorded_without_its_secrets(client, rsps, recorder):
    add_token(rsps)
    rsps.add(responses.GET, api("/common/offices"), json=[])
    client.list_offices()
    token_call = recorder.calls[0]
    assert token_call.method == "POST"
    assert token_call.status == 200
    assert token_call.request_body["client_secret"] == "[REDACTED]"
    assert token_call.request_body["client_id"] == "demo-introducer"
    assert token_call.response_body["access_token"] == "[REDACTED]"
    assert token_call.response_body["expires_in"] == 86400
    recorded = _everything_recorded(recorder)
    assert SECRET not in recorded
    assert ACCESS_TOKEN not in recorded


def test_a_refused_token_call_is_recorded(client, rsps, recorder):
    from proposals.siesmart import TokenError

    add_token(rsps, status=401, body={"error": "access_denied", "error_description": "Nope"})
    with pytest.raises(TokenError):
        client.list_offices()
    (call,) = recorder.calls
    assert (call.status, call.error_code) == (401, "access_denied")
    assert SECRET not in _everything_recorded(recorder)


def test_the_query_is_in_the_recorded_url(client, rsps, recorder):
    add_token(rsps)
    rsps.add(responses.GET, api("/common/iac-codes"), json=[])
    client.list_iac_codes(1001)
    assert recorder.calls[-1].url == api("/common/iac-codes?office-id=1001")
    assert recorder.calls[-1].path == "/common/iac-codes"


def test_a_connection_failure_records_the_url_with_its_query(client, rsps, recorder):
    add_token(rsps)
    for _ in range(3):
        rsps.add(responses.GET, api("/common/iac-codes"), body=requests.ConnectionError("x"))
    with pytest.raises(Exception):  # noqa: B017 (the class is tested elsewhere)
        client.list_iac_codes(1001)
    assert recorder.calls[-1].url == api("/common/iac-codes?office-id=1001")
    assert recorder.calls[-1].status is None


def test_request_and_response_bodies_are_redacted(client, rsps, recorder):
    add_token(rsps)
    echoed = dict(PROPOSAL, specialConditionText=f"echo {ACCESS_TOKEN}")
    rsps.add(responses.POST, api("/proposals"), json=echoed, status=201, headers=headers())
    client.create_proposal({"officeId": 1001, "label": "IP-1", "portalPassword": "hunter2"})
    call = recorder.calls[-1]
    assert call.request_body == {"officeId": 1001, "label": "IP-1", "portalPassword": "[REDACTED]"}
    assert call.response_body["specialConditionText"] == "echo [REDACTED]"
    assert ACCESS_TOKEN not in _everything_recorded(recorder)


def test_decimal_money_in_a_request_is_recorded_as_a_plain_number(client, rsps, recorder):
    from decimal import Decimal

    add_token(rsps)
    rsps.add(responses.POST, api("/proposals"), json=PROPOSAL, status=201, headers=headers())
    client.create_proposal({"officeId": 1001, "assets": [{"valuePerAsset": Decimal("1450.50")}]})
    assert recorder.calls[-1].request_body["assets"][0]["valuePerAsset"] == 1450.5


def test_a_large_answer_is_truncated_in_the_record(client, rsps, recorder):
    add_token(rsps)
    offices = [{"id": n, "name": "Office " + "x" * 100} for n in range(200)]
    rsps.add(responses.GET, api("/common/offices"), json=offices)
    assert len(client.list_offices()) == 200
    recorded = recorder.calls[-1].response_body
    assert recorded["truncated"] is True
    assert recorded["length"] > len(recorded["preview"])


def test_a_malformed_answer_is_recorded_as_such(client, rsps, recorder):
    from proposals.siesmart import MalformedResponseError

    add_token(rsps)
    rsps.add(responses.GET, PROPOSAL_URL, json={"id": "x"}, headers=headers())
    with pytest.raises(MalformedResponseError):
        client.get_proposal(7000123)
    call = recorder.calls[-1]
    assert (call.status, call.error_code) == (200, "CLIENT_MALFORMED_RESPONSE")
    assert call.trace_id == TRACE
    assert "'id'" in call.error_message


def test_a_validation_error_is_recorded_with_its_code(client, rsps, recorder):
    add_token(rsps)
    body = error_body(400, "VALIDATION_FAILED", violations=[])
    rsps.add(responses.PATCH, PROPOSAL_URL, json=body, status=400, headers=headers(etag=None))
    with pytest.raises(ValidationError):
        client.update_proposal(7000123, etag=ETAG, changes={"label": ""})
    call = recorder.calls[-1]
    assert (call.status, call.error_code, call.trace_id) == (400, "VALIDATION_FAILED", TRACE)
    assert call.request_body == {"label": ""}


def test_a_recorder_that_fails_never_loses_the_outcome(make_client, rsps, caplog):
    class Broken:
        def record(self, call: CallRecord) -> None:
            raise RuntimeError("database is locked")

    client = make_client(recorder=Broken())
    add_token(rsps)
    rsps.add(responses.POST, api("/proposals"), json=PROPOSAL, status=201, headers=headers())
    with caplog.at_level(logging.ERROR):
        assert client.create_proposal({"officeId": 1001}).id == 7000123
    assert "Could not record" in caplog.text


def test_no_log_line_holds_the_secret_or_a_token(client, rsps, caplog):
    add_token(rsps, "first-token-abcdef")
    add_token(rsps, "second-token-ghijkl")
    rsps.add(responses.GET, PROPOSAL_URL, json=error_body(401, "UNAUTHORIZED"), status=401)
    rsps.add(responses.GET, PROPOSAL_URL, json=error_body(503, "SERVICE_UNAVAILABLE"), status=503)
    rsps.add(responses.GET, PROPOSAL_URL, body=requests.ReadTimeout("slow"))
    rsps.add(responses.GET, PROPOSAL_URL, json=error_body(500, "INTERNAL_ERROR"), status=500)
    with caplog.at_level(logging.DEBUG), pytest.raises(ServerError) as caught:
        client.get_proposal(7000123)
    logged = caplog.text + repr(caught.value) + str(caught.value) + repr(client)
    assert "SieSmart GET /proposals/7000123" in caplog.text
    for secret in (SECRET, "first-token-abcdef", "second-token-ghijkl"):
        assert secret not in logged
    assert TRACE in caplog.text


def test_a_timeout_on_create_is_recorded_as_an_unknown_outcome(client, rsps, recorder, caplog):
    add_token(rsps)
    rsps.add(responses.POST, api("/proposals"), body=requests.ReadTimeout("slow"))
    with caplog.at_level(logging.DEBUG), pytest.raises(SieSmartTimeout):
        client.create_proposal({"officeId": 1001, "label": "IP-9"})
    call = recorder.calls[-1]
    assert call.outcome_unknown and call.status is None
    assert SECRET not in caplog.text and ACCESS_TOKEN not in caplog.text
