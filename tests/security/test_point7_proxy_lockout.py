"""Issue 10, point 7: lockout by username and client address, behind a reverse proxy too.

Behind one proxy every request has the proxy's REMOTE_ADDR; ``TRUSTED_PROXY_COUNT=1`` makes the
address the proxy appended to X-Forwarded-For the client's, so five bad logins for one account
from client X lock X out and not client Y. Without the setting, X-Forwarded-For is not trusted.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from introducer_portal.client_address import client_ip
from tests.conftest import PASSWORD

REPO = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"
CLIENT_X = "198.51.100.7"
CLIENT_Y = "198.51.100.8"

pytestmark = pytest.mark.django_db


def _via_proxy(forwarded_for: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def _log_in(client, password):
    return client.post(reverse("login"), {"username": "ada", "password": password})


def test_five_bad_logins_from_x_lock_out_x_but_not_y(admin_user, settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 1
    x = _via_proxy(CLIENT_X)
    for attempt in range(1, 6):
        assert _log_in(x, "wrong").status_code == (200 if attempt < 5 else 429), attempt
    assert _log_in(x, PASSWORD).status_code == 429  # X is locked out, right password or not
    # A client that writes its own X-Forwarded-For entry first is still X to us.
    assert _log_in(_via_proxy(f"203.0.113.1, {CLIENT_X}"), PASSWORD).status_code == 429
    y = _log_in(_via_proxy(CLIENT_Y), PASSWORD)
    assert y.status_code == 302, "the same account from another client still logs in"


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(admin_user, settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(1, 6):
        _log_in(Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}"), "x")
    # A forged header does not make a new client: the address is still locked.
    spoofed = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="10.9.9.99")
    assert _log_in(spoofed, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", PROXY),
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),
        (2, "6.6.6.6, 1.1.1.1, 10.0.0.9", "1.1.1.1"),
        (2, "1.1.1.1", PROXY),  # fewer entries than proxies: not trusted
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_rule(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_setting_comes_from_the_environment_and_axes_uses_it(tmp_path):
    script = (
        "from django.conf import settings;"
        "print(settings.TRUSTED_PROXY_COUNT, settings.AXES_CLIENT_IP_CALLABLE,"
        " settings.AXES_LOCKOUT_PARAMETERS)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=REPO,
        env={**os.environ, "TRUSTED_PROXY_COUNT": "2", "VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip().splitlines()[-1]  # after the shell's own notice
    assert printed.split()[:2] == ["2", "introducer_portal.client_address.client_ip"]
    assert "[['username', 'ip_address']]" in printed  # both together, never one alone
