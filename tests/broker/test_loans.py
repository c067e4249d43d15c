"""Loans on the assets step (CONTRACT.md 6.7): bound as a formset, each problem at its row, the
limit shown up front, and amount financed = assets + loans - down payments."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.models import Proposal, Status
from proposals.services.body import proposal_create_body
from proposals.services.drafts import proposal_problems
from tests.broker.helpers import (
    ASSET,
    CALCULATION,
    assets,
    draft,
    field_error,
    filled,
    post,
    rows,
    step_url,
)
from tests.broker.html import element
from tests.broker.loan_fixture import INSTALLATION, TRAINING, with_loans
from tests.broker.mirror_fixture import OFFICE_RENTAL

pytestmark = pytest.mark.django_db


def loans(*items: dict) -> dict:
    return rows("loans", *items)


def loan(purpose=INSTALLATION, value="2000.00") -> dict:
    return {"purpose": str(purpose), "value": value}


@pytest.fixture
def ready(login, broker, mirror):
    """A broker's draft with every step filled in: Standard IT (Hire Purchase, loans to 30 %)."""
    with_loans(mirror)
    client = login(broker)
    return client, filled(client, draft(broker))


def post_assets(client, proposal, *loan_rows, **extra):
    return post(client, proposal, "assets", {**assets(ASSET), **loans(*loan_rows), **extra})


def list_error(response) -> str:
    found = element(response.content.decode(), "loans-list_error")
    return found[1] if found else ""


def test_the_limit_is_shown_before_any_loan_is_typed(ready):
    client, proposal = ready
    page = client.get(step_url(proposal, "assets")).content.decode()
    rule = element(page, "loans-rule")[1]
    assert "Hire Purchase takes loans" in rule
    assert "at most 30% of assets and loans together" in rule
    assert 'id="id_loans-TOTAL_FORMS"' in page


def test_before_a_pricelist_the_products_that_take_loans_are_named(login, broker, mirror):
    with_loans(mirror)
    client = login(broker)
    proposal = draft(broker)
    post(client, proposal, "office", {"office": "1001"})
    rule = element(client.get(step_url(proposal, "assets")).content.decode(), "loans-rule")[1]
    assert "Hire Purchase: Loans may be at most 30%" in rule
    assert "Finance Lease: Loans may be at most 20%" in rule
    assert "Operating Lease" not in rule


def test_a_loan_is_saved_and_financed_with_the_assets(ready):
    client, proposal = ready
    response = post_assets(client, proposal, loan(), go="next")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.loans == [{"loanPurpose": {"id": INSTALLATION}, "value": "2000.00"}]
    # 10 x 1,450 assets + 2,000 loan - 1,500 deposit
    assert proposal.amount_financed == Decimal("15000.00")
    body = proposal_create_body(proposal)
    assert body["loans"] == [{"loanPurpose": {"id": INSTALLATION}, "value": Decimal("2000.00")}]
    assert proposal_problems(proposal=proposal) == []


def test_a_value_of_zero_is_pinned_to_its_row_and_nothing_is_lost(ready):
    client, proposal = ready
    response = post_assets(client, proposal, loan(), loan(TRAINING, "0"))
    assert "above zero" in field_error(response, "id_loans-1-value")
    assert field_error(response, "id_loans-0-value") == ""
    proposal.refresh_from_db()
    assert len(proposal.assets) == 1
    assert proposal.loans[0]["value"] == "2000.00"
    assert proposal.loans[1] == {"loanPurpose": {"id": TRAINING}, "value": "0.00"}
    assert any(p.code == "MUST_BE_POSITIVE" for p in proposal_problems(proposal=proposal))


def test_a_value_that_is_no_amount_stays_as_typed_in_the_bound_row(ready):
    client, proposal = ready
    response = post_assets(client, proposal, loan(), loan(TRAINING, "lots"))
    assert "must be an amount" in field_error(response, "id_loans-1-value")
    page = response.content.decode()
    assert 'value="lots"' in page
    proposal.refresh_from_db()
    assert proposal.draft_input["assets"]["loans-1-value"] == "lots"
    assert proposal.loans[1] == {"loanPurpose": {"id": TRAINING}}
    # Opened again later: the row still shows what was typed, with its problem.
    again = client.get(step_url(proposal, "assets"))
    assert 'value="lots"' in again.content.decode()
    assert "must be an amount" in field_error(again, "id_loans-1-value")


def test_an_unknown_purpose_is_pinned_to_the_purpose(ready):
    client, proposal = ready
    response = post_assets(client, proposal, loan(purpose=99))
    assert "not one of this office" in field_error(response, "id_loans-0-purpose")
    assert "not offered by this office" in response.content.decode()


def test_loans_above_the_share_are_refused_above_the_rows(ready):
    client, proposal = ready
    # 10,000 / (14,500 + 10,000) is 41 %: above Hire Purchase's 30 %.
    response = post_assets(client, proposal, loan(value="10000.00"))
    assert "at most 30% of assets and loans together" in list_error(response)
    codes = {p.code for p in proposal_problems(proposal=Proposal.objects.get(pk=proposal.pk))}
    assert "LOANS_TOO_HIGH" in codes
    # 6,000 / 20,500 is 29 %: within it.
    response = post_assets(client, proposal, loan(value="6000.00"))
    assert list_error(response) == ""


def test_a_product_without_loans_refuses_them(ready):
    client, proposal = ready
    post(client, proposal, "assets", {**assets(ASSET), **loans(loan())})
    rental = {**CALCULATION, "pricelist": str(OFFICE_RENTAL), "payment_mode": "ARREARS"}
    post(client, proposal, "calculation", rental)
    response = client.get(step_url(proposal, "assets"))
    assert "Operating Lease takes no loans" in list_error(response)
    # The loan stays in view (and stored) until the broker removes it.
    assert 'id="id_loans-0-value"' in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).loans


def test_sfs_violation_on_a_loan_row_is_pinned_to_that_row(ready):
    client, proposal = ready
    post_assets(client, proposal, loan(), loan(TRAINING, "300.00"))
    Proposal.objects.filter(pk=proposal.pk).update(
        status=Status.FAILED,
        reference="IP-2026-LOANFAIL",
        violations=[{"field": "loans[1].value", "code": "MUST_BE_POSITIVE", "userMessage": "No."}],
    )
    response = client.get(step_url(proposal, "assets"))
    assert "No." in field_error(response, "id_loans-1-value")
    assert field_error(response, "id_loans-0-value") == ""


def test_a_removed_row_goes_and_a_post_without_loan_rows_keeps_them(ready):
    client, proposal = ready
    post_assets(client, proposal, loan(), loan(TRAINING, "300.00"))
    post_assets(client, proposal, loan(), {**loan(TRAINING, "300.00"), "DELETE": "on"})
    proposal.refresh_from_db()
    assert [item["loanPurpose"]["id"] for item in proposal.loans] == [INSTALLATION]
    post(client, proposal, "assets", assets(ASSET))  # a form that had no loan rows
    proposal.refresh_from_db()
    assert proposal.loans == [{"loanPurpose": {"id": INSTALLATION}, "value": "2000.00"}]


def test_add_a_loan_without_javascript_gives_an_empty_row(ready):
    client, proposal = ready
    response = post_assets(client, proposal, loan(), add="loans")
    page = response.content.decode()
    assert 'id="id_loans-1-purpose"' in page
    assert 'id="id_assets-1-iac_code"' not in page  # the assets keep their rows


def test_review_and_proposal_page_show_loans_with_money_words(ready):
    client, proposal = ready
    post_assets(client, proposal, loan(value="2000.00"), loan(TRAINING, "1250.50"))
    for url in (step_url(proposal, "review"), reverse("proposal_detail", args=[proposal.pk])):
        page = client.get(url).content.decode()
        assert "Installation and commissioning" in page and "£2,000.00" in page
        assert "Training" in page and "£1,250.50" in page
        assert "£3,250.50" in page  # the loans total
        assert "£16,250.50" in page  # 14,500 + 3,250.50 - 1,500


def test_a_loan_alone_is_enough_for_the_asset_rule(ready):
    client, proposal = ready
    post(client, proposal, "assets", loans(loan(value="5000.00")))
    proposal.refresh_from_db()
    assert proposal.assets == []
    codes = {p.code for p in proposal_problems(proposal=proposal)}
    assert "ASSET_MISSING" not in codes
