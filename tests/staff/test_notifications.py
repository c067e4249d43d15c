"""Notifications: stored for the broker, emailed after commit; a mail failure breaks nothing."""

import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from proposals.models import Notification, Status
from proposals.services import notifications
from proposals.services.notifications import notification_send


@pytest.fixture
def proposal(make_proposal, broker):
    return make_proposal(broker, status=Status.SENT, reference="IP-N-001")


def test_sending_stores_it_and_emails_the_broker(
    proposal, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_send(
            proposal=proposal, kind="decision", message="IP-N-001 was accepted."
        )
    stored = Notification.objects.get()
    assert stored == notification
    assert (stored.user, stored.proposal, stored.kind, stored.read_at) == (
        broker,
        proposal,
        "decision",
        None,
    )
    (email,) = mail.outbox
    assert email.to == [broker.email]
    assert email.subject == "IP-N-001: decision received"
    assert "IP-N-001 was accepted." in email.body


def test_no_email_before_commit(proposal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_send(proposal=proposal, kind="send_failed", message="It failed.")
    assert mail.outbox == [] and len(callbacks) == 1


def test_a_mail_failure_is_logged_not_raised(
    proposal, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(notifications, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(proposal=proposal, kind="conflict", message="Fields conflict.")
    assert Notification.objects.count() == 1
    assert "could not be sent" in caplog.text


def test_unknown_kind_is_a_programming_error(proposal):
    with pytest.raises(ValueError):
        notification_send(proposal=proposal, kind="gossip", message="x")


def test_a_broker_without_email_is_only_notified_in_the_portal(
    make_proposal, broker2, django_capture_on_commit_callbacks
):
    broker2.email = ""
    broker2.save()
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(proposal=make_proposal(broker2), kind="decision", message="x")
    assert Notification.objects.count() == 1 and mail.outbox == []


def test_the_page_lists_only_ones_own(login, broker, broker2, make_proposal, proposal):
    notification_send(proposal=proposal, kind="decision", message="Mine: accepted")
    notification_send(proposal=make_proposal(broker2), kind="decision", message="Not mine")
    response = login(broker).get(reverse("notifications"))
    assert response.status_code == 200
    assert [n.message for n in response.context["page"].object_list] == ["Mine: accepted"]
    html = response.content.decode()
    assert "Mine: accepted" in html and "Not mine" not in html
    assert '1<span class="visually-hidden"> unread</span>' in html  # the nav's count


def test_mark_all_read_marks_only_ones_own(login, broker, broker2, make_proposal, proposal):
    notification_send(proposal=proposal, kind="decision", message="Mine")
    notification_send(proposal=make_proposal(broker2), kind="decision", message="Theirs")
    client = login(broker)
    assert client.get(reverse("notifications_read")).status_code == 405
    response = client.post(reverse("notifications_read"))
    assert response.status_code == 302 and response["Location"] == reverse("notifications")
    assert Notification.objects.get(message="Mine").read_at is not None
    assert Notification.objects.get(message="Theirs").read_at is None
    html = client.get(reverse("notifications")).content.decode()
    assert "Nothing unread." in html and " unread</span>" not in html


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_every_role_has_the_page(login, staff, admin_user, role):
    user = {"staff": staff, "admin": admin_user}[role]
    assert login(user).get(reverse("notifications")).status_code == 200


def test_the_page_needs_login(client, db):
    assert client.get(reverse("notifications")).status_code == 302
