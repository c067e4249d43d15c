"""One budget, one token, for every process; retries by failure class, all in the call log."""

import time

import pytest

from proposals.models import Credential, SieSmartCall
from proposals.services.shared_state import limiter_for
from proposals.services.siesmart_access import client_for, rate_scope
from proposals.siesmart import errors
from tests.services.conftest import sandbox_credential
from tests.support.sandbox_server import SandboxProcess
from tests.support.worker import WorkerProcess, wait_until

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def limited_sandbox():
    with SandboxProcess(rate_limit=300, decision_delay=0.5) as process:
        yield process


@pytest.mark.broker
@pytest.mark.slow
def test_three_workers_share_one_budget_and_one_token(organisation, limited_sandbox, settings):
    """300 requests a minute allowed, 270 budgeted: ~300 calls from three processes, no 429."""
    from proposals.tasks import refresh_config_now

    settings.SIESMART_BUDGET_PER_MINUTE = 270
    credential = sandbox_credential(organisation, limited_sandbox)
    env = {"SIESMART_BUDGET_PER_MINUTE": "270"}
    workers = [WorkerProcess(f"budget-{i}", extra_env=env).start() for i in (1, 2, 3)]
    try:
        # A config refresh of the demo introducer makes 12 calls: 25 of them make 300.
        for _ in range(25):
            refresh_config_now.delay(credential.pk)
        wait_until(
            lambda: limited_sandbox.stats()["requests"]["total"] >= 300,
            timeout=150,
            interval=1,
            message=workers[0].log()[-2000:],
        )
        time.sleep(2)
    finally:
        for worker in workers:
            worker.stop()
    stats = limited_sandbox.stats()
    assert stats["requests"]["byStatus"].get("429", 0) == 0
    assert max(stats["maxRequestsIn60s"].values()) <= 300
    assert stats["tokensIssued"] == 1
    logged = SieSmartCall.objects.filter(credential=credential).exclude(path="/oauth/token")
    assert logged.count() >= 300


def test_a_revoked_token_is_renewed_by_the_next_call(organisation, limited_sandbox):
    credential = sandbox_credential(organisation, limited_sandbox)
    client = client_for(credential=credential)
    assert client.list_offices()
    limited_sandbox.revoke_tokens()
    assert client.list_offices()
    assert limited_sandbox.stats()["tokensIssued"] == 2
    statuses = list(
        SieSmartCall.objects.filter(credential=credential, path="/common/offices")
        .order_by("at", "id")
        .values_list("status", flat=True)
    )
    assert statuses == [200, 401, 200]


def test_503_on_a_fifth_of_calls_each_failure_after_exactly_three_attempts(organisation, sandbox):
    credential = sandbox_credential(organisation, sandbox)
    client = client_for(credential=credential)
    client.list_offices()  # the token first, outside the faults
    sandbox.set_faults(serverErrorRate=0.2, serverErrorStatus=503, endpoints=["GET /common/titles"])
    failures = 0
    try:
        for _ in range(100):
            try:
                client.list_titles()
            except errors.ServerError as error:
                failures += 1
                assert error.status == 503 and error.trace_id
    finally:
        sandbox.set_faults()
    assert failures <= 3
    calls = list(
        SieSmartCall.objects.filter(credential=credential, path="/common/titles")
        .order_by("at", "id")
        .values_list("attempt", "status")
    )
    # Each logical call: attempts 1..n, ending in a 200 or in a third 503.
    outcomes, run = [], []
    for attempt, status in calls:
        run.append((attempt, status))
        if status == 200 or attempt == 3:
            outcomes.append(run)
            run = []
    assert len(outcomes) == 100 and not run
    failed = [o for o in outcomes if o[-1][1] != 200]
    assert len(failed) == failures
    assert all([a for a, _ in o] == [1, 2, 3] for o in failed)


@pytest.mark.broker
def test_a_429_burst_pauses_every_process(organisation, limited_sandbox):
    from proposals.tasks import refresh_config_now

    credential = sandbox_credential(organisation, limited_sandbox)
    client = client_for(credential=credential)
    client.list_offices()
    limited_sandbox.set_faults(rateLimitBurstSeconds=3)
    with pytest.raises(errors.RateLimitedError):
        client.list_offices()
    limited_sandbox.set_faults()
    # The pause is shared state (the database, or Redis): a fresh limiter sees it too.
    limiter = limiter_for(rate_scope(credential))
    pause_left = limiter.acquire("interactive")
    assert pause_left > 1
    pause_until = time.time() + pause_left
    before = limited_sandbox.stats()["requests"]["total"]
    with WorkerProcess("paused") as worker:
        refresh_config_now.delay(credential.pk)
        time.sleep(min(3.0, max(0.5, pause_until - time.time() - 0.5)))
        assert limited_sandbox.stats()["requests"]["total"] == before, worker.log()[-2000:]
        wait_until(
            lambda: limited_sandbox.stats()["requests"]["total"] > before,
            timeout=90,
            message=worker.log()[-2000:],
        )
    assert Credential.objects.filter(pk=credential.pk).exists()
