"""Submit latency: p50 and p95 from a broker's submit to "sent", one proposal at a time, on the
broker named by the environment (the embedded filesystem broker, or Redis)."""

import os
import time

from bench.common import (
    Celery,
    django_ready,
    organisation_with_sandbox,
    percentile,
    phase_env,
    write_result,
)

SAMPLES = 40


def main() -> dict:
    phase = os.environ["BENCH_PHASE"]
    django_ready()
    from django.conf import settings

    from proposals.models import Proposal, Status
    from proposals.services.sending import proposal_submit
    from tests.support.proposals import make_proposal
    from tests.support.sandbox_server import SandboxProcess

    extra = {k: os.environ[k] for k in ("CELERY_BROKER_URL", "REDIS_URL") if k in os.environ}
    with SandboxProcess(rate_limit=0) as sandbox:
        _, broker, credential = organisation_with_sandbox(sandbox)
        celery = Celery(phase_env(phase, **extra), settings.VAR_DIR)
        celery.workers(2)
        time.sleep(3)  # workers up
        delays = []
        try:
            for _ in range(SAMPLES):
                proposal = make_proposal(
                    broker=broker, credential=credential, request_decision=False
                )
                started = time.monotonic()
                proposal_submit(proposal=proposal, user=broker)
                while not Proposal.objects.filter(pk=proposal.pk, status=Status.SENT).exists():
                    if time.monotonic() - started > 60:
                        raise TimeoutError("a submission was not sent within 60 s")
                    time.sleep(0.005)
                delays.append(time.monotonic() - started)
        finally:
            celery.stop()
    figures = {
        "broker": settings.CELERY_BROKER_URL.split("://")[0],
        "samples": len(delays),
        "p50_ms": round(percentile(delays, 0.5) * 1000, 1),
        "p95_ms": round(percentile(delays, 0.95) * 1000, 1),
    }
    write_result(phase, figures)
    return figures


if __name__ == "__main__":
    main()
