"""A real Celery worker process for tests: same settings module, same test database and broker."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def worker_environment(**extra: str) -> dict[str, str]:
    """The environment of a process that must see this test run's database and broker."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="introducer_portal.test_settings",
        TEST_RUN_ID=settings.RUN_ID,
        TEST_WORKER_DATABASE=str(connection.settings_dict["NAME"]),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class WorkerProcess:
    """``celery worker`` in its own process (solo pool, so SIGKILL kills the whole worker)."""

    def __init__(self, name: str = "w1", *, queues=None, extra_env=None):
        self.name = name
        self.queues = queues or [
            settings.CELERY_QUEUE_INTERACTIVE,
            settings.CELERY_QUEUE_BACKGROUND,
        ]
        self.extra_env = extra_env or {}
        self.log_path = Path(settings.TEST_RUN_DIR) / f"worker-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "WorkerProcess":
        self.log_path.write_text("")
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "introducer_portal", "worker",
                "--pool", "solo", "--loglevel", "INFO", "-n", f"{self.name}@%h",
                "-Q", ",".join(self.queues),
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=REPO,
            env=worker_environment(**self.extra_env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.log_path.read_text()}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"worker {self.name} not ready:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-task, as on a crashed machine."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def purge_queues() -> None:
    """Empty this run's two queues: what an earlier test left behind (a task for a sandbox that
    has stopped, a retry of work long done) must not hold up the next test's worker."""
    from introducer_portal.celery import app

    with app.connection_for_write() as connection:
        for name in (settings.CELERY_QUEUE_INTERACTIVE, settings.CELERY_QUEUE_BACKGROUND):
            # A channel each: on AMQP, purging a queue never declared closes the channel.
            channel = connection.channel()
            # A queue that does not exist has nothing to purge.
            with contextlib.suppress(Exception):
                channel.queue_purge(name)
            with contextlib.suppress(Exception):
                channel.close()


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.1, message: str = ""):
    """Poll ``predicate`` until it returns a truthy value; fail with ``message`` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout} s")


class BeatProcess(WorkerProcess):
    """``celery beat`` in its own process, with this run's settings and schedule file."""

    def start(self, timeout: float = 30) -> "BeatProcess":
        self.log_path.write_text("")
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "introducer_portal",
                "beat",
                "--loglevel",
                "INFO",
            ],
            cwd=REPO,
            env=worker_environment(**self.extra_env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "beat: Starting" in self.log_path.read_text():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"beat exited:\n{self.log_path.read_text()}")
            time.sleep(0.1)
        return self
