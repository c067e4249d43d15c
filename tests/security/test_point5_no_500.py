"""Issue 10, point 5: no 500 on bad input, and no debug page in ``make run``.

The reported cases, then Hypothesis fuzzing of the staff filters (the dashboard and the export)
and the staff actions (POST bodies), asserting no answer is ever a 5xx. Then DEBUG: off unless
``DJANGO_DEBUG`` asks (``make dev``), and the styled 404/500 pages.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import path, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from introducer_portal import urls as portal_urls
from tests.support.proposals import make_proposal

REPO = Path(__file__).resolve().parents[2]
FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# ------------------------------------------------------------------------------------------------
# The reported cases
# ------------------------------------------------------------------------------------------------
def test_a_date_far_in_the_future_is_a_form_error(login, staff, broker):
    make_proposal(broker=broker)
    client = login(staff)
    response = client.get(reverse("staff_home"), {"created_to": "9999-12-31"})
    assert response.status_code == 200
    assert "Enter a date between" in response.context["form"].errors["created_to"][0]
    assert "Enter a date between" in response.content.decode()


def test_the_export_with_a_bad_date_sends_back_to_the_form(login, staff, broker):
    client = login(staff)
    response = client.get(reverse("staff_export"), {"created_to": "9999-12-31"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff_home") + "?")
    assert "created_to=9999-12-31" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Fix the filters marked below" in page.content.decode()


@pytest.mark.parametrize(
    "selected",
    ["99999999999999999999999", "-1", "0", "1.5", "abc", "²", "9" * 5000, ""],
)
def test_a_bulk_refresh_of_an_impossible_id_is_a_message(login, staff, selected):
    response = login(staff).post(reverse("staff_bulk_refresh"), {"selected": selected})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_home")
    assert _messages(response), "the person is told what was wrong"


def test_a_next_with_a_control_character_goes_home(login, staff, broker):
    proposal = make_proposal(broker=broker, sfs_id=5, status="SENT", reference="IP-N-1")
    response = login(staff).post(
        reverse("staff_bulk_refresh"), {"selected": proposal.pk, "next": "/staff/\r\nX-Evil: 1"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("staff_home")


# ------------------------------------------------------------------------------------------------
# Fuzzing
# ------------------------------------------------------------------------------------------------
FILTER_NAMES = [
    "q",
    "status",
    "decision",
    "broker",
    "office",
    "created_from",
    "created_to",
    "stuck",
    "sort",
    "page",
]
awkward = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**40).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31", "0001-01-01", "-amount", "SENT", "1", "on", "\x00", "%"]),
)
query = st.dictionaries(st.sampled_from(FILTER_NAMES) | st.text(max_size=8), awkward, max_size=6)


@FUZZ
@given(params=query)
def test_fuzz_the_dashboard_filters(login, staff, params):
    response = login(staff).get(reverse("staff_home"), params)
    assert response.status_code < 500, params


@FUZZ
@given(params=query)
def test_fuzz_the_brokers_list_filters(login, broker, params):
    response = login(broker).get(reverse("broker_home"), params)
    assert response.status_code < 500, params


@FUZZ
@given(params=query)
def test_fuzz_the_export_filters(login, staff, params):
    response = login(staff).get(reverse("staff_export"), params)
    assert response.status_code < 500, params
    if response.status_code == 200:
        b"".join(response.streaming_content)  # the rows stream without an error


@FUZZ
@given(
    selected=st.lists(awkward, max_size=5),
    next_url=awkward,
    extra=st.dictionaries(st.text(max_size=8), awkward, max_size=3),
)
def test_fuzz_the_bulk_refresh(login, staff, selected, next_url, extra):
    body = {**extra, "selected": selected, "next": next_url}
    response = login(staff).post(reverse("staff_bulk_refresh"), body)
    assert response.status_code < 500, body


@FUZZ
@given(before=awkward, body=st.dictionaries(st.text(max_size=8), awkward, max_size=3))
def test_fuzz_the_timeline_cursor_and_the_actions(login, staff, broker, before, body):
    proposal = make_proposal(broker=broker)
    client = login(staff)
    page = client.get(reverse("staff_proposal", args=[proposal.pk]), {"before": before})
    assert page.status_code < 500, before
    for name in ("staff_retry_send", "staff_requeue", "staff_refresh"):
        response = client.post(reverse(name, args=[proposal.pk]), body)
        assert response.status_code < 500, (name, body)


@pytest.mark.parametrize("pk", [0, 2**63, 10**30])
def test_an_impossible_proposal_id_in_the_path_is_a_404(login, staff, pk):
    client = login(staff)
    assert client.get(f"/staff/proposals/{pk}/").status_code == 404
    assert client.post(f"/staff/proposals/{pk}/retry").status_code == 404


# ------------------------------------------------------------------------------------------------
# DEBUG and the error pages
# ------------------------------------------------------------------------------------------------
def _settings_value(name: str, tmp_path, **env) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DJANGO_ENV")}
    script = f"from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=REPO,
        env={**base, "VAR_DIR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_make_run_serves_with_debug_off_and_make_dev_with_debug_on(tmp_path):
    assert _settings_value("DEBUG", tmp_path) == "False"
    assert _settings_value("DEBUG", tmp_path, DJANGO_DEBUG="1") == "True"
    hosts = _settings_value("ALLOWED_HOSTS", tmp_path)
    assert "'*'" not in hosts and "'localhost'" in hosts and "'127.0.0.1'" in hosts
    makefile = (REPO / "Makefile").read_text()
    assert "\ndev: setup\n\tDJANGO_DEBUG=1 $(PY) scripts/run_portal.py" in makefile
    assert "\nrun: setup\n\t$(PY) scripts/run_portal.py" in makefile


def test_the_404_page_is_the_portals_and_lists_no_url_patterns(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Not found" in text and 'class="navbar-brand' in text  # extends base.html
    assert "URLconf" not in text and "staff/export.csv" not in text


@login_not_required
def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *portal_urls.urlpatterns]
handler500 = portal_urls.handler500


def broken_context_processor(request):
    raise RuntimeError("context processors fail too")


def test_the_500_page_renders_in_the_portals_design_even_when_context_processors_fail(settings):
    settings.ROOT_URLCONF = __name__
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    f"{__name__}.broken_context_processor",
                ],
            },
        }
    ]
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert "skip-link" in text  # base.html's layout
    assert "a bug" not in text and "Traceback" not in text
