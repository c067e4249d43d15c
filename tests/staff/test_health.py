"""The health panel: today's sends and failures, the queue, the decision time, SFS's side."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from proposals.models import Credential, MirroredOffice, SieSmartCall, Status
from proposals.selectors_staff import health_summary


@pytest.fixture
def credential(organisation):
    return Credential.objects.create(
        organisation=organisation,
        environment="sandbox",
        api_url="http://sandbox.test/api",
        token_url="http://sandbox.test/token",
        client_id="acme",
        client_secret_encrypted="not-a-secret",
        is_active=True,
    )


def test_the_figures(login, staff, broker, other_broker, make_proposal, credential, long_ago):
    now = timezone.now()
    for _ in range(3):
        make_proposal(broker, status=Status.SENT, sent_at=now)
    make_proposal(broker, status=Status.SENT, sent_at=now - timedelta(days=2))
    for code in ("VALIDATION", "VALIDATION", "ETAG_MISMATCH"):
        make_proposal(broker, status=Status.FAILED, last_error_code=code)
    make_proposal(broker, status=Status.FAILED, last_error_code="OLD", updated=long_ago)
    make_proposal(broker, status=Status.QUEUED, queued_at=now)
    make_proposal(broker, status=Status.SENDING, queued_at=long_ago, updated=long_ago)
    for minutes in (10, 20, 60):  # queued -> decided durations; the median is 20 min
        make_proposal(
            broker,
            status=Status.SENT,
            queued_at=now - timedelta(days=1),
            decided_at=now - timedelta(days=1) + timedelta(minutes=minutes),
        )
    make_proposal(
        broker,
        status=Status.SENT,
        queued_at=now - timedelta(days=60),
        decided_at=now - timedelta(days=59),
    )  # older than 30 days: not counted
    make_proposal(other_broker, status=Status.FAILED, last_error_code="FOREIGN")
    for n in range(4):
        SieSmartCall.objects.create(
            credential=credential,
            at=now - timedelta(minutes=n),
            method="GET",
            path="/offices",
            status=200,
        )
    SieSmartCall.objects.create(
        credential=credential,
        at=now - timedelta(hours=2),
        method="GET",
        path="/offices",
        status=200,
    )
    MirroredOffice.objects.create(
        credential=credential,
        office_id=1,
        name="A",
        country_code="GB",
        refreshed_at=now - timedelta(hours=3),
    )
    MirroredOffice.objects.create(
        credential=credential,
        office_id=2,
        name="B",
        country_code="GB",
        refreshed_at=now - timedelta(hours=1),
    )

    health = health_summary(user=staff)
    assert health.sends_today == 3
    assert health.failures_today == 3
    assert health.top_error_codes == [("VALIDATION", 2), ("ETAG_MISMATCH", 1)]
    assert health.median_decision_seconds == 20 * 60 and health.decisions_counted == 3
    assert health.queue_depth == 2 and health.stuck == 1
    assert health.credential == credential
    assert health.calls_last_hour == 4
    assert health.budget_last_hour == settings.SIESMART_BUDGET_PER_MINUTE * 60
    assert abs((health.config_refreshed_at - (now - timedelta(hours=3))).total_seconds()) < 1

    html = login(staff).get(reverse("staff_health")).content.decode()
    for text in (
        "VALIDATION",
        "ETAG_MISMATCH",
        "20 min",
        "(the middle of 3 decisions)",
        f"4 of {health.budget_last_hour}",
        "Sandbox",
        "no token held",
    ):
        assert text in html, text


def test_without_an_active_credential(login, staff):
    health = health_summary(user=staff)
    assert health.credential is None and health.calls_last_hour is None
    assert health.median_decision_seconds is None
    html = login(staff).get(reverse("staff_health")).content.decode()
    assert "No active credential" in html and "no decisions" in html
