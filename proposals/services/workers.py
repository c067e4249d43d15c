"""Worker liveness: a heartbeat that workers record and admins can ask for."""

from django.core.cache import cache
from django.utils import timezone

from proposals import jobs

HEARTBEAT_KEY = "portal:worker-heartbeat"


def worker_heartbeat_record(*, hostname: str) -> None:
    cache.set(HEARTBEAT_KEY, {"at": timezone.now().isoformat(), "hostname": hostname}, None)


def worker_heartbeat_get() -> dict | None:
    value = cache.get(HEARTBEAT_KEY)
    if not value:
        return None
    return {"at": timezone.datetime.fromisoformat(value["at"]), "hostname": value["hostname"]}


def worker_heartbeat_request() -> None:
    """Ask a worker to check in; the task is sent after the surrounding transaction commits."""
    jobs.job_enqueue(jobs.WORKER_HEARTBEAT)
