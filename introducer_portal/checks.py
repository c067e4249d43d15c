"""Deployment checks (``manage.py check --deploy``): settings that must never reach production.

Errors, not warnings, so ``check --deploy`` exits non-zero and a deploy pipeline stops.
"""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register

WILDCARD_HOSTS = {"*", ".*"}


@register(Tags.security, deploy=True)
def allowed_hosts_not_wildcard(app_configs=None, **kwargs) -> list[Error]:
    hosts = [str(host).strip() for host in settings.ALLOWED_HOSTS]
    if not hosts or any(host in WILDCARD_HOSTS for host in hosts):
        return [
            Error(
                "ALLOWED_HOSTS is empty or allows any host ('*').",
                hint="Set ALLOWED_HOSTS to the portal's own host names, comma-separated.",
                id="portal.E001",
            )
        ]
    return []


def _malformed_keys(keys) -> list[int]:
    """Positions (1-based) of the keys Fernet refuses: 32 bytes, URL-safe base64 each."""
    bad = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(str(key).strip().encode())
        except (ValueError, TypeError):
            bad.append(position)
    return bad


@register(Tags.security, deploy=True)
def field_encryption_keys_well_formed(app_configs=None, **kwargs) -> list[Error]:
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
    if not keys:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is empty.",
                hint="Give at least one Fernet key (Fernet.generate_key()).",
                id="portal.E002",
            )
        ]
    bad = _malformed_keys(keys)
    if bad:
        # The positions only: a key, even a malformed one, is never printed.
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS has malformed key(s) at position(s) "
                + ", ".join(map(str, bad))
                + ".",
                hint="Each key is 32 random bytes in URL-safe base64 (Fernet.generate_key()).",
                id="portal.E002",
            )
        ]
    return []
