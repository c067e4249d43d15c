"""Cancelling at SFS cannot be undone, so it asks first: the proposal page links to a
confirmation, and only the POST from it cancels."""

import pytest
from django.urls import reverse

from proposals.models import Status
from tests.support.proposals import make_proposal

pytestmark = pytest.mark.django_db


def _sent(broker, workflow="DECISION_REQUESTED"):
    return make_proposal(
        broker=broker,
        status=Status.SENT,
        workflow_status=workflow,
        reference=f"IP-CANCEL-{workflow[:8]}",
        sfs_id=7000321,
    )


def test_the_page_links_to_a_confirmation_and_asking_changes_nothing(login, broker):
    proposal = _sent(broker)
    client = login(broker)
    url = reverse("proposal_cancel", args=[proposal.pk])
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert f'href="{url}"' in page
    assert f'action="{url}"' not in page  # no one-click cancel on the proposal's page

    confirm = client.get(url)
    text = confirm.content.decode()
    assert confirm.status_code == 200
    assert "cannot be undone" in text and f"Cancel {proposal} at SFS?" in text
    assert not proposal.events.filter(kind="cancel_asked").exists()


def test_the_post_from_the_confirmation_cancels(login, broker):
    proposal = _sent(broker)
    client = login(broker)
    response = client.post(reverse("proposal_cancel", args=[proposal.pk]))
    assert response.status_code == 302
    assert proposal.events.filter(kind="cancel_asked").count() == 1


def test_no_confirmation_where_sfs_takes_no_cancel(login, broker):
    proposal = _sent(broker, workflow="DECLINED")
    client = login(broker)
    response = client.get(reverse("proposal_cancel", args=[proposal.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])
    client.post(reverse("proposal_cancel", args=[proposal.pk]))
    assert not proposal.events.filter(kind="cancel_asked").exists()


def test_another_broker_gets_404(login, broker, broker2):
    proposal = _sent(broker)
    client = login(broker2)
    assert client.get(reverse("proposal_cancel", args=[proposal.pk])).status_code == 404
    assert client.post(reverse("proposal_cancel", args=[proposal.pk])).status_code == 404
