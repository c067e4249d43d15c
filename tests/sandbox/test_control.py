"""The control endpoints of CONTRACT.md section 7 (`/__sandbox__/*`), on a sandbox of their own so
that resetting statistics and wiping proposals disturb no other test."""

import time

import pytest
import requests

from tests.sandbox.helpers import TRACE, Api, assert_error, unique_label
from tests.support.sandbox_server import SandboxProcess


@pytest.fixture(scope="module")
def own():
    with SandboxProcess(rate_limit=0, decision_delay=0.2) as sandbox:
        yield sandbox


@pytest.fixture
def client(own):
    own.set_faults()
    with Api(own, own.token()) as api:
        yield api


def control_error(own, method, path, json=None):
    return requests.request(method, own.base_url + path, json=json, timeout=5)


def test_stats_count_api_requests_by_status_and_templated_endpoint(own, client):
    own.reset_stats()
    label = unique_label()
    client.get("/common/offices")
    client.post("/proposals", json={"officeId": 1001, "label": label})
    client.post("/proposals", json={"officeId": 1001, "label": label})
    client.post("/proposals", json={})
    client.get("/proposals/123")
    client.get("/proposals/search")
    client.get("/nowhere")
    requests.get(own.api_url + "/common/titles", timeout=5)  # 401
    # Neither the control endpoints, the token endpoint nor the document are counted.
    own.token()
    requests.get(own.api_url + "/openapi.json", timeout=5)
    own.set_settings()
    stats = own.stats()
    assert stats["requests"] == {
        "total": 8,
        "byStatus": {"200": 2, "201": 2, "400": 1, "404": 2, "401": 1},
        "byEndpoint": {
            "GET /common/offices": 1, "POST /proposals": 3, "GET /proposals/{id}": 1,
            "GET /proposals/search": 1, "GET (unknown)": 1, "GET /common/titles": 1,
        },
    }  # fmt: skip
    assert stats["maxRequestsIn60s"] == {"127.0.0.1": 8}
    assert stats["proposalsPerLabel"] == {label: 2}
    assert stats["tokensIssued"] == 1


def test_reset_zeroes_everything(own, client):
    client.get("/common/offices")
    own.token()
    zero = own.reset_stats()
    assert zero == {
        "requests": {"total": 0, "byStatus": {}, "byEndpoint": {}},
        "maxRequestsIn60s": {},
        "proposalsPerLabel": {},
        "tokensIssued": 0,
        "notifications": {"sent": 0, "delivered": 0, "failed": 0},
    }
    assert own.stats() == zero


def test_settings_are_read_and_changed_one_key_at_a_time(own):
    before = own.control("GET", "/__sandbox__/settings")
    assert set(before) == {
        "rateLimitPerMinute", "retryAfterHeader", "tokenLifetimeSeconds", "decisionDelaySeconds",
        "documentReviewDelaySeconds", "signingDelaySeconds", "activationDelaySeconds",
        "documentedSearchOnly",
    }  # fmt: skip
    after = own.set_settings(decisionDelaySeconds=0.5)
    assert after["decisionDelaySeconds"] == 0.5
    # The v2 delays may follow the decision delay; every other setting stays as it was.
    untouched = ("rateLimitPerMinute", "retryAfterHeader", "tokenLifetimeSeconds")
    assert {key: after[key] for key in untouched} == {key: before[key] for key in untouched}
    assert after["documentedSearchOnly"] is before["documentedSearchOnly"] is False
    assert own.set_settings(documentedSearchOnly=True)["documentedSearchOnly"] is True
    assert own.set_settings(documentedSearchOnly=False)["documentedSearchOnly"] is False
    assert own.set_settings(decisionDelaySeconds=0.2)["decisionDelaySeconds"] == 0.2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rateLimitPerMinute": -1}, "rateLimitPerMinute"),
        ({"rateLimitPerMinute": 1.5}, "rateLimitPerMinute"),
        ({"retryAfterHeader": "no"}, "retryAfterHeader"),
        ({"decisionDelaySeconds": "fast"}, "decisionDelaySeconds"),
        ({"tokenLifetimeSeconds": 0}, "tokenLifetimeSeconds"),
        ({"documentedSearchOnly": "yes"}, "documentedSearchOnly"),
        ({"documentedSearchOnly": 1}, "documentedSearchOnly"),
        ({"colour": 1}, "colour"),
    ],
)
def test_invalid_settings_are_400_and_change_nothing(own, body, field):
    before = own.control("GET", "/__sandbox__/settings")
    response = control_error(own, "POST", "/__sandbox__/settings", body)
    body = assert_error(response, 400, "VALIDATION_FAILED")
    assert [v["field"] for v in body["violations"]] == [field]
    assert own.control("GET", "/__sandbox__/settings") == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"serverErrorRate": 2}, "serverErrorRate"),
        ({"serverErrorStatus": 502}, "serverErrorStatus"),
        ({"hangRate": "often"}, "hangRate"),
        ({"latencyMs": -1}, "latencyMs"),
        ({"endpoints": "POST /proposals"}, "endpoints"),
        ({"flood": True}, "flood"),
    ],
)
def test_invalid_faults_are_400(own, body, field):
    response = control_error(own, "POST", "/__sandbox__/faults", body)
    body = assert_error(response, 400, "VALIDATION_FAILED")
    assert [v["field"] for v in body["violations"]] == [field]


def test_faults_are_replaced_as_a_whole_and_cleared_by_an_empty_object(own):
    first = own.set_faults(latencyMs=5, endpoints=["GET /common/titles"])
    assert first["latencyMs"] == 5 and first["endpoints"] == ["GET /common/titles"]
    second = own.set_faults(dropRate=0.5)
    assert second["latencyMs"] == 0 and second["endpoints"] is None
    assert own.control("GET", "/__sandbox__/faults") == second
    own.set_faults()
    assert own.control("GET", "/__sandbox__/faults")["dropRate"] == 0


def test_control_endpoints_need_no_token_and_are_never_faulted(own):
    own.set_faults(serverErrorRate=1.0, rateLimitBurstSeconds=30)
    try:
        response = requests.get(own.base_url + "/__sandbox__/stats", timeout=5)
        assert response.status_code == 200 and response.headers[TRACE]
        assert requests.get(own.api_url + "/openapi.json", timeout=5).status_code == 200
        assert own.token()
    finally:
        own.set_faults()


def test_an_unknown_control_path_is_404(own):
    assert_error(control_error(own, "POST", "/__sandbox__/explode"), 404, "NOT_FOUND")
    assert_error(control_error(own, "DELETE", "/__sandbox__/stats"), 404, "NOT_FOUND")


def test_wipe_makes_every_proposal_vanish(own, client):
    own.reset_stats()
    label = unique_label()
    first, _ = client.create(label=label)
    pending, etag = client.create(label=label)
    own.set_settings(decisionDelaySeconds=0.3)
    client.request_decision(pending["id"], etag)
    assert client.search(**{"proposal-label": label})["totalElements"] == 2
    assert own.wipe()["wiped"] >= 2
    assert_error(client.get(f"/proposals/{first['id']}"), 404, "NOT_FOUND")
    assert client.search()["totalElements"] == 0
    time.sleep(0.4)  # the pending decision's timer finds nothing to decide
    assert client.search()["totalElements"] == 0
    # Ids are not reused; the statistics remember what was created.
    newer, _ = client.create(label=label)
    assert newer["id"] > pending["id"]
    assert own.stats()["proposalsPerLabel"] == {label: 3}


def test_an_underwriter_edit_changes_fields_and_always_bumps_the_etag(own, client):
    proposal, etag = client.create()
    pid = proposal["id"]
    path = f"/__sandbox__/proposals/{pid}/underwriter-edit"
    edited = own.control("POST", path, {"specialConditionText": "Insurance required"})
    assert edited["specialConditionText"] == "Insurance required"
    assert edited["updated"] > etag
    harmless = own.control("POST", path, {})
    assert harmless["updated"] > edited["updated"]
    assert {k: v for k, v in harmless.items() if k != "updated"} == {
        k: v for k, v in edited.items() if k != "updated"
    }
    response = requests.post(own.base_url + path, timeout=5)  # no body at all
    assert response.status_code == 200
    assert response.headers["ETag"] == response.json()["updated"] > harmless["updated"]
    assert_error(client.change("PATCH", f"/proposals/{pid}", etag, json={}), 412, "ETAG_MISMATCH")
    assert_error(control_error(own, "POST", path, {"workflowStatus": "ACCEPTED"}), 400,
                 "VALIDATION_FAILED")  # fmt: skip
    missing = "/__sandbox__/proposals/1/underwriter-edit"
    assert_error(control_error(own, "POST", missing, {}), 404, "NOT_FOUND")


def test_an_underwriter_edit_works_in_any_state(own, client):
    proposal, etag = client.create()
    cancelled = client.change("POST", f"/proposals/{proposal['id']}/cancel", etag).json()
    path = f"/__sandbox__/proposals/{proposal['id']}/underwriter-edit"
    assert own.control("POST", path, {"label": "X"})["updated"] > cancelled["updated"]


@pytest.mark.parametrize("status", ["ACCEPTED", "DECLINED", "MORE_INFORMATION"])
def test_decide_now_overrides_a_pending_decision(own, client, status):
    own.set_settings(decisionDelaySeconds=0.3)
    proposal, etag = client.create()
    pid = proposal["id"]
    request = client.request_decision(pid, etag)
    body = {"decisionStatus": status, "reason": "Checked by hand", "condition": "None"}
    answer = own.control("POST", f"/__sandbox__/proposals/{pid}/decide", body)
    assert answer["workflowStatus"] == answer["decision"]["decisionStatus"] == status
    assert answer["decision"]["reason"] == "Checked by hand"
    assert answer["updated"] > request.headers["ETag"]
    time.sleep(0.45)  # the automatic decision is dropped
    fetched, etag = client.fetch(pid)
    assert fetched == answer and etag == answer["updated"]


def test_decide_now_is_refused_for_cancelled_unknown_or_invalid(own, client):
    proposal, etag = client.create()
    client.change("POST", f"/proposals/{proposal['id']}/cancel", etag)
    path = f"/__sandbox__/proposals/{proposal['id']}/decide"
    body = {"decisionStatus": "ACCEPTED"}
    assert_error(control_error(own, "POST", path, body), 409, "INVALID_STATE")
    other, _ = client.create()
    path = f"/__sandbox__/proposals/{other['id']}/decide"
    response = control_error(own, "POST", path, {"decisionStatus": "PENDING"})
    assert_error(response, 400, "VALIDATION_FAILED")
    response = control_error(own, "POST", "/__sandbox__/proposals/5/decide", body)
    assert_error(response, 404, "NOT_FOUND")
