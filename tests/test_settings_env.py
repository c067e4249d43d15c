"""Production settings: every secret demanded at start-up, and ``check --deploy`` clean."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "introducer_portal.settings",
    "SECRET_KEY": "x7!kP2vQ9#mZ4tR8wL1nB6yH3sD5fG0jK_e-a9cV2uX7iO4pE1qW8rT3yU6oI9pA2sD",
    "FIELD_ENCRYPTION_KEYS": "q6bHqWqk0V3-1xD4tQ9dM7f6Qx3n2Ck8qQpQ2v1p6sE=",
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
    "CELERY_BROKER_URL": "memory://",
    "ALLOWED_HOSTS": "portal.example.com",
}


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_missing_production_variables_are_all_named():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    del env["FIELD_ENCRYPTION_KEYS"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
    assert "DATABASE_URL" not in result.stderr.split("needs these environment variables:")[-1]
