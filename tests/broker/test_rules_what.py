"""CONTRACT.md 6.1, what and how: assets, the calculation sheet, the notes, and what a decision
needs. Each rule's message is found next to its field, or at the top when it has no field."""

import pytest

from proposals.models import Proposal
from tests.broker.helpers import (
    ASSET,
    CALCULATION,
    assets,
    draft,
    field_error,
    filled,
    post,
    step_url,
    summary_text,
)
from tests.broker.html import element
from tests.broker.mirror_fixture import IT_LEASE_PLUS, MEDICAL_HP, OFFICE_RENTAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_draft(login, broker, mirror):
    client = login(broker)
    return client, filled(client, draft(broker))


def calc(client, proposal, **changes):
    data = {**CALCULATION, **changes}
    return post(client, proposal, "calculation", {k: v for k, v in data.items() if v is not None})


def test_iac_code_not_an_office_leaf(client_draft):
    client, proposal = client_draft
    for code in ("ITE", "MED3101"):  # a group, and a leaf of another office
        response = post(client, proposal, "assets", assets({**ASSET, "iac_code": code}))
        assert "not an asset type of this office" in field_error(response, "id_assets-0-iac_code")


def test_iac_code_not_financed_by_the_pricelist(client_draft):
    client, proposal = client_draft
    calc(client, proposal, pricelist=str(IT_LEASE_PLUS), term="36", special_1="1000")
    response = post(client, proposal, "assets", assets({**ASSET, "iac_code": "OFF1101"}))
    message = field_error(response, "id_assets-0-iac_code")
    assert "“IT Finance Lease Plus” does not finance Multifunction printer and copier" in message


def test_asset_values(client_draft):
    client, proposal = client_draft
    bad = {**ASSET, "condition": "BROKEN", "quantity": "0", "value_per_asset": "-5"}
    response = post(client, proposal, "assets", assets(ASSET, bad))
    assert "must be one of: NEW, USED" in field_error(response, "id_assets-1-condition")
    assert "Quantity must be at least 1" in field_error(response, "id_assets-1-quantity")
    assert "must be above zero" in field_error(response, "id_assets-1-value_per_asset")
    assert field_error(response, "id_assets-0-quantity") == ""


def test_asset_wrong_type_and_decimals(client_draft):
    client, proposal = client_draft
    bad = {**ASSET, "quantity": "ten", "value_per_asset": "1450.555", "age_in_months": "-1"}
    response = post(client, proposal, "assets", assets(bad))
    assert "whole number" in field_error(response, "id_assets-0-quantity")
    assert "at most two decimals" in field_error(response, "id_assets-0-value_per_asset")
    assert "must not be below 0" in field_error(response, "id_assets-0-age_in_months")


def test_asset_required(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "assets", assets({**ASSET, "description": ""}))
    assert "Description is required" in field_error(response, "id_assets-0-description")


def test_pricelist_not_allowed(client_draft):
    client, proposal = client_draft
    response = calc(client, proposal, pricelist=str(MEDICAL_HP))
    assert "not one of this office" in field_error(response, "id_pricelist")


def test_market_product_mismatch(client_draft):
    client, proposal = client_draft
    proposal.calculation["sheet"]["marketProductId"] = 20  # a copy made under another config
    Proposal.objects.filter(pk=proposal.pk).update(calculation=proposal.calculation)
    response = client.get(step_url(proposal, "calculation"))
    assert "belongs to another product" in field_error(response, "id_pricelist")


def test_term_rules(client_draft):
    client, proposal = client_draft
    response = calc(client, proposal, term="72")
    assert "Term must be 12 to 60 months, in steps of 12." in field_error(response, "id_term")
    response = calc(client, proposal, term="30")
    assert "Term must be 12 to 60 months, in steps of 12." in field_error(response, "id_term")
    response = calc(
        client, proposal, pricelist=str(OFFICE_RENTAL), term="15", payment_period="SEMI_ANNUALLY",
        payment_mode="ARREARS", special_1=None,
    )  # fmt: skip
    assert "whole number of half-yearly payments" in field_error(response, "id_term")
    response = calc(client, proposal, term="")
    assert "Term is required" in field_error(response, "id_term")
    response = calc(client, proposal, term="0")
    assert "Term must be at least 1" in field_error(response, "id_term")


def test_term_limits_are_shown_up_front(client_draft):
    client, proposal = client_draft
    page = client.get(step_url(proposal, "calculation")).content.decode()
    assert element(page, "id_term_helptext")[1] == "12 to 60 months, in steps of 12."
    assert "£1,000.00 to £250,000.00" in page


def test_payment_period_and_mode_not_allowed(client_draft):
    client, proposal = client_draft
    response = calc(client, proposal, payment_period="ANNUALLY")
    assert "allows monthly, quarterly payments" in field_error(response, "id_payment_period")
    response = calc(client, proposal, pricelist=str(OFFICE_RENTAL), payment_mode="ADVANCE")
    assert "takes payments in arrears" in field_error(response, "id_payment_mode")
    response = calc(client, proposal, payment_period="WEEKLY")
    assert "must be one of" in field_error(response, "id_payment_period")


def test_payment_method_not_found(client_draft):
    client, proposal = client_draft
    response = calc(client, proposal, payment_method="3")  # the Irish office's bank transfer
    assert "not one of this office" in field_error(response, "id_payment_method")


def test_amount_financed_out_of_range_is_shown_at_the_top(client_draft):
    client, proposal = client_draft
    post(client, proposal, "assets", assets({**ASSET, "quantity": "1", "value_per_asset": "900"}))
    response = calc(client, proposal, special_1=None)
    message = "must be £1,000.00 to £250,000.00; it is £900.00"
    assert message in summary_text(response)


def test_down_payment_too_high(client_draft):
    client, proposal = client_draft
    response = calc(client, proposal, special_1="4000", special_2="1000")  # 5,000 of 14,500
    message = field_error(response, "id_special_1")
    assert "at most 30% of the assets total (£4,350.00 of £14,500.00)" in message


def test_special_payment_amount(client_draft):
    client, proposal = client_draft
    response = calc(client, proposal, special_1="lots", fee_1="10.001")
    assert "Deposit must be an amount" in field_error(response, "id_special_1")
    assert "at most two decimals" in field_error(response, "id_fee_1")


def test_unknown_payment_type_goes_to_the_top(client_draft):
    client, proposal = client_draft
    response = calc(client, proposal, special_9="100")
    assert "payment type is not one of this office" in summary_text(response)


def test_residual_value_rules(client_draft):
    client, proposal = client_draft
    response = calc(client, proposal, residual_value="1000")
    assert "takes no residual value" in field_error(response, "id_residual_value")
    lease = {"pricelist": str(IT_LEASE_PLUS), "term": "36", "special_1": "1000"}
    response = calc(client, proposal, **lease, residual_value="20000")
    message = field_error(response, "id_residual_value")
    assert "must be below the amount financed (£13,500.00)" in message
    response = calc(client, proposal, **lease, residual_value="2000")
    assert field_error(response, "id_residual_value") == ""


def test_notes_too_long(client_draft):
    client, proposal = client_draft
    data = {"special_condition_text": "x" * 2001, "comment_to_risk_analyst": "ok"}
    response = post(client, proposal, "review", data)
    assert "at most 2,000 characters" in field_error(response, "id_special_condition_text")
    assert field_error(response, "id_comment_to_risk_analyst") == ""


def test_what_a_decision_needs_is_listed_on_the_review(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    page = client.get(step_url(proposal, "review")).content.decode()
    for words in ("Add the customer", "Add at least one asset", "Fill in the calculation"):
        assert words in page
    assert step_url(proposal, "customer") in page


def test_a_complete_proposal_has_nothing_to_fix(client_draft):
    client, proposal = client_draft
    page = client.get(step_url(proposal, "review")).content.decode()
    assert "Everything SFS needs for a decision is here." in page
    assert proposal.amount_financed == 13000
