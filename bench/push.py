"""Push (issue 14): the freshness and economy phases again, with SFS's notifications on.

One module, three phases, chosen by ``BENCH_PHASE``:

- ``freshness_push``: 2,000 open proposals at SFS's limit of 100 a minute, 10 decisions a minute
  for five minutes; p50/p95 seconds from a decision to the portal, and polling's share.
- ``freshness_push_lossy``: the same while the sandbox loses 20 % of notifications, duplicates
  20 % and delays them up to 30 s; p95, and whether every decision reached the portal, waiting
  at most the safety net's period and a margin after the last decision.
- ``economy_push``: SieSmart calls per proposal from submit to decision (100 proposals, decision
  delay 60 s), to set beside ``economy``'s polling figure.

The sandbox delivers only to loopback, so each phase serves its own portal (gunicorn, the phase's
settings) on a free 127.0.0.1 port, and PORTAL_PUBLIC_URL names it before the credential is
made active: registration, done before any proposal is sent, points there. Polling runs at
whatever cadence the portal has (``safety_net_seconds`` in the figures says which).
"""

import os
import random
import subprocess
import sys
import time

import requests

from bench.common import (
    REPO,
    Celery,
    django_ready,
    organisation_with_sandbox,
    percentile,
    phase_env,
    wait_for,
    write_result,
)
from tests.support.sandbox_server import free_port

OPEN = int(os.environ.get("BENCH_PUSH_OPEN", "2000"))
MEASURE_SECONDS = int(os.environ.get("BENCH_PUSH_SECONDS", "300"))
DECISIONS_PER_MINUTE = 10
LIMIT, BUDGET = 100, 90
LOSSY_FAULTS = {
    "notificationLossRate": 0.2,
    "notificationDuplicateRate": 0.2,
    "notificationDelaySeconds": 30,
}
ECONOMY_PROPOSALS = int(os.environ.get("BENCH_PUSH_ECONOMY_PROPOSALS", "100"))
ECONOMY_DECISION_DELAY = 60
# Without a lossy sandbox a decision not seen within this long after the window will not be.
PLAIN_TAIL_SECONDS = 90
TAIL_MARGIN_SECONDS = 30
DEFAULT_SAFETY_NET_SECONDS = 300  # the "every five minutes", where no setting says


def push_env(phase: str, public_url: str, **extra: str) -> dict[str, str]:
    # phase_env turns notifications off for the polling phases: on again here, in every process.
    return phase_env(phase, SFS_NOTIFICATIONS="true", PORTAL_PUBLIC_URL=public_url, **extra)


class PortalServer:
    """The portal over HTTP on a loopback port, so the sandbox can deliver to it."""

    def __init__(self, env: dict[str, str], port: int, log_dir):
        self.env, self.port, self.log_dir = env, port, log_dir
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "PortalServer":
        log = (self.log_dir / "portal-server.log").open("a")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "introducer_portal.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4",
                "--log-level", "warning",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

        def answering() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"portal server exited {self.process.returncode}")
            try:
                # Unauthenticated: the receiver's 401 is answer enough.
                requests.post(self.url + "/hooks/sfs/notifications", timeout=10)
            except requests.RequestException:  # not listening yet, or still loading Django
                return False
            return True

        try:
            wait_for(answering, timeout=60, what="portal server answering")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def registered_now(credential) -> str:
    """Register the endpoint in this process before anything is sent: a proposal sent earlier
    would get no subscription (nothing is subscribed without an endpoint)."""
    from proposals.services.sfs_notifications import (
        endpoint_register_request,
        endpoint_register_run,
    )

    endpoint_register_request(credential=credential)
    return endpoint_register_run(credential_id=credential.pk)


def safety_net_seconds():
    from django.conf import settings

    return getattr(settings, "SFS_SAFETY_NET_SECONDS", None)


def notification_figures(stats: dict) -> dict:
    from proposals.models import SfsNotification

    return {
        "sandbox_notifications": stats.get("notifications"),
        "portal_notifications_recorded": SfsNotification.objects.count(),
        "safety_net_seconds": safety_net_seconds(),
    }


def freshness(phase: str, public_url: str, faults: dict) -> dict:
    from django.conf import settings
    from django.db.models import Max
    from django.utils import timezone

    from proposals.models import Proposal, RatePause, RateSlot, SfsSubscription, SieSmartCall
    from proposals.services.refresh import OVERLAP, refresh_cycle
    from proposals.services.sending import proposal_submit
    from tests.support.proposals import make_proposal
    from tests.support.sandbox_server import SandboxProcess

    with SandboxProcess(rate_limit=0, decision_delay=10**6) as sandbox:
        _, broker, credential = organisation_with_sandbox(sandbox)
        registration = registered_now(credential)
        setup = Celery(
            push_env(phase, public_url, SIESMART_BUDGET_PER_MINUTE="100000"), settings.VAR_DIR
        )
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
            # A decision on a proposal not yet subscribed would be found by polling only.
            wait_for(
                lambda: (
                    SfsSubscription.objects.filter(state=SfsSubscription.State.ACTIVE).count()
                    >= OPEN
                ),
                timeout=600,
                interval=2,
                what="every proposal subscribed",
            )
        finally:
            setup.stop()
        # A search walks back to the newest change it saw less OVERLAP, and setup just gave
        # every proposal a new version within two minutes (its subscription): any cycle would
        # walk all 2,000 again until a later change moves that point on. Steady state is what
        # is measured, so one change comes past OVERLAP, before setup's own first cycle.
        last_setup_call = SieSmartCall.objects.aggregate(last=Max("at"))["last"]
        time.sleep(max(0.0, (last_setup_call + OVERLAP - timezone.now()).total_seconds() + 5))
        marker = Proposal.objects.order_by("pk").values_list("sfs_id", flat=True).first()
        sandbox.control(
            "POST",
            f"/__sandbox__/proposals/{marker}/underwriter-edit",
            {"specialConditionText": "Bench: moves the search's cursor past setup"},
        )
        settings.SIESMART_BUDGET_PER_MINUTE = 100_000
        refresh_cycle(credential=credential)  # the first, full scan: part of setting up
        RateSlot.objects.all().delete()
        RatePause.objects.all().delete()

        sandbox.set_settings(rateLimitPerMinute=LIMIT)
        sandbox.set_faults(**faults)
        sandbox.reset_stats()
        measured = Celery(
            push_env(phase, public_url, SIESMART_BUDGET_PER_MINUTE=str(BUDGET)), settings.VAR_DIR
        )
        measured.workers(2)
        measured.beat()
        if faults:
            tail = (safety_net_seconds() or DEFAULT_SAFETY_NET_SECONDS) + TAIL_MARGIN_SECONDS
        else:
            tail = PLAIN_TAIL_SECONDS
        pending = list(Proposal.objects.exclude(sfs_id=marker).values_list("sfs_id", flat=True))
        random.seed(7)
        random.shuffle(pending)
        decided_at: dict[int, float] = {}
        seen_at: dict[int, float] = {}
        started = time.monotonic()
        interval = 60 / DECISIONS_PER_MINUTE
        next_decision = started
        try:
            while time.monotonic() - started < MEASURE_SECONDS + tail:
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
        sandbox.set_faults()
    delays = [seen_at[i] - decided_at[i] for i in seen_at]
    searches = stats["requests"]["byEndpoint"].get("GET /proposals/search", 0)
    figures = {
        "open_proposals": OPEN,
        "faults": faults,
        "registration": registration,
        "decisions": len(decided_at),
        "seen": len(seen_at),
        "p50_s": round(percentile(delays, 0.5), 2) if delays else None,
        "p95_s": round(percentile(delays, 0.95), 2) if delays else None,
        "max_s": round(max(delays), 2) if delays else None,
        "search_calls": searches,
        "all_calls": stats["requests"]["total"],
        "calls_by_endpoint": stats["requests"]["byEndpoint"],
        "polling_share": round(searches / (BUDGET * elapsed / 60), 4),
        "responses_429": stats["requests"]["byStatus"].get("429", 0),
        "max_requests_in_60s": max(stats["maxRequestsIn60s"].values(), default=0),
        "measured_seconds": round(elapsed, 1),
        **notification_figures(stats),
    }
    if faults:
        figures["all_seen"] = len(seen_at) == len(decided_at)
        figures["waited_at_most_s"] = tail
    return figures


def economy(phase: str, public_url: str) -> dict:
    from django.conf import settings

    from proposals.models import Proposal, SieSmartCall
    from proposals.services.sending import proposal_submit
    from tests.support.proposals import make_proposal
    from tests.support.sandbox_server import SandboxProcess

    with SandboxProcess(rate_limit=0, decision_delay=ECONOMY_DECISION_DELAY) as sandbox:
        _, broker, credential = organisation_with_sandbox(sandbox)
        registration = registered_now(credential)
        setup_calls = SieSmartCall.objects.exclude(path="/oauth/token").count()
        celery = Celery(push_env(phase, public_url), settings.VAR_DIR)
        celery.workers(2)
        celery.beat()
        started = time.monotonic()
        try:
            proposals = [
                make_proposal(broker=broker, credential=credential)
                for _ in range(ECONOMY_PROPOSALS)
            ]
            for proposal in proposals:
                proposal_submit(proposal=proposal, user=broker)
            wait_for(
                lambda: (
                    Proposal.objects.filter(workflow_status="ACCEPTED").count() >= ECONOMY_PROPOSALS
                ),
                # Past a safety-net period: a decision made before its subscription went through
                # (subscriptions wait behind the budget) is found by the search.
                timeout=540,
                interval=1,
                what="every decision seen",
            )
            elapsed = time.monotonic() - started
            calls = SieSmartCall.objects.exclude(path="/oauth/token").order_by("pk")[setup_calls:]
            rows = list(calls.values_list("method", "path"))
        finally:
            celery.stop()
        stats = sandbox.stats()
    return {
        "proposals": ECONOMY_PROPOSALS,
        "decision_delay_s": ECONOMY_DECISION_DELAY,
        "registration": registration,
        "calls_per_proposal": round(len(rows) / ECONOMY_PROPOSALS, 2),
        "calls_by_kind": _kinds(rows),
        "seconds_to_last_decision": round(elapsed, 1),
        **notification_figures(stats),
    }


def _kinds(rows: list[tuple[str, str]]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for method, path in rows:
        if path.endswith("/search"):
            kind = "search"
        elif "/subscriptions" in path:
            kind = f"{method} subscription"
        elif path.startswith("/proposals/") and path.count("/") == 2:
            kind = f"{method} proposal"
        else:
            kind = f"{method} {path.split('/')[-1] if path.count('/') > 2 else path}"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def main() -> dict:
    phase = os.environ["BENCH_PHASE"]
    # Before Django reads its settings: this process activates the credential (and registers).
    public_url = f"http://127.0.0.1:{free_port()}"
    os.environ.update(SFS_NOTIFICATIONS="true", PORTAL_PUBLIC_URL=public_url)
    django_ready()
    from django.conf import settings

    port = int(public_url.rsplit(":", 1)[1])
    with PortalServer(push_env(phase, public_url), port, settings.VAR_DIR):
        if phase == "freshness_push":
            figures = freshness(phase, public_url, {})
        elif phase == "freshness_push_lossy":
            figures = freshness(phase, public_url, LOSSY_FAULTS)
        elif phase == "economy_push":
            figures = economy(phase, public_url)
        else:
            raise SystemExit(f"unknown push phase {phase!r}")
    write_result(phase, figures)
    return figures


if __name__ == "__main__":
    main()
