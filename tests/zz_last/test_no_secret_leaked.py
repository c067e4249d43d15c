"""Runs last: no SieSmart secret in any log line or Celery message of the whole run.

It also makes evidence of its own (a connection test through a worker), so it proves something
even when run alone.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from proposals.models import ConnectionTest
from tests.services.conftest import sandbox_credential
from tests.support.worker import wait_until

# Every client secret the suite uses (the seed's, and the ones tests make up).
SECRETS = ["demo-secret", "other-secret", "sweep-secret-value", "prod-secret", "not-the-secret"]


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_no_secret_in_any_log_line_or_celery_message(
    leak_watch, login, admin_user, organisation, sandbox, worker
):
    credential = sandbox_credential(organisation, sandbox)
    login(admin_user).post(reverse("credential_test", args=[credential.pk]))
    wait_until(
        lambda: ConnectionTest.objects.filter(credential=credential, state="ok").exists(),
        timeout=30,
        message=worker.log()[-2000:],
    )
    for handler_stream in (leak_watch,):
        assert handler_stream.exists()
    own = leak_watch.read_text(encoding="utf-8")
    workers = "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in settings.TEST_RUN_DIR.glob("*.log")
        if path != leak_watch
    )
    assert "CELERY proposals.interactive.run_connection_test" in own  # messages were watched
    assert "SieSmart GET /common/offices" in own + workers  # calls were logged
    for secret in SECRETS:
        assert secret not in own, f"{secret!r} appears in this process's log or messages"
        assert secret not in workers, f"{secret!r} appears in a worker's log"
