"""The delivery address on the customer step (CONTRACT.md 6.8): the customer's address by
default, otherwise an address checked like every other, each problem next to its field."""

import pytest
from django.urls import reverse

from proposals.models import Proposal, Status
from proposals.services.body import proposal_create_body
from proposals.services.drafts import proposal_problems
from tests.broker.helpers import COMPANY, draft, field_error, filled, post, step_url
from tests.broker.html import element

pytestmark = pytest.mark.django_db

ELSEWHERE = {
    "delivery": "other",
    "delivery_address1": "Unit 7, Riverside Works",
    "delivery_city": "Leeds",
    "delivery_postal_code": "ls1 4ap",
    "delivery_country": "GB",
}


@pytest.fixture
def ready(login, broker, mirror):
    client = login(broker)
    return client, filled(client, draft(broker))


def checked_choice(html: str) -> str:
    for value in ("customer", "other"):
        attrs = element(html, f"id_delivery_{0 if value == 'customer' else 1}")
        if attrs and "checked" in attrs[0]:
            return value
    return ""


def test_the_customers_address_is_the_default(ready):
    client, proposal = ready
    assert proposal.delivery_address is None
    page = client.get(step_url(proposal, "customer")).content.decode()
    assert "Deliver to the customer&#x27;s address" in page
    assert checked_choice(page) == "customer"
    assert "deliveryAddress" not in proposal_create_body(proposal)


def test_another_address_is_saved_and_sent(ready):
    client, proposal = ready
    response = post(client, proposal, "customer", {**COMPANY, **ELSEWHERE}, go="next")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.delivery_address == {
        "address1": "Unit 7, Riverside Works",
        "city": "Leeds",
        "postalCode": "LS1 4AP",
        "country": {"code": "GB"},
    }
    assert proposal_create_body(proposal)["deliveryAddress"] == proposal.delivery_address
    assert proposal_problems(proposal=proposal) == []
    page = client.get(step_url(proposal, "customer")).content.decode()
    assert checked_choice(page) == "other"
    assert 'value="Unit 7, Riverside Works"' in page


def test_a_missing_town_is_pinned_to_it_and_the_customer_is_kept(ready):
    client, proposal = ready
    data = {**COMPANY, **ELSEWHERE, "registration_number": "07654321", "delivery_city": ""}
    response = post(client, proposal, "customer", data)
    assert "Town or city is required." in field_error(response, "id_delivery_city")
    assert field_error(response, "id_delivery_address1") == ""
    proposal.refresh_from_db()
    assert proposal.customer["registrationNumber"] == "07654321"
    assert proposal.delivery_address["address1"] == "Unit 7, Riverside Works"
    assert any(p.field == "deliveryAddress.city" for p in proposal_problems(proposal=proposal))


def test_another_address_chosen_but_not_typed_asks_for_it(ready):
    client, proposal = ready
    response = post(client, proposal, "customer", {**COMPANY, "delivery": "other"})
    for field in ("id_delivery_address1", "id_delivery_city", "id_delivery_postal_code"):
        assert "is required" in field_error(response, field)


def test_a_wrong_country_is_pinned_to_the_country(ready):
    client, proposal = ready
    response = post(client, proposal, "customer", {**COMPANY, **ELSEWHERE, "delivery_country": "G"})
    assert "two-letter code" in field_error(response, "id_delivery_country")


def test_back_to_the_customers_address_clears_it(ready):
    client, proposal = ready
    post(client, proposal, "customer", {**COMPANY, **ELSEWHERE})
    post(client, proposal, "customer", {**COMPANY, **ELSEWHERE, "delivery": "customer"})
    proposal.refresh_from_db()
    assert proposal.delivery_address is None


def test_sfs_violation_on_the_delivery_address_is_pinned(ready):
    client, proposal = ready
    post(client, proposal, "customer", {**COMPANY, **ELSEWHERE})
    Proposal.objects.filter(pk=proposal.pk).update(
        status=Status.FAILED,
        reference="IP-2026-DELIVFAIL",
        violations=[
            {"field": "deliveryAddress.postalCode", "code": "INVALID_VALUE", "userMessage": "Bad."}
        ],
    )
    response = client.get(step_url(proposal, "customer"))
    assert "Bad." in field_error(response, "id_delivery_postal_code")


def test_review_and_proposal_page_show_the_delivery_address(ready):
    client, proposal = ready
    for url in (step_url(proposal, "review"), reverse("proposal_detail", args=[proposal.pk])):
        assert "The customer&#x27;s address" in client.get(url).content.decode()
    post(client, proposal, "customer", {**COMPANY, **ELSEWHERE})
    for url in (step_url(proposal, "review"), reverse("proposal_detail", args=[proposal.pk])):
        page = client.get(url).content.decode()
        assert "Unit 7, Riverside Works, Leeds, LS1 4AP, GB" in page
