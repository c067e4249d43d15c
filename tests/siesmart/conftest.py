"""Fixtures for the client's unit tests: HTTP is mocked with `responses`, time never passes."""

from __future__ import annotations

import random

import pytest
import responses

from proposals.siesmart import MemoryRecorder, MemoryTokenStore, SieSmartClient

from .helpers import API, CLIENT_ID, CREDENTIAL_KEY, SECRET, TOKEN_URL, FakeClock, SpyLimiter


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def limiter() -> SpyLimiter:
    return SpyLimiter(1000, interactive_reserve=10)


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(store, limiter, recorder, sleeps, clock):
    def make(**overrides) -> SieSmartClient:
        options = {
            "api_url": API,
            "token_url": TOKEN_URL,
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "credential_key": CREDENTIAL_KEY,
            "token_store": store,
            "limiter": limiter,
            "recorder": recorder,
            "sleep": sleeps.append,
            "clock": clock,
            "rng": random.Random(7),
        }
        options.update(overrides)
        return SieSmartClient(**options)

    return make


@pytest.fixture
def client(make_client) -> SieSmartClient:
    return make_client()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
