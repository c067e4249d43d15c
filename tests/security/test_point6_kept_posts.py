"""Issue 10, point 6: anonymous posts never fill the session table; expired sessions go.

A post to a step URL is kept across the login only for a browser that was signed in before (the
signed mark cookie), and only up to ``MAX_KEPT_BYTES``; beat clears expired sessions.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from introducer_portal.celery import app as celery_app
from proposals.middleware import KEPT_MARK_COOKIE, MAX_KEPT_BYTES, SESSION_KEY
from proposals.tasks import clear_expired_sessions
from tests.conftest import PASSWORD
from tests.support.kept_posts import mark_signed_in
from tests.support.proposals import make_proposal

pytestmark = pytest.mark.django_db


def _step(proposal, step="assets"):
    return reverse("proposal_step", args=[proposal.pk, step])


def _expire(client):
    """The session ends (as after SESSION_COOKIE_AGE); the browser keeps its other cookies."""
    client.session.flush()
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)


def test_an_anonymous_two_megabyte_post_creates_no_session_row(broker):
    proposal = make_proposal(broker=broker)
    before = Session.objects.count()
    client = Client()
    response = client.post(_step(proposal), {"notes": "x" * 2_000_000, "go": "next"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Session.objects.count() == before
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    autosave = client.post(_step(proposal), {"notes": "x" * 1000}, HTTP_X_AUTOSAVE="1")
    assert autosave.status_code == 401 and autosave.json()["kept"] is False
    assert Session.objects.count() == before


def test_a_forged_mark_keeps_nothing(broker):
    proposal = make_proposal(broker=broker)
    client = Client()
    client.cookies[KEPT_MARK_COOKIE] = "2026-01-01:forged"
    client.post(_step(proposal), {"notes": "hello"})
    assert Session.objects.count() == 0


def test_a_real_login_marks_the_browser_and_its_later_post_is_kept(broker):
    proposal = make_proposal(broker=broker)
    client = Client()
    response = client.post(reverse("login"), {"username": "bella", "password": PASSWORD})
    assert response.status_code == 302
    assert KEPT_MARK_COOKIE in response.cookies  # set on the login's own answer
    _expire(client)
    client.post(_step(proposal), {"notes": "typed while logged out"})
    assert client.session[SESSION_KEY][_step(proposal)] == {"notes": "typed while logged out"}


def test_a_post_over_the_size_cap_is_not_kept_and_the_person_is_told(login, broker):
    proposal = make_proposal(broker=broker)
    client = login(broker)
    _expire(client)
    response = client.post(_step(proposal), {"notes": "x" * (MAX_KEPT_BYTES + 1)})
    assert response.status_code == 302
    assert Session.objects.count() == 0  # nothing kept, so no session row was made
    assert any("too large to keep" in str(m) for m in get_messages(response.wsgi_request))
    autosave = client.post(
        _step(proposal), {"notes": "y" * (MAX_KEPT_BYTES + 1)}, HTTP_X_AUTOSAVE="1"
    )
    assert autosave.json()["kept"] is False and "too large" in autosave.json()["message"]


def test_the_total_kept_stays_under_the_cap(login, broker):
    proposal = make_proposal(broker=broker)
    client = login(broker)
    _expire(client)
    half = "z" * (MAX_KEPT_BYTES // 2)
    for step in ("office", "customer", "assets"):
        client.post(_step(proposal, step), {"notes": half})
    kept = client.session[SESSION_KEY]
    assert list(kept) == [_step(proposal, "assets")]  # the older ones made room
    row = Session.objects.get()
    assert len(row.session_data) < 2 * MAX_KEPT_BYTES  # encoded, still bounded


def test_expired_sessions_are_cleared_by_beat():
    expired, live = SessionStore(), SessionStore()
    expired[SESSION_KEY] = {"/x": {"a": "b"}}
    expired.set_expiry(-60)
    expired.save()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    live["k"] = "v"
    live.save()
    clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    schedule = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "proposals.background.clear_expired_sessions" in schedule
    assert "proposals.background.clear_expired_sessions" in celery_app.tasks


def test_mark_helper_matches_the_middleware(broker):
    """The test helper gives exactly the cookie the middleware accepts."""
    proposal = make_proposal(broker=broker)
    client = Client()
    mark_signed_in(client)
    client.post(_step(proposal), {"notes": "kept"})
    assert client.session[SESSION_KEY][_step(proposal)] == {"notes": "kept"}
