"""CONTRACT.md 6.12 item 3 and section 7: the sandbox POSTs notifications to a real receiver on
127.0.0.1 (a thread of this test process), retries them, and faults lose, duplicate and delay them.

The sandbox here is a process of its own: these tests reset its statistics and set faults.
"""

import re
import time
import uuid
from collections import Counter

import pytest

from sandbox.notification_delivery import RETRY_DELAYS, loopback_problem, retry_delay
from tests.sandbox.helpers import Api, unique_label, wait_for
from tests.support.sandbox_server import SandboxProcess

ENDPOINTS = "/notification-endpoints"
KEY = "hook-key-123"
QUIET = 0.6  # how long "nothing more arrives" is watched for


@pytest.fixture(scope="module")
def own():
    with SandboxProcess(rate_limit=0, decision_delay=0.2) as sandbox:
        yield sandbox


@pytest.fixture
def client(own):
    own.set_faults()
    with Api(own, own.token()) as api:
        api.delete(ENDPOINTS)
        own.reset_stats()
        yield api
        # Deleting the endpoint ends every delivery still under way: the next test starts clean.
        api.delete(ENDPOINTS)
    own.set_faults()


def register(client, receiver, api_key=KEY):
    body = {"basePath": receiver.base_path}
    if api_key is not None:
        body["apiKey"] = api_key
    response = client.post(ENDPOINTS, json=body)
    assert response.status_code == 200, response.text


def subscribe(client, proposal_id, *event_types) -> dict:
    ids = {}
    for event_type in event_types:
        response = client.post(
            f"/proposals/{proposal_id}/subscriptions", json={"eventType": event_type}
        )
        assert response.status_code == 200, response.text
        ids[event_type] = response.json()
    return ids


def decide(own, proposal_id, status="ACCEPTED"):
    own.control("POST", f"/__sandbox__/proposals/{proposal_id}/decide", {"decisionStatus": status})


def delivery_log(own) -> list[dict]:
    return own.control("GET", "/__sandbox__/notifications")


def counts(own) -> dict:
    return own.stats()["notifications"]


def test_a_decision_request_and_its_outcome_are_posted_as_documented(own, client, receiver):
    register(client, receiver)
    proposal, etag = client.create(label=unique_label())
    ids = subscribe(client, proposal["id"], "DECISION_RECEIVED", "CREDIT_STATUS_CHANGED")
    assert client.request_decision(proposal["id"], etag).status_code == 200
    received = receiver.wait_for(3)
    time.sleep(QUIET)
    assert len(receiver.received) == 3
    decided, decided_etag = client.fetch(proposal["id"])
    assert decided["decision"]["decisionStatus"] == "ACCEPTED"
    bodies = [request["body"] for request in received]
    # Requested: the status changed; decided: the decision came and the status changed again.
    assert Counter(body["eventType"] for body in bodies) == {
        "CREDIT_STATUS_CHANGED": 2,
        "DECISION_RECEIVED": 1,
    }
    for request in received:
        body = request["body"]
        assert request["path"] == "/hooks/sfs/notifications"
        assert request["headers"]["Content-Type"] == "application/json"
        assert request["headers"]["X-API-KEY"] == KEY
        uuid.UUID(request["headers"]["X-B2B-TRACE-ID"])
        assert set(body) == {
            "notificationId",
            "subscriptionId",
            "eventType",
            "proposalId",
            "occurred",
        }
        uuid.UUID(body["notificationId"])
        assert body["subscriptionId"] == ids[body["eventType"]]
        assert body["proposalId"] == proposal["id"]
    assert len({body["notificationId"] for body in bodies}) == 3
    outcome = next(body for body in bodies if body["eventType"] == "DECISION_RECEIVED")
    # The version the decision made; a later timer (a document's review) may bump it again.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", outcome["occurred"])
    assert etag < outcome["occurred"] <= decided_etag
    assert wait_for(lambda: counts(own)["delivered"] == 3)
    assert counts(own) == {"sent": 3, "delivered": 3, "failed": 0}
    log = delivery_log(own)
    assert len(log) == 3
    for entry in log:
        assert entry["url"] == receiver.base_path + "/notifications"
        assert (entry["attempts"], entry["lastStatus"], entry["delivered"]) == (1, 200, True)
        assert entry["proposalId"] == proposal["id"]


def test_no_api_key_header_without_a_key(own, client, receiver):
    register(client, receiver, api_key=None)
    proposal, _ = client.create()
    subscribe(client, proposal["id"], "DECISION_RECEIVED")
    decide(own, proposal["id"], "DECLINED")
    (request,) = receiver.wait_for(1)
    assert "X-API-KEY" not in request["headers"]
    assert request["body"]["eventType"] == "DECISION_RECEIVED"


def test_only_subscribed_pairs_are_notified(own, client, receiver):
    register(client, receiver)
    watched, _ = client.create()
    unwatched, _ = client.create()
    subscribe(client, watched["id"], "DECISION_RECEIVED")
    decide(own, unwatched["id"], "ACCEPTED")
    decide(own, watched["id"], "MORE_INFORMATION")
    receiver.wait_for(1)
    time.sleep(QUIET)
    assert [(b["proposalId"], b["eventType"]) for b in receiver.bodies()] == [
        (watched["id"], "DECISION_RECEIVED")
    ]
    assert [(e["proposalId"], e["eventType"]) for e in delivery_log(own)] == [
        (watched["id"], "DECISION_RECEIVED")
    ]


def test_a_cancel_changes_the_status_but_receives_no_decision(own, client, receiver):
    register(client, receiver)
    own.set_settings(decisionDelaySeconds=60)
    try:
        proposal, etag = client.create()
        subscribe(client, proposal["id"], "DECISION_RECEIVED", "CREDIT_STATUS_CHANGED")
        etag = client.request_decision(proposal["id"], etag).headers["ETag"]
        cancel = client.change("POST", f"/proposals/{proposal['id']}/cancel", etag)
        assert cancel.json()["decision"]["decisionStatus"] == "NOT_AVAILABLE"
    finally:
        own.set_settings(decisionDelaySeconds=0.2)
    receiver.wait_for(2)
    time.sleep(QUIET)
    assert [body["eventType"] for body in receiver.bodies()] == ["CREDIT_STATUS_CHANGED"] * 2


def test_an_activation_changes_the_credit_status_only(own, client, receiver):
    register(client, receiver)
    proposal, _ = client.create()
    decide(own, proposal["id"], "ACCEPTED")
    subscribe(client, proposal["id"], "DECISION_RECEIVED", "CREDIT_STATUS_CHANGED")
    own.control("POST", f"/__sandbox__/proposals/{proposal['id']}/activate", {})
    receiver.wait_for(1)
    time.sleep(QUIET)
    assert [body["eventType"] for body in receiver.bodies()] == ["CREDIT_STATUS_CHANGED"]


def test_unsubscribed_and_unregistered_pairs_are_not_notified(own, client, receiver):
    register(client, receiver)
    first, _ = client.create()
    second, _ = client.create()
    ids = subscribe(client, first["id"], "DECISION_RECEIVED")
    subscribe(client, second["id"], "DECISION_RECEIVED")
    unsubscribed = client.delete(
        f"/proposals/{first['id']}/subscriptions/{ids['DECISION_RECEIVED']}"
    )
    assert unsubscribed.status_code == 204
    decide(own, first["id"])
    assert client.delete(ENDPOINTS).status_code == 204
    register(client, receiver)  # the old subscriptions died with the old endpoint
    decide(own, second["id"])
    time.sleep(QUIET)
    assert receiver.received == []
    assert delivery_log(own) == []


def test_failed_attempts_are_retried_after_1_then_5_seconds(own, client, receiver):
    register(client, receiver)
    receiver.answers = [(500, 0.0), (503, 0.0)]  # then 200
    proposal, _ = client.create()
    subscribe(client, proposal["id"], "DECISION_RECEIVED")
    decide(own, proposal["id"])
    first, second, third = receiver.wait_for(3, timeout=10)
    assert 0.9 <= second["at"] - first["at"] <= 1.8
    assert 4.9 <= third["at"] - second["at"] <= 5.8
    assert first["body"] == second["body"] == third["body"]
    # Each attempt is a request of its own, with its own trace id.
    traces = {request["headers"]["X-B2B-TRACE-ID"] for request in (first, second, third)}
    assert len(traces) == 3
    wait_for(lambda: delivery_log(own)[0]["delivered"])
    (entry,) = delivery_log(own)
    assert (entry["attempts"], entry["lastStatus"], entry["delivered"]) == (3, 200, True)
    assert counts(own) == {"sent": 3, "delivered": 1, "failed": 0}


def test_a_late_answer_or_a_redirect_is_not_delivered(own, client, receiver):
    register(client, receiver)
    # 6 s is past the 5 s the sandbox waits; a redirect is never followed.
    receiver.answers = [(200, 6.0), (302, 0.0)]
    proposal, etag = client.create()
    subscribe(client, proposal["id"], "DECISION_RECEIVED")
    started = time.monotonic()
    decide(own, proposal["id"])
    # The receiver hangs, yet the sandbox answers the API at once.
    assert client.get(f"/proposals/{proposal['id']}").status_code == 200
    assert time.monotonic() - started < 2.0
    requests_seen = receiver.wait_for(3, timeout=15)
    assert [request["path"] for request in requests_seen] == ["/hooks/sfs/notifications"] * 3
    wait_for(lambda: delivery_log(own)[0]["delivered"], timeout=3)
    (entry,) = delivery_log(own)
    assert entry["attempts"] == 3
    assert counts(own) == {"sent": 3, "delivered": 1, "failed": 0}


def test_a_retry_goes_to_the_endpoint_as_changed(own, client, receiver):
    register(client, receiver)
    receiver.answers = [(500, 0.0)]
    proposal, _ = client.create()
    subscribe(client, proposal["id"], "CREDIT_STATUS_CHANGED")
    decide(own, proposal["id"])
    receiver.wait_for(1)
    moved = receiver.base_path.replace("/hooks/sfs", "/moved")
    assert client.put(ENDPOINTS, json={"basePath": moved, "apiKey": "new"}).status_code == 200
    _, retry = receiver.wait_for(2, timeout=5)
    assert retry["path"] == "/moved/notifications"
    assert retry["headers"]["X-API-KEY"] == "new"


def test_a_wiped_proposal_is_not_notified_again(own, client, receiver):
    register(client, receiver)
    receiver.answers = [(500, 0.0)] * 5
    proposal, _ = client.create()
    subscription = subscribe(client, proposal["id"], "DECISION_RECEIVED")["DECISION_RECEIVED"]
    decide(own, proposal["id"])
    receiver.wait_for(1)
    own.wipe()
    time.sleep(RETRY_DELAYS[0] + QUIET)
    assert len(receiver.received) == 1
    response = client.delete(f"/proposals/{proposal['id']}/subscriptions/{subscription}")
    assert response.status_code == 404


def test_the_loss_fault_never_sends(own, client, receiver):
    register(client, receiver)
    own.set_faults(notificationLossRate=1.0)
    proposal, _ = client.create()
    subscribe(client, proposal["id"], "DECISION_RECEIVED")
    decide(own, proposal["id"])
    time.sleep(QUIET)
    assert receiver.received == []
    (entry,) = delivery_log(own)
    assert (entry["attempts"], entry["lastStatus"], entry["delivered"]) == (0, None, False)
    assert counts(own) == {"sent": 0, "delivered": 0, "failed": 0}


def test_the_duplicate_fault_sends_the_same_notification_twice(own, client, receiver):
    register(client, receiver)
    own.set_faults(notificationDuplicateRate=1.0)
    proposal, _ = client.create()
    subscribe(client, proposal["id"], "DECISION_RECEIVED")
    decide(own, proposal["id"])
    first, second = receiver.wait_for(2)
    time.sleep(QUIET)
    assert len(receiver.received) == 2
    assert first["body"] == second["body"]
    assert wait_for(lambda: counts(own)["delivered"] == 2)
    assert [entry["notificationId"] for entry in delivery_log(own)] == [
        first["body"]["notificationId"]
    ] * 2


def test_the_delay_fault_spreads_and_reorders_deliveries(own, client, receiver):
    register(client, receiver)
    own.set_faults(notificationDelaySeconds=3)
    proposals = [client.create()[0]["id"] for _ in range(8)]
    for proposal_id in proposals:
        subscribe(client, proposal_id, "DECISION_RECEIVED")
    started = time.monotonic()
    for proposal_id in proposals:
        decide(own, proposal_id)
    received = receiver.wait_for(8, timeout=8)
    arrival = [request["body"]["proposalId"] for request in received]
    assert sorted(arrival) == sorted(proposals)
    assert arrival != proposals  # 8 random delays keep their order once in 40,320 runs
    assert max(request["at"] for request in received) - started > 0.5
    assert max(request["at"] for request in received) - started < 4.5


def test_reset_zeroes_the_counts_and_empties_the_log(own, client, receiver):
    register(client, receiver)
    proposal, _ = client.create()
    subscribe(client, proposal["id"], "DECISION_RECEIVED")
    decide(own, proposal["id"])
    receiver.wait_for(1)
    wait_for(lambda: counts(own)["sent"] == 1)
    zero = own.reset_stats()
    assert zero["notifications"] == {"sent": 0, "delivered": 0, "failed": 0}
    assert delivery_log(own) == []


def test_the_retry_schedule_is_1_5_25_125_seconds_then_a_drop():
    assert [retry_delay(attempt) for attempt in range(1, 6)] == [1.0, 5.0, 25.0, 125.0, None]
    assert sum(RETRY_DELAYS) == 156.0


def test_the_sender_itself_refuses_any_host_off_the_machine():
    # post_json checks each URL again before it dials, behind the registration's check.
    assert loopback_problem("http://127.0.0.1:1/x") is None
    assert loopback_problem("http://[::1]:1/x") is None
    assert loopback_problem("http://192.0.2.1:1/x") is not None
    assert loopback_problem("http://localhost.example.com/x") is not None


@pytest.mark.long  # 156 s of the contract's retry schedule: run by make chaos
def test_a_notification_never_answered_2xx_is_dropped_after_five_attempts(own, client, receiver):
    register(client, receiver)
    receiver.answers = [(500, 0.0)] * 10
    proposal, _ = client.create()
    subscribe(client, proposal["id"], "DECISION_RECEIVED")
    decide(own, proposal["id"])
    received = receiver.wait_for(5, timeout=170)
    moments = [request["at"] for request in received]
    gaps = [later - earlier for earlier, later in zip(moments, moments[1:], strict=False)]
    for gap, expected in zip(gaps, RETRY_DELAYS, strict=True):
        assert expected - 0.1 <= gap <= expected + 1.0
    wait_for(lambda: counts(own)["failed"] == 1, timeout=3)
    time.sleep(QUIET)
    assert len(receiver.received) == 5
    assert counts(own) == {"sent": 5, "delivered": 0, "failed": 1}
    (entry,) = delivery_log(own)
    assert (entry["attempts"], entry["lastStatus"], entry["delivered"]) == (5, 500, False)
