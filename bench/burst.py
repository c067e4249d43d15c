"""Burst (issue 16): while the rate limit binds, a deal already started goes before a new one.

300 proposals (``BENCH_BURST_PROPOSALS``), each asking for its decision, are queued at once
against a sandbox allowing 600 calls a minute, with the portal's budget at 540 (as
bench/throughput.py); 4 workers send them. Sends and decisions together need more than a
minute's budget, so the question is what waits: the figure is, per proposal, the seconds from
its send to its decision request, at the median and p95 (goal: p95 under 10 s).
"""

import os
import sys
import time

from bench.common import (
    Celery,
    django_ready,
    organisation_with_sandbox,
    percentile,
    phase_env,
    wait_for,
    write_result,
)

PHASE = os.environ.get("BENCH_PHASE", "burst")
PROPOSALS = int(os.environ.get("BENCH_BURST_PROPOSALS", "300"))
SANDBOX_LIMIT, BUDGET = 600, 540
WORKERS = 4


def main() -> dict:
    django_ready()
    from django.conf import settings

    from proposals.models import Proposal
    from proposals.services.sending import proposal_submit
    from tests.support.proposals import make_proposal
    from tests.support.sandbox_server import SandboxProcess

    with SandboxProcess(rate_limit=0, decision_delay=1) as sandbox:
        _, broker, credential = organisation_with_sandbox(sandbox)
        drafts = [make_proposal(broker=broker, credential=credential) for _ in range(PROPOSALS)]
        for proposal in drafts:
            proposal_submit(proposal=proposal, user=broker)
        sandbox.set_settings(rateLimitPerMinute=SANDBOX_LIMIT)
        sandbox.reset_stats()
        celery = Celery(phase_env(PHASE, SIESMART_BUDGET_PER_MINUTE=str(BUDGET)), settings.VAR_DIR)
        started = time.monotonic()
        celery.workers(WORKERS)
        try:
            wait_for(
                lambda: (
                    Proposal.objects.filter(decision_requested_at__isnull=False).count()
                    >= PROPOSALS
                ),
                timeout=420,
                interval=1,
                what="every decision requested",
            )
        finally:
            celery.stop()
        stats = sandbox.stats()
    rows = list(Proposal.objects.values_list("queued_at", "sent_at", "decision_requested_at"))
    lags = [(asked - sent).total_seconds() for _, sent, asked in rows if sent and asked]
    # In submission order: does an earlier deal's decision come before a later deal's send?
    in_order = sorted(rows, key=lambda row: row[0])
    last_send = max(sent for _, sent, _ in rows if sent)
    figures = {
        "proposals": PROPOSALS,
        "workers": WORKERS,
        "sandbox_limit_per_minute": SANDBOX_LIMIT,
        "budget_per_minute": BUDGET,
        "decisions_requested": len(lags),
        "decision_lag_p50_s": round(percentile(lags, 0.5), 2) if lags else None,
        "decision_lag_p95_s": round(percentile(lags, 0.95), 2) if lags else None,
        "decision_lag_max_s": round(max(lags), 2) if lags else None,
        "first_decision_before_last_send": bool(in_order[0][2] and in_order[0][2] < last_send),
        "responses_429": stats["requests"]["byStatus"].get("429", 0),
        "max_requests_in_60s": max(stats["maxRequestsIn60s"].values(), default=0),
        "duration_s": round(time.monotonic() - started, 1),
    }
    write_result(PHASE, figures)
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)
