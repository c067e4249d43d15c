"""CONTRACT.md 6.12 item 2: subscribing a proposal to an event type, and unsubscribing, over HTTP
on the shared sandbox.
"""

import uuid

import pytest

from tests.sandbox.helpers import assert_error, violations

ENDPOINTS = "/notification-endpoints"
LOCAL = "http://127.0.0.1:8999/hooks/sfs"

pytestmark = pytest.mark.usefixtures("no_endpoints")


def subscriptions(proposal_id) -> str:
    return f"/proposals/{proposal_id}/subscriptions"


@pytest.fixture
def registered(api):
    assert api.post(ENDPOINTS, json={"basePath": LOCAL}).status_code == 200
    return api


def subscribe(api, proposal_id, event_type="DECISION_RECEIVED") -> str:
    response = api.post(subscriptions(proposal_id), json={"eventType": event_type})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    value = response.json()
    assert isinstance(value, str)
    assert str(uuid.UUID(value)) == value
    return value


def test_subscribing_answers_a_uuid_as_a_json_string_the_same_for_the_same_pair(registered):
    proposal, _ = registered.create()
    first = subscribe(registered, proposal["id"], "DECISION_RECEIVED")
    again = subscribe(registered, proposal["id"], "DECISION_RECEIVED")
    status = subscribe(registered, proposal["id"], "CREDIT_STATUS_CHANGED")
    assert again == first
    assert status != first
    other, _ = registered.create()
    assert subscribe(registered, other["id"], "DECISION_RECEIVED") not in (first, status)


def test_needs_no_if_match_and_leaves_the_etag_alone(registered):
    proposal, etag = registered.create()
    response = registered.post(
        subscriptions(proposal["id"]), json={"eventType": "CREDIT_STATUS_CHANGED"}
    )
    assert response.status_code == 200, response.text
    assert "ETag" not in response.headers
    assert registered.fetch(proposal["id"])[1] == etag


def test_without_an_endpoint_subscribing_is_invalid_state(api):
    proposal, _ = api.create()
    response = api.post(subscriptions(proposal["id"]), json={"eventType": "DECISION_RECEIVED"})
    assert_error(response, 409, "INVALID_STATE")


def test_allowed_in_every_state(registered):
    proposal, etag = registered.create()
    cancelled = registered.change("POST", f"/proposals/{proposal['id']}/cancel", etag)
    assert cancelled.json()["workflowStatus"] == "CANCELLED"
    subscribe(registered, proposal["id"], "CREDIT_STATUS_CHANGED")


def test_unsubscribe_answers_204_then_the_subscription_is_unknown(registered):
    proposal, etag = registered.create()
    subscription = subscribe(registered, proposal["id"])
    response = registered.delete(f"{subscriptions(proposal['id'])}/{subscription}")
    assert response.status_code == 204
    assert response.content == b""
    again = registered.delete(f"{subscriptions(proposal['id'])}/{subscription}")
    assert_error(again, 404, "NOT_FOUND")
    assert subscribe(registered, proposal["id"]) != subscription
    assert registered.fetch(proposal["id"])[1] == etag


def test_unsubscribing_through_another_proposal_is_404(registered):
    first, _ = registered.create()
    second, _ = registered.create()
    subscription = subscribe(registered, first["id"])
    response = registered.delete(f"{subscriptions(second['id'])}/{subscription}")
    assert_error(response, 404, "NOT_FOUND")
    response = registered.delete(f"{subscriptions(first['id'])}/not-a-uuid")
    assert_error(response, 404, "NOT_FOUND")


def test_deleting_the_endpoint_ends_every_subscription(registered):
    proposal, _ = registered.create()
    subscription = subscribe(registered, proposal["id"])
    assert registered.delete(ENDPOINTS).status_code == 204
    response = registered.delete(f"{subscriptions(proposal['id'])}/{subscription}")
    assert_error(response, 409, "INVALID_STATE")
    registered.post(ENDPOINTS, json={"basePath": LOCAL})
    response = registered.delete(f"{subscriptions(proposal['id'])}/{subscription}")
    assert_error(response, 404, "NOT_FOUND")
    assert subscribe(registered, proposal["id"]) != subscription


def test_unknown_and_foreign_proposals(registered, other_api):
    body = {"eventType": "DECISION_RECEIVED"}
    assert_error(registered.post(subscriptions(99999999), json=body), 404, "NOT_FOUND")
    proposal, _ = registered.create()
    subscription = subscribe(registered, proposal["id"])
    other_api.post(ENDPOINTS, json={"basePath": LOCAL})
    assert_error(other_api.post(subscriptions(proposal["id"]), json=body), 403, "FORBIDDEN")
    response = other_api.delete(f"{subscriptions(proposal['id'])}/{subscription}")
    assert_error(response, 403, "FORBIDDEN")


def test_the_proposal_is_checked_before_the_endpoint(api):
    # Order of checks (CONTRACT.md section 3): 404 comes before the state's 409.
    response = api.post(subscriptions(99999999), json={"eventType": "DECISION_RECEIVED"})
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"eventType": "PROPOSAL_CHANGED"}, [("eventType", "INVALID_VALUE")]),
        ({}, [("eventType", "REQUIRED")]),
        ({"eventType": 3}, [("eventType", "WRONG_TYPE")]),
        (
            {"eventType": "DECISION_RECEIVED", "url": "x"},
            [("url", "UNKNOWN_FIELD")],
        ),
    ],
)
def test_body_problems(registered, body, expected):
    proposal, _ = registered.create()
    assert violations(registered.post(subscriptions(proposal["id"]), json=body)) == expected


def test_counted_and_limited_like_any_api_call(sandbox, registered, restore_settings):
    proposal, _ = registered.create()
    before = sandbox.stats()["requests"]["byEndpoint"]
    subscription = subscribe(registered, proposal["id"])
    registered.delete(f"{subscriptions(proposal['id'])}/{subscription}")
    after = sandbox.stats()["requests"]["byEndpoint"]
    for key in (
        "POST /proposals/{id}/subscriptions",
        "DELETE /proposals/{id}/subscriptions/{subscription-id}",
    ):
        assert after.get(key, 0) == before.get(key, 0) + 1, key
    sandbox.set_settings(rateLimitPerMinute=1)
    body = {"eventType": "DECISION_RECEIVED"}
    answers = [registered.post(subscriptions(proposal["id"]), json=body) for _ in range(2)]
    assert_error(answers[-1], 429, "RATE_LIMITED")
