"""The broker's list: an order that holds still, deleting a draft SFS never had, and a search
that finds a customer by registration number as its help text promises."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Proposal, Status
from proposals.services import PortalError
from proposals.services.drafts import proposal_delete_draft
from tests.broker.html import element

pytestmark = pytest.mark.django_db


def make(broker, days_ago: int = 0, **fields) -> Proposal:
    values = {"organisation": broker.organisation, "broker": broker, "status": Status.DRAFT}
    proposal = Proposal.objects.create(**{**values, **fields})
    Proposal.objects.filter(pk=proposal.pk).update(
        created=timezone.now() - timedelta(days=days_ago)
    )
    proposal.refresh_from_db()
    return proposal


def sent(broker, **fields) -> Proposal:
    values = {"status": Status.SENT, "sfs_id": 7100001, "reference": "IP-2026-SENT0001"}
    return make(broker, **{**values, **fields})


def order_listed(client, names, **query) -> list[str]:
    page = client.get(reverse("broker_home"), query).content.decode()
    return sorted((n for n in names if n in page), key=page.index)


def test_a_background_refresh_does_not_reorder_the_list(login, broker, mirror):
    older = sent(broker, days_ago=3, customer_name="Older Ltd")
    make(broker, days_ago=1, customer_name="Newer Ltd")
    client = login(broker)
    names = ("Older Ltd", "Newer Ltd")
    assert order_listed(client, names) == ["Newer Ltd", "Older Ltd"]

    # What the refresher does to a proposal SFS has: it writes what it read and when.
    older.last_checked_at = timezone.now()
    older.workflow_status = "DECISION_REQUESTED"
    older.save()
    older.refresh_from_db()
    assert older.updated > Proposal.objects.get(customer_name="Newer Ltd").updated

    assert order_listed(client, names) == ["Newer Ltd", "Older Ltd"]
    page = client.get(reverse("broker_home")).content.decode()
    assert "newest first" in page and "most recently changed" not in page


def test_the_list_and_the_page_offer_delete_only_for_a_draft_sfs_never_had(login, broker, mirror):
    fresh = make(broker, customer_name="Fresh Draft Ltd")
    submitted = sent(broker, customer_name="Submitted Ltd")
    once_at_sfs = make(broker, sfs_id=7100002, customer_name="Once At SFS Ltd")
    client = login(broker)
    page = client.get(reverse("broker_home")).content.decode()
    assert reverse("proposal_delete", args=[fresh.pk]) in page
    assert reverse("proposal_delete", args=[submitted.pk]) not in page
    assert reverse("proposal_delete", args=[once_at_sfs.pk]) not in page

    def delete_offered(proposal) -> bool:
        detail = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
        link = f'data-action="delete" href="{reverse("proposal_delete", args=[proposal.pk])}"'
        return link in detail and f"{link} hidden" not in detail

    assert delete_offered(fresh)
    assert not delete_offered(submitted)
    assert not delete_offered(once_at_sfs)


def test_delete_asks_first_then_deletes_and_logs(login, broker, mirror, caplog):
    proposal = make(broker, customer_name="Harbourside Print Ltd")
    url = reverse("proposal_delete", args=[proposal.pk])
    client = login(broker)

    confirm = client.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert f"Delete draft {proposal}?" in html and "This cannot be undone." in html
    assert ">Delete</button>" in html
    assert f'href="{reverse("proposal_detail", args=[proposal.pk])}">Keep</a>' in html
    assert Proposal.objects.filter(pk=proposal.pk).exists()  # asking deletes nothing

    with caplog.at_level(logging.INFO, logger="proposals.services.drafts"):
        response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("broker_home")
    assert not Proposal.objects.filter(pk=proposal.pk).exists()
    assert f"{proposal} deleted." in response.content.decode()
    assert any(
        "Draft deleted" in r.getMessage() and str(broker.pk) in r.getMessage()
        for r in caplog.records
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("intruder", ["broker2", "other_broker"])
def test_another_broker_gets_404_and_deletes_nothing(request, login, broker, mirror, intruder):
    proposal = make(broker)
    url = reverse("proposal_delete", args=[proposal.pk])
    client = login(request.getfixturevalue(intruder))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Proposal.objects.filter(pk=proposal.pk).exists()


def test_staff_cannot_delete_a_brokers_draft(login, broker, staff, mirror):
    proposal = make(broker)
    response = login(staff).post(reverse("proposal_delete", args=[proposal.pk]))
    assert response.status_code in (403, 404)
    assert Proposal.objects.filter(pk=proposal.pk).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.SENT, "sfs_id": 7100003, "reference": "IP-2026-SENT0003"},
        {"status": Status.QUEUED, "reference": "IP-2026-QUEU0004"},
        {"status": Status.FAILED, "reference": "IP-2026-FAIL0005"},
        {"status": Status.DRAFT, "sfs_id": 7100006},
    ],
)
def test_a_proposal_that_is_not_a_fresh_draft_is_refused(login, broker, mirror, fields):
    proposal = make(broker, **fields)
    url = reverse("proposal_delete", args=[proposal.pk])
    client = login(broker)
    detail = reverse("proposal_detail", args=[proposal.pk])
    asked = client.get(url, follow=True)
    assert asked.redirect_chain[-1][0] == detail
    assert "This cannot be undone." not in asked.content.decode()
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert "Only a draft that was never sent to SFS can be deleted." in response.content.decode()
    assert Proposal.objects.filter(pk=proposal.pk).exists()


def test_the_service_refuses_anyone_but_the_drafts_broker(broker, broker2, mirror):
    proposal = make(broker)
    with pytest.raises(PortalError):
        proposal_delete_draft(proposal=proposal, user=broker2)
    assert Proposal.objects.filter(pk=proposal.pk).exists()
    proposal_delete_draft(proposal=proposal, user=broker)
    assert not Proposal.objects.filter(pk=proposal.pk).exists()


def test_search_finds_the_customer_by_registration_number(login, broker, broker2, mirror):
    # A company SFS resolved: its name is listed, its number lives only in the customer part.
    sent(
        broker,
        customer_name="Harbourside Print Ltd",
        customer={"registrationNumber": "SC123456", "sourceCountryCode": "GB"},
    )
    make(
        broker,
        customer_kind="manual",
        customer_name="Lovelace Engines",
        customer={"companyName": "Lovelace Engines", "registrationNumber": "NI654321"},
    )
    make(broker, customer_name="Northgate PLC", customer={"registrationNumber": "01234567"})
    make(broker2, customer_name="Not Mine Ltd", customer={"registrationNumber": "SC123499"})
    client = login(broker)
    names = ("Harbourside Print Ltd", "Lovelace Engines", "Northgate PLC", "Not Mine Ltd")

    def found(q, **query) -> set[str]:
        return set(order_listed(client, names, q=q, **query))

    assert found("sc123456") == {"Harbourside Print Ltd"}
    assert found("SC1234") == {"Harbourside Print Ltd"}
    assert found("ni654321") == {"Lovelace Engines"}
    assert found("01234567") == {"Northgate PLC"}
    assert found("lovelace") == {"Lovelace Engines"}
    assert found("ip-2026-sent") == {"Harbourside Print Ltd"}
    assert found("99999999") == set()
    # The search and the other filters narrow together.
    assert found("SC123456", status="DRAFT") == set()
    assert found("SC123456", status="SENT") == {"Harbourside Print Ltd"}
    help_text = element(client.get(reverse("broker_home")).content.decode(), "id_q_helptext")
    assert help_text and "number" in help_text[1]
