"""Staff actions: each leaves a timeline entry with the actor; refusals change nothing."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from proposals.models import ProposalEvent, Status
from tests.broker.mirror_fixture import build_mirror
from tests.support.proposals import make_proposal as make_valid_proposal


def _post(client, name, proposal):
    return client.post(reverse(name, args=[proposal.pk]))


def _events(proposal, user):
    return list(
        ProposalEvent.objects.filter(proposal=proposal, actor=user).values_list(
            "kind", "from_status", "to_status"
        )
    )


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_retry_a_failed_send(
    login, staff, broker, organisation, django_capture_on_commit_callbacks
):
    credential = build_mirror(organisation)
    failed = make_valid_proposal(
        broker=broker, credential=credential, status=Status.FAILED, reference="IP-T-RETRY"
    )
    client = login(staff)
    with django_capture_on_commit_callbacks() as sends:
        response = _post(client, "staff_retry_send", failed)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_proposal", args=[failed.pk])
    failed.refresh_from_db()
    assert failed.status == Status.QUEUED
    assert failed.lease_until is None
    assert timezone.now() - failed.queued_at < timedelta(seconds=5)
    assert _events(failed, staff) == [("submitted", "FAILED", "QUEUED")]
    assert len(sends) == 1  # the send is queued once the change has committed
    html = client.get(reverse("staff_proposal", args=[failed.pk])).content.decode()
    assert "submitted" in html and "Sam" in html


def test_retry_of_an_invalid_proposal_says_why(login, staff, broker, organisation):
    build_mirror(organisation)
    failed = make_valid_proposal(broker=broker, status=Status.FAILED, reference="IP-T-BAD")
    failed.calculation["sheet"]["term"] = 37
    failed.save()
    response = _post(login(staff), "staff_retry_send", failed)
    assert any("problem" in m for m in _messages(response))
    failed.refresh_from_db()
    assert failed.status == Status.FAILED and not ProposalEvent.objects.exists()


def test_retry_refused_when_not_failed(login, staff, broker, make_proposal):
    sent = make_proposal(broker, status=Status.SENT)
    response = _post(login(staff), "staff_retry_send", sent)
    assert "Only a failed proposal can be retried." in _messages(response)
    sent.refresh_from_db()
    assert sent.status == Status.SENT and not ProposalEvent.objects.exists()


@pytest.mark.parametrize(
    ("before", "attempts", "after"),
    [
        (Status.QUEUED, 0, Status.QUEUED),
        (Status.SENDING, 1, Status.VERIFYING),
        (Status.VERIFYING, 2, Status.VERIFYING),
    ],
)
def test_requeue_a_stuck_proposal(
    login, admin_user, broker, make_proposal, long_ago, before, attempts, after
):
    stuck = make_proposal(
        broker,
        status=before,
        queued_at=long_ago,
        updated=long_ago,
        send_attempts=attempts,
        lease_until=long_ago if before == Status.SENDING else None,
    )
    _post(login(admin_user), "staff_requeue", stuck)
    stuck.refresh_from_db()
    assert stuck.status == after and stuck.lease_until is None
    assert _events(stuck, admin_user) == [("requeued", before, after)]


def test_requeue_refused_when_not_stuck(login, staff, broker, make_proposal):
    fresh = make_proposal(broker, status=Status.QUEUED, queued_at=timezone.now())
    response = _post(login(staff), "staff_requeue", fresh)
    assert any("stuck" in m for m in _messages(response))
    assert not ProposalEvent.objects.exists()


def test_requeue_refused_while_a_worker_holds_the_lease(
    login, staff, broker, make_proposal, long_ago
):
    held = make_proposal(
        broker,
        status=Status.SENDING,
        queued_at=long_ago,
        updated=long_ago,
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    response = _post(login(staff), "staff_requeue", held)
    assert "A worker still holds this proposal's lease." in _messages(response)
    held.refresh_from_db()
    assert held.status == Status.SENDING


def test_refresh_now(login, staff, broker, make_proposal):
    at_sfs = make_proposal(broker, status=Status.SENT, sfs_id=31)
    _post(login(staff), "staff_refresh", at_sfs)
    assert _events(at_sfs, staff) == [("refresh_requested", "", "")]
    not_sent = make_proposal(broker, status=Status.DRAFT)
    response = _post(login(staff), "staff_refresh", not_sent)
    assert any("Only a proposal that SFS has" in m for m in _messages(response))
    assert not ProposalEvent.objects.filter(proposal=not_sent).exists()


def test_bulk_refresh(login, staff, broker, broker2, make_proposal):
    one = make_proposal(broker, sfs_id=1)
    two = make_proposal(broker2, sfs_id=2)
    response = login(staff).post(
        reverse("staff_bulk_refresh"),
        {"selected": [one.pk, two.pk], "next": "/staff/?status=SENT"},
    )
    assert response.status_code == 302 and response["Location"] == "/staff/?status=SENT"
    assert _events(one, staff) == [("refresh_requested", "", "")]
    assert _events(two, staff) == [("refresh_requested", "", "")]
    assert "Refresh requested for 2 proposal(s)." in _messages(response)


def test_bulk_refresh_never_redirects_off_site(login, staff, broker, make_proposal):
    one = make_proposal(broker, sfs_id=1)
    response = login(staff).post(
        reverse("staff_bulk_refresh"), {"selected": [one.pk], "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("staff_home")


def test_bulk_refresh_with_nothing_selected(login, staff):
    response = login(staff).post(reverse("staff_bulk_refresh"), {})
    assert response.status_code == 302
    assert "Select at least one proposal to refresh." in _messages(response)
