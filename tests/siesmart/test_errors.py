"""The error hierarchy, built in one place from an answer or a failed connection."""

from __future__ import annotations

import pytest
import requests
import urllib3.exceptions

from proposals.siesmart import (
    BudgetExhausted,
    ConflictError,
    EtagMismatchError,
    ForbiddenError,
    IfMatchMissingError,
    MalformedResponseError,
    NotFoundError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    SieSmartConnectionError,
    SieSmartError,
    SieSmartTimeout,
    TokenError,
    UnauthorizedError,
    ValidationError,
    Violation,
    error_from_response,
)
from proposals.siesmart.errors import parse_retry_after
from proposals.siesmart.retry import error_from_exception

from .helpers import TRACE, error_body


def _response(status: int, body=None, *, text: str | None = None, headers=None):
    import json

    response = requests.Response()
    response.status_code = status
    response.reason = "Reason"
    response.headers.update(headers or {})
    if text is not None:
        response._content = text.encode()
    elif body is not None:
        response._content = json.dumps(body).encode()
    else:
        response._content = b""
    return response


VALIDATION = error_body(
    400,
    "VALIDATION_FAILED",
    "The proposal has 2 invalid fields.",
    violations=[
        {
            "field": "calculation.sheet.term",
            "code": "TERM_OUT_OF_RANGE",
            "userMessage": "Term must be 12 to 60 months in steps of 12.",
        },
        {"field": "assets[0].quantity", "code": "MUST_BE_POSITIVE", "userMessage": "At least 1."},
        {"field": None, "code": "AMOUNT_FINANCED_OUT_OF_RANGE", "userMessage": "Too much."},
    ],
)


def test_a_400_carries_every_violation():
    error = error_from_response(_response(400, VALIDATION))
    assert isinstance(error, ValidationError)
    assert error.status == 400
    assert error.code == "VALIDATION_FAILED"
    assert error.trace_id == TRACE
    assert error.message == "The proposal has 2 invalid fields."
    assert error.violations == [
        Violation(
            "calculation.sheet.term",
            "TERM_OUT_OF_RANGE",
            "Term must be 12 to 60 months in steps of 12.",
        ),
        Violation("assets[0].quantity", "MUST_BE_POSITIVE", "At least 1."),
        Violation(None, "AMOUNT_FINANCED_OUT_OF_RANGE", "Too much."),
    ]
    assert set(error.violations_by_field()) == {
        "calculation.sheet.term",
        "assets[0].quantity",
        None,
    }
    assert not error.is_precondition_failure
    assert error.body == VALIDATION


def test_a_refused_decision_request_is_a_precondition_failure():
    body = error_body(
        400,
        "PRECONDITION_VIOLATIONS",
        violations=[{"field": None, "code": "ASSET_MISSING", "userMessage": "Add an asset."}],
    )
    error = error_from_response(_response(400, body))
    assert isinstance(error, ValidationError)
    assert error.is_precondition_failure
    assert error.violations[0].code == "ASSET_MISSING"


def test_unreadable_violations_are_skipped_not_fatal():
    body = error_body(400, "VALIDATION_FAILED", violations=["oops", {"field": "x"}, {"code": "X"}])
    error = error_from_response(_response(400, body))
    assert error.violations == [Violation(None, "X", None)]


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, "UNAUTHORIZED", UnauthorizedError),
        (403, "FORBIDDEN", ForbiddenError),
        (404, "NOT_FOUND", NotFoundError),
        (409, "INVALID_STATE", ConflictError),
        (412, "IF_MATCH_MISSING", IfMatchMissingError),
        (412, "ETAG_MISMATCH", EtagMismatchError),
        (412, "SOMETHING_ELSE", PreconditionFailedError),
        (429, "RATE_LIMITED", RateLimitedError),
        (500, "INTERNAL_ERROR", ServerError),
        (503, "SERVICE_UNAVAILABLE", ServerError),
        (418, "TEAPOT", SieSmartError),
    ],
)
def test_each_status_has_its_class(status, code, kind):
    error = error_from_response(_response(status, error_body(status, code)))
    assert type(error) is kind
    assert error.status == status
    assert error.code == code
    assert error.trace_id == TRACE


def test_both_412s_are_precondition_failures():
    for code in ("IF_MATCH_MISSING", "ETAG_MISMATCH"):
        error = error_from_response(_response(412, error_body(412, code)))
        assert isinstance(error, PreconditionFailedError)
        assert not error.retryable


def test_the_trace_id_header_wins_over_the_body():
    error = error_from_response(
        _response(404, error_body(404, "NOT_FOUND"), headers={"X-B2B-TRACE-ID": "from-header"})
    )
    assert error.trace_id == "from-header"


def test_an_error_that_is_not_json_keeps_its_status_class():
    error = error_from_response(
        _response(404, text="<h1>Not here</h1>", headers={"X-B2B-TRACE-ID": TRACE})
    )
    assert isinstance(error, NotFoundError)
    assert error.code == "NOT_FOUND"
    assert error.trace_id == TRACE
    assert error.body == "<h1>Not here</h1>"
    assert "404" in error.message


def test_an_empty_503_is_service_unavailable():
    error = error_from_response(_response(503))
    assert isinstance(error, ServerError)
    assert error.code == "SERVICE_UNAVAILABLE"
    assert error.retryable and error.outcome_unknown


def test_a_429_reads_retry_after():
    error = error_from_response(
        _response(429, error_body(429, "RATE_LIMITED"), headers={"Retry-After": "12"})
    )
    assert error.retry_after == 12.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("12", 12.0),
        (" 3 ", 3.0),
        ("-5", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(value, seconds):
    now = 1445412480.0  # 07:28:00 on that day
    assert parse_retry_after(value, now=now) == seconds


def test_str_names_the_status_code_and_trace_id():
    error = error_from_response(_response(412, error_body(412, "ETAG_MISMATCH", "Stale.")))
    assert str(error) == f"Stale. [412 ETAG_MISMATCH] (trace id {TRACE})"


# -- retryable and outcome_unknown -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "retryable", "outcome_unknown"),
    [
        (ValidationError("x", status=400), False, False),
        (UnauthorizedError("x", status=401), False, False),
        (ConflictError("x", status=409), False, False),
        (RateLimitedError("x", status=429), True, False),
        (ServerError("x", status=500), True, True),
        (SieSmartTimeout("x", request_sent=True), True, True),
        (SieSmartTimeout("x", request_sent=False), True, False),
        (SieSmartConnectionError("x", request_sent=True), True, True),
        (SieSmartConnectionError("x", request_sent=False), True, False),
        (MalformedResponseError("x", status=200), False, True),
        (MalformedResponseError("x", status=None), False, False),
        (BudgetExhausted(5.0), True, False),
        (TokenError("x", transient=True), True, False),
        (TokenError("x", error="access_denied"), False, False),
    ],
)
def test_what_each_error_tells_the_caller(error, retryable, outcome_unknown):
    assert error.retryable is retryable
    assert error.outcome_unknown is outcome_unknown
    assert isinstance(error, SieSmartError)


def test_client_side_errors_have_their_own_codes():
    assert SieSmartTimeout("x").code == "CLIENT_TIMEOUT"
    assert SieSmartConnectionError("x").code == "CLIENT_CONNECTION_ERROR"
    assert MalformedResponseError("x").code == "CLIENT_MALFORMED_RESPONSE"
    assert BudgetExhausted(1.0).code == "CLIENT_BUDGET_EXHAUSTED"
    assert TokenError("x").code == "CLIENT_TOKEN_ERROR"
    assert TokenError("x", error="access_denied").code == "access_denied"


# -- failures without an answer --------------------------------------------------------------------


def _refused() -> requests.ConnectionError:
    reason = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason))


@pytest.mark.parametrize(
    ("exc", "kind", "sent"),
    [
        (requests.ConnectTimeout("connect"), SieSmartTimeout, False),
        (requests.ReadTimeout("read"), SieSmartTimeout, True),
        (_refused(), SieSmartConnectionError, False),
        (requests.ConnectionError("Connection aborted"), SieSmartConnectionError, True),
        (requests.exceptions.ChunkedEncodingError("cut"), SieSmartConnectionError, True),
    ],
)
def test_a_failure_without_an_answer_says_whether_the_request_left(exc, kind, sent):
    error = error_from_exception(exc)
    assert type(error) is kind
    assert error.outcome_unknown is sent
    assert error.retryable
    assert error.status is None


def test_a_bad_url_is_our_configuration_not_a_transient_failure():
    error = error_from_exception(requests.exceptions.InvalidURL("no host"))
    assert type(error) is SieSmartError
    assert error.code == "CLIENT_INVALID_REQUEST"
    assert not error.retryable
