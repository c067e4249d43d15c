"""CONTRACT.md 6.7 (new in v2): loans, their rules, and what they do to the amount financed."""

from decimal import Decimal

import pytest

from tests.sandbox.helpers import ASSET, COMPANY, SHEET, assert_error, unique_label, violations

LOAN = {"loanPurpose": {"id": 1}, "value": 2000.00}
# Pricelist 503 is the Operating Lease (market product 30) of office 1001: it takes no loans.
RENTAL = {
    **SHEET,
    "introducerPricelistId": 503,
    "marketProductId": 30,
    "paymentMode": "ARREARS",
    "specialPayments": [],
}
OFFICE_ASSET = {**ASSET, "assetIacCode": "OFF1101"}
# Hire Purchase (product 10) takes loans up to 30 % of assets and loans together. With the
# default 14,500.00 of assets, 6,214.28 is the largest loan that fits.
LARGEST_LOAN = 6214.28


def loan(value=2000.00, purpose=1) -> dict:
    return {"loanPurpose": {"id": purpose}, "value": value}


def purpose_name(api, purpose_id, office=1001) -> str:
    purposes = api.get("/common/loan-purposes", params={"office-id": office}).json()
    return next(p["name"] for p in purposes if p["id"] == purpose_id)


def precheck_codes(api, pid) -> list:
    precheck = api.get(f"/proposals/{pid}/decision/precheck").json()
    return [v["code"] for v in precheck["preconditionViolations"]]


def calculate(api, pid, etag, sheet=SHEET):
    return api.change("POST", f"/proposals/{pid}/calculation", etag, json={"sheet": sheet})


def test_a_loan_is_added_replaced_and_deleted_each_with_a_new_etag(api):
    created, etag = api.create()
    pid = created["id"]
    assert created["loans"] == []
    response = api.change("POST", f"/proposals/{pid}/loans", etag, json=LOAN)
    assert response.status_code == 201, response.text
    added = response.json()
    assert added == {
        "id": 1,
        "loanPurpose": {"id": 1, "name": purpose_name(api, 1)},
        "value": 2000.00,
    }
    assert response.headers["ETag"] > etag
    etag = response.headers["ETag"]
    proposal, _ = api.fetch(pid)
    assert proposal["loans"] == [added]
    response = api.change("PUT", f"/proposals/{pid}/loans/1", etag, json=loan(2500.50, 2))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": 1,
        "loanPurpose": {"id": 2, "name": purpose_name(api, 2)},
        "value": 2500.50,
    }
    assert response.headers["ETag"] > etag
    etag = response.headers["ETag"]
    response = api.change("POST", f"/proposals/{pid}/loans", etag, json=LOAN)
    assert response.json()["id"] == 2
    etag = response.headers["ETag"]
    response = api.change("DELETE", f"/proposals/{pid}/loans/1", etag)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["ETag"] > etag
    etag = response.headers["ETag"]
    proposal, _ = api.fetch(pid)
    assert [item["id"] for item in proposal["loans"]] == [2]
    assert_error(api.change("DELETE", f"/proposals/{pid}/loans/1", etag), 404, "NOT_FOUND")
    assert_error(api.change("PUT", f"/proposals/{pid}/loans/1", etag, json=LOAN), 404, "NOT_FOUND")
    assert_error(api.change("PUT", f"/proposals/{pid}/loans/x", etag, json=LOAN), 404, "NOT_FOUND")


def test_a_name_sent_with_the_purpose_is_ignored(api):
    created, etag = api.create()
    body = {"loanPurpose": {"id": 1, "name": "Anything"}, "value": 10}
    response = api.change("POST", f"/proposals/{created['id']}/loans", etag, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["loanPurpose"]["name"] == purpose_name(api, 1)


def test_loans_in_the_create_body_are_financed_with_the_assets(api):
    created, _ = api.create(label=unique_label(), loans=[loan(2000), loan(500.25, 2)])
    assert [(item["id"], item["value"]) for item in created["loans"]] == [(1, 2000), (2, 500.25)]
    result = created["calculation"]["result"]
    assert result["assetsTotal"] == 14500 and result["downPayment"] == 1500
    assert result["loansTotal"] == 2500.25
    # Amount financed = assets total + loans total - down payments.
    assert result["amountFinanced"] == 14500 + 2500.25 - 1500
    # A quote on the same amount financed gives the same instalment.
    quote = api.post(
        "/calculation",
        params={"office-id": 1001, "amount-financed": "15500.25"},
        json={"sheet": SHEET},
    ).json()["result"]
    assert quote["loansTotal"] == 0
    assert quote["instalment"] == result["instalment"]
    summary = api.search(**{"proposal-label": created["label"]})["content"]
    assert any(s["id"] == created["id"] and s["amountFinanced"] == 15500.25 for s in summary)


def test_a_calculation_without_loans_has_a_zero_loans_total(api):
    created, _ = api.create()
    assert created["calculation"]["result"]["loansTotal"] == 0


BAD_LOANS = [
    (loan(purpose=99), "loanPurpose.id", "INVALID_VALUE"),  # unknown
    (loan(purpose=5), "loanPurpose.id", "INVALID_VALUE"),  # a purpose of office 1002 only
    (loan(0), "value", "MUST_BE_POSITIVE"),
    (loan(-10), "value", "MUST_BE_POSITIVE"),
    (loan(10.001), "value", "TOO_MANY_DECIMALS"),
    (loan("ten"), "value", "WRONG_TYPE"),
    ({"loanPurpose": {"id": 1}}, "value", "REQUIRED"),
    ({"value": 100}, "loanPurpose", "REQUIRED"),
    ({"loanPurpose": {}, "value": 100}, "loanPurpose.id", "REQUIRED"),
    ({"loanPurpose": 1, "value": 100}, "loanPurpose", "WRONG_TYPE"),
    ({**LOAN, "id": 4}, "id", "UNKNOWN_FIELD"),
]


@pytest.mark.parametrize(("body", "field", "code"), BAD_LOANS)
def test_an_invalid_loan_is_400_on_post_put_and_create(api, body, field, code):
    created, etag = api.create(loans=[LOAN])
    pid = created["id"]
    response = api.change("POST", f"/proposals/{pid}/loans", etag, json=body)
    assert violations(response) == [(field, code)]
    response = api.change("PUT", f"/proposals/{pid}/loans/1", etag, json=body)
    assert violations(response) == [(field, code)]
    assert api.fetch(pid)[1] == etag  # nothing changed
    response = api.post("/proposals", json={"officeId": 1001, "loans": [LOAN, body]})
    assert violations(response) == [(f"loans[1].{field}", code)]


def test_loans_must_be_a_list_of_objects(api):
    response = api.post("/proposals", json={"officeId": 1001, "loans": {"value": 1}})
    assert violations(response) == [("loans", "WRONG_TYPE")]
    response = api.post("/proposals", json={"officeId": 1001, "loans": [7]})
    assert violations(response) == [("loans[0]", "WRONG_TYPE")]


def test_a_product_without_loans_refuses_them_everywhere(api):
    # On create, with the sheet in the same body.
    body = {"assets": [OFFICE_ASSET], "calculation": {"sheet": RENTAL}, "loans": [LOAN]}
    response = api.post("/proposals", json={"officeId": 1001, "customer": COMPANY, **body})
    assert violations(response) == [("loans", "LOANS_NOT_ALLOWED")]
    # Adding one to a proposal calculated on that product.
    created, etag = api.create(assets=[OFFICE_ASSET], calculation={"sheet": RENTAL})
    pid = created["id"]
    response = api.change("POST", f"/proposals/{pid}/loans", etag, json=LOAN)
    assert violations(response) == [(None, "LOANS_NOT_ALLOWED")]
    # Calculating on that product a proposal that has loans, stored or quoted.
    created, etag = api.create(assets=[OFFICE_ASSET], loans=[LOAN])
    pid = created["id"]
    response = calculate(api, pid, etag, RENTAL)
    assert violations(response) == [("sheet.marketProductId", "LOANS_NOT_ALLOWED")]
    response = api.post("/calculation", params={"proposal-id": pid}, json={"sheet": RENTAL})
    assert violations(response) == [("sheet.marketProductId", "LOANS_NOT_ALLOWED")]
    # The same proposal without its loan calculates.
    etag = api.change("DELETE", f"/proposals/{pid}/loans/1", etag).headers["ETag"]
    assert calculate(api, pid, etag, RENTAL).status_code == 200


def test_loans_may_be_at_most_the_products_share_of_assets_and_loans(api):
    created, _ = api.create(loans=[loan(LARGEST_LOAN)])
    assert created["calculation"]["result"]["loansTotal"] == LARGEST_LOAN
    response = api.post(
        "/proposals",
        json={
            "officeId": 1001,
            "assets": [ASSET],
            "loans": [loan(6213.28), loan(1.01)],  # one cent too much
            "calculation": {"sheet": SHEET},
        },
    )
    assert violations(response) == [("loans", "LOANS_TOO_HIGH")]


def test_adding_or_replacing_a_loan_checks_the_share_with_the_other_loans(api):
    created, etag = api.create(loans=[loan(4000)])
    pid = created["id"]
    response = api.change("POST", f"/proposals/{pid}/loans", etag, json=loan(2214.29))
    assert violations(response) == [("value", "LOANS_TOO_HIGH")]
    response = api.change("POST", f"/proposals/{pid}/loans", etag, json=loan(2214.28))
    assert response.status_code == 201, response.text
    etag = response.headers["ETag"]
    # The loan replaced does not count against its replacement.
    response = api.change("PUT", f"/proposals/{pid}/loans/1", etag, json=loan(4000.01))
    assert violations(response) == [("value", "LOANS_TOO_HIGH")]
    response = api.change("PUT", f"/proposals/{pid}/loans/1", etag, json=loan(3000))
    assert response.status_code == 200, response.text


def test_a_calculation_holds_the_stored_loans_against_the_new_product(api):
    # Finance Lease (product 20, pricelist 502) takes loans up to 20 %.
    lease = {**SHEET, "introducerPricelistId": 502, "marketProductId": 20}
    created, etag = api.create(loans=[loan(4000)])  # 4,000 of 18,500: 21.6 %
    response = calculate(api, created["id"], etag, lease)
    assert violations(response) == [("sheet.marketProductId", "LOANS_TOO_HIGH")]
    created, etag = api.create(loans=[loan(3000)])  # 3,000 of 17,500: 17.1 %
    response = calculate(api, created["id"], etag, lease)
    assert response.status_code == 200, response.text
    assert response.json()["calculation"]["result"]["loansTotal"] == 3000


def test_a_loan_without_a_calculation_is_checked_by_the_next_one(api):
    response = api.post("/proposals", json={"officeId": 1001, "assets": [ASSET]})
    created, etag = response.json(), response.headers["ETag"]
    pid = created["id"]
    response = api.change("POST", f"/proposals/{pid}/loans", etag, json=loan(50000))
    assert response.status_code == 201, response.text
    response = calculate(api, pid, response.headers["ETag"])
    assert violations(response) == [("sheet.marketProductId", "LOANS_TOO_HIGH")]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [("POST", "/loans", LOAN), ("PUT", "/loans/1", loan(1000)), ("DELETE", "/loans/1", None)],
)
def test_each_loan_change_outdates_the_calculation(api, method, suffix, body):
    created, etag = api.create(loans=[LOAN])
    pid = created["id"]
    assert precheck_codes(api, pid) == []
    response = api.change(method, f"/proposals/{pid}{suffix}", etag, json=body)
    assert response.status_code in (200, 201, 204), response.text
    assert precheck_codes(api, pid) == ["CALCULATION_OUTDATED"]
    response = calculate(api, pid, response.headers["ETag"])
    assert response.status_code == 200, response.text
    loans = response.json()["loans"]
    result = response.json()["calculation"]["result"]
    assert result["loansTotal"] == sum(Decimal(str(item["value"])) for item in loans)
    assert precheck_codes(api, pid) == []


def test_a_quote_by_proposal_reads_its_loans(api):
    created, _ = api.create(loans=[loan(1234.56)])
    response = api.post(
        "/calculation", params={"proposal-id": created["id"]}, json={"sheet": SHEET}
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"] == created["calculation"]["result"]


def test_a_loan_counts_as_what_a_proposal_finances(api):
    bare = api.post("/proposals", json={"officeId": 1001}).json()
    precheck = api.get(f"/proposals/{bare['id']}/decision/precheck").json()
    missing = next(v for v in precheck["preconditionViolations"] if v["code"] == "ASSET_MISSING")
    assert "at least one asset or loan" in missing["userMessage"]
    loans_only = api.post(
        "/proposals", json={"officeId": 1001, "customer": COMPANY, "loans": [LOAN]}
    ).json()
    assert precheck_codes(api, loans_only["id"]) == ["CALCULATION_MISSING"]


def test_loan_calls_check_owner_and_if_match_in_order(api, other_api):
    created, etag = api.create(loans=[LOAN])
    pid = created["id"]
    for method, suffix, body in (
        ("POST", "/loans", LOAN),
        ("PUT", "/loans/1", LOAN),
        ("DELETE", "/loans/1", None),
    ):
        path = f"/proposals/{pid}{suffix}"
        assert_error(other_api.request(method, path, json=body), 403, "FORBIDDEN")
        assert_error(api.request(method, path, json=body), 412, "IF_MATCH_MISSING")
        assert_error(api.change(method, path, "stale", json=body), 412, "ETAG_MISMATCH")
        response = api.change(method, f"/proposals/1{suffix}", etag, json=body)
        assert_error(response, 404, "NOT_FOUND")
        # The If-Match is checked before the body.
        assert_error(api.request(method, path, json={"value": 0}), 412, "IF_MATCH_MISSING")
    # An unknown loan is 404 before the If-Match.
    assert_error(api.request("PUT", f"/proposals/{pid}/loans/9", json=LOAN), 404, "NOT_FOUND")
    assert_error(api.request("DELETE", f"/proposals/{pid}/loans/9"), 404, "NOT_FOUND")
    assert api.fetch(pid)[1] == etag


def _proposal_in(api, sandbox, status):
    """A proposal with one loan (id 1) in the given workflow status, and its ETag."""
    created, etag = api.create(loans=[LOAN])
    pid = created["id"]
    if status == "CANCELLED":
        return pid, api.change("POST", f"/proposals/{pid}/cancel", etag).headers["ETag"]
    if status == "DECISION_REQUESTED":
        sandbox.set_settings(decisionDelaySeconds=60)
        try:
            return pid, api.request_decision(pid, etag).headers["ETag"]
        finally:
            sandbox.set_settings(decisionDelaySeconds=0.2)
    if status != "DRAFT":
        answer = sandbox.control(
            "POST", f"/__sandbox__/proposals/{pid}/decide", {"decisionStatus": status}
        )
        return pid, answer["updated"]
    return pid, etag


CHANGEABLE = {
    "DRAFT": True,
    "MORE_INFORMATION": True,
    "DECISION_REQUESTED": False,
    "ACCEPTED": False,
    "DECLINED": False,
    "CANCELLED": False,
}


@pytest.mark.parametrize("status", list(CHANGEABLE))
def test_loans_change_only_where_the_state_allows_changes(api, restore_settings, status):
    for method, suffix, body in (
        ("POST", "/loans", LOAN),
        ("PUT", "/loans/1", loan(900)),
        ("DELETE", "/loans/1", None),
    ):
        pid, etag = _proposal_in(api, restore_settings, status)
        response = api.change(method, f"/proposals/{pid}{suffix}", etag, json=body)
        if CHANGEABLE[status]:
            assert response.status_code in (200, 201, 204), (method, response.text)
        else:
            assert_error(response, 409, "INVALID_STATE")
            # 409 comes before the body.
            response = api.change(method, f"/proposals/{pid}{suffix}", etag, json={"x": 1})
            assert_error(response, 409, "INVALID_STATE")
