"""Economy: 100 proposals submitted together with decisions requested (decision delay 60 s).
SieSmart calls per proposal from submit to final decision (token calls excluded), next to a
naive poller (one GET per open proposal per cycle) run in the same process and time."""

import threading
import time

from bench.common import (
    Celery,
    django_ready,
    organisation_with_sandbox,
    phase_env,
    wait_for,
    write_result,
)

PHASE = "economy"
PROPOSALS = 100
DECISION_DELAY = 60
NAIVE_CYCLE_SECONDS = 10  # the portal's own cycle while a decision is pending


def naive_poller(sandbox, body: dict, result: dict) -> None:
    """One GET per open proposal per cycle: what a simple integration does."""
    from proposals.siesmart.client import SieSmartClient
    from proposals.siesmart.memory import MemoryLimiter, MemoryRecorder, MemoryTokenStore

    recorder = MemoryRecorder()
    client = SieSmartClient(
        api_url=sandbox.api_url,
        token_url=sandbox.token_url,
        client_id="demo-introducer",
        client_secret="demo-secret",
        credential_key="naive",
        token_store=MemoryTokenStore(),
        limiter=MemoryLimiter(100_000),
        recorder=recorder,
    )
    open_ids = {}
    for index in range(PROPOSALS):
        created = client.create_proposal({**body, "label": f"NAIVE-{index}"})
        decided = client.request_decision(created.id, etag=created.etag)
        open_ids[created.id] = decided
    while open_ids:
        time.sleep(NAIVE_CYCLE_SECONDS)
        for proposal_id in list(open_ids):
            if client.get_proposal(proposal_id).workflow_status in ("ACCEPTED", "DECLINED"):
                del open_ids[proposal_id]
    calls = [c for c in recorder.calls if c.path != "/oauth/token"]
    result["calls_per_proposal"] = round(len(calls) / PROPOSALS, 2)


def main() -> dict:
    django_ready()
    from django.conf import settings

    from proposals.models import Proposal, SieSmartCall
    from proposals.services.body import proposal_create_body
    from proposals.services.sending import proposal_submit
    from tests.support.proposals import make_proposal
    from tests.support.sandbox_server import SandboxProcess

    with (
        SandboxProcess(rate_limit=0, decision_delay=DECISION_DELAY) as sandbox,
        SandboxProcess(rate_limit=0, decision_delay=DECISION_DELAY) as naive_sandbox,
    ):
        _, broker, credential = organisation_with_sandbox(sandbox)
        setup_calls = SieSmartCall.objects.count()
        celery = Celery(phase_env(PHASE), settings.VAR_DIR)
        celery.workers(2)
        celery.beat()
        naive: dict = {}
        template = make_proposal(broker=broker, credential=credential)
        template.reference = "NAIVE"
        naive_thread = threading.Thread(
            target=naive_poller, args=(naive_sandbox, proposal_create_body(template), naive)
        )
        template.delete()
        started = time.monotonic()
        try:
            proposals = [
                make_proposal(broker=broker, credential=credential) for _ in range(PROPOSALS)
            ]
            naive_thread.start()
            for proposal in proposals:
                proposal_submit(proposal=proposal, user=broker)
            wait_for(
                lambda: Proposal.objects.filter(workflow_status="ACCEPTED").count() >= PROPOSALS,
                timeout=600,
                interval=1,
                what="every decision seen",
            )
            elapsed = time.monotonic() - started
            naive_thread.join(timeout=600)
        finally:
            celery.stop()
    calls = SieSmartCall.objects.exclude(path="/oauth/token").count() - setup_calls
    # An acceptance also brings SFS's document checklist (CONTRACT.md 6.10): one read, needed
    # for what comes after the decision; counted apart so the decision's own cost stays visible.
    checklist_reads = SieSmartCall.objects.filter(
        method="GET", path__regex=r"^/proposals/[0-9]+/documents$"
    ).count()
    figures = {
        "proposals": PROPOSALS,
        "decision_delay_s": DECISION_DELAY,
        "portal_calls_per_proposal": round((calls - checklist_reads) / PROPOSALS, 2),
        "checklist_reads_per_proposal": round(checklist_reads / PROPOSALS, 2),
        "naive_calls_per_proposal": naive.get("calls_per_proposal"),
        "seconds_to_last_decision": round(elapsed, 1),
    }
    write_result(PHASE, figures)
    return figures


if __name__ == "__main__":
    main()
