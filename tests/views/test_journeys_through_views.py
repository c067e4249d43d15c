"""A proposal's life driven through the portal's own views, with a sandbox process and a real
worker: accepted, declined, more information (edited and sent again), cancelled."""

import pytest
from django.urls import reverse

from proposals.models import Proposal
from proposals.services.config_mirror import config_refresh
from proposals.services.refresh import refresh_cycle
from tests.services.conftest import sandbox_credential
from tests.support.proposals import DECLINED_COMPANY, asset, make_proposal
from tests.support.worker import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.broker]


@pytest.fixture
def credential(organisation, sandbox):
    credential = sandbox_credential(organisation, sandbox)
    config_refresh(credential=credential)
    return credential


def _status(client, proposal):
    return client.get(reverse("proposal_status", args=[proposal.pk])).json()


def _until(client, proposal, credential, worker, check, timeout=40):
    def done():
        refresh_cycle(credential=credential)
        data = _status(client, proposal)
        return data if check(data) else None

    return wait_until(done, timeout=timeout, interval=0.5, message=worker.log()[-3000:])


def _submit(client, proposal):
    response = client.post(reverse("proposal_submit", args=[proposal.pk]))
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status in ("QUEUED", "SENDING", "SENT")


def test_accepted_through_the_views(login, broker, credential, worker):
    client = login(broker)
    proposal = make_proposal(broker=broker)
    _submit(client, proposal)
    data = _until(
        client, proposal, credential, worker, lambda d: d["decision_status"] == "ACCEPTED"
    )
    assert data["status"] == "SENT" and data["workflow_status"] == "ACCEPTED"
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "Accepted" in page and "valid until" in page.lower()


def test_declined_through_the_views(login, broker, credential, worker):
    client = login(broker)
    proposal = make_proposal(broker=broker, registration_number=DECLINED_COMPANY)
    _submit(client, proposal)
    data = _until(
        client, proposal, credential, worker, lambda d: d["decision_status"] == "DECLINED"
    )
    assert data["workflow_status"] == "DECLINED"
    assert "Declined" in client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()


def test_more_information_edited_and_sent_again_through_the_views(
    login, broker, credential, worker
):
    client = login(broker)
    proposal = make_proposal(
        broker=broker,
        assets=[asset(value="30000.00", quantity=10)],
        calculation={
            "sheet": {
                "introducerPricelistId": 502,
                "marketProductId": 20,
                "paymentMethod": {"id": 1},
                "paymentMode": "ADVANCE",
                "paymentPeriod": "MONTHLY",
                "term": 36,
            }
        },
    )
    _submit(client, proposal)
    _until(
        client, proposal, credential, worker, lambda d: d["decision_status"] == "MORE_INFORMATION"
    )

    # The broker adds a deposit on the calculation step and sends the change.
    response = client.post(
        reverse("proposal_step", args=[proposal.pk, "calculation"]),
        {
            "pricelist": "502",
            "payment_method": "1",
            "payment_period": "MONTHLY",
            "payment_mode": "ADVANCE",
            "term": "36",
            "special_1": "60000.00",
            "residual_value": "",
        },
    )
    assert response.status_code in (200, 302)
    saved = Proposal.objects.get(pk=proposal.pk)
    assert saved.calculation["sheet"]["specialPayments"][0]["amount"] in ("60000.00", "60000")
    response = client.post(reverse("proposal_send_changes", args=[proposal.pk]))
    assert response.status_code == 302
    data = _until(
        client, proposal, credential, worker, lambda d: d["decision_status"] == "ACCEPTED"
    )
    assert data["decision"]  # in words: a condition, since above 100,000
    assert Proposal.objects.get(pk=proposal.pk).decision["condition"]


def test_cancelled_through_the_views(login, broker, credential, worker):
    client = login(broker)
    proposal = make_proposal(broker=broker, request_decision=False)
    _submit(client, proposal)
    _until(client, proposal, credential, worker, lambda d: d["workflow_status"] == "DRAFT")
    response = client.post(reverse("proposal_cancel", args=[proposal.pk]))
    assert response.status_code == 302
    data = _until(
        client, proposal, credential, worker, lambda d: d["workflow_status"] == "CANCELLED"
    )
    assert data["status"] == "SENT"
