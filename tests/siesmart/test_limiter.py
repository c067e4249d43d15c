"""The shared rate budget: inline waits, BudgetExhausted, lanes, and the in-memory limiter."""

from __future__ import annotations

import threading

import pytest
import responses

from proposals.siesmart import BudgetExhausted, MemoryLimiter

from .helpers import FakeClock, SpyLimiter, add_token, api, api_calls, headers

OFFICES = api("/common/offices")


def _offices(rsps) -> None:
    rsps.add(responses.GET, OFFICES, json=[], headers=headers(etag=None))


def test_a_long_wait_raises_budget_exhausted_and_sends_nothing(make_client, rsps, sleeps):
    client = make_client(limiter=SpyLimiter(100, waits=[12.5]))
    add_token(rsps)
    _offices(rsps)
    with pytest.raises(BudgetExhausted) as caught:
        client.list_offices()
    assert caught.value.wait_seconds == 12.5
    assert caught.value.lane == "background"
    assert caught.value.retryable and not caught.value.outcome_unknown
    assert api_calls(rsps) == []
    assert sleeps == []


def test_a_short_wait_is_slept_inline(make_client, rsps, sleeps):
    client = make_client(limiter=SpyLimiter(100, waits=[1.5, 0.0]))
    add_token(rsps)
    _offices(rsps)
    client.list_offices()
    assert sleeps == [1.5]
    assert len(api_calls(rsps)) == 1


def test_inline_waits_add_up_to_at_most_max_inline_wait(make_client, rsps, sleeps):
    client = make_client(limiter=SpyLimiter(100, waits=[1.5, 1.5]), max_inline_wait=2.0)
    add_token(rsps)
    with pytest.raises(BudgetExhausted):
        client.list_offices()
    assert sleeps == [1.5]


def test_each_attempt_takes_its_own_slot(client, rsps, limiter):
    add_token(rsps)
    rsps.add(responses.GET, OFFICES, status=503)
    _offices(rsps)
    client.list_offices()
    assert limiter.acquired == ["background", "background"]


def test_with_lane_uses_the_interactive_lane_and_shares_everything_else(client, rsps, limiter):
    add_token(rsps)
    _offices(rsps)
    _offices(rsps)
    interactive = client.with_lane("interactive")
    interactive.list_offices()
    client.list_offices()
    assert limiter.acquired == ["interactive", "background"]
    assert interactive.lane == "interactive" and client.lane == "background"
    assert len(rsps.calls) == 3  # one token for both


def test_an_unknown_lane_is_refused(client):
    with pytest.raises(ValueError):
        client.with_lane("urgent")


# -- MemoryLimiter ---------------------------------------------------------------------------------


def test_background_leaves_the_reserve_to_the_interactive_lane():
    clock = FakeClock(0.0)
    limiter = MemoryLimiter(5, interactive_reserve=2, clock=clock)
    assert [limiter.acquire("background") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("background") == pytest.approx(60.0)
    assert limiter.acquire("interactive") == 0.0
    assert limiter.acquire("interactive") == 0.0
    assert limiter.acquire("interactive") == pytest.approx(60.0)
    assert limiter.in_window() == 5


def test_the_window_slides():
    clock = FakeClock(0.0)
    limiter = MemoryLimiter(2, interactive_reserve=0, clock=clock)
    limiter.acquire("background")
    clock.advance(30)
    limiter.acquire("background")
    assert limiter.acquire("background") == pytest.approx(30.0)
    clock.advance(30.001)
    assert limiter.acquire("background") == 0.0
    assert limiter.acquire("background") == pytest.approx(29.999)


def test_a_pause_stops_both_lanes_until_it_ends():
    clock = FakeClock(0.0)
    limiter = MemoryLimiter(100, clock=clock)
    limiter.pause(7)
    limiter.pause(3)  # a shorter pause never shortens a longer one
    assert limiter.acquire("interactive") == pytest.approx(7.0)
    assert limiter.acquire("background") == pytest.approx(7.0)
    clock.advance(7)
    assert limiter.acquire("background") == 0.0


def test_the_background_lane_always_keeps_one_slot():
    limiter = MemoryLimiter(1, interactive_reserve=10, clock=FakeClock(0.0))
    assert limiter.acquire("background") == 0.0


def test_the_memory_limiter_never_hands_out_more_than_its_budget_across_threads():
    limiter = MemoryLimiter(50, interactive_reserve=0, clock=FakeClock(0.0))
    granted = []

    def take() -> None:
        for _ in range(20):
            if limiter.acquire("background") == 0.0:
                granted.append(1)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 50


def test_a_limiter_needs_a_budget():
    with pytest.raises(ValueError):
        MemoryLimiter(0)
