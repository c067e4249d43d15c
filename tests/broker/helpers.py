"""Posting the steps as a browser does, with answers that are valid unless a test says otherwise."""

from django.urls import reverse

from proposals.models import Proposal
from proposals.services.drafts import proposal_create_draft
from tests.broker.html import error_text
from tests.broker.mirror_fixture import GB_OFFICE, SARAH, STANDARD_IT

OFFICE = {"office": str(GB_OFFICE), "sales_contact": str(SARAH)}
COMPANY = {
    "customer_kind": "company",
    "registration_number": "01234567",
    "source_country_code": "GB",
    "company_type": "LIMITED_COMPANY",
}
PARTNER = {
    "title": "1",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": "10/12/1980",
    "address1": "1 Analytical Row",
    "city": "London",
    "postal_code": "N1 1AA",
    "country": "GB",
}
MANUAL = {
    "customer_kind": "manual",
    "company_name": "Lovelace Engines",
    "legal_form": "5",  # sole trader: exactly one proprietor
    "address1": "2 Difference Street",
    "city": "London",
    "postal_code": "N1 2BB",
    "country": "GB",
}
ASSET = {
    "iac_code": "ITE2201",
    "condition": "NEW",
    "description": "Workstations",
    "quantity": "10",
    "value_per_asset": "1450.00",
}
CALCULATION = {
    "pricelist": str(STANDARD_IT),
    "payment_method": "1",
    "payment_period": "MONTHLY",
    "payment_mode": "ADVANCE",
    "term": "36",
    "special_1": "1500.00",
}
STEP_FIELD_IDS = {"office": "id_office"}


def draft(broker) -> Proposal:
    return proposal_create_draft(user=broker)


def step_url(proposal, step: str) -> str:
    return reverse("proposal_step", args=[proposal.pk, step])


def rows(prefix: str, *items: dict) -> dict:
    """A formset's rows as posted: ``assets-0-quantity`` and the management form."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in item.items()})
    return data


def post(client, proposal, step: str, data: dict, go: str = "stay"):
    return client.post(step_url(proposal, step), {**data, "go": go})


def manual(*partners: dict, **changes) -> dict:
    return {**MANUAL, **changes, **rows("partners", *partners)}


def assets(*items: dict) -> dict:
    return rows("assets", *items)


def filled(client, proposal, *, calculation=None, asset_rows=None, customer=None):
    """A draft with every step saved (valid by default)."""
    post(client, proposal, "office", OFFICE)
    post(client, proposal, "customer", customer or COMPANY)
    post(client, proposal, "assets", assets(*(asset_rows or [ASSET])))
    post(client, proposal, "calculation", calculation or CALCULATION)
    proposal.refresh_from_db()
    return proposal


def field_error(response, field_id: str) -> str:
    return error_text(response.content.decode(), field_id)


def summary_text(response) -> str:
    from tests.broker.html import element

    found = element(response.content.decode(), "error-summary")
    return found[1] if found else ""
