"""Encryption at rest for SieSmart secrets, with keys from the environment (not SECRET_KEY).

``FIELD_ENCRYPTION_KEYS`` is a list: the first key encrypts, every key decrypts, so a new key is
prepended, everything re-encrypted (``manage.py rotate_credential_keys``), then the old one dropped.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from proposals.services import PortalError


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


@sensitive_variables()
def secret_encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode()).decode()


@sensitive_variables()
def secret_decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise PortalError(
            "A stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS."
        ) from exc


@sensitive_variables()
def secret_rotate(token: str) -> str:
    """Re-encrypt with the first key (a no-op in meaning, a change in bytes)."""
    return _current().rotate(token.encode()).decode()
