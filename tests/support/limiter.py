"""Test helper: empty a scope's rate window on whichever limiter the settings give (database or
Redis), so a minute under test starts with no calls of the scene's set-up in it."""

from proposals.models import RateSlot
from proposals.services.shared_state import RedisLimiter, limiter_for


def empty_window(scope: str) -> None:
    RateSlot.objects.filter(scope=scope).delete()
    limiter = limiter_for(scope)
    if isinstance(limiter, RedisLimiter):
        for key in [limiter.key, *limiter.client.scan_iter(f"{limiter.key}:holder:*")]:
            limiter.client.delete(key)
