"""``proposal_validate`` answers SFS's own codes and field paths (CONTRACT.md 4 and 6.1), so
a local problem and a violation from SFS pin to the same field (the send service relies on it)."""

from datetime import date, timedelta

import pytest

from proposals.models import MirroredOffice, Proposal
from proposals.services.config_mirror import lookups_for, office_config
from proposals.services.validation import problem_step, proposal_validate
from tests.broker.mirror_fixture import GARETH_BLOCKED, GB_OFFICE, IE_OFFICE, SARAH

pytestmark = pytest.mark.django_db

ASSET = {
    "assetIacCode": "ITE2201", "condition": "NEW", "description": "PCs", "quantity": 10,
    "valuePerAsset": "1450.00",
}  # fmt: skip
SHEET = {
    "introducerPricelistId": 501, "marketProductId": 10, "paymentMethod": {"id": 1},
    "paymentMode": "ADVANCE", "paymentPeriod": "MONTHLY", "term": 36,
    "specialPayments": [{"type": {"id": 1}, "amount": "1500.00"}],
}  # fmt: skip
ADDRESS = {"address1": "1 Row", "city": "London", "postalCode": "N1", "country": {"code": "GB"}}
PARTNER = {
    "title": {"id": 1}, "firstName": "Ada", "lastName": "King", "dateOfBirth": "1980-12-10",
    "address": ADDRESS,
}  # fmt: skip
MANUAL = {
    "companyName": "Lovelace Engines", "legalForm": {"id": 5}, "partners": [PARTNER],
    "address": ADDRESS,
}  # fmt: skip
COMPANY = {"registrationNumber": "01234567", "sourceCountryCode": "GB", "companyType": "PLC"}


def codes(mirror, complete=False, **parts):
    values = {
        "office_id": GB_OFFICE, "sales_contact_id": SARAH, "customer_kind": "company",
        "customer": COMPANY, "assets": [ASSET], "calculation": {"sheet": SHEET},
    }  # fmt: skip
    proposal = Proposal(**{**values, **parts})
    office = MirroredOffice.objects.filter(office_id=proposal.office_id).first()
    legal_forms, titles = lookups_for(mirror)
    problems = proposal_validate(
        proposal=proposal,
        config=office_config(office) if office else None,
        legal_forms=legal_forms,
        titles=titles,
        complete=complete,
    )
    return {(p.field, p.code) for p in problems}


def sheet(**changes):
    return {"sheet": {**SHEET, **changes}}


def young():
    return (date.today() - timedelta(days=365 * 17)).isoformat()


CASES = [
    ({"office_id": 42}, ("officeId", "OFFICE_NOT_FOUND")),
    ({"office_id": None}, ("officeId", "REQUIRED")),
    ({"sales_contact_id": 1}, ("salesContactId", "SALES_CONTACT_NOT_FOUND")),
    ({"sales_contact_id": GARETH_BLOCKED}, ("salesContactId", "SALES_CONTACT_BLOCKED")),
    ({"office_id": IE_OFFICE, "sales_contact_id": None, "assets": [], "calculation": {}},
     ("salesContactId", "SALES_CONTACT_MISSING")),
    ({"customer": {**COMPANY, "companyType": "CLUB"}}, ("customer.companyType", "INVALID_VALUE")),
    ({"customer": {**COMPANY, "registrationNumber": 7}},
     ("customer.registrationNumber", "WRONG_TYPE")),
    ({"customer": {**COMPANY, "registrationNumber": "x" * 256}},
     ("customer.registrationNumber", "TOO_LONG")),
    ({"notes": {"specialConditionText": "x" * 2001}}, ("specialConditionText", "TOO_LONG")),
    ({"customer_kind": "manual", "customer": {**MANUAL, "legalForm": {"id": 99}}},
     ("customerManual.legalForm.id", "LEGAL_FORM_NOT_FOUND")),
    ({"customer_kind": "manual", "customer": {**MANUAL, "partners": [PARTNER, PARTNER]}},
     ("customerManual.partners", "PARTNER_COUNT")),
    ({"customer_kind": "manual",
      "customer": {**MANUAL, "legalForm": {"id": 4},
                   "partners": [PARTNER, {**PARTNER, "dateOfBirth": young()}]}},
     ("customerManual.partners[1].dateOfBirth", "PARTNER_UNDER_18")),
    ({"customer_kind": "manual",
      "customer": {**MANUAL, "partners": [{**PARTNER, "dateOfBirth": "1980-02-30"}]}},
     ("customerManual.partners[0].dateOfBirth", "INVALID_DATE")),
    ({"customer_kind": "manual", "customer": {**MANUAL, "legalForm": {"id": 2}}},
     ("customerManual.registrationNumber", "REGISTRATION_NUMBER_REQUIRED")),
    ({"assets": [ASSET, {**ASSET, "quantity": 0}]}, ("assets[1].quantity", "MUST_BE_POSITIVE")),
    ({"assets": [{**ASSET, "valuePerAsset": "1.001"}]},
     ("assets[0].valuePerAsset", "TOO_MANY_DECIMALS")),
    ({"assets": [{**ASSET, "assetIacCode": "ITE"}]},
     ("assets[0].assetIacCode", "IAC_CODE_NOT_ALLOWED")),
    ({"calculation": sheet(introducerPricelistId=511)},
     ("calculation.sheet.introducerPricelistId", "PRICELIST_NOT_ALLOWED")),
    ({"calculation": sheet(marketProductId=20)},
     ("calculation.sheet.marketProductId", "MARKET_PRODUCT_MISMATCH")),
    ({"calculation": sheet(term=72)}, ("calculation.sheet.term", "TERM_OUT_OF_RANGE")),
    ({"calculation": sheet(term=30)}, ("calculation.sheet.term", "TERM_STEP")),
    ({"calculation": sheet(introducerPricelistId=503, marketProductId=30, term=15,
                           paymentPeriod="SEMI_ANNUALLY", specialPayments=[])},
     ("calculation.sheet.term", "TERM_NOT_WHOLE_PERIODS")),
    ({"calculation": sheet(paymentPeriod="ANNUALLY")},
     ("calculation.sheet.paymentPeriod", "PAYMENT_PERIOD_NOT_ALLOWED")),
    ({"calculation": sheet(introducerPricelistId=502, marketProductId=20, paymentMode="ARREARS")},
     ("calculation.sheet.paymentMode", "PAYMENT_MODE_NOT_ALLOWED")),
    ({"calculation": sheet(paymentMethod={"id": 3})},
     ("calculation.sheet.paymentMethod.id", "PAYMENT_METHOD_NOT_FOUND")),
    ({"assets": [{**ASSET, "quantity": 1, "valuePerAsset": "900.00"}],
      "calculation": sheet(specialPayments=[])}, (None, "AMOUNT_FINANCED_OUT_OF_RANGE")),
    ({"calculation": sheet(specialPayments=[{"type": {"id": 1}, "amount": "5000.00"}])},
     ("calculation.sheet.specialPayments", "DOWN_PAYMENT_TOO_HIGH")),
    ({"calculation": sheet(residualValue={"amount": "100.00"})},
     ("calculation.sheet.residualValue", "RESIDUAL_VALUE_NOT_ALLOWED")),
    ({"calculation": sheet(introducerPricelistId=502, marketProductId=20, term=36,
                           residualValue={"amount": "20000.00"})},
     ("calculation.sheet.residualValue.amount", "RESIDUAL_VALUE_TOO_HIGH")),
]  # fmt: skip


@pytest.mark.parametrize(("parts", "expected"), CASES, ids=[c[1][1] for c in CASES])
def test_each_rule_answers_sfs_code_and_path(mirror, parts, expected):
    assert expected in codes(mirror, **parts)


def test_a_valid_proposal_has_no_problem_even_complete(mirror):
    assert codes(mirror, complete=True) == set()
    manual = codes(mirror, complete=True, customer_kind="manual", customer=MANUAL)
    assert manual == set()


def test_complete_asks_for_what_a_decision_needs(mirror):
    found = codes(mirror, complete=True, customer={}, assets=[], calculation={})
    assert found == {(None, "CUSTOMER_MISSING"), (None, "ASSET_MISSING"),
                     (None, "CALCULATION_MISSING")}  # fmt: skip
    assert codes(mirror, customer={}, assets=[], calculation={}) == set()  # a create needs none


def test_each_problem_has_its_step():
    assert problem_step("customerManual.partners[1].dateOfBirth") == "customer"
    assert problem_step("customer.registrationNumber") == "customer"
    assert problem_step("assets[0].quantity") == "assets"
    assert problem_step("calculation.sheet.term") == "calculation"
    assert problem_step(None, "AMOUNT_FINANCED_OUT_OF_RANGE") == "calculation"
    assert problem_step("salesContactId") == "office"
    assert problem_step("specialConditionText") == "review"
    assert problem_step(None, "SOMETHING_NEW") == "review"
