"""Who may open what: every page needs a login, checks the role, and scopes data to the user."""

import pytest
from django.http import Http404
from django.urls import reverse

from proposals.models import Proposal, Status
from proposals.selectors import proposal_get_for_user, proposals_for_user

ROLE_PAGES = {
    "broker_home": {"broker"},
    "staff_home": {"staff", "admin"},
    "admin_home": {"admin"},
}


@pytest.fixture
def people(broker, staff, admin_user):
    return {"broker": broker, "staff": staff, "admin": admin_user}


@pytest.mark.parametrize("url_name", [*ROLE_PAGES, "home"])
def test_every_page_needs_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["broker", "staff", "admin"])
@pytest.mark.parametrize("url_name", list(ROLE_PAGES))
def test_each_role_opens_only_its_pages(login, people, role, url_name):
    response = login(people[role]).get(reverse(url_name))
    expected = 200 if role in ROLE_PAGES[url_name] else 403
    assert response.status_code == expected
    if expected == 403:
        assert b"not for your role" in response.content


@pytest.mark.parametrize(
    ("role", "landing"),
    [("broker", "broker_home"), ("staff", "staff_home"), ("admin", "admin_home")],
)
def test_home_sends_each_role_to_its_page(login, people, role, landing):
    response = login(people[role]).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_django_admin_is_for_admins_only(login, people):
    assert login(people["admin"]).get("/admin/").status_code == 200
    for role in ("broker", "staff"):
        response = login(people[role]).get("/admin/")
        assert response.status_code == 302  # Django admin's own login page, not the site


def _proposal(user, **fields):
    return Proposal.objects.create(
        organisation=user.organisation, broker=user, status=Status.DRAFT, **fields
    )


def test_scoping_broker_sees_only_own(broker, broker2, staff, admin_user, other_staff):
    mine = _proposal(broker, customer_name="Mine Ltd")
    theirs = _proposal(broker2, customer_name="Theirs Ltd")
    foreign = _proposal(other_staff, customer_name="Foreign Ltd")

    assert list(proposals_for_user(user=broker)) == [mine]
    assert set(proposals_for_user(user=staff)) == {mine, theirs}
    assert set(proposals_for_user(user=admin_user)) == {mine, theirs}
    assert list(proposals_for_user(user=other_staff)) == [foreign]

    assert proposal_get_for_user(user=broker, pk=mine.pk) == mine
    with pytest.raises(Http404):
        proposal_get_for_user(user=broker, pk=theirs.pk)
    for user in (broker, staff, admin_user):
        with pytest.raises(Http404):
            proposal_get_for_user(user=user, pk=foreign.pk)
    with pytest.raises(Http404):
        proposal_get_for_user(user=other_staff, pk=mine.pk)


def test_home_lists_show_only_scoped_rows(login, broker, broker2, staff, other_staff):
    _proposal(broker, customer_name="Mine Ltd")
    _proposal(broker2, customer_name="Theirs Ltd")
    _proposal(other_staff, customer_name="Foreign Ltd")
    page = login(broker).get(reverse("broker_home")).content.decode()
    assert "Mine Ltd" in page and "Theirs Ltd" not in page and "Foreign Ltd" not in page
    page = login(staff).get(reverse("staff_home")).content.decode()
    assert "Mine Ltd" in page and "Theirs Ltd" in page and "Foreign Ltd" not in page


def test_login_and_logout_pages(client, broker):
    from tests.conftest import PASSWORD

    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "bella", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("broker_home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("broker_home")).status_code == 302


def test_unknown_url_is_404_in_the_portal_design(login, broker):
    response = login(broker).get("/no/such/page/")
    assert response.status_code == 404
    assert b"Introducer Portal" in response.content
