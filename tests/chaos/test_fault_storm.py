"""The fault storm (``make chaos``): SFS at its real limit, misbehaving in every way at once.

200 proposals, decisions requested for all, three worker processes (one killed with SIGKILL
mid-run and restarted), beat's refresh and sweeper; the sandbox answers 10 % 5xx, hangs 5 % and
drops 5 % past the (shortened) client timeout, edits 10 % as an underwriter would, revokes every
token once and bursts 429s once. Afterwards: one SFS proposal per reference, none missing, every
status as SFS has it, and never more than 100 requests in any 60 s.
"""

import time

import pytest

from proposals.models import Proposal
from proposals.services.config_mirror import config_refresh
from proposals.services.credentials import credential_save
from proposals.services.sending import proposal_submit
from proposals.siesmart.client import SieSmartClient
from proposals.siesmart.enums import FINAL_WORKFLOW_STATUSES
from proposals.siesmart.memory import MemoryLimiter, MemoryRecorder, MemoryTokenStore
from tests.support.proposals import make_proposal
from tests.support.sandbox_server import SandboxProcess
from tests.support.worker import BeatProcess, WorkerProcess

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(24 * 60),
]

PROPOSALS = 200
STORM_CAP_MINUTES = 20
LIMIT = 100
STORM = {
    "serverErrorRate": 0.10,
    "serverErrorStatus": 503,
    "hangRate": 0.05,
    "hangSeconds": 3,
    "dropRate": 0.05,
    "underwriterEditRate": 0.10,
}
PROCESS_ENV = {
    # 95 of SFS's 100: the shared limiter counts every attempt, hung and dropped ones included.
    "SIESMART_BUDGET_PER_MINUTE": "95",
    "SIESMART_CONNECT_TIMEOUT": "1",
    "SIESMART_READ_TIMEOUT": "1.5",
    "CELERY_TASK_SOFT_TIME_LIMIT": "40",
    "SEND_LEASE_SECONDS": "45",
    "SEND_REQUEUE_AFTER_SECONDS": "30",
}


def _plain_client(sandbox):
    return SieSmartClient(
        api_url=sandbox.api_url,
        token_url=sandbox.token_url,
        client_id="demo-introducer",
        client_secret="demo-secret",
        credential_key="chaos-check",
        token_store=MemoryTokenStore(),
        limiter=MemoryLimiter(100_000),
        recorder=MemoryRecorder(),
    )


def test_fault_storm(organisation, broker, settings):
    settings.SIESMART_BUDGET_PER_MINUTE = 95
    with SandboxProcess(rate_limit=0, decision_delay=2) as sandbox:
        credential = credential_save(
            organisation=organisation,
            user=None,
            environment="custom",
            api_url=sandbox.api_url,
            token_url=sandbox.token_url,
            client_id="demo-introducer",
            client_secret="demo-secret",
            make_active=True,
        )
        config_refresh(credential=credential)
        proposals = [make_proposal(broker=broker) for _ in range(PROPOSALS)]
        sandbox.set_settings(rateLimitPerMinute=LIMIT, documentedSearchOnly=True)
        sandbox.reset_stats()
        sandbox.set_faults(**STORM)

        workers = [WorkerProcess(f"chaos-{i}", extra_env=PROCESS_ENV).start() for i in (1, 2, 3)]
        beat = BeatProcess("chaos-beat", extra_env=PROCESS_ENV).start()
        started = time.monotonic()
        events = {"killed": False, "revoked": False, "burst": False}
        try:
            for proposal in proposals:
                proposal_submit(proposal=proposal, user=broker)
            # A cap on the run, not a goal: SFS's pace (about 900 calls at 95 a minute) needs
            # about 10 minutes; with fair share it has been seen to need more than 12 (see README).
            while time.monotonic() - started < STORM_CAP_MINUTES * 60:
                elapsed = time.monotonic() - started
                sent = Proposal.objects.filter(sfs_id__isnull=False).count()
                if not events["killed"] and sent >= 40:
                    workers[0].kill()
                    workers.append(WorkerProcess("chaos-4", extra_env=PROCESS_ENV).start())
                    events["killed"] = True
                if not events["revoked"] and elapsed > 90:
                    sandbox.revoke_tokens()
                    events["revoked"] = True
                if not events["burst"] and elapsed > 150:
                    sandbox.set_faults(**STORM, rateLimitBurstSeconds=5)
                    events["burst"] = True
                final = Proposal.objects.filter(workflow_status__in=FINAL_WORKFLOW_STATUSES)
                if final.count() >= PROPOSALS:
                    break
                time.sleep(2)
        finally:
            beat.stop()
            for worker in workers:
                worker.stop()
            sandbox.set_faults()
        stats = sandbox.stats()
        sandbox.set_settings(rateLimitPerMinute=0)
        checker = _plain_client(sandbox)
        mismatched = []
        for proposal in Proposal.objects.all():
            if proposal.sfs_id is None:
                continue
            remote = checker.get_proposal(proposal.sfs_id)
            if (remote.workflow_status, remote.decision_status) != (
                proposal.workflow_status,
                proposal.decision_status,
            ):
                mismatched.append(proposal.reference)

    references = list(Proposal.objects.values_list("reference", flat=True))
    per_label = stats["proposalsPerLabel"]
    duplicates = sum(max(0, per_label.get(r, 0) - 1) for r in references)
    missing = sum(1 for r in references if per_label.get(r, 0) == 0)
    max_in_60s = max(stats["maxRequestsIn60s"].values(), default=0)
    not_final = (
        PROPOSALS - Proposal.objects.filter(workflow_status__in=FINAL_WORKFLOW_STATUSES).count()
    )
    print(f"\nreferences: {len(references)}")
    print(f"sfs proposals: {sum(per_label.get(r, 0) for r in references)}")
    print(f"duplicates: {duplicates}")
    print(f"missing: {missing}")
    print(f"max requests in 60 s: {max_in_60s}")
    print(f"not final: {not_final}")
    print(f"status mismatches: {len(mismatched)}")
    print(f"requests by status: {stats['requests']['byStatus']}")
    print(f"requests by endpoint: {stats['requests']['byEndpoint']}")
    print(f"minutes: {(time.monotonic() - started) / 60:.1f}")
    assert all(events.values()), events
    assert len(references) == PROPOSALS
    assert duplicates == 0 and missing == 0
    assert max_in_60s <= LIMIT
    assert not_final == 0
    assert mismatched == []
