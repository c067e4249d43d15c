"""What every benchmark phase shares: its own var/ (database, broker, secrets), a sandbox,
real worker processes, and the figures written as JSON.

A phase runs as its own process (``python -m bench.<phase>``) with ``VAR_DIR`` pointing at
``var/bench/<phase>``, so phases can run side by side without sharing a database or a budget.
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "var" / "bench"


def phase_env(phase: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        VAR_DIR=str(BENCH_DIR / phase),
        DJANGO_SETTINGS_MODULE="introducer_portal.settings",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
        DJANGO_DEBUG="false",
        # The polling figures are measured as before; a push phase turns notifications on.
        SFS_NOTIFICATIONS="false",
    )
    # A phase runs on the embedded default unless told otherwise.
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "CELERY_BROKER_DIR"):
        env.pop(name, None)
    env.update(extra)
    return env


def fresh_phase_dir(phase: str) -> Path:
    path = BENCH_DIR / phase
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def django_ready() -> None:
    """Set up Django in this (phase) process and bring its database up to date."""
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def organisation_with_sandbox(sandbox):
    """An organisation, a broker and an active credential pointing at ``sandbox``, mirrored."""
    from proposals.services.config_mirror import config_refresh
    from proposals.services.credentials import credential_save
    from proposals.services.people import organisation_get_or_create, user_upsert

    organisation = organisation_get_or_create(name="Bench Brokers Ltd")
    broker = user_upsert(
        organisation=organisation, username="bench-broker", password="x", role="broker"
    )
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
    return organisation, broker, credential


class Celery:
    """Worker and beat processes for a phase, sharing the phase's environment."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env, self.log_dir = env, log_dir
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("a")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "introducer_portal", *args],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def workers(self, count: int, extra_env: dict | None = None) -> None:
        if extra_env:
            self.env = {**self.env, **extra_env}
        for index in range(count):
            self._start(
                f"worker{len(self.processes)}",
                [
                    "worker", "--pool", "solo", "--loglevel", "WARNING",
                    "-n", f"bench{len(self.processes)}-{index}@%h",
                    "-Q", "interactive,background",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
            )  # fmt: skip

    def beat(self) -> None:
        self._start("beat", ["beat", "--loglevel", "WARNING"])

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []


def percentile(values, share: float) -> float | None:
    values = sorted(values)
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def write_result(phase: str, figures: dict) -> None:
    path = BENCH_DIR / f"{phase}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, default=str))
    print(json.dumps({phase: figures}, default=str), flush=True)


def wait_for(predicate, *, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout} s")
