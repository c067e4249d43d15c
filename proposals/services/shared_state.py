"""The client's shared state for every process: token store, rate limiter, call recorder.

Redis when ``REDIS_URL`` is set, the database otherwise. The token store rides on Django's cache
(Redis or the database cache), so one implementation serves both.
"""

import functools
import time
from contextlib import contextmanager
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from proposals.models import RatePause, RateSlot, SieSmartCall
from proposals.services import PortalError
from proposals.services.crypto import secret_decrypt, secret_encrypt
from proposals.siesmart.enums import Lane
from proposals.siesmart.protocols import CallRecord
from proposals.siesmart.types import Token

WINDOW_SECONDS = 60.0
# The background lane leaves this share of the budget to people waiting on an answer.
INTERACTIVE_SHARE = 0.1


class CacheTokenStore:
    """One bearer token per credential in the cache, encrypted like every other secret."""

    def _key(self, key: str) -> str:
        return f"siesmart-token:{key}"

    def get(self, key: str) -> Token | None:
        value = cache.get(self._key(key))
        if not value:
            return None
        try:
            access_token = secret_decrypt(value["token"])
        except PortalError:
            return None  # encrypted with a key since retired: renew rather than fail
        return Token(
            access_token=access_token,
            token_type=value["type"],
            expires_at=value["expires_at"],
            issued_at=value.get("issued_at"),
        )

    def put(self, key: str, token: Token) -> None:
        value = {
            "token": secret_encrypt(token.access_token),
            "type": token.token_type,
            "expires_at": token.expires_at,
            "issued_at": token.issued_at,
        }
        cache.set(self._key(key), value, timeout=max(1, int(token.expires_at - time.time())))

    def discard(self, key: str, access_token: str) -> None:
        current = self.get(key)
        if current is not None and current.access_token == access_token:
            cache.delete(self._key(key))

    @contextmanager
    def renewal_lock(self, key: str, timeout: float):
        lock_key = f"siesmart-token-renewal:{key}"
        acquired = cache.add(lock_key, 1, timeout=max(1, int(timeout)))
        try:
            yield acquired
        finally:
            if acquired:
                cache.delete(lock_key)


def _limits(budget: int) -> dict[str, int]:
    reserve = max(1, int(budget * INTERACTIVE_SHARE)) if budget > 1 else 0
    return {Lane.INTERACTIVE: budget, Lane.BACKGROUND: max(1, budget - reserve)}


class DatabaseLimiter:
    """A sliding 60-second window of rows, serialised by a lock on the scope's pause row."""

    def __init__(self, scope: str, budget_per_minute: int):
        self.scope = scope
        self.limits = _limits(budget_per_minute)

    def acquire(self, lane: str) -> float:
        RatePause.objects.get_or_create(scope=self.scope)
        with transaction.atomic():
            pause = RatePause.objects.select_for_update().get(scope=self.scope)
            now = time.time()
            if pause.until > now:
                return pause.until - now
            RateSlot.objects.filter(scope=self.scope, taken_at__lte=now - WINDOW_SECONDS).delete()
            taken = list(
                RateSlot.objects.filter(scope=self.scope)
                .order_by("taken_at")
                .values_list("taken_at", flat=True)
            )
            limit = self.limits.get(lane, self.limits[Lane.BACKGROUND])
            if len(taken) < limit:
                RateSlot.objects.create(scope=self.scope, taken_at=now, lane=lane)
                return 0.0
            return max(taken[len(taken) - limit] + WINDOW_SECONDS - now, 0.001)

    def pause(self, seconds: float) -> None:
        RatePause.objects.get_or_create(scope=self.scope)
        with transaction.atomic():
            pause = RatePause.objects.select_for_update().get(scope=self.scope)
            pause.until = max(pause.until, time.time() + seconds)
            pause.save(update_fields=["until"])


# A sorted set of slot times per scope. The lanes share one window with different ceilings,
# which a ready-made limiter (one key per limit) cannot express, hence these few lines.
_ACQUIRE = """
local key, pause_key = KEYS[1], KEYS[2]
local now, window, limit, member = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local paused = tonumber(redis.call('GET', pause_key) or '0')
if paused > now then return tostring(paused - now) end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('EXPIRE', key, math.ceil(window) + 1)
  return '0'
end
local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
return tostring(math.max(tonumber(freeing[2]) + window - now, 0.001))
"""
_PAUSE = """
local pause_end = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause_end > current then redis.call('SET', KEYS[1], ARGV[1], 'EX', math.ceil(ARGV[2]) + 1) end
return 1
"""


@functools.cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


class RedisLimiter:
    def __init__(self, scope: str, budget_per_minute: int, client=None):
        self.client = client or _redis(settings.REDIS_URL)
        # The cache's prefix keeps deployments (and test runs) sharing one Redis apart.
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        self.key = f"{prefix}:siesmart-rate:{scope}"
        self.pause_key = f"{prefix}:siesmart-pause:{scope}"
        self.limits = _limits(budget_per_minute)
        self._acquire = self.client.register_script(_ACQUIRE)
        self._pause = self.client.register_script(_PAUSE)

    def acquire(self, lane: str) -> float:
        limit = self.limits.get(lane, self.limits[Lane.BACKGROUND])
        now = time.time()
        member = f"{now:.6f}:{time.monotonic_ns()}:{id(self)}"
        wait = self._acquire(
            keys=[self.key, self.pause_key], args=[now, WINDOW_SECONDS, limit, member]
        )
        return float(wait)

    def pause(self, seconds: float) -> None:
        self._pause(keys=[self.pause_key], args=[time.time() + seconds, seconds])


def limiter_for(scope: str, budget_per_minute: int | None = None):
    budget = budget_per_minute or settings.SIESMART_BUDGET_PER_MINUTE
    if settings.REDIS_URL:
        return RedisLimiter(scope, budget)
    return DatabaseLimiter(scope, budget)


class DatabaseRecorder:
    """Every call in the call log, tied to its credential and, when known, its proposal."""

    def __init__(self, *, credential_id: int, organisation_id: int, proposal_id: int | None = None):
        self.credential_id = credential_id
        self.organisation_id = organisation_id
        self.proposal_id = proposal_id

    def record(self, call: CallRecord) -> None:
        SieSmartCall.objects.create(
            at=call.started_at or datetime.now(UTC),
            organisation_id=self.organisation_id,
            credential_id=self.credential_id,
            proposal_id=self.proposal_id,
            method=call.method,
            path=call.path[:300],
            status=call.status,
            duration_ms=max(0, call.duration_ms),
            trace_id=call.trace_id or "",
            attempt=call.attempt,
            error_code=call.error_code or "",
            error_message=call.error_message or "",
            lane=call.lane,
            request_body=call.request_body,
            response_body=call.response_body,
        )
