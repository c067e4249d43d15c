"""Fixtures shared by the whole suite: people of two organisations, a real worker process."""

import itertools

import pytest

from proposals.models import Role
from proposals.services.people import organisation_get_or_create, user_upsert
from tests.support.kept_posts import mark_signed_in  # issue 10 (6)
from tests.support.sandbox_server import SandboxProcess
from tests.support.two_factor import login_verified
from tests.support.worker import WorkerProcess, purge_queues

PASSWORD = "correct-horse-battery-staple"
_worker_numbers = itertools.count(1)


@pytest.fixture
def organisation(db):
    return organisation_get_or_create(name="Acme Asset Brokers")


@pytest.fixture
def other_organisation(db):
    return organisation_get_or_create(name="Rival Leasing Partners")


def _user(organisation, username, role):
    return user_upsert(
        organisation=organisation,
        username=username,
        password=PASSWORD,
        role=role,
        first_name=username.title(),
        email=f"{username}@example.test",
    )


@pytest.fixture
def broker(organisation):
    return _user(organisation, "bella", Role.BROKER)


@pytest.fixture
def broker2(organisation):
    return _user(organisation, "bruno", Role.BROKER)


@pytest.fixture
def staff(organisation):
    return _user(organisation, "sam", Role.STAFF)


@pytest.fixture
def admin_user(organisation):
    return _user(organisation, "ada", Role.ADMIN)


@pytest.fixture
def other_staff(other_organisation):
    return _user(other_organisation, "oscar", Role.STAFF)


@pytest.fixture
def other_admin(other_organisation):
    return _user(other_organisation, "olga", Role.ADMIN)


@pytest.fixture
def other_broker(other_organisation):
    return _user(other_organisation, "otto", Role.BROKER)


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as ``user`` and returns it."""

    def _login(user):
        # two-factor: staff and admins must pass it; log in with a real confirmed device.
        login_verified(client, user)
        # issue 10 (6): the cookie a real login's answer sets; force_login never receives it.
        mark_signed_in(client)
        return client

    return _login


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    """A real Celery worker process for the module, on this run's test database. A fresh one
    per module: nothing an earlier module scheduled (a retry held for later) can reach it."""
    purge_queues()
    with django_db_blocker.unblock():
        process = WorkerProcess(f"worker-{next(_worker_numbers)}").start()
    yield process
    process.stop()
    purge_queues()


@pytest.fixture(autouse=True)
def _queues_start_empty(request):
    """Tests with real workers start with empty queues, whatever earlier tests left."""
    if request.node.get_closest_marker("broker") is not None:
        purge_queues()


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox process for the session, its rate limit lifted; tests that change its
    settings or faults put them back."""
    with SandboxProcess(rate_limit=0, decision_delay=0.5) as process:
        yield process


@pytest.fixture(scope="session", autouse=True)
def leak_watch():
    """Every log line of this process (at DEBUG) and every Celery message it publishes go to a
    file under this run's folder, so ``tests/zz_last`` can prove no secret ever appears there.
    Worker processes log to their own files in the same folder."""
    import json
    import logging

    from celery.signals import before_task_publish
    from django.conf import settings

    path = settings.TEST_RUN_DIR / "leak-watch.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def on_publish(sender=None, body=None, headers=None, **kwargs):
        handler.stream.write(f"CELERY {sender} {json.dumps([body, headers], default=str)}\n")
        handler.flush()

    before_task_publish.connect(on_publish, weak=False)
    yield path
    before_task_publish.disconnect(on_publish)
    root.removeHandler(handler)
    root.setLevel(previous)
    handler.close()


@pytest.fixture
def reset_throttle_cleared():
    """The password-reset throttle counts in the cache. The database cache rolls back with each
    test, Redis does not: there, counts of earlier tests are removed so each test starts at 0."""
    from django.core.cache import cache

    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):
        client = backend.get_client(write=True)
        for key in client.scan_iter(match=cache.make_key("accounts:reset:*")):
            client.delete(key)
    yield
