"""One token for many calls, renewed before expiry by one process; the token endpoint's refusals."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
import requests
import responses

from proposals.siesmart import AUDIENCE, MemoryTokenStore, Token, TokenError

from .helpers import (
    ACCESS_TOKEN,
    CLIENT_ID,
    CREDENTIAL_KEY,
    SECRET,
    TOKEN_URL,
    add_token,
    api,
    api_calls,
    headers,
    token_calls,
)

OFFICES = api("/common/offices")


def _offices(rsps, times: int = 1) -> None:
    for _ in range(times):
        rsps.add(responses.GET, OFFICES, json=[], headers=headers(etag=None))


class LockedStore(MemoryTokenStore):
    """A store whose renewal lock another process holds; `on_wait` plays that process."""

    def __init__(self) -> None:
        super().__init__()
        self.lock_requests = 0

    @contextmanager
    def renewal_lock(self, key, timeout):
        self.lock_requests += 1
        yield False


def test_one_token_serves_many_calls(client, rsps):
    add_token(rsps)
    _offices(rsps, times=5)
    for _ in range(5):
        client.list_offices()
    assert len(token_calls(rsps)) == 1
    assert {c.request.headers["Authorization"] for c in api_calls(rsps)} == {
        f"Bearer {ACCESS_TOKEN}"
    }


def test_the_token_request_is_a_client_credentials_grant(client, rsps):
    add_token(rsps)
    _offices(rsps)
    client.list_offices()
    sent = json.loads(token_calls(rsps)[0].request.body)
    assert sent == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "audience": AUDIENCE,
    }
    assert token_calls(rsps)[0].request.headers["Content-Type"] == "application/json"


def test_the_token_call_does_not_take_a_rate_slot(client, rsps, limiter):
    add_token(rsps)
    _offices(rsps)
    client.list_offices()
    assert limiter.acquired == ["background"]


def test_processes_sharing_a_store_share_the_token(make_client, rsps):
    add_token(rsps)
    _offices(rsps, times=2)
    make_client().list_offices()
    make_client().list_offices()  # another process, same store
    assert len(token_calls(rsps)) == 1


def test_the_token_is_renewed_shortly_before_expiry(client, rsps, clock, store):
    add_token(rsps, "token-one")
    add_token(rsps, "token-two")
    _offices(rsps, times=3)
    client.list_offices()
    clock.advance(86400 - 400)  # more than the 300 s margin left: reuse
    client.list_offices()
    assert len(token_calls(rsps)) == 1
    clock.advance(200)  # 200 s left: renew
    client.list_offices()
    assert len(token_calls(rsps)) == 2
    assert api_calls(rsps)[-1].request.headers["Authorization"] == "Bearer token-two"
    assert store.get(CREDENTIAL_KEY).access_token == "token-two"


def test_a_short_lived_token_is_renewed_at_half_its_life_not_on_every_call(client, rsps, clock):
    add_token(rsps, "token-one", expires_in=60)
    add_token(rsps, "token-two", expires_in=60)
    _offices(rsps, times=3)
    client.list_offices()
    clock.advance(20)
    client.list_offices()
    assert len(token_calls(rsps)) == 1
    clock.advance(11)  # 29 s left, under half of 60
    client.list_offices()
    assert len(token_calls(rsps)) == 2


def test_while_another_process_renews_a_still_valid_token_is_used(make_client, rsps, clock):
    store = LockedStore()
    store.put(CREDENTIAL_KEY, Token("old-but-valid", "Bearer", expires_at=clock() + 100))
    client = make_client(token_store=store)
    _offices(rsps)
    client.list_offices()
    assert token_calls(rsps) == []
    assert store.lock_requests == 1
    assert api_calls(rsps)[0].request.headers["Authorization"] == "Bearer old-but-valid"


def test_without_a_token_the_client_waits_for_the_renewing_process(make_client, rsps, clock):
    store = LockedStore()

    def other_process_finishes(seconds: float) -> None:
        store.put(CREDENTIAL_KEY, Token("renewed-elsewhere", "Bearer", clock() + 86400))

    client = make_client(token_store=store, sleep=other_process_finishes)
    _offices(rsps)
    client.list_offices()
    assert token_calls(rsps) == []
    assert api_calls(rsps)[0].request.headers["Authorization"] == "Bearer renewed-elsewhere"


def test_a_renewal_that_never_finishes_is_a_transient_token_error(make_client, rsps, sleeps):
    client = make_client(token_store=LockedStore(), token_wait=1.0)
    with pytest.raises(TokenError) as caught:
        client.list_offices()
    assert caught.value.retryable
    assert not caught.value.outcome_unknown
    assert len(rsps.calls) == 0  # neither a token call nor the API call
    assert sum(sleeps) == pytest.approx(1.0)


def test_the_lock_holder_rereads_the_store_before_renewing(make_client, rsps, clock):
    class RenewedMeanwhile(MemoryTokenStore):
        @contextmanager
        def renewal_lock(self, key, timeout):
            # Between our read and the lock, another process renewed.
            self.put(key, Token("fresh-from-elsewhere", "Bearer", clock() + 86400))
            yield True

    client = make_client(token_store=RenewedMeanwhile())
    _offices(rsps)
    client.list_offices()
    assert token_calls(rsps) == []
    assert api_calls(rsps)[0].request.headers["Authorization"] == "Bearer fresh-from-elsewhere"


def test_the_renewal_lock_lease_outlasts_the_longest_token_call(make_client, rsps):
    leases = []

    class Watching(MemoryTokenStore):
        @contextmanager
        def renewal_lock(self, key, timeout):
            leases.append(timeout)
            yield True

    add_token(rsps)
    make_client(token_store=Watching()).current_token()
    # Three attempts of (connect 5 s + read 30 s) each, plus the backoffs between them.
    assert leases[0] > (5.0 + 30.0) * 3


def test_discard_drops_only_the_refused_token(store, clock):
    store.put(CREDENTIAL_KEY, Token("someone-elses-new-token", "Bearer", clock() + 86400))
    store.discard(CREDENTIAL_KEY, "an-old-token")
    assert store.get(CREDENTIAL_KEY).access_token == "someone-elses-new-token"
    store.discard(CREDENTIAL_KEY, "someone-elses-new-token")
    assert store.get(CREDENTIAL_KEY) is None


def test_wrong_credentials_are_a_token_error_with_auth0_fields(client, rsps):
    add_token(
        rsps,
        status=401,
        body={"error": "access_denied", "error_description": "Unauthorized"},
    )
    with pytest.raises(TokenError) as caught:
        client.list_offices()
    error = caught.value
    assert (error.error, error.error_description, error.status) == (
        "access_denied",
        "Unauthorized",
        401,
    )
    assert error.code == "access_denied"
    assert not error.retryable and not error.outcome_unknown
    assert len(token_calls(rsps)) == 1  # a refusal is not retried
    assert api_calls(rsps) == []


def test_a_failing_token_endpoint_is_retried_then_a_transient_token_error(client, rsps, sleeps):
    for _ in range(3):
        rsps.add(responses.POST, TOKEN_URL, status=503, body="down")
    with pytest.raises(TokenError) as caught:
        client.list_offices()
    assert caught.value.retryable
    assert caught.value.status == 503
    assert len(token_calls(rsps)) == 3
    assert len(sleeps) == 2


def test_an_unreachable_token_endpoint_is_a_transient_token_error(client, rsps):
    for _ in range(3):
        rsps.add(responses.POST, TOKEN_URL, body=requests.ConnectionError("refused"))
    with pytest.raises(TokenError) as caught:
        client.list_offices()
    assert caught.value.retryable
    assert isinstance(caught.value.__cause__, requests.ConnectionError)


@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "Bearer", "expires_in": 86400},
        {"access_token": 12345, "expires_in": 86400},
        {"access_token": "", "expires_in": 86400},
        ["not", "an", "object"],
    ],
)
def test_an_unreadable_token_answer_is_a_token_error(client, rsps, body):
    add_token(rsps, body=body)
    with pytest.raises(TokenError):
        client.list_offices()
    assert api_calls(rsps) == []


def test_a_token_answer_without_expiry_lives_the_documented_24_hours(client, rsps, clock):
    add_token(rsps, body={"access_token": "t"})
    token = client.current_token()
    assert token.expires_at == clock() + 86400
    assert token.token_type == "Bearer"


def test_fetch_token_always_asks_and_shares_the_answer(client, rsps, store):
    add_token(rsps, "token-one")
    add_token(rsps, "token-two")
    assert client.fetch_token().access_token == "token-one"
    assert client.fetch_token().access_token == "token-two"
    assert store.get(CREDENTIAL_KEY).access_token == "token-two"
    assert client.current_token().access_token == "token-two"
    assert len(token_calls(rsps)) == 2


def test_a_token_never_shows_in_its_repr():
    token = Token("very-secret-token", "Bearer", 1.0)
    assert "very-secret-token" not in repr(token)
    assert token.authorization == "Bearer very-secret-token"
    assert Token("t", "bearer", 1.0).authorization == "Bearer t"


def test_a_token_round_trips_through_a_dict():
    token = Token("t", "Bearer", 2_000_000_000.0, issued_at=1_999_913_600.0)
    assert Token.from_dict(token.to_dict()) == token
