"""Staff pages: brokers get 403, other organisations' ids answer 404, login is required."""

import pytest
from django.urls import reverse

from proposals.models import ProposalEvent, Status

PAGES = ["staff_home", "staff_export", "staff_health"]
ID_PAGES = ["staff_proposal"]
ID_ACTIONS = ["staff_retry_send", "staff_requeue", "staff_refresh"]


@pytest.fixture
def foreign(make_proposal, other_broker, long_ago):
    """A proposal of another organisation, in a state every action would accept."""
    return make_proposal(other_broker, status=Status.FAILED, sfs_id=99, updated=long_ago)


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_brokers_get_403_on_pages(login, broker, name):
    assert login(broker).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ID_PAGES)
def test_brokers_get_403_on_the_timeline(login, broker, make_proposal, name):
    own = make_proposal(broker)
    assert login(broker).get(reverse(name, args=[own.pk])).status_code == 403


@pytest.mark.parametrize("name", ID_ACTIONS)
def test_brokers_get_403_on_actions(login, broker, make_proposal, name):
    own = make_proposal(broker, status=Status.FAILED, sfs_id=5)
    assert login(broker).post(reverse(name, args=[own.pk])).status_code == 403
    assert not ProposalEvent.objects.exists()


def test_brokers_get_403_on_bulk_refresh(login, broker, make_proposal):
    own = make_proposal(broker, sfs_id=5)
    response = login(broker).post(reverse("staff_bulk_refresh"), {"selected": [own.pk]})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_open_every_page(login, staff, admin_user, make_proposal, broker, role):
    user = {"staff": staff, "admin": admin_user}[role]
    own = make_proposal(broker)
    for name in PAGES:
        assert login(user).get(reverse(name)).status_code == 200
    assert login(user).get(reverse("staff_proposal", args=[own.pk])).status_code == 200


@pytest.mark.parametrize("name", ID_PAGES)
def test_other_organisation_gets_404_on_the_timeline(login, staff, foreign, name):
    assert login(staff).get(reverse(name, args=[foreign.pk])).status_code == 404


@pytest.mark.parametrize("name", ID_ACTIONS)
def test_other_organisation_gets_404_on_actions(login, staff, foreign, name):
    assert login(staff).post(reverse(name, args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.FAILED
    assert not ProposalEvent.objects.filter(proposal=foreign).exists()


def test_other_organisation_gets_404_on_bulk_refresh(login, staff, broker, foreign, make_proposal):
    own = make_proposal(broker, sfs_id=7)
    response = login(staff).post(reverse("staff_bulk_refresh"), {"selected": [own.pk, foreign.pk]})
    assert response.status_code == 404
    assert not ProposalEvent.objects.exists()  # nothing done, not even for the own one


@pytest.mark.parametrize("name", ID_ACTIONS)
def test_actions_are_post_only(login, staff, broker, make_proposal, name):
    own = make_proposal(broker, status=Status.FAILED)
    assert login(staff).get(reverse(name, args=[own.pk])).status_code == 405


def test_foreign_rows_never_show_on_the_dashboard_or_export(
    login, staff, broker, foreign, make_proposal
):
    mine = make_proposal(broker)
    client = login(staff)
    page = client.get(reverse("staff_home")).content.decode()
    assert mine.reference in page and foreign.reference not in page
    export = b"".join(client.get(reverse("staff_export")).streaming_content).decode()
    assert mine.reference in export and foreign.reference not in export
