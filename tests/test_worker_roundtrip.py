"""A task sent from a web request is done by a separate worker process (not eager mode)."""

import pytest
from django.urls import reverse

from introducer_portal.celery import app as celery_app
from proposals.services.workers import worker_heartbeat_get
from tests.support.worker import wait_until

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_web_request_task_is_done_by_a_worker_process(login, admin_user, worker):
    assert not celery_app.conf.task_always_eager
    assert worker_heartbeat_get() is None

    response = login(admin_user).post(reverse("workers_check"))
    assert response.status_code == 302

    beat = wait_until(worker_heartbeat_get, timeout=30, message=worker.log())
    assert beat["hostname"]
    assert "record_worker_heartbeat" in worker.log()
    status = login(admin_user).get(reverse("workers_status")).json()
    assert status["last_seen"] == beat["at"].isoformat()
