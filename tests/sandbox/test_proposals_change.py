"""CONTRACT.md 6.2 (read), 6.4 (change), 6.6 (states) and the ETag / If-Match rules of section 3."""

import pytest

from tests.sandbox.helpers import (
    ASSET,
    COMPANY,
    MANUAL,
    SHEET,
    assert_error,
    violations,
    wait_for,
)


def test_a_read_gives_the_proposal_and_its_etag(api):
    created, etag = api.create()
    response = api.get(f"/proposals/{created['id']}")
    assert response.status_code == 200
    assert response.headers["ETag"] == etag == response.json()["updated"]
    assert response.json() == created


def test_another_introducers_proposal_is_403_and_an_unknown_one_404(api, other_api):
    created, etag = api.create()
    pid = created["id"]
    assert_error(other_api.get(f"/proposals/{pid}"), 403, "FORBIDDEN")
    assert_error(other_api.change("PATCH", f"/proposals/{pid}", etag, json={}), 403, "FORBIDDEN")
    assert_error(other_api.get(f"/proposals/{pid}/decision/precheck"), 403, "FORBIDDEN")
    assert_error(api.get("/proposals/1"), 404, "NOT_FOUND")
    assert_error(api.change("PATCH", "/proposals/1", etag, json={}), 404, "NOT_FOUND")


def test_the_order_of_checks_is_404_403_412_409_then_the_body(api, other_api):
    created, etag = api.create()
    pid = created["id"]
    bad = {"label": 5}
    # 403 before 412: no If-Match at all.
    assert_error(other_api.patch(f"/proposals/{pid}", json=bad), 403, "FORBIDDEN")
    # 412 before 400.
    assert_error(api.patch(f"/proposals/{pid}", json=bad), 412, "IF_MATCH_MISSING")
    assert_error(api.change("PATCH", f"/proposals/{pid}", "stale", json=bad), 412, "ETAG_MISMATCH")
    cancelled = api.change("POST", f"/proposals/{pid}/cancel", etag).headers["ETag"]
    # 409 before 400.
    response = api.change("PATCH", f"/proposals/{pid}", cancelled, json=bad)
    assert_error(response, 409, "INVALID_STATE")


def test_a_blank_if_match_counts_as_missing(api):
    created, _ = api.create()
    response = api.change("PATCH", f"/proposals/{created['id']}", "", json={})
    assert_error(response, 412, "IF_MATCH_MISSING")


def test_if_match_may_be_quoted_or_weak(api):
    created, etag = api.create()
    pid = created["id"]
    etag = api.change("PATCH", f"/proposals/{pid}", f'"{etag}"', json={}).headers["ETag"]
    etag = api.change("PATCH", f"/proposals/{pid}", f'W/"{etag}"', json={}).headers["ETag"]
    response = api.change("PATCH", f"/proposals/{pid}", etag, json={"label": "IP-Q"})
    assert response.status_code == 200 and response.json()["label"] == "IP-Q"


def test_patch_sets_and_clears_fields(api):
    created, etag = api.create(salesContactId=23076571, specialConditionText="note")
    pid = created["id"]
    body = {"label": "IP-NEW", "salesContactId": None, "scheduleAssetsDescription": "Ten PCs"}
    response = api.change("PATCH", f"/proposals/{pid}", etag, json=body)
    assert response.status_code == 200
    proposal = response.json()
    assert proposal["label"] == "IP-NEW"
    assert proposal["salesContactId"] is None
    assert proposal["scheduleAssetsDescription"] == "Ten PCs"
    assert proposal["specialConditionText"] == "note"  # left out: unchanged
    response = api.change(
        "PATCH",
        f"/proposals/{pid}",
        response.headers["ETag"],
        json={"salesContactId": 23076574, "customer": COMPANY},
    )
    assert set(violations(response)) == {
        ("salesContactId", "SALES_CONTACT_BLOCKED"),
        ("customer", "UNKNOWN_FIELD"),
    }


def test_put_customer_replaces_one_kind_with_the_other(api):
    created, etag = api.create()
    pid = created["id"]
    body = {"customerManual": MANUAL}
    response = api.change("PUT", f"/proposals/{pid}/customer", etag, json=body)
    assert response.status_code == 200
    assert response.json()["customer"] is None
    assert response.json()["customerManual"]["companyName"] == MANUAL["companyName"]
    etag = response.headers["ETag"]
    response = api.change("PUT", f"/proposals/{pid}/customer", etag, json={"customer": COMPANY})
    assert response.json()["customerManual"] is None
    assert response.json()["customer"]["companyName"] == "Example Tools Ltd"
    etag = response.headers["ETag"]
    for body in ({}, {"customer": None}, {"customer": COMPANY, "customerManual": MANUAL}):
        response = api.change("PUT", f"/proposals/{pid}/customer", etag, json=body)
        assert ("customer", "REQUIRED") in violations(response)


def test_assets_are_added_replaced_and_deleted_each_with_a_new_etag(api):
    created, etag = api.create()
    pid = created["id"]
    body = {**ASSET, "assetIacCode": "ITE2202", "location": "Leeds"}
    response = api.change("POST", f"/proposals/{pid}/assets", etag, json=body)
    assert response.status_code == 201
    asset = response.json()
    assert asset["id"] == 2 and asset["location"] == "Leeds"
    assert response.headers["ETag"] > etag
    etag = response.headers["ETag"]
    # A full replacement: omitted fields are cleared.
    response = api.change(
        "PUT",
        f"/proposals/{pid}/assets/2",
        etag,
        json={**ASSET, "condition": "USED", "ageInMonth": 12},
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": 2,
        **ASSET,
        "condition": "USED",
        "ageInMonth": 12,
        "location": None,
        "equipmentSupplier": None,
    }
    assert response.headers["ETag"] > etag
    etag = response.headers["ETag"]
    response = api.change("DELETE", f"/proposals/{pid}/assets/1", etag)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["ETag"] > etag
    proposal, _ = api.fetch(pid)
    assert [a["id"] for a in proposal["assets"]] == [2]
    etag = response.headers["ETag"]
    assert_error(api.change("DELETE", f"/proposals/{pid}/assets/1", etag), 404, "NOT_FOUND")
    assert_error(
        api.change("PUT", f"/proposals/{pid}/assets/9", etag, json=ASSET), 404, "NOT_FOUND"
    )


def test_an_asset_must_suit_the_stored_pricelist(api):
    created, etag = api.create()  # pricelist 501 finances ITE and OFF
    response = api.change(
        "POST",
        f"/proposals/{created['id']}/assets",
        etag,
        json={**ASSET, "assetIacCode": "IND4101"},
    )
    assert violations(response) == [("assetIacCode", "IAC_CODE_NOT_ALLOWED")]


def test_changing_assets_outdates_the_calculation_until_it_is_calculated_again(api):
    created, etag = api.create()
    pid = created["id"]
    etag = api.change("POST", f"/proposals/{pid}/assets", etag, json=ASSET).headers["ETag"]
    precheck = api.get(f"/proposals/{pid}/decision/precheck").json()
    assert [v["code"] for v in precheck["preconditionViolations"]] == ["CALCULATION_OUTDATED"]
    response = api.change(
        "POST",
        f"/proposals/{pid}/calculation",
        etag,
        json={"sheet": SHEET, "operation": "CALCULATE_INSTALMENT"},
    )
    assert response.status_code == 200
    assert response.json()["calculation"]["result"]["assetsTotal"] == 29000
    assert response.headers["ETag"] > etag
    precheck = api.get(f"/proposals/{pid}/decision/precheck").json()
    assert precheck["requestAllowed"] is True


def test_a_stored_calculation_checks_the_stored_assets(api):
    created, etag = api.create()
    rental = {**SHEET, "introducerPricelistId": 503, "marketProductId": 30}
    rental["paymentMode"] = "ARREARS"
    response = api.change(
        "POST", f"/proposals/{created['id']}/calculation", etag, json={"sheet": rental}
    )
    assert ("assets[0].assetIacCode", "IAC_CODE_NOT_ALLOWED") in violations(response)
    response = api.change("POST", f"/proposals/{created['id']}/calculation", etag, json={})
    assert violations(response) == [("sheet", "REQUIRED")]


def test_every_change_even_an_empty_one_gives_a_strictly_later_etag(api):
    created, etag = api.create()
    pid = created["id"]
    seen = [etag]
    for _ in range(20):  # faster than a millisecond apart: still strictly increasing
        response = api.change("PATCH", f"/proposals/{pid}", seen[-1], json={})
        assert response.status_code == 200
        assert response.headers["ETag"] == response.json()["updated"]
        seen.append(response.headers["ETag"])
    assert seen == sorted(set(seen))
    assert_error(api.change("PATCH", f"/proposals/{pid}", seen[-2], json={}), 412, "ETAG_MISMATCH")


def _proposal_in(api, sandbox, status):
    """A proposal of demo-introducer in the given workflow status, and its ETag."""
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


STATES = {
    # status: (changes allowed, decision request allowed, cancel allowed)
    "DRAFT": (True, True, True),
    "DECISION_REQUESTED": (False, False, True),
    "MORE_INFORMATION": (True, True, True),
    "ACCEPTED": (False, False, True),
    "DECLINED": (False, False, False),
    "CANCELLED": (False, False, False),
}


@pytest.mark.parametrize("status", list(STATES))
def test_what_each_state_allows(api, restore_settings, status):
    sandbox = restore_settings
    changes, decision, cancel = STATES[status]
    calls = [
        ("PATCH", "", {"label": "IP-X"}),
        ("PUT", "/customer", {"customer": COMPANY}),
        ("POST", "/assets", ASSET),
        ("PUT", "/assets/1", ASSET),
        ("DELETE", "/assets/1", None),
        ("POST", "/calculation", {"sheet": SHEET}),
    ]
    for method, suffix, body in calls:
        pid, etag = _proposal_in(api, sandbox, status)
        response = api.change(method, f"/proposals/{pid}{suffix}", etag, json=body)
        if changes:
            assert response.status_code in (200, 201, 204), (method, suffix, response.text)
        else:
            assert_error(response, 409, "INVALID_STATE")
    pid, etag = _proposal_in(api, sandbox, status)
    precheck = api.get(f"/proposals/{pid}/decision/precheck").json()
    assert precheck["cancelAllowed"] is cancel
    response = api.request_decision(pid, etag)
    if decision:
        assert response.status_code == 200
        assert response.json()["workflowStatus"] == "DECISION_REQUESTED"
        assert response.json()["decision"]["decisionStatus"] == "PENDING"
    else:
        assert_error(response, 409, "INVALID_STATE")
        codes = [v["code"] for v in precheck["preconditionViolations"]]
        expected = "PROPOSAL_CANCELLED" if status == "CANCELLED" else "DECISION_ALREADY_REQUESTED"
        assert codes == [expected]
    pid, etag = _proposal_in(api, sandbox, status)
    response = api.change("POST", f"/proposals/{pid}/cancel", etag)
    if cancel:
        assert response.status_code == 200
        assert response.json()["workflowStatus"] == "CANCELLED"
        assert response.headers["ETag"] > etag
    else:
        assert_error(response, 409, "INVALID_STATE")


def test_every_kind_of_change_moves_the_etag_forward(api, sandbox):
    created, etag = api.create()
    pid = created["id"]
    seen = [etag]

    def call(method, suffix="", body=None):
        response = api.change(method, f"/proposals/{pid}{suffix}", seen[-1], json=body)
        assert response.status_code in (200, 201, 204), response.text
        seen.append(response.headers["ETag"])

    def control(action, body):
        seen.append(
            sandbox.control("POST", f"/__sandbox__/proposals/{pid}/{action}", body)["updated"]
        )

    call("PATCH", body={"label": "IP-CHAIN"})
    call("PUT", "/customer", {"customerManual": MANUAL})
    call("POST", "/assets", ASSET)
    call("PUT", "/assets/2", ASSET)
    call("DELETE", "/assets/2")
    call("POST", "/calculation", {"sheet": SHEET})
    control("underwriter-edit", {})
    control("decide", {"decisionStatus": "MORE_INFORMATION"})
    call(
        "POST",
        "/decision",
        {
            "siemensMayContactCustomer": False,
            "siemensMayRequestCreditData": False,
            "prelease": True,
        },
    )
    decided = wait_for(lambda: (p := api.fetch(pid))[0]["decision"]["decisionDate"] and p)
    seen.append(decided[1])
    call("POST", "/cancel")
    assert len(seen) == 12
    assert seen == sorted(set(seen)), seen
