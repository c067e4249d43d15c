"""Answers become typed values; a surprising answer is a MalformedResponseError, never a crash."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from proposals.siesmart import (
    CalculationConfig,
    DecisionStatus,
    MalformedResponseError,
    Precheck,
    Proposal,
    ProposalSummary,
    SearchPage,
    WorkflowStatus,
    is_open,
    same_version,
)
from proposals.siesmart.jsonio import decode

from .helpers import (
    CALCULATION_CONFIG,
    ETAG,
    PROPOSAL,
    SUMMARY,
    TRACE,
    add_token,
    api,
    headers,
    proposal_json,
)

PROPOSAL_URL = api("/proposals/7000123")


def _get_answering(client, rsps, **answer):
    add_token(rsps)
    rsps.add(responses.GET, PROPOSAL_URL, **answer)
    return client.get_proposal(7000123)


def test_a_proposal_is_read_with_money_as_decimal(client, rsps):
    proposal = _get_answering(client, rsps, body=json.dumps(PROPOSAL), headers=headers())
    assert proposal.id == 7000123
    assert proposal.label == "IP-2026-000042"
    assert proposal.office_id == 1001
    assert proposal.sales_contact_id == 23076571
    assert proposal.workflow_status is WorkflowStatus.DRAFT
    assert proposal.decision.decision_status is DecisionStatus.NOT_AVAILABLE
    assert proposal.amount_financed == Decimal("13000.00")
    assert isinstance(proposal.amount_financed, Decimal)
    assert proposal.calculation_result.instalment == Decimal("405.12")
    assert proposal.calculation_result.number_of_payments == 36
    assert proposal.customer_name == "Example Tools Ltd"
    assert proposal.created == datetime(2026, 11, 28, 6, 5, 21, 123000, tzinfo=UTC)
    assert proposal.asset_ids == (1,)
    assert proposal.raw["assets"][0]["valuePerAsset"] == Decimal("1450.0")
    assert proposal.etag == ETAG


def test_money_keeps_every_decimal_digit():
    body = decode(b'{"a": 0.1, "b": 14584.32, "c": 100}')
    assert body == {"a": Decimal("0.1"), "b": Decimal("14584.32"), "c": 100}


@pytest.mark.parametrize("etag", ['"2026-11-28T06:05:21.123Z"', 'W/"abc"', "opaque value"])
def test_the_etag_is_kept_exactly_as_received(client, rsps, etag):
    proposal = _get_answering(client, rsps, json=PROPOSAL, headers=headers(etag=etag))
    assert proposal.etag == etag


def test_a_proposal_without_an_etag_header_has_none(client, rsps):
    assert _get_answering(client, rsps, json=PROPOSAL, headers=headers(etag=None)).etag is None


def test_a_manual_customer_gives_the_customer_name():
    body = proposal_json(customer=None, customerManual={"companyName": "Hand Typed Ltd"})
    assert Proposal.from_json(body).customer_name == "Hand Typed Ltd"


def test_a_proposal_without_calculation_or_decision_is_read():
    body = proposal_json(calculation=None)
    del body["decision"]
    proposal = Proposal.from_json(body)
    assert proposal.amount_financed is None and proposal.calculation_result is None
    assert proposal.decision.decision_status == DecisionStatus.NOT_AVAILABLE


def test_unknown_enum_values_are_kept_as_strings():
    body = proposal_json(workflowStatus="ON_HOLD")
    body["decision"]["decisionStatus"] = "REFERRED"
    proposal = Proposal.from_json(body)
    assert proposal.workflow_status == "ON_HOLD"
    assert not isinstance(proposal.workflow_status, WorkflowStatus)
    assert proposal.decision_status == "REFERRED"
    assert is_open(proposal.workflow_status)  # unknown: keep polling


def test_a_decision_is_read():
    body = proposal_json(workflowStatus="ACCEPTED")
    body["decision"].update(
        decisionStatus="ACCEPTED",
        decisionDate="2026-11-28T06:10:00.000Z",
        decisionValidUntilDate="2027-02-26T06:10:00.000Z",
        condition="A director's guarantee",
        siemensMayContactCustomer=True,
    )
    decision = Proposal.from_json(body).decision
    assert decision.decision_status is DecisionStatus.ACCEPTED
    assert decision.valid_until_date.year == 2027
    assert decision.condition == "A director's guarantee"
    assert decision.may_contact_customer is True


def test_an_unreadable_timestamp_is_none_not_a_crash():
    proposal = Proposal.from_json(proposal_json(created="last Tuesday"))
    assert proposal.created is None
    assert proposal.raw["created"] == "last Tuesday"


# -- malformed answers through the client ----------------------------------------------------------


def test_a_body_that_is_not_json_is_malformed(client, rsps):
    with pytest.raises(MalformedResponseError) as caught:
        _get_answering(client, rsps, body="this is not json", headers=headers())
    error = caught.value
    assert error.status == 200
    assert error.trace_id == TRACE
    assert "not JSON" in error.message
    assert error.body == "this is not json"


def test_an_html_502_is_a_server_error_with_its_trace_id(client, rsps, sleeps):
    add_token(rsps)
    for _ in range(3):
        rsps.add(
            responses.GET,
            PROPOSAL_URL,
            body="<html><body>Bad gateway</body></html>",
            status=502,
            content_type="text/html",
            headers={"X-B2B-TRACE-ID": TRACE},
        )
    from proposals.siesmart import ServerError

    with pytest.raises(ServerError) as caught:
        client.get_proposal(7000123)
    assert caught.value.status == 502
    assert caught.value.code == "HTTP_502"
    assert caught.value.trace_id == TRACE
    assert "Bad gateway" in caught.value.body


def test_an_array_instead_of_an_object_is_malformed(client, rsps):
    with pytest.raises(MalformedResponseError, match="expected an object"):
        _get_answering(client, rsps, json=[PROPOSAL], headers=headers())


def test_an_object_instead_of_a_list_is_malformed(client, rsps):
    add_token(rsps)
    rsps.add(responses.GET, api("/common/offices"), json={"id": 1})
    with pytest.raises(MalformedResponseError, match="expected a list"):
        client.list_offices()


def test_a_paged_wrapper_around_a_list_is_tolerated(client, rsps):
    add_token(rsps)
    rsps.add(responses.GET, api("/common/titles"), json={"content": [{"id": 1, "name": "Mr"}]})
    assert [title.name for title in client.list_titles()] == ["Mr"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"id": None}, "lacks the field 'id'"),
        ({"id": "7000123"}, "'id' is str"),
        ({"id": True}, "'id' is a boolean"),
        ({"officeId": 10.5}, "'officeId' is Decimal"),
        ({"workflowStatus": 3}, "'workflowStatus' is int"),
        ({"decision": "ACCEPTED"}, "expected an object"),
        ({"assets": {"id": 1}}, "expected a list"),
    ],
)
def test_missing_fields_and_wrong_types_are_malformed(client, rsps, change, problem):
    body = proposal_json(**change)
    with pytest.raises(MalformedResponseError, match=problem):
        _get_answering(client, rsps, json=body, headers=headers())


@pytest.mark.parametrize("amount", ["much", True, {"value": 1}, "NaN"])
def test_money_of_the_wrong_type_is_malformed(amount):
    body = proposal_json()
    body["calculation"]["result"]["amountFinanced"] = amount
    with pytest.raises(MalformedResponseError, match="amountFinanced"):
        Proposal.from_json(body)


def test_money_as_a_numeric_string_is_tolerated():
    body = proposal_json()
    body["calculation"]["result"]["amountFinanced"] = "13000.00"
    assert Proposal.from_json(body).amount_financed == Decimal("13000.00")


def test_a_malformed_created_proposal_has_an_unknown_outcome(client, rsps):
    add_token(rsps)
    rsps.add(responses.POST, api("/proposals"), body="{", status=201, headers=headers())
    with pytest.raises(MalformedResponseError) as caught:
        client.create_proposal({"officeId": 1001})
    assert caught.value.outcome_unknown  # it was created; we cannot tell its id


proposal_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(
    changes=st.dictionaries(
        st.sampled_from(sorted(PROPOSAL)),
        proposal_like,
        max_size=4,
    )
)
def test_any_mangled_proposal_parses_or_is_malformed_never_crashes(changes):
    body = copy.deepcopy(PROPOSAL)
    body.update(changes)
    with contextlib.suppress(MalformedResponseError):
        Proposal.from_json(body)


@settings(max_examples=200, deadline=None)
@given(data=proposal_like)
def test_any_json_value_parses_or_is_malformed_for_every_type(data):
    for parse in (
        Proposal.from_json,
        ProposalSummary.from_json,
        SearchPage.from_json,
        Precheck.from_json,
        CalculationConfig.from_json,
    ):
        with contextlib.suppress(MalformedResponseError):
            parse(data)


# -- the other answers -----------------------------------------------------------------------------


def test_a_calculation_config_is_read_with_decimal_money():
    config = CalculationConfig.from_json(CALCULATION_CONFIG)
    assert config.office_id == 1001
    assert config.market_products[0].asset_product is True
    assert config.special_payment_types[0].down_payment_type is True
    pricelist = config.pricelist(501)
    assert pricelist.min_amount_financed == Decimal("1000.00")
    assert pricelist.max_amount_financed == Decimal("250000")
    assert isinstance(pricelist.max_amount_financed, Decimal)
    assert pricelist.max_down_payment_percent == Decimal(30)
    assert (pricelist.min_term, pricelist.max_term, pricelist.term_step) == (12, 60, 12)
    assert pricelist.payment_periods == ("MONTHLY", "QUARTERLY")
    assert pricelist.iac_codes == ("ITE", "OFF")
    assert config.pricelist(999) is None


def test_an_unknown_payment_period_in_a_pricelist_is_kept():
    body = copy.deepcopy(CALCULATION_CONFIG)
    body["introducerPricelists"][0]["paymentPeriods"] = ["MONTHLY", "FORTNIGHTLY"]
    pricelist = CalculationConfig.from_json(body).pricelists[0]
    assert pricelist.payment_periods == ("MONTHLY", "FORTNIGHTLY")


def test_a_pricelist_without_its_term_range_is_malformed():
    body = copy.deepcopy(CALCULATION_CONFIG)
    del body["introducerPricelists"][0]["maxTerm"]
    with pytest.raises(MalformedResponseError, match="maxTerm"):
        CalculationConfig.from_json(body)


def test_a_search_page_is_read():
    page = SearchPage.from_json({"content": [SUMMARY], "page": 0, "size": 100, "totalElements": 1})
    summary = page.content[0]
    assert summary.workflow_status is WorkflowStatus.DECISION_REQUESTED
    assert summary.decision_status is DecisionStatus.PENDING
    assert summary.amount_financed == Decimal("13000.0")
    assert summary.updated_raw == "2026-11-28T06:07:00.001Z"
    assert page.is_last and page.total_elements == 1


def test_a_search_page_says_when_more_pages_follow():
    page = SearchPage.from_json(
        {"content": [SUMMARY] * 2, "page": 0, "size": 2, "totalElements": 5}
    )
    assert not page.is_last


def test_a_search_answer_without_total_is_malformed():
    with pytest.raises(MalformedResponseError, match="totalElements"):
        SearchPage.from_json({"content": []})


def test_same_version_compares_an_etag_with_a_summary():
    updated = "2026-11-28T06:07:00.001Z"
    assert same_version(updated, updated)
    assert same_version(f'"{updated}"', updated)
    assert same_version(f'W/"{updated}"', updated)
    assert same_version("2026-11-28T06:07:00.001+00:00", updated)
    assert not same_version("2026-11-28T06:07:00.002Z", updated)
    assert not same_version(None, updated)
    assert not same_version("opaque", updated)
    summary = ProposalSummary.from_json(SUMMARY)
    assert summary.is_newer_than(ETAG)
    assert not summary.is_newer_than(updated)


def test_a_precheck_is_read():
    precheck = Precheck.from_json(
        {
            "requestAllowed": False,
            "cancelAllowed": True,
            "preconditionViolations": [
                {"code": "CUSTOMER_MISSING", "userMessage": "Add the customer."},
                {"code": "SOMETHING_NEW", "userMessage": "New rule."},
            ],
        }
    )
    assert precheck.request_allowed is False and precheck.cancel_allowed is True
    assert [v.code for v in precheck.violations] == ["CUSTOMER_MISSING", "SOMETHING_NEW"]
    assert precheck.violations[0].field is None
    assert precheck.violations[0].user_message == "Add the customer."


def test_a_precheck_with_a_string_boolean_is_malformed():
    with pytest.raises(MalformedResponseError, match="requestAllowed"):
        Precheck.from_json({"requestAllowed": "yes", "cancelAllowed": True})
