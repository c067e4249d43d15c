"""Freshness: 2,000 open proposals at SFS's real limit of 100 a minute; the sandbox decides 10
of them a minute at random for five minutes. Reports p50 and p95 seconds from a decision to the
portal showing it, and the share of the budget spent on polling (search calls)."""

import os
import random
import time

from bench.common import (
    BENCH_DIR,
    Celery,
    django_ready,
    organisation_with_sandbox,
    percentile,
    phase_env,
    wait_for,
    write_result,
)

PHASE = "freshness"
OPEN = int(os.environ.get("BENCH_FRESHNESS_OPEN", "2000"))
MEASURE_SECONDS = int(os.environ.get("BENCH_FRESHNESS_SECONDS", "300"))
DECISIONS_PER_MINUTE = 10
LIMIT, BUDGET = 100, 90
SETUP_DONE = BENCH_DIR / "freshness.setup-done"


def main() -> dict:
    SETUP_DONE.unlink(missing_ok=True)
    django_ready()
    from django.conf import settings

    from proposals.models import Proposal, RatePause, RateSlot
    from proposals.services.refresh import refresh_cycle
    from proposals.services.sending import proposal_submit
    from tests.support.proposals import make_proposal
    from tests.support.sandbox_server import SandboxProcess

    # Decisions requested but never made by the sandbox itself: the bench decides.
    with SandboxProcess(rate_limit=0, decision_delay=10**6) as sandbox:
        _, broker, credential = organisation_with_sandbox(sandbox)
        setup = Celery(phase_env(PHASE, SIESMART_BUDGET_PER_MINUTE="100000"), settings.VAR_DIR)
        setup.workers(3)
        try:
            for _ in range(OPEN):
                proposal_submit(
                    proposal=make_proposal(broker=broker, credential=credential), user=broker
                )
            wait_for(
                lambda: (
                    Proposal.objects.filter(workflow_status="DECISION_REQUESTED").count() >= OPEN
                ),
                timeout=900,
                interval=2,
                what="every decision requested",
            )
        finally:
            setup.stop()
        settings.SIESMART_BUDGET_PER_MINUTE = 100_000
        refresh_cycle(credential=credential)  # the first, full scan: part of setting up
        # The measured phase starts with an empty window: setup's calls are not its budget.
        RateSlot.objects.all().delete()
        RatePause.objects.all().delete()
        SETUP_DONE.write_text("done")

        sandbox.set_settings(rateLimitPerMinute=LIMIT)
        sandbox.reset_stats()
        measured = Celery(
            phase_env(PHASE, SIESMART_BUDGET_PER_MINUTE=str(BUDGET)), settings.VAR_DIR
        )
        measured.workers(2)
        measured.beat()
        pending = list(Proposal.objects.values_list("sfs_id", flat=True))
        random.seed(7)
        random.shuffle(pending)
        decided_at: dict[int, float] = {}
        seen_at: dict[int, float] = {}
        started = time.monotonic()
        interval = 60 / DECISIONS_PER_MINUTE
        next_decision = started
        try:
            while time.monotonic() - started < MEASURE_SECONDS + 90:
                now = time.monotonic()
                if now >= next_decision and now - started < MEASURE_SECONDS:
                    sfs_id = pending.pop()
                    sandbox.control(
                        "POST",
                        f"/__sandbox__/proposals/{sfs_id}/decide",
                        {"decisionStatus": "ACCEPTED"},
                    )
                    decided_at[sfs_id] = time.monotonic()
                    next_decision += interval
                waiting = [i for i in decided_at if i not in seen_at]
                if waiting:
                    for sfs_id in Proposal.objects.filter(
                        sfs_id__in=waiting, decision_status="ACCEPTED"
                    ).values_list("sfs_id", flat=True):
                        seen_at[sfs_id] = time.monotonic()
                elif time.monotonic() - started >= MEASURE_SECONDS:
                    break
                time.sleep(0.25)
            elapsed = time.monotonic() - started
        finally:
            measured.stop()
        stats = sandbox.stats()
    delays = [seen_at[i] - decided_at[i] for i in seen_at]
    searches = stats["requests"]["byEndpoint"].get("GET /proposals/search", 0)
    budget = BUDGET * elapsed / 60
    figures = {
        "open_proposals": OPEN,
        "decisions": len(decided_at),
        "seen": len(seen_at),
        "p50_seconds": round(percentile(delays, 0.5), 1) if delays else None,
        "p95_seconds": round(percentile(delays, 0.95), 1) if delays else None,
        "search_calls": searches,
        "all_calls": stats["requests"]["total"],
        "polling_share_of_budget": round(searches / budget, 3),
        "responses_429": stats["requests"]["byStatus"].get("429", 0),
        "max_requests_in_60s": max(stats["maxRequestsIn60s"].values(), default=0),
        "measured_seconds": round(elapsed, 1),
    }
    write_result(PHASE, figures)
    return figures


if __name__ == "__main__":
    main()
