"""SFS's violations (a 400 answered to a send) pinned to the fields they name, and explained on
the proposal's page with a link to the step that fixes each."""

import pytest
from django.urls import reverse

from proposals.models import Proposal, Status
from tests.broker.helpers import (
    ASSET,
    PARTNER,
    assets,
    draft,
    field_error,
    filled,
    manual,
    post,
    step_url,
    summary_text,
)

pytestmark = pytest.mark.django_db


def violation(field, code, message):
    return {"field": field, "code": code, "userMessage": message}


@pytest.fixture
def failed(login, broker, mirror):
    client = login(broker)
    proposal = filled(client, draft(broker), asset_rows=[ASSET, ASSET])

    def with_violations(*items, **fields):
        Proposal.objects.filter(pk=proposal.pk).update(
            status=Status.FAILED, reference="IP-2026-TESTFAIL", violations=list(items), **fields
        )
        return Proposal.objects.get(pk=proposal.pk)

    return client, with_violations


def test_company_not_found_is_pinned_to_the_registration_number(failed):
    client, with_violations = failed
    proposal = with_violations(
        violation("customer.registrationNumber", "COMPANY_NOT_FOUND", "No company 01234567.")
    )
    response = client.get(step_url(proposal, "customer"))
    assert "No company 01234567." in field_error(response, "id_registration_number")
    assert "No company 01234567." in summary_text(response)


def test_list_items_and_sheet_fields_are_pinned(failed):
    client, with_violations = failed
    proposal = with_violations(
        violation("assets[1].quantity", "MUST_BE_POSITIVE", "Quantity must be at least 1."),
        violation("calculation.sheet.term", "TERM_STEP", "Term must be 12 to 60 in steps of 12."),
        violation("salesContactId", "SALES_CONTACT_BLOCKED", "Blocked at SFS."),
    )
    response = client.get(step_url(proposal, "assets"))
    assert "at least 1" in field_error(response, "id_assets-1-quantity")
    assert field_error(response, "id_assets-0-quantity") == ""
    response = client.get(step_url(proposal, "calculation"))
    assert "steps of 12" in field_error(response, "id_term")
    response = client.get(step_url(proposal, "office"))
    assert "Blocked at SFS." in field_error(response, "id_sales_contact")


def test_partners_of_a_manual_customer(failed):
    client, with_violations = failed
    proposal = Proposal.objects.get(pk=with_violations().pk)
    post(
        client,
        proposal,
        "customer",
        manual(PARTNER, {**PARTNER, "first_name": "Bo"}, legal_form="4"),
    )
    proposal = with_violations(
        violation("customerManual.partners[1].dateOfBirth", "PARTNER_UNDER_18", "Too young."),
        violation("customerManual.partners", "PARTNER_COUNT", "Count is wrong."),
    )
    response = client.get(step_url(proposal, "customer"))
    assert "Too young." in field_error(response, "id_partners-1-date_of_birth")
    assert "Count is wrong." in response.content.decode()


def test_a_violation_of_the_whole_proposal_is_shown_at_the_top(failed):
    client, with_violations = failed
    proposal = with_violations(
        violation(None, "AMOUNT_FINANCED_OUT_OF_RANGE", "The amount financed is out of range."),
        violation("label", "TOO_LONG", "The label is too long."),
    )
    response = client.get(step_url(proposal, "calculation"))
    assert "The amount financed is out of range." in summary_text(response)
    response = client.get(step_url(proposal, "review"))
    assert "The label is too long." in response.content.decode()


def test_the_proposal_page_explains_each_with_a_link(failed):
    client, with_violations = failed
    proposal = with_violations(
        violation("assets[0].assetIacCode", "IAC_CODE_NOT_ALLOWED", "Not financed."),
        last_error_code="VALIDATION_FAILED",
        last_error_message="The proposal has 1 invalid field.",
    )
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "What SFS refused" in page and "Not financed." in page
    assert f'href="{step_url(proposal, "assets")}"' in page
    status = client.get(reverse("proposal_status", args=[proposal.pk])).json()
    assert status["violations"][0]["url"] == step_url(proposal, "assets")
    # The broker reads SFS's sentence; the code is for staff (tests/broker/test_no_codes.py).
    assert status["last_error"] == {"code": "", "message": "The proposal has 1 invalid field."}


def test_a_changed_part_drops_sfs_verdict_on_it(failed):
    client, with_violations = failed
    proposal = with_violations(
        violation("assets[1].quantity", "MUST_BE_POSITIVE", "Quantity must be at least 1."),
        violation("calculation.sheet.term", "TERM_STEP", "Term steps."),
    )
    post(client, proposal, "assets", assets(ASSET, ASSET))  # unchanged: the verdict stays
    assert len(Proposal.objects.get(pk=proposal.pk).violations) == 2
    post(client, proposal, "assets", assets(ASSET, {**ASSET, "quantity": "3"}))
    remaining = Proposal.objects.get(pk=proposal.pk).violations
    assert [v["field"] for v in remaining] == ["calculation.sheet.term"]
