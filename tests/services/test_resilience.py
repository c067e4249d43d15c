"""Nothing lost, nothing sent twice: hanging creates, a killed worker, the sweeper."""

import time

import pytest

from proposals.models import Proposal, Status
from proposals.services.sending import proposal_submit, sending_sweep
from tests.support.proposals import make_proposal
from tests.support.worker import WorkerProcess

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.broker, pytest.mark.slow]

FAST_TIMEOUTS = {
    "SIESMART_CONNECT_TIMEOUT": "2",
    "SIESMART_READ_TIMEOUT": "1",
    "SEND_LEASE_SECONDS": "6",
    "CELERY_TASK_SOFT_TIME_LIMIT": "20",
}


def test_hanging_creates_and_a_killed_worker_lose_and_double_nothing(
    broker, mirrored, sandbox, settings
):
    settings.SEND_REQUEUE_AFTER_SECONDS = 3
    sandbox.set_faults(hangRate=0.3, hangSeconds=2.5, endpoints=["POST /proposals"])
    workers = [WorkerProcess(f"resilience-{i}", extra_env=FAST_TIMEOUTS).start() for i in (1, 2)]
    try:
        proposals = [make_proposal(broker=broker, request_decision=False) for _ in range(100)]
        for proposal in proposals:
            proposal_submit(proposal=proposal, user=broker)
        # Kill one worker mid-send, SIGKILL, as a crashed machine would.
        deadline = time.monotonic() + 60
        while Proposal.objects.filter(status=Status.SENT).count() < 25:
            assert time.monotonic() < deadline, workers[0].log()[-3000:]
            time.sleep(0.2)
        workers[0].kill()
        workers.append(WorkerProcess("resilience-3", extra_env=FAST_TIMEOUTS).start())

        deadline = time.monotonic() + 240
        while Proposal.objects.filter(status=Status.SENT).count() < 100:
            assert time.monotonic() < deadline, (
                list(Proposal.objects.exclude(status=Status.SENT).values_list("status", flat=True)),
                workers[-1].log()[-3000:],
            )
            sending_sweep()
            time.sleep(1)
    finally:
        sandbox.set_faults()
        for worker in workers:
            worker.stop()

    per_label = sandbox.stats()["proposalsPerLabel"]
    references = list(Proposal.objects.values_list("reference", flat=True))
    assert len(set(references)) == 100
    assert [per_label.get(reference, 0) for reference in references] == [1] * 100
    ids = list(Proposal.objects.values_list("sfs_id", flat=True))
    assert len(set(ids)) == 100 and None not in ids
    verified = Proposal.objects.filter(send_attempts__gt=1).count()
    assert verified > 0  # the faults did bite: some sends had to verify first
