"""Retries by failure class: what is repeated, how often, after how long, and what never is."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
import requests
import responses

from proposals.siesmart import (
    BudgetExhausted,
    ConflictError,
    ForbiddenError,
    MalformedResponseError,
    NotFoundError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    SieSmartConnectionError,
    SieSmartTimeout,
    TokenError,
    UnauthorizedError,
    ValidationError,
)
from proposals.siesmart.retry import backoff_delay

from .helpers import (
    ETAG,
    PROPOSAL,
    TOKEN_URL,
    SpyLimiter,
    add_token,
    api,
    api_calls,
    error_body,
    headers,
    proposal_json,
    token_calls,
)

PROPOSAL_URL = api("/proposals/7000123")


def _failure(kind: str) -> dict:
    """`responses` keyword arguments for one kind of transient failure."""
    if kind == "500":
        return {"json": error_body(500, "INTERNAL_ERROR"), "status": 500, "headers": headers()}
    if kind == "503":
        return {"json": error_body(503, "SERVICE_UNAVAILABLE"), "status": 503}
    if kind == "timeout":
        return {"body": requests.ReadTimeout("read timed out")}
    if kind == "connection":
        return {"body": requests.ConnectionError("Connection aborted: RemoteDisconnected")}
    raise AssertionError(kind)


EXPECTED = {
    "500": ServerError,
    "503": ServerError,
    "timeout": SieSmartTimeout,
    "connection": SieSmartConnectionError,
}
FAILURES = list(EXPECTED)

# Every If-Match change: (client call, HTTP method, URL).
CHANGES = [
    (
        lambda c: c.update_proposal(7000123, etag=ETAG, changes={"label": "x"}),
        responses.PATCH,
        PROPOSAL_URL,
    ),
    (
        lambda c: c.replace_customer(7000123, etag=ETAG, customer={"registrationNumber": "1"}),
        responses.PUT,
        PROPOSAL_URL + "/customer",
    ),
    (lambda c: c.add_asset(7000123, etag=ETAG, asset={}), responses.POST, PROPOSAL_URL + "/assets"),
    (
        lambda c: c.replace_asset(7000123, 1, etag=ETAG, asset={}),
        responses.PUT,
        PROPOSAL_URL + "/assets/1",
    ),
    (lambda c: c.delete_asset(7000123, 1, etag=ETAG), responses.DELETE, PROPOSAL_URL + "/assets/1"),
    (
        lambda c: c.calculate(7000123, etag=ETAG, calculation={}),
        responses.POST,
        PROPOSAL_URL + "/calculation",
    ),
    (lambda c: c.request_decision(7000123, etag=ETAG), responses.POST, PROPOSAL_URL + "/decision"),
    (lambda c: c.cancel(7000123, etag=ETAG), responses.POST, PROPOSAL_URL + "/cancel"),
]


@pytest.mark.parametrize("kind", FAILURES)
def test_a_get_is_retried_twice_then_the_failure_is_raised(client, rsps, sleeps, kind):
    add_token(rsps)
    for _ in range(3):
        rsps.add(responses.GET, PROPOSAL_URL, **_failure(kind))
    with pytest.raises(EXPECTED[kind]) as caught:
        client.get_proposal(7000123)
    assert len(api_calls(rsps)) == 3
    assert len(sleeps) == 2
    assert caught.value.retryable


@pytest.mark.parametrize("kind", FAILURES)
def test_a_get_that_recovers_returns_the_answer(client, rsps, sleeps, kind):
    add_token(rsps)
    rsps.add(responses.GET, PROPOSAL_URL, **_failure(kind))
    rsps.add(responses.GET, PROPOSAL_URL, json=PROPOSAL, headers=headers())
    assert client.get_proposal(7000123).id == 7000123
    assert len(api_calls(rsps)) == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize("kind", FAILURES)
@pytest.mark.parametrize(("call", "method", "url"), CHANGES)
def test_an_if_match_change_is_retried_like_a_get(client, rsps, sleeps, kind, call, method, url):
    add_token(rsps)
    for _ in range(3):
        rsps.add(method, url, **_failure(kind))
    with pytest.raises(EXPECTED[kind]):
        call(client)
    calls = api_calls(rsps)
    assert len(calls) == 3
    assert all(c.request.headers["If-Match"] == ETAG for c in calls)
    assert len(sleeps) == 2


@pytest.mark.parametrize("kind", FAILURES)
def test_a_create_is_never_retried_and_its_outcome_is_unknown(client, rsps, sleeps, kind):
    add_token(rsps)
    rsps.add(responses.POST, api("/proposals"), **_failure(kind))
    rsps.add(responses.POST, api("/proposals"), json=PROPOSAL, status=201, headers=headers())
    with pytest.raises(EXPECTED[kind]) as caught:
        client.create_proposal({"officeId": 1001, "label": "IP-2026-000042"})
    assert len(api_calls(rsps)) == 1
    assert sleeps == []
    assert caught.value.outcome_unknown
    assert "If-Match" not in api_calls(rsps)[0].request.headers


def test_a_create_that_could_not_connect_is_not_retried_but_known_unsent(client, rsps):
    add_token(rsps)
    rsps.add(responses.POST, api("/proposals"), body=requests.ConnectTimeout("connect timeout"))
    with pytest.raises(SieSmartTimeout) as caught:
        client.create_proposal({"officeId": 1001})
    assert len(api_calls(rsps)) == 1
    assert caught.value.outcome_unknown is False
    assert caught.value.retryable


STATUS_ERRORS = [
    (400, "VALIDATION_FAILED", ValidationError),
    (403, "FORBIDDEN", ForbiddenError),
    (404, "NOT_FOUND", NotFoundError),
    (409, "INVALID_STATE", ConflictError),
    (412, "ETAG_MISMATCH", PreconditionFailedError),
]


@pytest.mark.parametrize(("status", "code", "error"), STATUS_ERRORS)
@pytest.mark.parametrize(("method", "send"), [
    (responses.GET, lambda c: c.get_proposal(7000123)),
    (responses.PATCH, lambda c: c.update_proposal(7000123, etag=ETAG, changes={"label": "x"})),
])  # fmt: skip
def test_client_errors_are_never_retried(client, rsps, sleeps, status, code, error, method, send):
    add_token(rsps)
    rsps.add(method, PROPOSAL_URL, json=error_body(status, code, violations=[]), status=status)
    with pytest.raises(error) as caught:
        send(client)
    assert len(api_calls(rsps)) == 1
    assert sleeps == []
    assert caught.value.status == status
    assert not caught.value.retryable
    assert not caught.value.outcome_unknown


def test_a_malformed_answer_is_not_retried(client, rsps, sleeps):
    add_token(rsps)
    rsps.add(responses.GET, PROPOSAL_URL, body="<html>oops</html>", status=200)
    with pytest.raises(MalformedResponseError):
        client.get_proposal(7000123)
    assert len(api_calls(rsps)) == 1


def test_a_quote_has_no_side_effects_so_it_is_retried_like_a_get(client, rsps, sleeps):
    add_token(rsps)
    result = {"result": PROPOSAL["calculation"]["result"]}
    rsps.add(responses.POST, api("/calculation"), **_failure("503"))
    rsps.add(responses.POST, api("/calculation"), **_failure("timeout"))
    rsps.add(responses.POST, api("/calculation"), json=result, headers=headers(etag=None))
    quote = client.quote(office_id=1001, amount_financed="13000.00", calculation={"sheet": {}})
    assert quote.instalment == Decimal("405.12")
    assert len(api_calls(rsps)) == 3


# -- 401 -------------------------------------------------------------------------------------------


def test_a_401_renews_the_token_once_and_replays_once(client, rsps, store):
    add_token(rsps, "token-one")
    add_token(rsps, "token-two")
    rsps.add(responses.GET, PROPOSAL_URL, json=error_body(401, "UNAUTHORIZED"), status=401)
    rsps.add(responses.GET, PROPOSAL_URL, json=PROPOSAL, headers=headers())
    assert client.get_proposal(7000123).id == 7000123
    calls = api_calls(rsps)
    assert [c.request.headers["Authorization"] for c in calls] == [
        "Bearer token-one",
        "Bearer token-two",
    ]
    assert len(token_calls(rsps)) == 2
    assert store.get("credential:1").access_token == "token-two"


def test_a_second_401_is_raised(client, rsps):
    add_token(rsps, "token-one")
    add_token(rsps, "token-two")
    for _ in range(2):
        rsps.add(responses.GET, PROPOSAL_URL, json=error_body(401, "UNAUTHORIZED"), status=401)
    with pytest.raises(UnauthorizedError) as caught:
        client.get_proposal(7000123)
    assert len(api_calls(rsps)) == 2
    assert len(token_calls(rsps)) == 2
    assert caught.value.trace_id is not None


def test_a_create_refused_with_401_is_replayed_since_sfs_did_nothing(client, rsps):
    add_token(rsps, "token-one")
    add_token(rsps, "token-two")
    rsps.add(responses.POST, api("/proposals"), json=error_body(401, "UNAUTHORIZED"), status=401)
    rsps.add(responses.POST, api("/proposals"), json=PROPOSAL, status=201, headers=headers())
    assert client.create_proposal({"officeId": 1001}).id == 7000123
    assert len(api_calls(rsps)) == 2


# -- 429 -------------------------------------------------------------------------------------------


def test_a_429_pauses_every_process_for_retry_after_and_is_raised(client, rsps, limiter, sleeps):
    add_token(rsps)
    rsps.add(
        responses.GET,
        PROPOSAL_URL,
        json=error_body(429, "RATE_LIMITED"),
        status=429,
        headers={"Retry-After": "7"},
    )
    with pytest.raises(RateLimitedError) as caught:
        client.get_proposal(7000123)
    assert caught.value.retry_after == 7.0
    assert caught.value.retryable and not caught.value.outcome_unknown
    assert limiter.pauses == [7.0]
    assert len(api_calls(rsps)) == 1
    assert sleeps == []  # the client does not sleep for it; the caller reschedules
    assert limiter.acquire("interactive") == pytest.approx(7.0, abs=0.5)


def test_a_429_without_retry_after_pauses_a_minute(client, rsps, limiter):
    add_token(rsps)
    rsps.add(responses.GET, PROPOSAL_URL, json=error_body(429, "RATE_LIMITED"), status=429)
    with pytest.raises(RateLimitedError) as caught:
        client.get_proposal(7000123)
    assert caught.value.retry_after is None
    assert limiter.pauses == [60.0]


def test_a_429_on_a_create_is_not_an_unknown_outcome(client, rsps):
    add_token(rsps)
    rsps.add(responses.POST, api("/proposals"), json=error_body(429, "RATE_LIMITED"), status=429)
    with pytest.raises(RateLimitedError) as caught:
        client.create_proposal({"officeId": 1001})
    assert caught.value.outcome_unknown is False


# -- backoff ---------------------------------------------------------------------------------------


def test_backoff_delays_are_full_jitter_from_the_injected_random(make_client, rsps, sleeps):
    client = make_client(rng=random.Random(42), backoff_base=0.5, backoff_cap=8.0)
    add_token(rsps)
    for _ in range(3):
        rsps.add(responses.GET, PROPOSAL_URL, **_failure("503"))
    with pytest.raises(ServerError):
        client.get_proposal(7000123)
    expected_rng = random.Random(42)
    expected = [expected_rng.uniform(0, 0.5), expected_rng.uniform(0, 1.0)]
    assert sleeps == pytest.approx(expected)


def test_backoff_is_capped(make_client, rsps, sleeps):
    client = make_client(rng=random.Random(3), backoff_base=4.0, backoff_cap=5.0, max_retries=4)
    add_token(rsps)
    for _ in range(5):
        rsps.add(responses.GET, PROPOSAL_URL, **_failure("500"))
    with pytest.raises(ServerError):
        client.get_proposal(7000123)
    expected_rng = random.Random(3)
    ceilings = [4.0, 5.0, 5.0, 5.0]  # 4, 8 -> 5, 16 -> 5, 32 -> 5
    assert sleeps == pytest.approx([expected_rng.uniform(0, c) for c in ceilings])
    assert all(0 <= delay <= 5.0 for delay in sleeps)
    assert len(api_calls(rsps)) == 5


class _Highest(random.Random):
    """Jitter's worst case: always the top of the range."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_backoff_ceiling_doubles_up_to_the_cap():
    delays = [backoff_delay(n, base=0.5, cap=8.0, rng=_Highest()) for n in range(7)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_backoff_is_jittered():
    rng = random.Random(1)
    delays = {backoff_delay(3, base=0.5, cap=8.0, rng=rng) for _ in range(20)}
    assert len(delays) == 20
    assert all(0 <= delay <= 4.0 for delay in delays)


def test_zero_max_retries_sends_once(make_client, rsps, sleeps):
    client = make_client(max_retries=0)
    add_token(rsps)
    rsps.add(responses.GET, PROPOSAL_URL, **_failure("500"))
    with pytest.raises(ServerError):
        client.get_proposal(7000123)
    assert len(api_calls(rsps)) == 1
    assert sleeps == []


def test_a_retry_that_finds_no_budget_raises_the_failure_it_was_retrying(make_client, rsps):
    # First slot now, then a long wait: the retry cannot go out.
    client = make_client(limiter=SpyLimiter(100, waits=[0.0, 30.0]))
    add_token(rsps)
    rsps.add(responses.PATCH, PROPOSAL_URL, **_failure("timeout"))
    with pytest.raises(SieSmartTimeout) as caught:
        client.update_proposal(7000123, etag=ETAG, changes={"label": "x"})
    assert caught.value.outcome_unknown
    assert isinstance(caught.value.__cause__, BudgetExhausted)
    assert len(api_calls(rsps)) == 1


def test_proposal_json_helper_is_a_copy():
    body = proposal_json(label="other")
    assert body["label"] == "other" and PROPOSAL["label"] == "IP-2026-000042"


def test_a_retry_that_cannot_get_a_token_raises_the_failure_it_was_retrying(
    make_client, rsps, clock
):
    # The token expires during the backoff, and the token endpoint is down by then.
    client = make_client(sleep=lambda seconds: clock.advance(86400))
    add_token(rsps)
    rsps.add(responses.POST, TOKEN_URL, status=503)
    rsps.add(responses.GET, PROPOSAL_URL, **_failure("500"))
    with pytest.raises(ServerError) as caught:
        client.get_proposal(7000123)
    assert caught.value.outcome_unknown
    assert isinstance(caught.value.__cause__, TokenError)
    assert len(api_calls(rsps)) == 1
