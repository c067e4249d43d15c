"""Injected faults (CONTRACT.md section 7), on a sandbox of their own."""

import time

import pytest
import requests

from tests.sandbox.helpers import TRACE, Api, assert_error, full_proposal, unique_label
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
    own.set_faults()


def stored(client, label) -> int:
    return client.search(**{"proposal-label": label})["totalElements"]


@pytest.mark.parametrize(
    ("status", "code"), [(500, "INTERNAL_ERROR"), (503, "SERVICE_UNAVAILABLE")]
)
def test_an_injected_5xx_is_answered_instead_of_carrying_the_request_out(own, client, status, code):
    label = unique_label()
    own.set_faults(serverErrorRate=1.0, serverErrorStatus=status)
    response = client.post("/proposals", json=full_proposal(label=label))
    body = assert_error(response, status, code)
    assert body["traceId"] == response.headers[TRACE]
    own.set_faults()
    assert stored(client, label) == 0
    assert label not in own.stats()["proposalsPerLabel"]


def test_faults_come_before_the_token_check_but_never_hit_the_token_endpoint(own, client):
    own.set_faults(serverErrorRate=1.0)
    assert requests.get(own.api_url + "/common/offices", timeout=5).status_code == 500
    assert own.token()


def test_latency_delays_every_answer(own, client):
    own.set_faults(latencyMs=300)
    started = time.monotonic()
    assert client.get("/common/titles").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_hang_carries_the_request_out_then_answers_late(own, client):
    label = unique_label()
    own.set_faults(hangRate=1.0, hangSeconds=1.0, endpoints=["POST /proposals"])
    with pytest.raises(requests.Timeout):
        client.post("/proposals", json=full_proposal(label=label), timeout=0.3)
    assert stored(client, label) == 1  # the client cannot tell, but it was created
    started = time.monotonic()
    response = client.post("/proposals", json=full_proposal(label=label), timeout=5)
    assert response.status_code == 201 and time.monotonic() - started >= 1.0
    assert own.stats()["proposalsPerLabel"][label] == 2


def test_a_drop_carries_the_request_out_then_closes_without_an_answer(own, client):
    label = unique_label()
    own.reset_stats()
    own.set_faults(dropRate=1.0, endpoints=["POST /proposals"])
    with pytest.raises(requests.ConnectionError):
        client.post("/proposals", json=full_proposal(label=label))
    own.set_faults()
    assert stored(client, label) == 1
    stats = own.stats()
    assert stats["proposalsPerLabel"] == {label: 1}
    assert stats["requests"]["byStatus"]["dropped"] == 1


def test_a_burst_answers_429_to_every_call_for_its_seconds(own, client):
    own.set_faults(rateLimitBurstSeconds=1)
    response = client.get("/common/offices")
    assert_error(response, 429, "RATE_LIMITED")
    assert response.headers["Retry-After"] == "1"
    assert_error(client.post("/proposals", json=full_proposal()), 429, "RATE_LIMITED")
    assert own.token()  # the token endpoint is not an API call
    time.sleep(1.05)
    assert client.get("/common/offices").status_code == 200


def test_the_endpoints_filter_limits_every_fault_the_burst_included(own, client):
    own.set_faults(serverErrorRate=1.0, endpoints=["POST /proposals"])
    assert client.get("/common/offices").status_code == 200
    assert client.post("/proposals", json=full_proposal()).status_code == 500
    own.set_faults(rateLimitBurstSeconds=30, endpoints=["GET /common/titles"])
    assert client.get("/common/titles").status_code == 429
    assert client.get("/common/offices").status_code == 200
    proposal, etag = client.create()
    own.set_faults(serverErrorRate=1.0, endpoints=["GET /proposals/{id}"])
    assert client.get(f"/proposals/{proposal['id']}").status_code == 500
    assert client.get(f"/proposals/{proposal['id']}/decision/precheck").status_code == 200


def test_an_underwriter_edit_before_the_call_makes_the_callers_etag_stale(own, client):
    proposal, etag = client.create()
    pid = proposal["id"]
    own.set_faults(underwriterEditRate=1.0)
    first = client.get(f"/proposals/{pid}").headers["ETag"]
    second = client.get(f"/proposals/{pid}").headers["ETag"]
    assert etag < first < second
    response = client.change("PATCH", f"/proposals/{pid}", second, json={"label": "IP-LATE"})
    assert_error(response, 412, "ETAG_MISMATCH")
    own.set_faults(underwriterEditRate=1.0, endpoints=["GET /proposals/{id}"])
    current = client.get(f"/proposals/{pid}").headers["ETag"]
    response = client.change("PATCH", f"/proposals/{pid}", current, json={"label": "IP-OK"})
    assert response.status_code == 200


def test_the_same_random_seed_gives_the_same_faults():
    outcomes = []
    for _ in range(2):
        with SandboxProcess(extra_args=["--random-seed", "7"]) as sandbox:
            sandbox.set_faults(serverErrorRate=0.5)
            with Api(sandbox, sandbox.token()) as api:
                outcomes.append([api.get("/common/titles").status_code for _ in range(40)])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {200, 500}
