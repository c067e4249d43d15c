"""Nothing typed is lost on an expired session: the POST is kept across the login."""

import pytest
from django.test import Client
from django.urls import reverse

from proposals.middleware import SESSION_KEY
from proposals.models import Proposal
from tests.broker.helpers import ASSET, assets, draft, step_url
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _expire(client):
    """The session ends (as after SESSION_COOKIE_AGE); the browser keeps its cookies."""
    client.session.flush()
    client.cookies.pop("sessionid", None)


def _log_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def test_a_post_after_the_session_expired_is_kept_and_saved_after_login(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    _expire(client)
    url = step_url(proposal, "assets")
    response = client.post(url, {**assets(ASSET), "go": "next"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Proposal.objects.get(pk=proposal.pk).assets == []
    assert url in client.session[SESSION_KEY]
    _log_in(client, broker)
    response = client.get(url)
    assert "We kept what you typed while you were logged out." in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).assets[0]["description"] == "Workstations"
    assert url not in client.session.get(SESSION_KEY, {})  # applied once


def test_an_autosave_after_expiry_is_kept_and_answered_in_json(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    _expire(client)
    url = step_url(proposal, "assets")
    response = client.post(url, assets(ASSET), HTTP_X_AUTOSAVE="1")
    assert response.status_code == 401 and response.json()["loggedOut"] is True
    _log_in(client, broker)
    client.get(url)
    assert Proposal.objects.get(pk=proposal.pk).assets[0]["quantity"] == 10


def test_kept_input_never_reaches_someone_elses_proposal(login, broker, broker2, mirror):
    theirs = draft(broker2)
    client = Client()
    url = step_url(theirs, "assets")
    client.post(url, assets(ASSET))
    _log_in(client, broker)
    assert client.get(url).status_code == 404
    assert Proposal.objects.get(pk=theirs.pk).assets == []


def test_a_forged_post_without_csrf_is_not_kept(broker, mirror):
    proposal = draft(broker)
    client = Client(enforce_csrf_checks=True)
    response = client.post(step_url(proposal, "assets"), assets(ASSET))
    assert response.status_code == 403
    assert SESSION_KEY not in client.session
