"""Development secrets made once, and the production rule that every secret is given."""

import base64
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PRODUCTION_REQUIRED = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "ALLOWED_HOSTS",
)


def dev_secret(path: Path, kind: str) -> str:
    """Read a development secret from ``var/``, generating it the first time.

    Generated once so that sessions and encrypted columns survive restarts of ``make run``.
    """
    if path.exists():
        return path.read_text().strip()
    if kind == "fernet":
        value = base64.urlsafe_b64encode(os.urandom(32)).decode()
    else:
        value = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: when two processes start at once, one writes and the other reads its value.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def missing_production_variables(env, *, required: bool) -> None:
    """Stop start-up with one message naming every missing production variable."""
    if not required:
        return
    missing = [name for name in PRODUCTION_REQUIRED if not env.str(name, default="").strip()]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: " + ", ".join(missing)
        )
