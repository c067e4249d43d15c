"""Drafts: saved on every step, typed input kept as typed, states that allow edits, copies."""

import re

import pytest
from django.urls import reverse

from proposals.models import MirroredOffice, Proposal, Status
from proposals.services import PortalError
from proposals.services.drafts import proposal_copy, proposal_create_draft, proposal_save_step
from tests.broker.helpers import (
    ASSET,
    CALCULATION,
    COMPANY,
    OFFICE,
    PARTNER,
    assets,
    draft,
    field_error,
    filled,
    manual,
    post,
    step_url,
)
from tests.broker.html import field_attrs
from tests.broker.mirror_fixture import GB_OFFICE, IE_OFFICE, STANDARD_IT

pytestmark = pytest.mark.django_db


def test_new_proposal_page_starts_a_draft(login, broker, mirror):
    client = login(broker)
    assert b"Start" in client.get(reverse("proposal_new")).content
    response = client.post(reverse("proposal_new"))
    proposal = Proposal.objects.get()
    assert response["Location"] == step_url(proposal, "office")
    assert (proposal.status, proposal.broker, proposal.credential) == (Status.DRAFT, broker, mirror)


def test_no_credential_or_no_mirror_is_refused_in_words(login, broker, organisation):
    client = login(broker)
    response = client.post(reverse("proposal_new"), follow=True)
    assert "no active SFS connection" in response.content.decode()
    from tests.broker.mirror_fixture import build_mirror

    build_mirror(organisation)
    MirroredOffice.objects.all().delete()
    with pytest.raises(PortalError, match="configuration"):
        proposal_create_draft(user=broker)


def test_every_step_is_kept_when_you_leave_and_come_back(login, broker, mirror):
    client = login(broker)
    proposal = filled(client, draft(broker), customer=manual(PARTNER))
    post(client, proposal, "review", {"special_condition_text": "Deliver in May"})
    page = client.get(step_url(proposal, "office")).content.decode()
    assert re.search(r'<option value="1001"[^>]* selected', page)
    assert re.search(rf'<option value="{OFFICE["sales_contact"]}"[^>]* selected', page)
    page = client.get(step_url(proposal, "customer")).content.decode()
    assert field_attrs(page, "id_company_name")["value"] == "Lovelace Engines"
    assert field_attrs(page, "id_partners-0-date_of_birth")["value"] == "10/12/1980"
    page = client.get(step_url(proposal, "assets")).content.decode()
    assert field_attrs(page, "id_assets-0-value_per_asset")["value"] == "1450.00"
    page = client.get(step_url(proposal, "calculation")).content.decode()
    assert field_attrs(page, "id_term")["value"] == "36"
    assert field_attrs(page, "id_special_1")["value"] == "1500.00"
    review = client.get(step_url(proposal, "review")).content.decode()
    assert "Deliver in May" in review
    assert re.search(r"<dt[^>]*>Deposit</dt><dd[^>]*>£1,500.00</dd>", review)
    proposal.refresh_from_db()
    assert proposal.assets[0]["valuePerAsset"] == "1450.00"
    assert proposal.calculation["sheet"]["marketProductId"] == 10  # from the pricelist
    assert proposal.amount_financed == 13000
    assert proposal.customer_name == "Lovelace Engines"


def test_input_that_cannot_be_read_is_kept_as_typed_until_fixed(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    post(client, proposal, "assets", assets({**ASSET, "quantity": "a dozen"}))
    proposal.refresh_from_db()
    assert proposal.draft_input["assets"]["assets-0-quantity"] == "a dozen"
    assert proposal.assets[0]["description"] == "Workstations"  # what could be read is saved
    response = client.get(step_url(proposal, "assets"))
    page = response.content.decode()
    assert field_attrs(page, "id_assets-0-quantity")["value"] == "a dozen"
    assert "whole number" in field_error(response, "id_assets-0-quantity")
    post(client, proposal, "assets", assets(ASSET))
    proposal.refresh_from_db()
    assert "assets" not in proposal.draft_input and proposal.assets[0]["quantity"] == 10


def test_rows_are_added_and_removed_without_javascript(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    response = client.post(step_url(proposal, "assets"), {**assets(ASSET), "add": "assets"})
    page = response.content.decode()
    assert "id_assets-1-iac_code" in page and "Add another asset" in page
    two = assets(ASSET, {**ASSET, "description": "Laptops"})
    post(client, proposal, "assets", {**two, "assets-0-DELETE": "on"})
    proposal.refresh_from_db()
    assert [a["description"] for a in proposal.assets] == ["Laptops"]
    response = client.post(step_url(proposal, "customer"), {**manual(PARTNER), "add": "partners"})
    assert "id_partners-1-first_name" in response.content.decode()


def test_autosave_answers_json(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    response = client.post(step_url(proposal, "office"), OFFICE, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 200 and response.json()["saved"] is True
    assert Proposal.objects.get(pk=proposal.pk).sales_contact_id == int(OFFICE["sales_contact"])


@pytest.mark.parametrize(
    ("status", "workflow", "editable"),
    [
        (Status.DRAFT, "", True),
        (Status.FAILED, "", True),
        (Status.GONE, "DRAFT", True),
        (Status.SENT, "MORE_INFORMATION", True),
        (Status.SENT, "DRAFT", True),
        (Status.SENT, "DECISION_REQUESTED", False),
        (Status.SENT, "ACCEPTED", False),
        (Status.QUEUED, "", False),
        (Status.CONFLICT, "DRAFT", False),
    ],
)
def test_which_states_take_edits(login, broker, mirror, status, workflow, editable):
    client = login(broker)
    proposal = filled(client, draft(broker))
    reference = None if status == Status.DRAFT else f"IP-2026-{status}"
    Proposal.objects.filter(pk=proposal.pk).update(
        status=status, workflow_status=workflow, reference=reference, sfs_id=7000123
    )
    response = post(client, proposal, "review", {"special_condition_text": "Changed"})
    changed = Proposal.objects.get(pk=proposal.pk).notes.get("specialConditionText") == "Changed"
    assert changed is editable
    if not editable:
        assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])
        with pytest.raises(PortalError):
            proposal_save_step(proposal=proposal, user=broker, step="review", data={})


def test_office_is_locked_once_sfs_has_it(login, broker, mirror):
    client = login(broker)
    proposal = filled(client, draft(broker))
    Proposal.objects.filter(pk=proposal.pk).update(
        status=Status.SENT, workflow_status="MORE_INFORMATION", reference="IP-2026-X", sfs_id=1
    )
    page = client.get(step_url(proposal, "office")).content.decode()
    assert "disabled" in field_attrs(page, "id_office")
    response = post(client, proposal, "office", {"office": str(IE_OFFICE), "sales_contact": ""})
    assert "cannot change once SFS has" in field_error(response, "id_office")
    assert Proposal.objects.get(pk=proposal.pk).office_id == GB_OFFICE


def test_an_sfs_asset_keeps_its_id_and_only_known_ids_are_taken(login, broker, mirror):
    client = login(broker)
    proposal = filled(client, draft(broker))
    Proposal.objects.filter(pk=proposal.pk).update(assets=[{**proposal.assets[0], "id": 41}])
    post(client, proposal, "assets", assets({**ASSET, "id": "41"}, {**ASSET, "id": "42"}))
    ids = [a.get("id") for a in Proposal.objects.get(pk=proposal.pk).assets]
    assert ids == [41, None]


def test_a_company_customer_is_named_by_its_number_until_sfs_resolves_it(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    post(client, proposal, "customer", COMPANY)
    assert Proposal.objects.get(pk=proposal.pk).customer_name == "01234567"
    snapshot = {"customer": {"registrationNumber": "01234567", "companyName": "Example Tools"}}
    Proposal.objects.filter(pk=proposal.pk).update(base_snapshot=snapshot)
    post(client, proposal, "customer", COMPANY)
    assert Proposal.objects.get(pk=proposal.pk).customer_name == "Example Tools"


def test_copy_is_a_new_draft_checked_against_todays_config(login, broker, mirror):
    client = login(broker)
    source = filled(client, draft(broker))
    Proposal.objects.filter(pk=source.pk).update(
        status=Status.SENT, reference="IP-2026-SOURCE", sfs_id=7000123, etag="e1",
        workflow_status="ACCEPTED", decision_status="ACCEPTED",
    )  # fmt: skip
    office = MirroredOffice.objects.get(office_id=GB_OFFICE)
    office.calculation_config["pricelists"] = [
        p for p in office.calculation_config["pricelists"] if p["id"] != STANDARD_IT
    ]
    office.save()
    response = client.post(reverse("proposal_copy", args=[source.pk]))
    copied = Proposal.objects.exclude(pk=source.pk).get()
    assert response["Location"] == step_url(copied, "review")
    assert (copied.status, copied.reference, copied.sfs_id, copied.etag) == (
        "DRAFT",
        None,
        None,
        "",
    )
    assert copied.calculation == source.calculation and copied.customer == source.customer
    page = client.get(response["Location"]).content.decode()
    assert "That pricelist is not one of this office." in page
    assert "1 thing(s) need attention" in page
    problems = proposal_copy(proposal=source, user=broker).problems
    assert [p.code for p in problems] == ["PRICELIST_NOT_ALLOWED"]


def test_calculation_step_keeps_every_limit_in_view(login, broker, mirror):
    client = login(broker)
    proposal = filled(client, draft(broker))
    page = client.get(step_url(proposal, "calculation")).content.decode()
    assert (
        "Standard IT (Hire Purchase): 12–60 months (steps of 12), £1,000.00 to £250,000.00" in page
    )
    assert "Down payments may be at most 30% of the assets total." in page
    assert 'data-term-rule="12 to 60 months, in steps of 12."' in page
    assert CALCULATION["pricelist"] in page
