"""Each public method: its path, query, headers, body, and what it returns."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import responses
from responses import matchers

from proposals.siesmart import (
    ENVIRONMENTS,
    AssetResult,
    DecisionStatus,
    MemoryLimiter,
    MemoryRecorder,
    MemoryTokenStore,
    SieSmartClient,
    WorkflowStatus,
)

from .helpers import (
    ACCESS_TOKEN,
    CALCULATION_CONFIG,
    ETAG,
    PROPOSAL,
    SUMMARY,
    add_token,
    api,
    api_calls,
    headers,
    proposal_json,
)

PROPOSAL_URL = api("/proposals/7000123")
NEW_ETAG = "2026-11-28T06:09:00.000Z"


@pytest.fixture(autouse=True)
def _token(rsps):
    add_token(rsps)


def _sent(rsps, index: int = -1):
    return api_calls(rsps)[index].request


def _body(request) -> dict:
    return json.loads(request.body)


def test_every_call_sends_the_bearer_token_and_asks_for_json(client, rsps):
    rsps.add(responses.GET, api("/common/offices"), json=[])
    client.list_offices()
    request = _sent(rsps)
    assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.headers["Accept"] == "application/json"
    assert "If-Match" not in request.headers


def test_configuration_calls(client, rsps):
    office = {"id": 1001, "name": "IT", "countryCode": "GB", "postalAddress": {"city": "Leeds"}}
    contact = {
        "id": 23076571,
        "firstName": "Jo",
        "lastName": "Bloggs",
        "title": {"id": 1, "name": "Ms"},
        "email": "jo@example.test",
        "phone": "0113",
        "role": {"alias": "SALES", "name": "Sales"},
        "blocked": True,
        "blockedReason": "Left",
        "officeIds": [1001],
    }
    office_query = [matchers.query_param_matcher({"office-id": "1001"})]
    rsps.add(responses.GET, api("/common/offices"), json=[office])
    rsps.add(responses.GET, api("/common/sales-contacts"), json=[contact], match=office_query)
    rsps.add(
        responses.GET,
        api("/common/iac-codes"),
        json=[
            {"iacCode": "ITE", "name": "IT", "parentCode": None},
            {"iacCode": "ITE2201", "name": "Desktop standalone PC", "parentCode": "ITE"},
        ],
        match=office_query,
    )
    rsps.add(
        responses.GET,
        api("/common/calculation-config"),
        json=CALCULATION_CONFIG,
        match=office_query,
    )
    rsps.add(
        responses.GET,
        api("/common/legal-forms"),
        json=[{"id": 1, "code": "LIMITED_COMPANY", "name": "Ltd", "partnership": False}],
    )
    rsps.add(responses.GET, api("/common/titles"), json=[{"id": 1, "name": "Mr"}])

    (read_office,) = client.list_offices()
    assert (read_office.id, read_office.country_code) == (1001, "GB")
    (read_contact,) = client.list_sales_contacts(1001)
    assert read_contact.full_name == "Jo Bloggs"
    assert read_contact.blocked and read_contact.office_ids == (1001,)
    assert read_contact.title.name == "Ms" and read_contact.role_alias == "SALES"
    codes = client.list_iac_codes(1001)
    assert [code.is_top_level for code in codes] == [True, False]
    assert client.get_calculation_config(1001).pricelists[0].id == 501
    assert client.list_legal_forms()[0].code == "LIMITED_COMPANY"
    assert client.list_titles()[0].name == "Mr"


def test_create_sends_the_body_once_without_if_match(client, rsps):
    rsps.add(
        responses.POST,
        api("/proposals"),
        json=PROPOSAL,
        status=201,
        headers=headers(etag=ETAG),
    )
    body = {
        "officeId": 1001,
        "label": "IP-2026-000042",
        "assets": [{"valuePerAsset": Decimal("1450.10"), "quantity": 10}],
        "customerManual": {"dateOfIncorporation": datetime(2020, 5, 1).date()},
    }
    proposal = client.create_proposal(body)
    request = _sent(rsps)
    assert request.headers["Content-Type"] == "application/json"
    assert "If-Match" not in request.headers
    sent = _body(request)
    assert sent["assets"][0]["valuePerAsset"] == 1450.1
    assert sent["customerManual"]["dateOfIncorporation"] == "2020-05-01"
    assert proposal.id == 7000123 and proposal.etag == ETAG


def test_get_proposal(client, rsps):
    rsps.add(responses.GET, PROPOSAL_URL, json=PROPOSAL, headers=headers())
    assert client.get_proposal(7000123).etag == ETAG


def test_search_maps_every_parameter(client, rsps):
    expected = {
        "proposal-label": "IP-1",
        "office-id": "1001",
        "workflow-status": "DECISION_REQUESTED",
        "customer-name": "tools",
        "updated-after": "2026-11-28T06:00:00.000Z",
        "customer-reg-no": "01234567",
        "sort-by": "UPDATED",
        "sort-order": "DESC",
        "page": "2",
        "size": "50",
    }
    rsps.add(
        responses.GET,
        api("/proposals/search"),
        json={"content": [SUMMARY], "page": 2, "size": 50, "totalElements": 101},
        match=[matchers.query_param_matcher(expected)],
    )
    page = client.search_proposals(
        label="IP-1",
        office_id=1001,
        workflow_status=WorkflowStatus.DECISION_REQUESTED,
        customer_name="tools",
        updated_after=datetime(2026, 11, 28, 6, 0, tzinfo=UTC),
        customer_reg_no="01234567",
        page=2,
        size=50,
    )
    assert page.page == 2 and page.total_elements == 101
    assert page.content[0].decision_status is DecisionStatus.PENDING


def test_search_defaults_to_the_latest_changes_first(client, rsps):
    rsps.add(
        responses.GET,
        api("/proposals/search"),
        json={"content": [], "page": 0, "size": 100, "totalElements": 0},
        match=[
            matchers.query_param_matcher(
                {"sort-by": "UPDATED", "sort-order": "DESC", "page": "0", "size": "100"}
            )
        ],
    )
    assert client.search_proposals().content == ()


def test_find_by_label_pages_and_keeps_exact_matches_only(client, rsps):
    first = [dict(SUMMARY, id=n) for n in range(100)]
    second = [dict(SUMMARY, id=100), dict(SUMMARY, id=101, label="ip-2026-000042")]
    for page, content in ((0, first), (1, second)):
        rsps.add(
            responses.GET,
            api("/proposals/search"),
            json={"content": content, "page": page, "size": 100, "totalElements": 102},
            match=[matchers.query_param_matcher({"page": str(page)}, strict_match=False)],
        )
    found = client.find_by_label("IP-2026-000042")
    assert len(found) == 101
    assert all(summary.label == "IP-2026-000042" for summary in found)
    assert "proposal-label=IP-2026-000042" in _sent(rsps).url


def test_find_by_label_with_no_hit(client, rsps):
    rsps.add(
        responses.GET,
        api("/proposals/search"),
        json={"content": [], "page": 0, "size": 100, "totalElements": 0},
    )
    assert client.find_by_label("IP-nothing") == []
    assert len(api_calls(rsps)) == 1


@pytest.mark.parametrize("etag", [ETAG, '"quoted"', 'W/"weak"'])
def test_a_change_sends_the_etag_unchanged_and_returns_the_new_one(client, rsps, etag):
    rsps.add(responses.PATCH, PROPOSAL_URL, json=PROPOSAL, headers=headers(etag=NEW_ETAG))
    proposal = client.update_proposal(7000123, etag=etag, changes={"label": "IP-2"})
    assert _sent(rsps).headers["If-Match"] == etag
    assert _body(_sent(rsps)) == {"label": "IP-2"}
    assert proposal.etag == NEW_ETAG


def test_replace_customer(client, rsps):
    rsps.add(responses.PUT, PROPOSAL_URL + "/customer", json=PROPOSAL, headers=headers())
    client.replace_customer(7000123, etag=ETAG, customer_manual={"companyName": "Hand Ltd"})
    assert _body(_sent(rsps)) == {"customerManual": {"companyName": "Hand Ltd"}}
    rsps.add(responses.PUT, PROPOSAL_URL + "/customer", json=PROPOSAL, headers=headers())
    client.replace_customer(7000123, etag=ETAG, customer={"registrationNumber": "01234567"})
    assert _body(_sent(rsps)) == {"customer": {"registrationNumber": "01234567"}}


@pytest.mark.parametrize("both", [True, False])
def test_replace_customer_needs_exactly_one(client, both):
    customer = {"registrationNumber": "1"} if both else None
    manual = {"companyName": "x"} if both else None
    with pytest.raises(ValueError):
        client.replace_customer(7000123, etag=ETAG, customer=customer, customer_manual=manual)


def test_asset_calls_return_the_new_etag(client, rsps):
    asset = {"id": 2, "assetIacCode": "ITE2201", "quantity": 1, "valuePerAsset": 99.99}
    url = PROPOSAL_URL + "/assets"
    rsps.add(responses.POST, url, json=asset, status=201, headers=headers(etag="v2"))
    rsps.add(responses.PUT, url + "/2", json=asset, headers=headers(etag="v3"))
    rsps.add(responses.DELETE, url + "/2", status=204, headers=headers(etag="v4"))

    added = client.add_asset(7000123, etag="v1", asset={"quantity": 1})
    assert added == AssetResult(etag="v2", asset_id=2)
    assert added.asset["valuePerAsset"] == Decimal("99.99")
    replaced = client.replace_asset(7000123, 2, etag="v2", asset={"quantity": 1})
    assert (replaced.etag, replaced.asset_id) == ("v3", 2)
    deleted = client.delete_asset(7000123, 2, etag="v3")
    assert deleted == AssetResult(etag="v4")
    assert deleted.asset is None
    assert [c.request.headers["If-Match"] for c in api_calls(rsps)] == ["v1", "v2", "v3"]
    assert api_calls(rsps)[-1].request.body is None


def test_calculate_stores_a_calculation(client, rsps):
    rsps.add(responses.POST, PROPOSAL_URL + "/calculation", json=PROPOSAL, headers=headers())
    calculation = {"sheet": {"term": 36}, "operation": "CALCULATE_INSTALMENT"}
    proposal = client.calculate(7000123, etag=ETAG, calculation=calculation)
    assert _body(_sent(rsps)) == calculation
    assert proposal.amount_financed == Decimal("13000.00")


def test_quote_by_office_and_amount(client, rsps):
    rsps.add(
        responses.POST,
        api("/calculation"),
        json={"result": PROPOSAL["calculation"]["result"]},
        match=[matchers.query_param_matcher({"office-id": "1001", "amount-financed": "13000.00"})],
    )
    result = client.quote(
        office_id=1001, amount_financed=Decimal("13000.00"), calculation={"sheet": {}}
    )
    assert result.instalment == Decimal("405.12")
    assert result.total_payable == Decimal("14584.32")
    assert "If-Match" not in _sent(rsps).headers


def test_quote_by_proposal(client, rsps):
    rsps.add(
        responses.POST,
        api("/calculation"),
        json={"result": PROPOSAL["calculation"]["result"]},
        match=[matchers.query_param_matcher({"proposal-id": "7000123"})],
    )
    assert client.quote(proposal_id=7000123, calculation={}).number_of_payments == 36


def test_quote_needs_an_office_and_amount_or_a_proposal(client):
    with pytest.raises(ValueError):
        client.quote(office_id=1001, calculation={})


def test_precheck(client, rsps):
    rsps.add(
        responses.GET,
        PROPOSAL_URL + "/decision/precheck",
        json={"requestAllowed": True, "cancelAllowed": True, "preconditionViolations": []},
    )
    assert client.precheck(7000123).request_allowed


def test_request_decision_sends_the_three_flags(client, rsps):
    answered = proposal_json(workflowStatus="DECISION_REQUESTED")
    answered["decision"]["decisionStatus"] = "PENDING"
    rsps.add(responses.POST, PROPOSAL_URL + "/decision", json=answered, headers=headers())
    proposal = client.request_decision(
        7000123, etag=ETAG, comment_to_risk_analyst="Long-standing customer", prelease=True
    )
    assert _body(_sent(rsps)) == {
        "commentToRiskAnalyst": "Long-standing customer",
        "siemensMayContactCustomer": False,
        "siemensMayRequestCreditData": False,
        "prelease": True,
    }
    assert proposal.decision_status is DecisionStatus.PENDING
    assert proposal.workflow_status is WorkflowStatus.DECISION_REQUESTED


def test_request_decision_leaves_out_an_absent_comment(client, rsps):
    rsps.add(responses.POST, PROPOSAL_URL + "/decision", json=PROPOSAL, headers=headers())
    client.request_decision(7000123, etag=ETAG, may_contact_customer=True)
    assert "commentToRiskAnalyst" not in _body(_sent(rsps))


def test_cancel(client, rsps):
    rsps.add(
        responses.POST,
        PROPOSAL_URL + "/cancel",
        json=proposal_json(workflowStatus="CANCELLED"),
        headers=headers(etag=NEW_ETAG),
    )
    proposal = client.cancel(7000123, etag=ETAG)
    assert proposal.workflow_status is WorkflowStatus.CANCELLED
    assert _sent(rsps).headers["If-Match"] == ETAG
    assert _body(_sent(rsps)) == {}


def test_a_client_for_a_named_environment():
    client = SieSmartClient.for_environment(
        "sfs_test",
        client_id="id",
        client_secret="secret-value",
        credential_key="credential:2",
        token_store=MemoryTokenStore(),
        limiter=MemoryLimiter(),
        recorder=MemoryRecorder(),
    )
    assert client.api_url == ENVIRONMENTS["sfs_test"].api_url
    assert client.credential_key == "credential:2"
    assert "secret-value" not in repr(client)
