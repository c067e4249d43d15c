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


def creates_per_minute(sent: list[float]) -> dict:
    """Two readings of the rate after the first minute. ``creates_per_minute_after_60s`` is the
    issue's own (second 60 to the last create); a sliding window refills in bursts, so that one
    swings with where the last create falls. ``steady`` averages the whole minutes after the
    first, which is what the budget allows over time."""
    if not sent:
        return {"creates_per_minute_after_60s": None, "steady_creates_per_minute": None}
    first, last = sent[0], sent[-1]
    after = [t for t in sent if t >= first + 60]
    minutes = (last - first - 60) / 60
    whole = int((last - first) // 60)
    per_minute = [
        sum(1 for t in sent if first + 60 * k <= t < first + 60 * (k + 1)) for k in range(1, whole)
    ]
    return {
        "creates_per_minute_after_60s": round(len(after) / minutes, 1) if minutes > 0 else None,
        "creates_in_each_whole_minute": per_minute,
        "steady_creates_per_minute": round(sum(per_minute) / len(per_minute), 1)
        if per_minute
        else None,
    }


def main() -> dict:
    django_ready()
    from django.conf import settings

    from proposals.models import Proposal, Status
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
    sent = sorted(
        t.timestamp()
        for t in Proposal.objects.filter(sent_at__isnull=False).values_list("sent_at", flat=True)
    )
    rates = creates_per_minute(sent)
    figures = {
        "submissions": SUBMISSIONS,
        "workers": WORKERS,
        "sandbox_limit_per_minute": SANDBOX_LIMIT,
        "budget_per_minute": BUDGET,
        "creates": len(sent),
        **rates,
        "ratio_of_limit": round(rates["steady_creates_per_minute"] / SANDBOX_LIMIT, 3)
        if rates["steady_creates_per_minute"]
        else None,
        "ratio_to_last_create": round(rates["creates_per_minute_after_60s"] / SANDBOX_LIMIT, 3)
        if rates["creates_per_minute_after_60s"]
        else None,
        "responses_429": stats["requests"]["byStatus"].get("429", 0),
        "max_requests_in_60s": max(stats["maxRequestsIn60s"].values(), default=0),
        "duration_s": round(time.monotonic() - started, 1),
    }
    write_result(PHASE, figures)
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)
