"""A worker keeps its database connection from task to task, by Django's rule (issue 16, 1).

Celery's Django fixup closes the connection around every task unless told otherwise, so without
the portal's settings every task opens a new connection (a new PostgreSQL backend). A real
worker here runs a probe task, imported from this module, that notes which connection object
served it (and, on PostgreSQL, its backend's pid); the probe runs on whichever database the
suite runs on.
"""

import json
import os
import subprocess
import sys
import time

import pytest
from celery import current_app, shared_task
from django.conf import settings
from django.db import connection

from tests.support.worker import REPO, WorkerProcess, wait_until, worker_environment

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.broker]

PROBE = "tests.worker_connections.probe"
# Every connection a probe has seen, kept alive so that no two ever share an id().
_seen_connections: list = []


@shared_task(name=PROBE)
def connection_probe(path: str) -> None:
    with connection.cursor() as cursor:  # connects, or checks the kept connection first
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT 1")
            backend = None
    raw = connection.connection
    index = next((i for i, seen in enumerate(_seen_connections) if seen is raw), None)
    if index is None:
        _seen_connections.append(raw)
        index = len(_seen_connections) - 1
    line = {"connection": index, "backend": backend, "process": os.getpid()}
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


class ProbingWorker(WorkerProcess):
    """The suite's worker, with this module imported so that it knows the probe task."""

    def start(self, timeout: float = 60) -> "ProbingWorker":
        self.log_path.write_text("")
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "introducer_portal", "worker",
                "--pool", "solo", "--loglevel", "INFO", "-n", f"{self.name}@%h",
                "-Q", ",".join(self.queues), "--include", __name__,
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=REPO,
            env=worker_environment(**self.extra_env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(
            lambda: "ready." in self.log() or self.process.poll() is not None,
            timeout=timeout,
            message=f"worker {self.name} not ready:\n{self.log()}",
        )
        assert self.process.poll() is None, self.log()
        return self


def _probe(path, count: int, worker: WorkerProcess) -> list[dict]:
    """Send `count` probes at once and return every probe line written so far."""
    before = len(_lines(path))
    for _ in range(count):
        current_app.send_task(PROBE, args=[str(path)], queue=settings.CELERY_QUEUE_INTERACTIVE)
    wait_until(
        lambda: len(_lines(path)) >= before + count,
        timeout=60,
        message=worker.log()[-3000:],
    )
    return _lines(path)


def _lines(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def test_a_worker_serves_many_tasks_on_one_connection_and_replaces_a_broken_one(tmp_path):
    path = tmp_path / "probes.jsonl"
    with ProbingWorker("connections") as worker:
        lines = _probe(path, 6, worker)
        lines += _probe(path, 2, worker)[len(lines) :]  # and again once the worker was idle
        assert len({line["process"] for line in lines}) == 1
        assert [line["connection"] for line in lines] == [0] * 8, lines
        if connection.vendor != "postgresql":
            return
        # One PostgreSQL session for every task, still open while the worker waits.
        (backend,) = {line["backend"] for line in lines}
        assert _backend_alive(backend)
        # The server drops the session (a restart, a proxy's idle timeout): the health check
        # notices before the next task uses it, and that task runs on a new session.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
        wait_until(lambda: not _backend_alive(backend), timeout=10)
        after = _probe(path, 2, worker)[-2:]
        assert after[0]["backend"] != backend and after[0]["backend"] == after[1]["backend"]
        assert after[0]["connection"] == after[1]["connection"] == 1


def test_a_worker_drops_a_connection_older_than_conn_max_age(tmp_path):
    path = tmp_path / "probes.jsonl"
    with ProbingWorker("connection-age", extra_env={"CONN_MAX_AGE": "3"}) as worker:
        first = _probe(path, 2, worker)
        assert first[0]["connection"] == first[1]["connection"] == 0
        time.sleep(3.5)
        later = _probe(path, 1, worker)[-1]
        assert later["connection"] == 1
