"""Settings for the test suite: the real settings, with per-run paths so runs never collide.

Worker processes that tests start get the same module and the same paths through the
environment (see ``tests/support/worker.py``).
"""

import os

from introducer_portal import broker_filesystem
from introducer_portal.settings import *  # noqa: F403
from introducer_portal.settings import CELERY_BROKER_URL, DATABASES, VAR_DIR, env

RUN_ID = env.str("TEST_RUN_ID", default=str(os.getpid()))
TEST_RUN_DIR = VAR_DIR / "test-runs" / RUN_ID
TEST_RUN_DIR.mkdir(parents=True, exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_RUN_DIR / "test.sqlite3")}
    # A worker started by a test opens the test database itself, not the development one.
    if env.str("TEST_WORKER_DATABASE", default=""):
        DATABASES["default"]["NAME"] = env.str("TEST_WORKER_DATABASE")
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{RUN_ID}"}
    if env.str("TEST_WORKER_DATABASE", default=""):
        DATABASES["default"]["NAME"] = env.str("TEST_WORKER_DATABASE")

if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = broker_filesystem.transport_options(TEST_RUN_DIR / "broker")

CELERY_QUEUE_PREFIX = f"test-{RUN_ID}-"
globals().update(broker_filesystem.lane_queues(CELERY_QUEUE_PREFIX))
for _cache in CACHES.values():  # noqa: F405
    _cache["KEY_PREFIX"] = f"test-{RUN_ID}"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No portal listens on PORTAL_PUBLIC_URL in the tests; tests/notifications_sfs turns this on.
SFS_NOTIFICATIONS = env.bool("SFS_NOTIFICATIONS", default=False)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BEAT_SCHEDULE_FILENAME = str(TEST_RUN_DIR / "celerybeat-schedule")

# Tests set up their data with the limits lifted; a test of the limiter sets its own budget.
SIESMART_BUDGET_PER_MINUTE = env.int("SIESMART_BUDGET_PER_MINUTE", default=100_000)
