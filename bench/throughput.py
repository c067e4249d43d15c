"""Throughput: 2,000 queued submissions against a sandbox allowing 600 a minute, with the
portal's budget at 540. Reports creates a minute from second 60 to the last create, as a
ratio of 600, and the number of 429s."""

import os
import sys
import time

from bench.common import (
    Celery,
    django_ready,
    organisation_with_sandbox,
    phase_env,
    wait_for,
    write_result,
)

PHASE = "throughput"
SUBMISSIONS = int(os.environ.get("BENCH_THROUGHPUT_SUBMISSIONS", "2000"))
SANDBOX_LIMIT, BUDGET = 600, 540
WORKERS = 4


def main() -> dict:
    django_ready()
    from django.conf import settings

    from proposals.models import Proposal, SieSmartCall, Status
    from proposals.services.sending import proposal_submit
    from tests.support.proposals import make_proposal
    from tests.support.sandbox_server import SandboxProcess

    with SandboxProcess(rate_limit=0, decision_delay=1) as sandbox:
        _, broker, credential = organisation_with_sandbox(sandbox)
        for _ in range(SUBMISSIONS):
            proposal = make_proposal(broker=broker, credential=credential, request_decision=False)
            proposal_submit(proposal=proposal, user=broker)
        sandbox.set_settings(rateLimitPerMinute=SANDBOX_LIMIT)
        sandbox.reset_stats()
        celery = Celery(phase_env(PHASE, SIESMART_BUDGET_PER_MINUTE=str(BUDGET)), settings.VAR_DIR)
        started = time.monotonic()
        celery.workers(WORKERS)
        try:
            wait_for(
                lambda: Proposal.objects.filter(status=Status.SENT).count() >= SUBMISSIONS,
                timeout=900,
                interval=2,
                what="every submission sent",
            )
        finally:
            celery.stop()
        stats = sandbox.stats()
    creates = sorted(
        SieSmartCall.objects.filter(method="POST", path="/proposals", status=201).values_list(
            "at", flat=True
        )
    )
    first, last = creates[0], creates[-1]
    window_start = first.timestamp() + 60
    after = [c for c in creates if c.timestamp() >= window_start]
    minutes = (last.timestamp() - window_start) / 60
    per_minute = len(after) / minutes if minutes > 0 else None
    figures = {
        "submissions": SUBMISSIONS,
        "workers": WORKERS,
        "sandbox_limit_per_minute": SANDBOX_LIMIT,
        "budget_per_minute": BUDGET,
        "creates": len(creates),
        "creates_per_minute_after_60s": round(per_minute, 1) if per_minute else None,
        "ratio_of_limit": round(per_minute / SANDBOX_LIMIT, 3) if per_minute else None,
        "responses_429": stats["requests"]["byStatus"].get("429", 0),
        "max_requests_in_60s": max(stats["maxRequestsIn60s"].values(), default=0),
        "duration_s": round(time.monotonic() - started, 1),
    }
    write_result(PHASE, figures)
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)
