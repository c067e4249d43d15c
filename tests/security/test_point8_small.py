"""Issue 10, point 8: the smaller items.

No cache keeps a signed-in page or an export; the CSV opens in Excel (charset, BOM) and names the
currency; ``var/`` and its SQLite database are the portal user's only; a 403/404 logs one line
without a traceback; ``check --deploy`` refuses ``ALLOWED_HOSTS=*`` and malformed encryption keys.
"""

import csv
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.broker.mirror_fixture import build_mirror
from tests.support.proposals import make_proposal
from tests.test_settings_env import PRODUCTION_ENV

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    parts = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= parts


def test_signed_in_pages_and_exports_are_never_stored(login, broker, staff):
    broker_client = login(broker)
    for name in ("broker_home", "proposal_new"):
        assert _no_store(broker_client.get(reverse(name))), name
    staff_client = login(staff)
    for name in ("staff_home", "staff_export", "staff_health"):
        assert _no_store(staff_client.get(reverse(name))), name


def test_the_csv_export_opens_in_excel_and_names_the_currency(login, staff, broker, organisation):
    credential = build_mirror(organisation)
    make_proposal(
        broker=broker,
        credential=credential,
        status="SENT",
        reference="IP-CSV-1",
        customer_name="Société Générale Équipement",
        amount_financed="13000.00",
    )
    response = login(staff).get(reverse("staff_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte order mark Excel looks for
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0]["Customer"] == "Société Générale Équipement"
    assert rows[0]["Amount financed"] == "13000.00"
    assert rows[0]["Currency"] == "GBP"


def _run(script: str, env: dict, tmp_path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    base.pop("DJANGO_DEBUG", None)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=REPO,
        env={**base, "VAR_DIR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # the usual umask: files would be world-readable
    )


def test_var_and_the_sqlite_database_are_private(tmp_path):
    result = _run("from django.db import connection; connection.ensure_connection()", {}, tmp_path)
    assert result.returncode == 0, result.stderr
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    database = var / "portal.sqlite3"
    assert database.exists()
    assert stat.S_IMODE(database.stat().st_mode) & 0o077 == 0


FORBIDDEN_SCRIPT = (
    "from django.contrib.auth.models import AnonymousUser;"
    "from django.core.exceptions import PermissionDenied;"
    "from django.core.handlers.exception import response_for_exception;"
    "from django.test import Client, RequestFactory;"
    "Client().get('/no-such-page/', HTTP_HOST='localhost');"
    "request = RequestFactory().get('/not-for-you/'); request.user = AnonymousUser();"
    "print(response_for_exception(request, PermissionDenied('no')).status_code)"
)


@pytest.mark.parametrize("debug", ["0", "1"])
def test_a_403_or_404_logs_one_line_without_a_traceback(tmp_path, debug):
    result = _run(FORBIDDEN_SCRIPT, {"DJANGO_DEBUG": debug}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("403")
    log = result.stderr
    assert log.count("Not Found: /no-such-page/") == 1, log
    assert log.count("Forbidden (Permission denied): /not-for-you/") == 1, log
    assert "Traceback" not in log, log


def _check_deploy(**overrides) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO,
        env={**base, **PRODUCTION_ENV, **overrides},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_refuses_any_host_and_malformed_keys():
    good = _check_deploy()
    assert good.returncode == 0, good.stdout + good.stderr
    wildcard = _check_deploy(ALLOWED_HOSTS="portal.example.com,*")
    assert wildcard.returncode != 0 and "portal.E001" in wildcard.stderr
    malformed_key = "not-a-fernet-key"
    malformed = _check_deploy(
        FIELD_ENCRYPTION_KEYS=f"{PRODUCTION_ENV['FIELD_ENCRYPTION_KEYS']},{malformed_key}"
    )
    assert malformed.returncode != 0 and "portal.E002" in malformed.stderr
    assert "position(s) 2" in malformed.stderr
    assert malformed_key not in malformed.stdout + malformed.stderr  # never printed
