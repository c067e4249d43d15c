"""Thin Celery tasks: load by id, call one service, own the retry policy.

A task's name carries its lane (``proposals.interactive.*`` or ``proposals.background.*``);
``CELERY_TASK_ROUTES`` sends each lane to its own queue.
"""

import socket

from celery import shared_task

from proposals.services import workers


@shared_task(name="proposals.interactive.record_worker_heartbeat")
def record_worker_heartbeat():
    workers.worker_heartbeat_record(hostname=socket.gethostname())
