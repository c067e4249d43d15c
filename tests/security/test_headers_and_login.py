"""Headers, login throttling, and production cookies and HSTS."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.test_settings_env import PRODUCTION_ENV

REPO = Path(__file__).resolve().parents[2]


def test_security_headers(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if "script-src" in part)
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_login_is_throttled_after_five_failures(db, broker, settings):
    settings.AXES_ENABLED = True
    client = Client(REMOTE_ADDR="203.0.113.9")
    for attempt in range(1, 6):
        response = client.post(reverse("login"), {"username": "bella", "password": "wrong"})
        # The fifth failure is the last one answered with the form.
        assert response.status_code == (200 if attempt < 5 else 429), attempt
    response = client.post(reverse("login"), {"username": "bella", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_production_sets_hsts_and_secure_http_only_cookies():
    script = (
        "import json; from django.test import Client; from django.conf import settings;"
        "c = Client(); r = c.get('/healthz', secure=True, HTTP_HOST='portal.example.com');"
        "print(json.dumps({'hsts': r.get('Strict-Transport-Security'),"
        " 'session_secure': settings.SESSION_COOKIE_SECURE,"
        " 'session_http_only': settings.SESSION_COOKIE_HTTPONLY,"
        " 'csrf_secure': settings.CSRF_COOKIE_SECURE}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=REPO,
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert "max-age=31536000" in figures["hsts"] and "includeSubDomains" in figures["hsts"]
    assert figures["session_secure"] and figures["session_http_only"] and figures["csrf_secure"]
