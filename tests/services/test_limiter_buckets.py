"""The shared limiter counts per-second buckets (issue 16, 2): a call costs the same however
many calls the window holds, and the window is never shorter than SFS's minute.

These run on the limiter the suite selects: the database, or Redis when ``REDIS_URL`` is set.
A fake clock stands in for ``time`` in the limiter's module; the Redis script takes its time
from the caller, so the clock drives both.
"""

import time
import types
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.models import RateSlot
from proposals.services import shared_state
from proposals.services.shared_state import RedisLimiter, limiter_for
from proposals.siesmart.enums import Lane

pytestmark = [pytest.mark.django_db]


class Clock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_000_000.25)
    fake = types.SimpleNamespace(time=clock.time, monotonic=time.monotonic)
    monkeypatch.setattr(shared_state, "time", fake)
    return clock


def _scope() -> str:
    # Redis is not rolled back between tests: a scope of its own for each.
    return f"buckets-{uuid.uuid4().hex[:12]}.sfs.test"


def _stored_buckets(limiter) -> int:
    if isinstance(limiter, RedisLimiter):
        return limiter.client.hlen(limiter.key)
    return RateSlot.objects.filter(scope=limiter.scope).count()


def test_a_full_window_frees_a_slot_a_minute_after_it_was_taken_never_sooner(clock):
    limiter = limiter_for(_scope(), 10)
    assert [limiter.acquire(Lane.INTERACTIVE) for _ in range(10)] == [0.0] * 10
    clock.now += 59.9
    assert limiter.room(Lane.INTERACTIVE) == pytest.approx(1.1 - 0.25, abs=0.01)
    clock.now = 1_000_060.25  # exactly a minute after: SFS may still count them
    assert limiter.acquire(Lane.INTERACTIVE) > 0
    clock.now = 1_000_061.0  # the second they were taken has left the window
    assert limiter.acquire(Lane.INTERACTIVE) == 0.0


def test_the_oldest_buckets_leave_first(clock):
    limiter = limiter_for(_scope(), 10)
    for _ in range(4):
        assert limiter.acquire(Lane.INTERACTIVE) == 0.0
    clock.now += 10
    for _ in range(6):
        assert limiter.acquire(Lane.INTERACTIVE) == 0.0
    clock.now += 20
    # Full: the first four free their slots 61 s after their second began.
    assert limiter.room(Lane.INTERACTIVE) == pytest.approx(61 - 30.25, abs=0.01)
    clock.now = 1_000_061.0
    assert [limiter.acquire(Lane.INTERACTIVE) for _ in range(4)] == [0.0] * 4
    assert limiter.acquire(Lane.INTERACTIVE) == pytest.approx(10.0, abs=0.01)


def test_the_background_lane_leaves_the_interactive_reserve_and_a_pause_stops_both(clock):
    limiter = limiter_for(_scope(), 10)
    taken = 0
    while limiter.acquire(Lane.BACKGROUND) == 0.0:
        taken += 1
    assert taken == 9
    assert limiter.acquire(Lane.INTERACTIVE) == 0.0
    assert limiter.acquire(Lane.INTERACTIVE) > 50
    clock.now += 61
    limiter.pause(5)
    # The pause is shared state: another process's limiter sees it.
    other = limiter_for(limiter.scope, 10)
    assert other.acquire(Lane.INTERACTIVE) == pytest.approx(5.0, abs=0.01)
    assert other.room(Lane.BACKGROUND) == pytest.approx(5.0, abs=0.01)
    clock.now += 5.01
    assert other.acquire(Lane.INTERACTIVE) == 0.0


def test_a_call_costs_the_same_with_thousands_of_calls_in_the_window(clock):
    limiter = limiter_for(_scope(), 100_000)
    assert limiter.acquire(Lane.INTERACTIVE) == 0.0
    with CaptureQueriesContext(connection) as early:
        assert limiter.acquire(Lane.INTERACTIVE) == 0.0
    for step in range(120):
        clock.now = 1_000_000.25 + step / 2
        for _ in range(25):
            assert limiter.acquire(Lane.INTERACTIVE) == 0.0
    # 3,000 calls in the last minute, kept in 61 buckets at most.
    assert _stored_buckets(limiter) <= 61
    with CaptureQueriesContext(connection) as late:
        assert limiter.acquire(Lane.INTERACTIVE) == 0.0
    assert len(late.captured_queries) == len(early.captured_queries)
    clock.now += 62
    assert limiter.acquire(Lane.INTERACTIVE) == 0.0
    assert _stored_buckets(limiter) == 1  # the minute gone by is dropped, not kept
