"""The client with a GuardedSession: a refused URL is a recorded, typed error, never sent or
retried; a redirect is an answer, never a hop. HTTP is mocked with `responses`."""

from __future__ import annotations

import pytest
import requests
import responses

from proposals.siesmart import TokenError
from proposals.siesmart.endpoints import OFFICES, TOKEN_RECORD_PATH
from proposals.siesmart.errors import SieSmartError
from proposals.siesmart.url_guard import (
    GuardedSession,
    TokenUrlRefusedError,
    UrlRefused,
    UrlRefusedError,
)

from .helpers import API, SECRET, TOKEN_URL, add_token, api


def refuse_api_host(url: str) -> None:
    if url.startswith(API):
        raise UrlRefused("the URL points at an internal address.")


def test_a_refused_api_url_is_recorded_and_never_retried(make_client, rsps, recorder, sleeps):
    add_token(rsps)
    rsps.add(responses.GET, api(OFFICES), json=[])
    client = make_client(session=GuardedSession(check=refuse_api_host))
    with pytest.raises(UrlRefusedError, match="internal address") as caught:
        client.list_offices()
    assert not caught.value.retryable and not caught.value.outcome_unknown
    office_calls = [c for c in recorder.calls if c.path == OFFICES]
    assert len(office_calls) == 1 and office_calls[0].status is None
    assert sleeps == []
    assert [call.request.url for call in rsps.calls] == [TOKEN_URL]  # the API was never called


def test_a_refused_token_url_never_sends_the_secret(make_client, rsps, recorder):
    def refuse_everything(url: str) -> None:
        raise UrlRefused("the URL must start with https://.")

    client = make_client(session=GuardedSession(check=refuse_everything))
    with pytest.raises(TokenUrlRefusedError) as caught:
        client.fetch_token()
    assert isinstance(caught.value, TokenError) and not caught.value.retryable
    assert len(rsps.calls) == 0
    (record,) = recorder.calls
    assert record.path == TOKEN_RECORD_PATH and SECRET not in str(record)


def test_a_check_that_cannot_decide_now_is_a_transient_connection_error(make_client, rsps):
    def dns_down(url: str) -> None:
        raise requests.ConnectionError("does not resolve")

    add_token(rsps)
    client = make_client(session=GuardedSession(check=dns_down), max_retries=0)
    with pytest.raises(TokenError) as caught:
        client.fetch_token()
    assert caught.value.retryable


def test_a_redirect_is_an_error_not_followed(make_client, rsps):
    add_token(rsps)
    rsps.add(responses.GET, api(OFFICES), status=302, headers={"Location": "http://10.0.0.1/x"})
    rsps.add(responses.GET, "http://10.0.0.1/x", json=[])
    client = make_client(session=GuardedSession(check=lambda url: None))
    with pytest.raises(SieSmartError) as caught:
        client.list_offices()
    assert caught.value.status == 302
    assert all("10.0.0.1" not in call.request.url for call in rsps.calls)
