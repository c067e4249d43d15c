"""Whole numbers are 64-bit signed: beyond that range a body field or a query parameter is
400 `INVALID_VALUE`, never accepted, never a 500; a path id beyond it names nothing (404)."""

import pytest

from tests.sandbox.helpers import ASSET, SHEET, assert_error, violations

BIG = 2**63  # one above the largest 64-bit integer
SMALL = -(2**63) - 1  # one below the smallest


@pytest.mark.parametrize("number", [BIG, SMALL, 10**40])
def test_an_integer_field_beyond_64_bits_is_invalid(api, number):
    body = {"officeId": number}
    assert violations(api.post("/proposals", json=body)) == [("officeId", "INVALID_VALUE")]
    body = {"officeId": 1001, "assets": [{**ASSET, "quantity": number}]}
    expected = [("assets[0].quantity", "INVALID_VALUE")]
    assert violations(api.post("/proposals", json=body)) == expected
    body = {"officeId": 1001, "calculation": {"sheet": {**SHEET, "term": number}}}
    response = api.post("/proposals", json=body)
    assert ("calculation.sheet.term", "INVALID_VALUE") in violations(response)
    body = {"officeId": 1001, "loans": [{"loanPurpose": {"id": number}, "value": 10}]}
    response = api.post("/proposals", json=body)
    assert violations(response) == [("loans[0].loanPurpose.id", "INVALID_VALUE")]


def test_the_limits_themselves_are_numbers(api):
    for number in (2**63 - 1, -(2**63)):
        response = api.post("/proposals", json={"officeId": number})
        assert violations(response) == [("officeId", "OFFICE_NOT_FOUND")]


def test_a_change_body_is_held_to_64_bits_too(api):
    created, etag = api.create()
    pid = created["id"]
    response = api.change("PATCH", f"/proposals/{pid}", etag, json={"salesContactId": BIG})
    assert violations(response) == [("salesContactId", "INVALID_VALUE")]
    response = api.change(
        "POST", f"/proposals/{pid}/assets", etag, json={**ASSET, "ageInMonth": SMALL}
    )
    assert violations(response) == [("ageInMonth", "INVALID_VALUE")]
    body = {"loanPurpose": {"id": BIG}, "value": 10}
    response = api.change("POST", f"/proposals/{pid}/loans", etag, json=body)
    assert violations(response) == [("loanPurpose.id", "INVALID_VALUE")]
    assert api.fetch(pid)[1] == etag


@pytest.mark.parametrize("text", [str(BIG), str(SMALL), "1" * 40, "9" * 5000])
@pytest.mark.parametrize(
    ("path", "name", "others"),
    [
        ("/proposals/search", "office-id", {}),
        ("/proposals/search", "sales-contact-id", {}),
        ("/proposals/search", "page", {}),
        ("/proposals/search", "size", {}),
        ("/common/sales-contacts", "office-id", {}),
        ("/common/loan-purposes", "office-id", {}),
        ("/common/document-types", "office-id", {}),
        ("/common/calculation-config", "office-id", {}),
    ],
)
def test_a_query_integer_beyond_64_bits_is_invalid(api, path, name, others, text):
    response = api.get(path, params={name: text, **others})
    assert_error(response, 400, "VALIDATION_FAILED")
    assert violations(response) == [(name, "INVALID_VALUE")]


@pytest.mark.parametrize("name", ["office-id", "proposal-id"])
def test_a_quote_parameter_beyond_64_bits_is_invalid(api, name):
    params = {name: str(BIG)}
    if name == "office-id":
        params["amount-financed"] = "10000"
    response = api.post("/calculation", params=params, json={"sheet": SHEET})
    assert violations(response) == [(name, "INVALID_VALUE")]


def test_query_integers_at_the_limits_are_read_as_numbers(api):
    response = api.get("/proposals/search", params={"office-id": str(2**63 - 1)})
    assert_error(response, 404, "NOT_FOUND")
    page = api.search(page=str(2**63 - 1))
    assert page["content"] == [] and page["page"] == 2**63 - 1
    assert api.search(**{"sales-contact-id": str(-(2**63))})["content"] == []


def test_a_path_id_beyond_64_bits_names_nothing(api):
    created, etag = api.create()
    assert_error(api.get(f"/proposals/{BIG}"), 404, "NOT_FOUND")
    response = api.change("DELETE", f"/proposals/{created['id']}/loans/{BIG}", etag)
    assert_error(response, 404, "NOT_FOUND")
    response = api.change("DELETE", f"/proposals/{created['id']}/assets/{'9' * 40}", etag)
    assert_error(response, 404, "NOT_FOUND")
