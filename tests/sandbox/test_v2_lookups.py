"""CONTRACT.md section 5 (new in v2): loan purposes, document types, job titles, and the loan
fields of the market products."""

import pytest
import requests

from tests.sandbox.helpers import assert_error, seed, violations

DOCUMENT_CODES = {
    "AGREEMENT", "DD_MANDATE", "SUPPLIER_INVOICE", "AUDITED_ACCOUNTS", "PROOF_OF_ID",
    "BANK_STATEMENT", "INSURANCE_CERTIFICATE", "OTHER",
}  # fmt: skip
PER_OFFICE = ["/common/loan-purposes", "/common/document-types"]


def test_loan_purposes_are_per_office(api, other_api):
    first = api.get("/common/loan-purposes", params={"office-id": 1001})
    assert first.status_code == 200, first.text
    purposes = first.json()
    assert purposes and all(set(p) == {"id", "name"} for p in purposes)
    assert all(isinstance(p["id"], int) and p["name"] for p in purposes)
    second = api.get("/common/loan-purposes", params={"office-id": 1002}).json()
    assert {p["id"] for p in purposes} != {p["id"] for p in second}
    own = other_api.get("/common/loan-purposes", params={"office-id": 2001})
    assert own.status_code == 200 and own.json()


def test_document_types_have_the_contract_codes(api):
    response = api.get("/common/document-types", params={"office-id": 1001})
    assert response.status_code == 200, response.text
    types = response.json()
    assert all(set(t) == {"id", "code", "name"} for t in types)
    assert {t["code"] for t in types} == DOCUMENT_CODES
    assert len({t["id"] for t in types}) == len(types) == len(DOCUMENT_CODES)
    assert all(t["name"] for t in types)


def test_job_titles_include_a_custom_one(api):
    response = api.get("/common/job-titles")
    assert response.status_code == 200, response.text
    titles = response.json()
    assert all(set(t) == {"id", "name", "isCustom"} for t in titles)
    assert all(isinstance(t["isCustom"], bool) for t in titles)
    assert {t["isCustom"] for t in titles} == {True, False}
    assert "Director" in {t["name"] for t in titles}
    assert violations(api.get("/common/job-titles", params={"office-id": 1001})) == [
        ("office-id", "UNKNOWN_FIELD")
    ]


@pytest.mark.parametrize("path", PER_OFFICE)
def test_an_office_lookup_checks_its_office(api, other_api, path):
    assert_error(api.get(path, params={"office-id": 2001}), 403, "FORBIDDEN")
    assert_error(other_api.get(path, params={"office-id": 1001}), 403, "FORBIDDEN")
    assert_error(api.get(path, params={"office-id": 77}), 404, "NOT_FOUND")
    assert violations(api.get(path)) == [("office-id", "REQUIRED")]
    assert violations(api.get(path, params={"office-id": "one"})) == [("office-id", "WRONG_TYPE")]
    response = api.get(path, params={"office-id": 1001, "size": 5})
    assert violations(response) == [("size", "UNKNOWN_FIELD")]


@pytest.mark.parametrize("path", [*PER_OFFICE, "/common/job-titles"])
def test_a_lookup_needs_a_token(sandbox, path):
    response = requests.get(sandbox.api_url + path, params={"office-id": 1001}, timeout=5)
    assert_error(response, 401, "UNAUTHORIZED")


def test_market_products_say_whether_they_take_loans(api):
    products = {}
    for office in (1001, 1002, 1003):
        config = api.get("/common/calculation-config", params={"office-id": office}).json()
        for product in config["marketProducts"]:
            assert isinstance(product["loansAllowed"], bool)
            assert 0 <= product["maxLoanPercent"] <= 100
            products[product["id"]] = product
    assert any(p["loansAllowed"] and p["maxLoanPercent"] == 30 for p in products.values())
    assert any(not p["loansAllowed"] for p in products.values())


def test_the_seed_holds_the_lookups():
    data = seed()
    assert {t["code"] for t in data["documentTypes"]} == DOCUMENT_CODES
    assert len(data["loanPurposes"]) >= 3 and len(data["jobTitles"]) >= 3
    purposes = {p["id"] for p in data["loanPurposes"]}
    assert all(set(o["loanPurposeIds"]) <= purposes for o in data["offices"])
