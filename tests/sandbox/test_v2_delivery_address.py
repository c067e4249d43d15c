"""CONTRACT.md 6.8 (new in v2): the customer's delivery address."""

import pytest

from tests.sandbox.helpers import ADDRESS, COMPANY, MANUAL, assert_error, violations

DEPOT = {
    "address1": "Unit 4, Meadow Lane Industrial Estate",
    "address2": "Gate B",
    "city": "Nottingham",
    "postalCode": "NG2 3HX",
    "country": {"code": "GB"},
}
EMPTY_ADDRESS = {
    "address1": None,
    "address2": None,
    "houseNumber": None,
    "houseName": None,
    "flatName": None,
    "city": None,
    "postalCode": None,
    "region": None,
    "country": None,
    "phoneNumber": None,
    "mobilePhoneNumber": None,
    "email": None,
}


def answered(address) -> dict:
    """An address as the sandbox answers it: every optional field present, null when left out."""
    return {**EMPTY_ADDRESS, **address}


def post_address(api, pid, etag, body):
    return api.change("POST", f"/proposals/{pid}/customer/delivery-address", etag, json=body)


def test_posting_sets_the_address_and_posting_again_replaces_it(api):
    created, etag = api.create()
    pid = created["id"]
    assert created["deliveryAddress"] is None
    response = post_address(api, pid, etag, DEPOT)
    assert response.status_code == 200, response.text
    proposal = response.json()
    assert proposal["deliveryAddress"] == answered(DEPOT)
    assert response.headers["ETag"] == proposal["updated"] > etag
    assert api.fetch(pid)[0] == proposal
    # A replacement, not a merge: address2 is gone.
    response = post_address(api, pid, response.headers["ETag"], ADDRESS)
    assert response.status_code == 200, response.text
    assert response.json()["deliveryAddress"] == answered(ADDRESS)


def test_the_address_does_not_outdate_the_calculation(api):
    created, etag = api.create()
    assert post_address(api, created["id"], etag, DEPOT).status_code == 200
    precheck = api.get(f"/proposals/{created['id']}/decision/precheck").json()
    assert precheck["requestAllowed"] is True


def test_the_create_body_may_carry_it_with_either_kind_of_customer(api):
    created, _ = api.create(deliveryAddress=DEPOT)
    assert created["deliveryAddress"] == answered(DEPOT)
    created, _ = api.create(customer=None, customerManual=MANUAL, deliveryAddress=DEPOT)
    assert created["deliveryAddress"] == answered(DEPOT)


def test_it_needs_a_customer(api):
    response = api.post("/proposals", json={"officeId": 1001, "deliveryAddress": DEPOT})
    assert violations(response) == [("deliveryAddress", "CUSTOMER_MISSING")]
    response = api.post("/proposals", json={"officeId": 1001})
    pid, etag = response.json()["id"], response.headers["ETag"]
    response = post_address(api, pid, etag, DEPOT)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert violations(response) == [(None, "CUSTOMER_MISSING")]
    # With a customer, the same call succeeds.
    etag = api.change("PUT", f"/proposals/{pid}/customer", etag, json={"customer": COMPANY})
    assert post_address(api, pid, etag.headers["ETag"], DEPOT).status_code == 200


BAD_ADDRESSES = [
    ({**DEPOT, "city": None}, [("city", "REQUIRED")]),
    ({**DEPOT, "address1": " "}, [("address1", "REQUIRED")]),
    ({**DEPOT, "country": {"code": "gb"}}, [("country.code", "INVALID_VALUE")]),
    ({**DEPOT, "country": "GB"}, [("country", "WRONG_TYPE")]),
    ({**DEPOT, "postalCode": 12345}, [("postalCode", "WRONG_TYPE")]),
    ({**DEPOT, "address2": "x" * 256}, [("address2", "TOO_LONG")]),
    ({**DEPOT, "county": "Notts"}, [("county", "UNKNOWN_FIELD")]),
    ({}, [("address1", "REQUIRED"), ("city", "REQUIRED"), ("postalCode", "REQUIRED"),
          ("country", "REQUIRED")]),
]  # fmt: skip


@pytest.mark.parametrize(("body", "expected"), BAD_ADDRESSES)
def test_an_invalid_address_is_400_on_post_and_create(api, body, expected):
    created, etag = api.create()
    response = post_address(api, created["id"], etag, body)
    assert violations(response) == expected
    assert api.fetch(created["id"])[1] == etag
    response = api.post(
        "/proposals", json={"officeId": 1001, "customer": COMPANY, "deliveryAddress": body}
    )
    assert violations(response) == [(f"deliveryAddress.{field}", code) for field, code in expected]


def test_a_body_that_is_not_an_object_is_malformed(api):
    created, etag = api.create()
    response = post_address(api, created["id"], etag, [DEPOT])
    assert violations(response) == [(None, "MALFORMED_JSON")]


def test_it_checks_owner_and_if_match_before_the_body(api, other_api):
    created, etag = api.create()
    path = f"/proposals/{created['id']}/customer/delivery-address"
    assert_error(other_api.post(path, json=DEPOT), 403, "FORBIDDEN")
    assert_error(api.post(path, json={}), 412, "IF_MATCH_MISSING")
    assert_error(api.change("POST", path, "stale", json={}), 412, "ETAG_MISMATCH")
    response = api.change("POST", "/proposals/1/customer/delivery-address", etag, json=DEPOT)
    assert_error(response, 404, "NOT_FOUND")
    assert api.fetch(created["id"])[1] == etag


def _proposal_in(api, sandbox, status):
    created, etag = api.create()
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


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("DRAFT", True),
        ("MORE_INFORMATION", True),
        ("DECISION_REQUESTED", False),
        ("ACCEPTED", False),
        ("DECLINED", False),
        ("CANCELLED", False),
    ],
)
def test_it_changes_only_where_the_state_allows_changes(api, restore_settings, status, allowed):
    pid, etag = _proposal_in(api, restore_settings, status)
    response = post_address(api, pid, etag, DEPOT)
    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["deliveryAddress"] == answered(DEPOT)
    else:
        assert_error(response, 409, "INVALID_STATE")
        # 409 comes before the body.
        assert_error(post_address(api, pid, etag, {"x": 1}), 409, "INVALID_STATE")
