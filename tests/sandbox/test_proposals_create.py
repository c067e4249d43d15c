"""CONTRACT.md 6.1 and 6.3: creating a proposal, its answer, and every violation of section 4."""

import copy
import re
from datetime import date

import pytest

from tests.sandbox.helpers import (
    ASSET,
    MANUAL,
    PARTNER,
    SHEET,
    assert_error,
    full_proposal,
    violations,
)

STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def test_only_the_office_is_required_and_the_answer_has_every_field(api):
    response = api.post("/proposals", json={"officeId": 1001})
    assert response.status_code == 201
    proposal = response.json()
    assert response.headers["ETag"] == proposal["updated"] == proposal["created"]
    assert STAMP.fullmatch(proposal["updated"])
    assert proposal["id"] > 0
    assert proposal["workflowStatus"] == "DRAFT"
    assert proposal["salesContactId"] is None  # GB: SFS assigns a generic API user
    for key in ("label", "customer", "customerManual", "calculation", "specialConditionText"):
        assert proposal[key] is None
    assert proposal["assets"] == []
    assert proposal["decision"] == {
        "decisionStatus": "NOT_AVAILABLE", "decisionRequestedDate": None, "decisionDate": None,
        "decisionValidUntilDate": None, "comment": None, "condition": None, "reason": None,
        "commentToRiskAnalyst": None, "siemensMayContactCustomer": None,
    }  # fmt: skip


def test_a_whole_proposal_comes_back_resolved_with_its_calculation(api):
    response = api.post("/proposals", json=full_proposal(salesContactId=23076572))
    assert response.status_code == 201
    proposal = response.json()
    assert proposal["salesContactId"] == 23076572
    assert proposal["customer"]["companyName"] == "Example Tools Ltd"
    assert proposal["customer"]["address"]["postalCode"] == "S3 8GG"
    assert proposal["customer"]["companyType"] == "LIMITED_COMPANY"
    assert proposal["customerManual"] is None
    assert proposal["assets"] == [
        {"id": 1, **ASSET, "ageInMonth": None, "location": None, "equipmentSupplier": None}
    ]
    assert proposal["calculation"]["sheet"] == SHEET
    result = proposal["calculation"]["result"]
    assert result["assetsTotal"] == 14500 and result["downPayment"] == 1500
    assert result["amountFinanced"] == 13000 and result["numberOfPayments"] == 36


def test_the_alias_path_creates_too(api):
    response = api.post("/proposals/proposal", json=full_proposal())
    assert response.status_code == 201 and response.headers["ETag"]


def test_a_manual_customer_comes_back_under_its_own_key_with_defaults(api):
    proposal, _ = api.create(customer=None, customerManual=MANUAL)
    assert proposal["customer"] is None
    manual = proposal["customerManual"]
    assert manual["companyName"] == "Turner Joinery"
    assert manual["registrationNumber"] is None
    assert manual["partners"][0]["guarantor"] is False
    assert manual["partners"][0]["monthAtAddress"] is None
    assert manual["address"]["address2"] is None


def test_an_equipment_supplier_is_resolved_like_a_customer(api):
    supplier = {"registrationNumber": "16901234", "sourceCountryCode": "GB", "companyType": "PLC"}
    proposal, _ = api.create(assets=[{**ASSET, "equipmentSupplier": supplier}])
    assert proposal["assets"][0]["equipmentSupplier"]["companyName"] == "Mercia IT Services Ltd"


def test_labels_are_not_unique(api):
    first, _ = api.create(label="IP-SAME")
    second, _ = api.create(label="IP-SAME")
    assert first["id"] != second["id"]


def test_another_introducers_office_is_403_before_any_violation(api):
    response = api.post("/proposals", json={"officeId": 2001, "label": 5, "x": 1})
    assert_error(response, 403, "FORBIDDEN")


def test_every_problem_is_listed_at_once(api):
    body = full_proposal()
    body["calculation"]["sheet"]["term"] = 72
    body["assets"][0]["quantity"] = 0
    body["label"] = "x" * 256
    response = api.post("/proposals", json=body)
    body = assert_error(response, 400, "VALIDATION_FAILED")
    assert set(violations(response)) == {
        ("label", "TOO_LONG"),
        ("assets[0].quantity", "MUST_BE_POSITIVE"),
        ("calculation.sheet.term", "TERM_OUT_OF_RANGE"),
    }
    assert all(v["userMessage"] for v in body["violations"])


def manual(**changes):
    return {"customer": None, "customerManual": {**copy.deepcopy(MANUAL), **changes}}


def partner(**changes):
    return {**copy.deepcopy(PARTNER), **changes}


def sheet(**changes):
    return {"calculation": {"sheet": {**SHEET, **changes}}}


def seventeen_years_ago():
    today = date.today()
    return today.replace(year=today.year - 17).isoformat()


def tomorrow():
    return date.fromordinal(date.today().toordinal() + 1).isoformat()


PLANT = [{**ASSET, "assetIacCode": "IND4101", "valuePerAsset": 20000, "quantity": 1}]
LEASE = {"introducerPricelistId": 502, "marketProductId": 20}

CASES = [
    ({"officeId": None}, "officeId", "REQUIRED"),
    ({"customer": {"registrationNumber": "01234567", "sourceCountryCode": "GB"}},
     "customer.companyType", "REQUIRED"),
    ({"customerManual": MANUAL}, "customer", "REQUIRED"),  # both kinds of customer
    ({"assets": [{**ASSET, "description": "  "}]}, "assets[0].description", "REQUIRED"),
    ({"label": 12}, "label", "WRONG_TYPE"),
    ({"assets": [{**ASSET, "quantity": True}]}, "assets[0].quantity", "WRONG_TYPE"),
    ({"assets": [{**ASSET, "quantity": 2.5}]}, "assets[0].quantity", "WRONG_TYPE"),
    ({"assets": [{**ASSET, "condition": "BROKEN"}]}, "assets[0].condition", "INVALID_VALUE"),
    (sheet(paymentPeriod="WEEKLY"), "calculation.sheet.paymentPeriod", "INVALID_VALUE"),
    (sheet(fees=[{"type": {"id": 99}, "amount": 100}]), "calculation.sheet.fees[0].type.id",
     "INVALID_VALUE"),
    (sheet(specialPayments=[{"type": {"id": 7}, "amount": 100}]),
     "calculation.sheet.specialPayments[0].type.id", "INVALID_VALUE"),
    (sheet(marketProductId=99), "calculation.sheet.marketProductId", "INVALID_VALUE"),
    ({"calculation": {"sheet": SHEET, "operation": "GUESS"}}, "calculation.operation",
     "INVALID_VALUE"),
    (manual(partners=[partner(title={"id": 99})]), "customerManual.partners[0].title.id",
     "INVALID_VALUE"),
    ({"customer": {"registrationNumber": "01234567", "sourceCountryCode": "gb",
                   "companyType": "PLC"}}, "customer.sourceCountryCode", "INVALID_VALUE"),
    ({"colour": "red"}, "colour", "UNKNOWN_FIELD"),
    ({"assets": [{**ASSET, "colour": "red"}]}, "assets[0].colour", "UNKNOWN_FIELD"),
    ({"label": "x" * 256}, "label", "TOO_LONG"),
    ({"specialConditionText": "x" * 2001}, "specialConditionText", "TOO_LONG"),
    ({"scheduleAssetsDescription": "x" * 2001}, "scheduleAssetsDescription", "TOO_LONG"),
    ({"assets": [{**ASSET, "valuePerAsset": 1450.005}]}, "assets[0].valuePerAsset",
     "TOO_MANY_DECIMALS"),
    ({"assets": [{**ASSET, "quantity": 0}]}, "assets[0].quantity", "MUST_BE_POSITIVE"),
    ({"assets": [{**ASSET, "valuePerAsset": -5}]}, "assets[0].valuePerAsset", "MUST_BE_POSITIVE"),
    (sheet(specialPayments=[{"type": {"id": 1}, "amount": 0}]),
     "calculation.sheet.specialPayments[0].amount", "MUST_BE_POSITIVE"),
    (sheet(term=0), "calculation.sheet.term", "MUST_BE_POSITIVE"),
    (manual(partners=[partner(dateOfBirth="1975-02-30")]),
     "customerManual.partners[0].dateOfBirth", "INVALID_DATE"),
    (manual(partners=[partner(dateOfBirth="12/04/1975")]),
     "customerManual.partners[0].dateOfBirth", "INVALID_DATE"),
    (manual(dateOfIncorporation=tomorrow()), "customerManual.dateOfIncorporation",
     "INVALID_DATE"),
    ({"officeId": 4242}, "officeId", "OFFICE_NOT_FOUND"),
    ({"salesContactId": 99999999}, "salesContactId", "SALES_CONTACT_NOT_FOUND"),
    ({"salesContactId": 23077001}, "salesContactId", "SALES_CONTACT_NOT_FOUND"),  # IE office's
    ({"salesContactId": 24010001}, "salesContactId", "SALES_CONTACT_NOT_FOUND"),  # other's
    ({"salesContactId": 23076574}, "salesContactId", "SALES_CONTACT_BLOCKED"),
    ({"customer": {"registrationNumber": "00000000", "sourceCountryCode": "GB",
                   "companyType": "LIMITED_COMPANY"}}, "customer.registrationNumber",
     "COMPANY_NOT_FOUND"),
    ({"assets": [{**ASSET, "equipmentSupplier": {"registrationNumber": "X1",
      "sourceCountryCode": "GB", "companyType": "PLC"}}]},
     "assets[0].equipmentSupplier.registrationNumber", "COMPANY_NOT_FOUND"),
    (manual(legalForm={"id": 99}), "customerManual.legalForm.id", "LEGAL_FORM_NOT_FOUND"),
    (manual(partners=[PARTNER, PARTNER]), "customerManual.partners", "PARTNER_COUNT"),
    (manual(partners=[]), "customerManual.partners", "PARTNER_COUNT"),
    (manual(legalForm={"id": 4}), "customerManual.partners", "PARTNER_COUNT"),  # partnership
    (manual(legalForm={"id": 1}, registrationNumber="01234567", partners=[]),
     "customerManual.partners", "PARTNER_COUNT"),
    (manual(partners=[partner(dateOfBirth=seventeen_years_ago())]),
     "customerManual.partners[0].dateOfBirth", "PARTNER_UNDER_18"),
    (manual(legalForm={"id": 1}), "customerManual.registrationNumber",
     "REGISTRATION_NUMBER_REQUIRED"),
    (manual(legalForm={"id": 3}), "customerManual.registrationNumber",
     "REGISTRATION_NUMBER_REQUIRED"),
    ({"assets": [{**ASSET, "assetIacCode": "ITE"}]}, "assets[0].assetIacCode",
     "IAC_CODE_NOT_ALLOWED"),
    ({"assets": [{**ASSET, "assetIacCode": "MED3101"}]}, "assets[0].assetIacCode",
     "IAC_CODE_NOT_ALLOWED"),
    ({"assets": [ASSET, {**ASSET, "assetIacCode": "OFF1101"}], **sheet(**LEASE)},
     "assets[1].assetIacCode", "IAC_CODE_NOT_ALLOWED"),  # 502 finances ITE only
    (sheet(introducerPricelistId=511), "calculation.sheet.introducerPricelistId",
     "PRICELIST_NOT_ALLOWED"),
    (sheet(introducerPricelistId=9999), "calculation.sheet.introducerPricelistId",
     "PRICELIST_NOT_ALLOWED"),
    (sheet(marketProductId=20), "calculation.sheet.marketProductId", "MARKET_PRODUCT_MISMATCH"),
    (sheet(term=72), "calculation.sheet.term", "TERM_OUT_OF_RANGE"),
    (sheet(term=6), "calculation.sheet.term", "TERM_OUT_OF_RANGE"),
    (sheet(term=30), "calculation.sheet.term", "TERM_STEP"),
    ({"officeId": 1003, "assets": PLANT, **sheet(introducerPricelistId=521, term=13,
      paymentPeriod="QUARTERLY", specialPayments=[])}, "calculation.sheet.term",
     "TERM_NOT_WHOLE_PERIODS"),
    (sheet(paymentPeriod="ANNUALLY"), "calculation.sheet.paymentPeriod",
     "PAYMENT_PERIOD_NOT_ALLOWED"),
    (sheet(**LEASE, paymentMode="ARREARS"), "calculation.sheet.paymentMode",
     "PAYMENT_MODE_NOT_ALLOWED"),
    (sheet(paymentMethod={"id": 3}), "calculation.sheet.paymentMethod.id",
     "PAYMENT_METHOD_NOT_FOUND"),
    ({"assets": [{**ASSET, "quantity": 1000}]}, None, "AMOUNT_FINANCED_OUT_OF_RANGE"),
    ({"assets": None}, None, "AMOUNT_FINANCED_OUT_OF_RANGE"),
    (sheet(specialPayments=[{"type": {"id": 1}, "amount": 4351}]),
     "calculation.sheet.specialPayments", "DOWN_PAYMENT_TOO_HIGH"),
    (sheet(residualValue={"amount": 1000}), "calculation.sheet.residualValue",
     "RESIDUAL_VALUE_NOT_ALLOWED"),
    (sheet(**LEASE, residualValue={"amount": 13000}), "calculation.sheet.residualValue.amount",
     "RESIDUAL_VALUE_TOO_HIGH"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field", "code"), CASES, ids=[c[2] for c in CASES])
def test_each_rule_has_its_violation_code_and_field(api, changes, field, code):
    body = full_proposal(**changes)
    if changes.get("officeId", 1) is None:
        del body["officeId"]
    response = api.post("/proposals", json=body)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert (field, code) in violations(response), response.text


def test_limits_are_inclusive(api):
    body = full_proposal(label="x" * 255, specialConditionText="y" * 2000)
    body["calculation"]["sheet"]["specialPayments"][0]["amount"] = 4350  # exactly 30 %
    body["calculation"]["sheet"]["term"] = 60
    assert api.post("/proposals", json=body).status_code == 201


def test_a_partnership_with_two_partners_and_a_company_with_a_director_pass(api):
    api.create(customer=None, customerManual={**MANUAL, "legalForm": {"id": 4},
                                              "partners": [PARTNER, PARTNER]})  # fmt: skip
    api.create(customer=None, customerManual={**MANUAL, "legalForm": {"id": 2},
                                              "registrationNumber": "12345678"})  # fmt: skip
    api.create(customer=None, customerManual={**MANUAL, "legalForm": {"id": 6},
                                              "partners": []})  # fmt: skip
