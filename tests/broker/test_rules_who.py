"""CONTRACT.md 6.1, who: the office, the sales contact and the customer. Each rule posts its step
and finds its message where a person looks for it: next to the field (``<field id>_error``)."""

from datetime import date, timedelta

import pytest

from proposals.models import Proposal
from tests.broker.helpers import (
    COMPANY,
    OFFICE,
    PARTNER,
    draft,
    field_error,
    manual,
    post,
    step_url,
    summary_text,
)
from tests.broker.mirror_fixture import AOIFE, GARETH_BLOCKED, GB_OFFICE, IE_OFFICE, SARAH

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_draft(login, broker, mirror):
    return login(broker), draft(broker)


def test_office_not_found(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "office", {"office": "999999"})
    assert response.status_code == 200
    assert "not one of your firm's offices" in field_error(response, "id_office")
    assert "not one of your firm's offices" in summary_text(response)


def test_office_required(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "office", {"office": ""})
    assert "Choose the office" in field_error(response, "id_office")


def test_office_wrong_type(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "office", {"office": "Bristol"})
    assert "whole number, chosen from the list" in field_error(response, "id_office")


def test_sales_contact_not_found(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "office", {**OFFICE, "sales_contact": str(AOIFE)})
    assert "not one of this office" in field_error(response, "id_sales_contact")


def test_sales_contact_blocked_is_not_offered_and_refused(client_draft):
    client, proposal = client_draft
    page = client.get(step_url(proposal, "office")).content.decode()
    assert f'value="{SARAH}"' in page and f'value="{GARETH_BLOCKED}"' not in page
    response = post(client, proposal, "office", {**OFFICE, "sales_contact": str(GARETH_BLOCKED)})
    assert "Gareth Llewellyn is blocked (Left)" in field_error(response, "id_sales_contact")


def test_sales_contact_required_outside_gb_only(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "office", {"office": str(IE_OFFICE), "sales_contact": ""})
    message = field_error(response, "id_sales_contact")
    assert "SFS needs one for offices outside GB" in message
    response = post(client, proposal, "office", {"office": str(GB_OFFICE), "sales_contact": ""})
    assert field_error(response, "id_sales_contact") == ""
    # The rule is shown up front too.
    page = client.get(step_url(proposal, "office")).content.decode()
    assert "Required for: Demo Brokers - Healthcare (Ireland) (IE)" in page


def test_company_required_fields(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "customer", {**COMPANY, "registration_number": ""})
    assert "Registration number is required" in field_error(response, "id_registration_number")


def test_company_invalid_values(client_draft):
    client, proposal = client_draft
    data = {**COMPANY, "source_country_code": "GBR", "company_type": "CHARITY"}
    response = post(client, proposal, "customer", data)
    assert "two-letter code" in field_error(response, "id_source_country_code")
    assert "must be one of" in field_error(response, "id_company_type")


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("UK", "use GB for the United Kingdom"),
        ("EL", "use GR for Greece"),
        ("XX", "the two-letter ISO code"),
    ],
)
def test_only_iso_country_codes_with_a_suggestion(client_draft, typed, words):
    client, proposal = client_draft
    response = post(client, proposal, "customer", {**COMPANY, "source_country_code": typed})
    assert words in field_error(response, "id_source_country_code")
    # What was typed stays in the field, to be corrected there.
    assert f'value="{typed}"' in response.content.decode()


def test_too_long(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "customer", manual(PARTNER, company_name="x" * 256))
    assert "at most 255 characters" in field_error(response, "id_company_name")
    partner = {**PARTNER, "last_name": "y" * 300}
    response = post(client, proposal, "customer", manual(partner))
    assert "at most 255 characters" in field_error(response, "id_partners-0-last_name")


def test_invalid_dates(client_draft):
    client, proposal = client_draft
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    partner = {**PARTNER, "date_of_birth": "31/02/1980"}
    response = post(client, proposal, "customer", manual(partner, date_of_incorporation=tomorrow))
    assert "must be a real date" in field_error(response, "id_partners-0-date_of_birth")
    assert "must not be in the future" in field_error(response, "id_date_of_incorporation")


def test_legal_form_not_found(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "customer", manual(PARTNER, legal_form="77"))
    assert "not one SFS knows" in field_error(response, "id_legal_form")


def test_title_not_known(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "customer", manual({**PARTNER, "title": "99"}))
    assert "Choose a title from the list" in field_error(response, "id_partners-0-title")


@pytest.mark.parametrize(
    ("legal_form", "partners", "words"),
    [
        ("5", 2, "A sole trader has exactly one proprietor"),
        ("5", 0, "A sole trader has exactly one proprietor"),
        ("4", 1, "A partnership has at least two partners"),
        ("1", 0, "A company has at least one director"),
    ],
)
def test_partner_count(client_draft, legal_form, partners, words):
    client, proposal = client_draft
    data = manual(*[PARTNER] * partners, legal_form=legal_form, manual_registration_number="0123")
    response = post(client, proposal, "customer", data)
    html = response.content.decode()
    from tests.broker.html import element

    assert words in element(html, "partners-list")[1]
    assert words in summary_text(response)


def test_partner_under_18(client_draft):
    client, proposal = client_draft
    young = (date.today() - timedelta(days=17 * 365)).strftime("%d/%m/%Y")
    response = post(client, proposal, "customer", manual({**PARTNER, "date_of_birth": young}))
    assert "18 or older" in field_error(response, "id_partners-0-date_of_birth")


def test_registration_number_required_for_companies(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "customer", manual(PARTNER, legal_form="1"))
    message = field_error(response, "id_manual_registration_number")
    assert "A registration number is required for a Private limited company (Ltd)" in message
    response = post(client, proposal, "customer", manual(PARTNER, legal_form="5"))
    assert field_error(response, "id_manual_registration_number") == ""


def test_address_required_parts(client_draft):
    client, proposal = client_draft
    partner = {**PARTNER, "city": "", "country": "G1"}
    response = post(client, proposal, "customer", manual(partner, postal_code=""))
    assert "Postcode is required" in field_error(response, "id_postal_code")
    assert "Town or city is required" in field_error(response, "id_partners-0-city")
    assert "two-letter code" in field_error(response, "id_partners-0-country")


def test_a_valid_customer_has_no_problems_and_moves_on(client_draft):
    client, proposal = client_draft
    response = post(client, proposal, "customer", manual(PARTNER), go="next")
    assert response.status_code == 302
    assert response["Location"] == step_url(proposal, "assets")
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.customer_name == "Lovelace Engines"
    assert proposal.customer["partners"][0]["dateOfBirth"] == "1980-12-10"
    assert proposal.customer["legalForm"] == {"id": 5}
