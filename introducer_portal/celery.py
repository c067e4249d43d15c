"""The Celery app: the official Django recipe, and Django's connection rule around each task."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "introducer_portal.settings")

app = Celery("introducer_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def keep_database_connection_by_django_rule(sender=None, **kwargs) -> None:
    """A task is a worker's request: its connection is kept for CONN_MAX_AGE, closed when an
    error broke it, and checked before it is used again (CONN_HEALTH_CHECKS), as Django does
    at each request's start and end. Celery's fixup would close it every time instead; the
    setting ``CELERY_DB_REUSE_MAX`` tells it not to."""
    if sender is not None and getattr(sender.request, "is_eager", False):
        return  # an eager task runs inside its caller's transaction: the caller's to manage
    close_old_connections()
