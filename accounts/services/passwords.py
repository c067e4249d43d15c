"""Password reset and change: throttling of reset emails and their audit trail.

The throttle counts every request, for addresses with an account or without, so neither the
answer nor its timing of refusal tells whether an address exists.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

from accounts.services.audit import account_audit_record
from proposals.models import User

log = logging.getLogger(__name__)

WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    """Requests counted under ``key`` in the current window, this one included."""
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def password_reset_allowed(*, email: str, client_ip: str | None) -> bool:
    """Counts this request against the address and the client; False once either is over
    its hourly limit. Keys hold a hash of the address, never the address itself."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_address = _count(f"accounts:reset:address:{address}")
    by_client = _count(f"accounts:reset:client:{client_ip or 'unknown'}")
    allowed = (
        by_address <= settings.ACCOUNT_RESET_PER_ADDRESS_PER_HOUR
        and by_client <= settings.ACCOUNT_RESET_PER_CLIENT_PER_HOUR
    )
    if not allowed:
        log.info("password reset throttled (address count %s, client count %s)",
                 by_address, by_client)  # fmt: skip
    return allowed


def password_reset_sent_record(*, user: User) -> None:
    account_audit_record(organisation=user.organisation, action="password_reset_sent", subject=user)


def password_reset_completed_record(*, user: User) -> None:
    account_audit_record(
        organisation=user.organisation, action="password_reset", actor=user, subject=user
    )


def password_changed_record(*, user: User) -> None:
    account_audit_record(
        organisation=user.organisation, action="password_changed", actor=user, subject=user
    )
