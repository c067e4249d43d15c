"""The client's shared state for every process: token store, rate limiter, call recorder.

Redis when ``REDIS_URL`` is set, the database otherwise. The token store rides on Django's cache
(Redis or the database cache), so one implementation serves both.
"""

import copy
import functools
import math
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlparse

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from proposals.models import Credential, RatePause, RateSlot, SieSmartCall
from proposals.services import PortalError
from proposals.services.crypto import secret_decrypt, secret_encrypt
from proposals.siesmart.enums import Lane
from proposals.siesmart.protocols import CallRecord
from proposals.siesmart.types import Token

WINDOW_SECONDS = 60.0
# The background lane leaves this share of the budget to people waiting on an answer.
INTERACTIVE_SHARE = 0.1
# A new deal's first send leaves this share of the budget to work on deals already started
# (their decision requests and changes), so that a queue of new sends never holds them up.
FOLLOW_UP_SHARE = 0.05
# The limit a new deal's send is picked under (``room(NEW_DEAL)``): the client itself takes its
# slot in the interactive lane.
NEW_DEAL = "new-deal"
# While several organisations share one budget, none may hold more than the budget less this
# share of it: one organisation's burst always leaves room for another's next call.
ORGANISATION_RESERVE_SHARE = 0.1
# How long a process trusts what it read about who shares a scope (a new credential counts
# within this many seconds).
SHARING_TTL_SECONDS = 15.0


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
    follow_up = max(1, int(budget * FOLLOW_UP_SHARE)) if budget > 1 else 0
    return {
        Lane.INTERACTIVE: budget,
        NEW_DEAL: max(1, budget - follow_up),
        Lane.BACKGROUND: max(1, budget - reserve),
    }


# -- fair share between organisations -------------------------------------------------------------
# A sliding window lets one organisation spend the whole minute's budget in a burst; another
# organisation's single send would then wait for that minute to slide by. So each slot is taken
# in an organisation's name (its "holder"), and while more than one organisation has a
# credential on the same scope, no holder may hold more than ``holder_ceiling`` slots of the
# window. Which queued send gets the next slot is chosen fairly in services/fair_share.py.


def scope_of_url(api_url: str) -> str:
    """The rate scope of an API URL: its host and port, as ``siesmart_access.rate_scope``
    (which builds clients from this module, so cannot be imported here; a test keeps the two
    in step)."""
    return urlparse(api_url).netloc or "default"


_holders: dict[str, str] = {}


def _holder_of(credential_key: str) -> str:
    """The organisation behind a portal credential's key ("credential:<pk>"), as
    "org:<id>"; blank for any other key. A credential never changes organisation, so a name
    found is kept for the life of the process."""
    if credential_key in _holders:
        return _holders[credential_key]
    kind, _, pk = credential_key.partition(":")
    if kind != "credential" or not pk.isdigit():
        return ""
    organisation_id = (
        Credential.objects.filter(pk=int(pk)).values_list("organisation_id", flat=True).first()
    )
    if organisation_id is None:
        return ""
    _holders[credential_key] = f"org:{organisation_id}"
    return _holders[credential_key]


_sharing: dict[str, tuple[float, int]] = {}


def organisations_sharing(scope: str) -> int:
    """How many organisations have a credential on this scope (read again every few seconds)."""
    now = time.monotonic()
    cached = _sharing.get(scope)
    if cached and cached[0] > now:
        return cached[1]
    organisations = {
        organisation_id
        for organisation_id, api_url in Credential.objects.values_list("organisation_id", "api_url")
        if scope_of_url(api_url) == scope
    }
    _sharing[scope] = (now + SHARING_TTL_SECONDS, len(organisations))
    return len(organisations)


def holder_ceiling(scope: str, budget: int) -> int:
    """The most slots of the window one organisation may hold: the whole budget when it is
    alone on the scope, else the budget less a reserve for the others."""
    if budget <= 1 or organisations_sharing(scope) < 2:
        return budget
    return budget - max(1, int(budget * ORGANISATION_RESERVE_SHARE))


class _HolderMixin:
    """``for_holder``: the same limiter, taking its slots in an organisation's name."""

    holder = ""

    def for_holder(self, credential_key: str):
        bound = copy.copy(self)
        bound.holder = _holder_of(credential_key)
        return bound

    def _ceiling(self) -> int | None:
        """The holder's ceiling, or None where there is nothing to hold back."""
        if not self.holder:
            return None
        ceiling = holder_ceiling(self.scope, self.budget)
        return ceiling if ceiling < self.budget else None


def _window_start(now: float) -> int:
    """The oldest one-second bucket still counted at `now`. A slot taken during second b is
    counted until b + 61: never less than a full minute after it was taken, so the window
    is never shorter than SFS's, at most a second longer."""
    return math.floor(now - WINDOW_SECONDS)


def _wait_for_room(buckets: dict[int, int], limit: int, now: float) -> float:
    """0 when the window's `buckets` (second → slots) leave room for one more under `limit`;
    else the seconds until enough of the oldest buckets leave the window."""
    total = sum(buckets.values())
    if total < limit:
        return 0.0
    needed, freed, second = total - limit + 1, 0, 0
    for second in sorted(buckets):
        freed += buckets[second]
        if freed >= needed:
            break
    return max(second + 1 + WINDOW_SECONDS - now, 0.001)


class DatabaseLimiter(_HolderMixin):
    """Per-second buckets of the last minute, one row per second and holder, serialised by a
    lock on the scope's pause row. A call reads at most 61 rows per holder, however many calls
    the window holds, and writes one."""

    def __init__(self, scope: str, budget_per_minute: int):
        self.scope = scope
        self.budget = budget_per_minute
        self.limits = _limits(budget_per_minute)

    def acquire(self, lane: str) -> float:
        ceiling = self._ceiling()  # read before the lock: it may query the credentials
        limit = self.limits.get(lane, self.limits[Lane.BACKGROUND])
        for _ in range(2):
            with transaction.atomic():
                pause = RatePause.objects.select_for_update().filter(scope=self.scope).first()
                if pause is not None:
                    return self._take(pause.until, limit, ceiling)
            RatePause.objects.get_or_create(scope=self.scope)
        raise RuntimeError(f"no pause row for rate scope {self.scope}")  # deleted twice over

    def room(self, lane: str) -> float:
        """As ``acquire``, but takes nothing and takes no lock (``acquire`` decides)."""
        ceiling = self._ceiling()
        limit = self.limits.get(lane, self.limits[Lane.BACKGROUND])
        until = RatePause.objects.filter(scope=self.scope).values_list("until", flat=True)
        now = time.time()
        paused = max(until, default=0.0)
        if paused > now:
            return paused - now
        return self._wait(self._buckets(now), limit, ceiling, now)

    def _buckets(self, now: float) -> list[tuple[int, str, int]]:
        oldest = _window_start(now)
        rows = list(
            RateSlot.objects.filter(scope=self.scope).values_list("taken_at", "holder", "count")
        )
        return [(int(second), holder, count) for second, holder, count in rows if second >= oldest]

    def _wait(self, rows, limit: int, ceiling: int | None, now: float) -> float:
        everyone: dict[int, int] = {}
        held: dict[int, int] = {}
        for second, holder, count in rows:
            everyone[second] = everyone.get(second, 0) + count
            if holder == self.holder:
                held[second] = held.get(second, 0) + count
        wait = _wait_for_room(everyone, limit, now)
        if ceiling is not None:
            wait = max(wait, _wait_for_room(held, ceiling, now))
        return wait

    def _take(self, paused_until: float, limit: int, ceiling: int | None) -> float:
        """Inside the lock: the wait, or 0.0 with the slot counted in this second's bucket."""
        now = time.time()
        if paused_until > now:
            return paused_until - now
        mine = RateSlot.objects.filter(scope=self.scope)
        rows = list(mine.values_list("taken_at", "holder", "count"))
        oldest = _window_start(now)
        if any(second < oldest for second, _, _ in rows):
            mine.filter(taken_at__lt=oldest).delete()
        rows = [(int(second), holder, count) for second, holder, count in rows if second >= oldest]
        wait = self._wait(rows, limit, ceiling, now)
        if wait > 0:
            return wait
        second = math.floor(now)
        bucket = mine.filter(taken_at=second, holder=self.holder)
        if not bucket.update(count=F("count") + 1):
            RateSlot.objects.create(scope=self.scope, taken_at=second, holder=self.holder)
        return 0.0

    def pause(self, seconds: float) -> None:
        RatePause.objects.get_or_create(scope=self.scope)
        with transaction.atomic():
            pause = RatePause.objects.select_for_update().get(scope=self.scope)
            pause.until = max(pause.until, time.time() + seconds)
            pause.save(update_fields=["until"])


# The same buckets in Redis: a hash per scope (second → slots) and one per holder of that
# scope. The lanes share one window with different ceilings, and a holder has a ceiling of its
# own, which a ready-made limiter (one key per limit) cannot express, hence these few lines. A
# ceiling of 0 means the holder is not held back (alone on the scope, or unknown). A call reads
# at most 61 fields per hash, however many calls the window holds.
_ACQUIRE = """
local key, pause_key, holder_key = KEYS[1], KEYS[2], KEYS[3]
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local ceiling, take = tonumber(ARGV[4]), ARGV[5] == '1'
local paused = tonumber(redis.call('GET', pause_key) or '0')
if paused > now then return tostring(paused - now) end
local oldest = math.floor(now - window)
local function wait_for_room(hkey, most)
  local flat = redis.call('HGETALL', hkey)
  local buckets, total = {}, 0
  for i = 1, #flat, 2 do
    local second, count = tonumber(flat[i]), tonumber(flat[i + 1])
    if second < oldest then
      redis.call('HDEL', hkey, flat[i])
    else
      buckets[#buckets + 1] = {second, count}
      total = total + count
    end
  end
  if total < most then return 0 end
  table.sort(buckets, function(a, b) return a[1] < b[1] end)
  local needed, freed = total - most + 1, 0
  for _, bucket in ipairs(buckets) do
    freed = freed + bucket[2]
    if freed >= needed then return math.max(bucket[1] + 1 + window - now, 0.001) end
  end
  return 0.001
end
local wait = wait_for_room(key, limit)
if ceiling > 0 then wait = math.max(wait, wait_for_room(holder_key, ceiling)) end
if wait > 0 or not take then return tostring(wait) end
local second = tostring(math.floor(now))
redis.call('HINCRBY', key, second, 1)
redis.call('EXPIRE', key, math.ceil(window) + 2)
redis.call('HINCRBY', holder_key, second, 1)
redis.call('EXPIRE', holder_key, math.ceil(window) + 2)
return '0'
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


class RedisLimiter(_HolderMixin):
    def __init__(self, scope: str, budget_per_minute: int, client=None):
        self.client = client or _redis(settings.REDIS_URL)
        self.scope = scope
        self.budget = budget_per_minute
        # The cache's prefix keeps deployments (and test runs) sharing one Redis apart.
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        # Not the sliding log's name of before issue 16: that key held a sorted set.
        self.key = f"{prefix}:siesmart-rate-buckets:{scope}"
        self.pause_key = f"{prefix}:siesmart-pause:{scope}"
        self.limits = _limits(budget_per_minute)
        self._acquire = self.client.register_script(_ACQUIRE)
        self._pause = self.client.register_script(_PAUSE)

    def acquire(self, lane: str) -> float:
        return self._slot(lane, take=True)

    def room(self, lane: str) -> float:
        """As ``acquire``, but takes nothing: 0.0 when a slot is free now, else the wait."""
        return self._slot(lane, take=False)

    def _slot(self, lane: str, *, take: bool) -> float:
        limit = self.limits.get(lane, self.limits[Lane.BACKGROUND])
        ceiling = self._ceiling() or 0
        wait = self._acquire(
            keys=[self.key, self.pause_key, f"{self.key}:holder:{self.holder or '-'}"],
            args=[time.time(), WINDOW_SECONDS, limit, ceiling, "1" if take else "0"],
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
