"""Staff actions: each leaves a timeline entry with the actor; refusals change nothing."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from proposals.models import ProposalEvent, Status
from proposals.services import PortalError, staff_actions


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


def test_retry_a_failed_send(login, staff, broker, make_proposal, local_actions):
    failed = make_proposal(broker, status=Status.FAILED, lease_until=timezone.now())
    client = login(staff)
    response = _post(client, "staff_retry_send", failed)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_proposal", args=[failed.pk])
    failed.refresh_from_db()
    assert failed.status == Status.QUEUED
    assert failed.lease_until is None
    assert timezone.now() - failed.queued_at < timedelta(seconds=5)
    assert _events(failed, staff) == [("retry_send", "FAILED", "QUEUED")]
    html = client.get(reverse("staff_proposal", args=[failed.pk])).content.decode()
    assert "retry_send" in html and "Sam" in html


def test_retry_refused_when_not_failed(login, staff, broker, make_proposal, local_actions):
    sent = make_proposal(broker, status=Status.SENT)
    response = _post(login(staff), "staff_retry_send", sent)
    assert "Only a failed send can be retried." in _messages(response)
    sent.refresh_from_db()
    assert sent.status == Status.SENT and not ProposalEvent.objects.exists()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Status.QUEUED, Status.QUEUED),
        (Status.SENDING, Status.VERIFYING),
        (Status.VERIFYING, Status.VERIFYING),
    ],
)
def test_requeue_a_stuck_proposal(
    login, admin_user, broker, make_proposal, long_ago, local_actions, before, after
):
    stuck = make_proposal(
        broker,
        status=before,
        queued_at=long_ago,
        updated=long_ago,
        lease_until=long_ago if before == Status.SENDING else None,
    )
    _post(login(admin_user), "staff_requeue", stuck)
    stuck.refresh_from_db()
    assert stuck.status == after and stuck.lease_until is None
    assert timezone.now() - stuck.queued_at < timedelta(seconds=5)
    assert _events(stuck, admin_user) == [("requeue", before, after)]


def test_requeue_refused_when_not_stuck(login, staff, broker, make_proposal, local_actions):
    fresh = make_proposal(broker, status=Status.QUEUED, queued_at=timezone.now())
    response = _post(login(staff), "staff_requeue", fresh)
    assert any("stuck" in m for m in _messages(response))
    assert not ProposalEvent.objects.exists()


def test_requeue_refused_while_a_worker_holds_the_lease(
    login, staff, broker, make_proposal, long_ago, local_actions
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


def test_refresh_now(login, staff, broker, make_proposal, local_actions):
    at_sfs = make_proposal(broker, status=Status.SENT, sfs_id=31)
    _post(login(staff), "staff_refresh", at_sfs)
    assert _events(at_sfs, staff) == [("refresh_requested", "", "")]
    not_sent = make_proposal(broker, status=Status.DRAFT)
    response = _post(login(staff), "staff_refresh", not_sent)
    assert any("not at SFS yet" in m for m in _messages(response))
    assert not ProposalEvent.objects.filter(proposal=not_sent).exists()


def test_bulk_refresh(login, staff, broker, broker2, make_proposal, local_actions):
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


def test_bulk_refresh_never_redirects_off_site(login, staff, broker, make_proposal, local_actions):
    one = make_proposal(broker, sfs_id=1)
    response = login(staff).post(
        reverse("staff_bulk_refresh"), {"selected": [one.pk], "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("staff_home")


def test_bulk_refresh_with_nothing_selected(login, staff, local_actions):
    response = login(staff).post(reverse("staff_bulk_refresh"), {})
    assert response.status_code == 302
    assert "Select at least one proposal to refresh." in _messages(response)


def test_the_adapter_delegates_to_the_lead_services(
    monkeypatch, staff, broker, make_proposal, long_ago
):
    calls = []

    def fake(module, name):
        def service(**kwargs):
            calls.append((module, name, kwargs))
            if name == "proposal_refresh_request" and kwargs["proposal"].sfs_id is None:
                raise PortalError("nothing to refresh")

        return service

    monkeypatch.setattr(staff_actions, "_lead", fake)
    failed = make_proposal(broker, status=Status.FAILED)
    stuck = make_proposal(broker, status=Status.QUEUED, queued_at=long_ago, updated=long_ago)
    fresh = make_proposal(broker, status=Status.QUEUED, queued_at=timezone.now())
    staff_actions.staff_retry_send(proposal=failed, user=staff)
    staff_actions.staff_requeue(proposal=stuck, user=staff)
    with pytest.raises(PortalError):  # the staff policy holds whoever moves the row
        staff_actions.staff_requeue(proposal=fresh, user=staff)
    outcome = staff_actions.staff_refresh(proposals=[failed, stuck], user=staff)
    assert [(m, n, k["proposal"], k["user"], k.get("lane")) for m, n, k in calls] == [
        ("proposals.services.sending", "proposal_retry_send", failed, staff, None),
        ("proposals.services.sending", "proposal_requeue", stuck, staff, None),
        ("proposals.services.refresh", "proposal_refresh_request", failed, staff, "interactive"),
        ("proposals.services.refresh", "proposal_refresh_request", stuck, staff, "interactive"),
    ]
    assert outcome.requested == [] and len(outcome.refused) == 2


def test_lead_lookup_answers_none_for_a_missing_module():
    assert staff_actions._lead("proposals.services.no_such_module", "x") is None
    assert staff_actions._lead("proposals.services.notifications", "no_such_function") is None
    assert staff_actions._lead("proposals.services.notifications", "notification_send")


def test_through_the_lead_services_too_each_action_leaves_an_entry_with_the_actor(
    login, staff, broker, make_proposal, long_ago
):
    if staff_actions._lead("proposals.services.refresh", "proposal_refresh_request") is None:
        pytest.skip("the send and refresh services are not there yet")
    stuck = make_proposal(broker, status=Status.QUEUED, queued_at=long_ago, updated=long_ago)
    at_sfs = make_proposal(broker, status=Status.SENT, sfs_id=77)
    client = login(staff)
    assert _post(client, "staff_requeue", stuck).status_code == 302
    assert _post(client, "staff_refresh", at_sfs).status_code == 302
    assert ProposalEvent.objects.filter(proposal=stuck, actor=staff).exists()
    assert ProposalEvent.objects.filter(proposal=at_sfs, actor=staff).exists()
    stuck.refresh_from_db()
    assert stuck.status in (Status.QUEUED, Status.VERIFYING)
