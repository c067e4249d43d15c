"""The one place for codes and the one place for paths."""

from __future__ import annotations

import pytest

from proposals.siesmart import endpoints
from proposals.siesmart.enums import (
    CANCELLABLE_WORKFLOW_STATUSES,
    CHANGEABLE_WORKFLOW_STATUSES,
    FINAL_WORKFLOW_STATUSES,
    CompanyType,
    DecisionStatus,
    ErrorCode,
    Lane,
    PaymentPeriod,
    PrecheckCode,
    ViolationCode,
    WorkflowStatus,
    awaits_decision,
    is_final,
    is_open,
    months_per_period,
)


def test_parse_returns_the_member_for_a_known_value():
    assert WorkflowStatus.parse("ACCEPTED") is WorkflowStatus.ACCEPTED
    assert ErrorCode.parse("ETAG_MISMATCH") is ErrorCode.ETAG_MISMATCH


def test_parse_keeps_an_unknown_value_as_a_plain_string(caplog):
    value = WorkflowStatus.parse("NEW_THING")
    assert value == "NEW_THING"
    assert type(value) is str
    assert "NEW_THING" in caplog.text
    assert WorkflowStatus.parse(None) is None


def test_enums_compare_with_plain_strings():
    assert WorkflowStatus.ACCEPTED == "ACCEPTED"
    assert DecisionStatus.ACCEPTED == WorkflowStatus.ACCEPTED  # a decision becomes the status
    assert "ACCEPTED" in FINAL_WORKFLOW_STATUSES


@pytest.mark.parametrize(
    ("status", "final"),
    [
        ("DRAFT", False),
        ("DECISION_REQUESTED", False),
        ("MORE_INFORMATION", False),
        ("ACCEPTED", True),
        ("DECLINED", True),
        ("CANCELLED", True),
        ("SOMETHING_NEW", False),
    ],
)
def test_final_and_open(status, final):
    assert is_final(status) is final
    assert is_open(status) is not final


def test_nothing_is_open_without_a_status():
    assert not is_open(None)


def test_what_each_state_allows():
    assert {"DRAFT", "MORE_INFORMATION"} == CHANGEABLE_WORKFLOW_STATUSES
    assert "ACCEPTED" in CANCELLABLE_WORKFLOW_STATUSES
    assert "DECLINED" not in CANCELLABLE_WORKFLOW_STATUSES
    assert awaits_decision("DECISION_REQUESTED")
    assert awaits_decision("MORE_INFORMATION", "PENDING")
    assert not awaits_decision("DRAFT", "NOT_AVAILABLE")


def test_payment_periods_know_their_months():
    assert [p.months for p in PaymentPeriod] == [1, 3, 6, 12]
    assert PaymentPeriod.QUARTERLY.payments_per_year == 4
    assert months_per_period("SEMI_ANNUALLY") == 6
    assert months_per_period("FORTNIGHTLY") is None


def test_precheck_codes_are_violation_codes():
    for code in PrecheckCode:
        assert ViolationCode(code.value) == code


def test_lanes_and_company_types():
    assert (Lane.INTERACTIVE, Lane.BACKGROUND) == ("interactive", "background")
    assert CompanyType.parse("SOLE_TRADER") is CompanyType.SOLE_TRADER


def test_environments_hold_api_and_token_urls():
    assert set(endpoints.ENVIRONMENTS) == {"sandbox", "sfs_test", "sfs_production"}
    api_url, token_url = endpoints.ENVIRONMENTS["sandbox"]
    assert api_url == "http://127.0.0.1:8765/siesmart/b2b/v1"
    assert token_url == "http://127.0.0.1:8765/oauth/token"
    assert endpoints.ENVIRONMENTS["sfs_production"].api_url.startswith("https://api.sfs.")
    assert endpoints.AUDIENCE == "https://api.siesmart.com/b2b"


def test_path_builders():
    assert endpoints.proposal(7) == "/proposals/7"
    assert endpoints.proposal_asset(7, 3) == "/proposals/7/assets/3"
    assert endpoints.proposal_precheck(7) == "/proposals/7/decision/precheck"
    assert endpoints.proposal_decision(7) == "/proposals/7/decision"
    assert endpoints.proposal_cancel(7) == "/proposals/7/cancel"
    assert endpoints.proposal_customer(7) == "/proposals/7/customer"
    assert endpoints.proposal_calculation(7) == "/proposals/7/calculation"


def test_an_id_can_never_change_the_path():
    assert endpoints.proposal("1/../../common") == "/proposals/1%2F..%2F..%2Fcommon"


def test_search_parameter_names():
    assert endpoints.search_param_name("label") == "proposal-label"
    assert endpoints.search_param_name("sales_contact_id") == "sales-contact-id"
    assert endpoints.search_param_name("something_new") == "something-new"
