"""Worker liveness: a heartbeat that workers record and admins can ask for."""

from django.core.cache import cache
from django.utils import timezone

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
    from proposals.tasks import record_worker_heartbeat

    record_worker_heartbeat.delay_on_commit()
