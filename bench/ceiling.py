"""Ceiling (issue 16): how fast the portal itself goes once SFS's limit is out of the way.

The sandbox's limit and the portal's budget are lifted; proposals are queued at once (2,000 by
default, ``BENCH_CEILING_PROPOSALS`` for fewer), then 4 worker processes and beat send them, ask
for their decisions and see those decisions. Figures: creates a minute, duplicates and missing
proposals at SFS, SQL statements per proposal from submit to a seen decision, and on PostgreSQL
the sessions opened per 1,000 proposals.

The phase runs on the embedded default (``ceiling-embedded``) or, with ``DATABASE_URL`` and
Redis (``ceiling-postgres``), on PostgreSQL. Its workers run ``-A bench.ceiling``: the portal's
own app, with a counter of every SQL statement a worker runs.
"""

import json
import os
import sys
import time
from pathlib import Path

from celery import signals

from bench.common import Celery, django_ready, organisation_with_sandbox, phase_env, wait_for
from bench.common import write_result as write_phase_result
from introducer_portal.celery import app  # noqa: F401 (the app this phase's workers run)

PHASE = os.environ.get("BENCH_PHASE", "ceiling-embedded")
PROPOSALS = int(os.environ.get("BENCH_CEILING_PROPOSALS", "2000"))
WORKERS = 4
LIFTED_BUDGET = "10000000"
SECONDS_FOR_EVERY_DECISION = float(os.environ.get("BENCH_CEILING_TIMEOUT", "600"))

# -- in each worker: count every SQL statement, write the count to the phase's folder ----------
_counted = {"statements": 0, "tasks": 0}


def _count_statement(execute, sql, params, many, context):
    _counted["statements"] += 1
    return execute(sql, params, many, context)


def _count_file() -> Path:
    return Path(os.environ["VAR_DIR"]) / f"sql-count-{os.getpid()}.json"


@signals.task_prerun.connect
def _count_this_task(**kwargs) -> None:
    from django.db import connection

    if _count_statement not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_statement)


@signals.task_postrun.connect
def _note_the_count(**kwargs) -> None:
    _counted["tasks"] += 1
    if _counted["tasks"] % 50 == 0:
        _count_file().write_text(json.dumps(_counted))


@signals.worker_shutdown.connect
def _write_the_count(**kwargs) -> None:
    if _counted["tasks"]:
        _count_file().write_text(json.dumps(_counted))


# -- the phase ------------------------------------------------------------------------------------


class CountingCelery(Celery):
    """The phase's workers and beat, on this module's app."""

    def workers(self, count: int, extra_env=None) -> None:
        for index in range(count):
            self._spawn(
                f"worker{index}",
                [
                    "worker", "--pool", "solo", "--loglevel", "WARNING",
                    "-n", f"ceiling{index}@%h", "-Q", "interactive,background",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
            )  # fmt: skip

    def beat(self) -> None:
        self._spawn("beat", ["beat", "--loglevel", "WARNING"])

    def _spawn(self, name: str, args: list[str]) -> None:
        import subprocess

        log = (self.log_dir / f"{name}.log").open("a")
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "bench.ceiling", *args],
                cwd=Path(__file__).resolve().parents[1],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )


def fresh_postgres_database(url: str) -> None:
    """The phase's own PostgreSQL database, empty: every figure counts this run's rows only."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = sql.Identifier(parts.path.lstrip("/"))
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _postgres_sessions() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def main() -> dict:
    os.environ["SIESMART_BUDGET_PER_MINUTE"] = LIFTED_BUDGET
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        fresh_postgres_database(os.environ["DATABASE_URL"])
    django_ready()
    from django.conf import settings
    from django.db import connection

    from proposals.models import Proposal, Status
    from proposals.services.sending import proposal_submit
    from tests.support.proposals import make_proposal
    from tests.support.sandbox_server import SandboxProcess

    names = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")
    extra = {k: os.environ[k] for k in names if k in os.environ}
    if os.environ.get("REDIS_URL"):
        import redis

        for url in (os.environ["REDIS_URL"], os.environ["CELERY_BROKER_URL"]):
            redis.Redis.from_url(url).flushdb()  # this phase's own Redis databases
    with SandboxProcess(rate_limit=0, decision_delay=1) as sandbox:
        _, broker, credential = organisation_with_sandbox(sandbox)
        drafts = [make_proposal(broker=broker, credential=credential) for _ in range(PROPOSALS)]
        submit_statements = {"count": 0}

        def count(execute, sql, params, many, context):
            submit_statements["count"] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            for proposal in drafts:
                proposal_submit(proposal=proposal, user=broker)
        sandbox.reset_stats()
        sessions_before = _postgres_sessions()
        celery = CountingCelery(
            phase_env(PHASE, SIESMART_BUDGET_PER_MINUTE=LIFTED_BUDGET, **extra), settings.VAR_DIR
        )
        started = time.time()
        celery.workers(WORKERS)
        celery.beat()
        try:
            wait_for(
                lambda: Proposal.objects.filter(decided_at__isnull=False).count() >= PROPOSALS,
                timeout=SECONDS_FOR_EVERY_DECISION,
                interval=2,
                what="every decision seen",
            )
            all_seen = time.time() - started
        finally:
            celery.stop()
        sessions_after = _postgres_sessions()
        per_label = sandbox.stats()["proposalsPerLabel"]
    references = list(Proposal.objects.values_list("reference", "status"))
    sent = sorted(
        t.timestamp()
        for t in Proposal.objects.filter(sent_at__isnull=False).values_list("sent_at", flat=True)
    )
    worker_statements = sum(
        json.loads(path.read_text())["statements"]
        for path in Path(settings.VAR_DIR).glob("sql-count-*.json")
    )
    # From the first create to the last: the rate once workers are up.
    sending_seconds = sent[-1] - sent[0] if len(sent) > 1 else None
    figures = {
        "proposals": PROPOSALS,
        "workers": WORKERS,
        "database": connection.vendor,
        "creates_per_minute": round((len(sent) - 1) / sending_seconds * 60, 1)
        if sending_seconds
        else None,
        "duplicates": sum(max(0, per_label.get(ref, 0) - 1) for ref, _ in references),
        # Not at SFS, or not known as sent in the portal.
        "missing": sum(
            1 for ref, status in references if per_label.get(ref, 0) == 0 or status != Status.SENT
        ),
        "sql_per_proposal": round((submit_statements["count"] + worker_statements) / PROPOSALS, 1),
        "submit_sql_per_proposal": round(submit_statements["count"] / PROPOSALS, 1),
        "seconds_to_every_decision_seen": round(all_seen, 1),
    }
    if sessions_before is not None:
        opened = sessions_after - sessions_before
        figures["sessions_per_1000_proposals"] = round(opened * 1000 / PROPOSALS, 1)
    write_phase_result(PHASE, figures)
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)
