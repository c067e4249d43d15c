"""Notifications to a proposal's broker: stored for the portal's bell, and emailed.

The send and refresh services call ``notification_send`` on a decision, a failed send or a
conflict. The email goes after commit, so a rolled-back change never mails anyone, and a mail
server failure is logged, never raised: the caller's outcome must not depend on SMTP.
"""

import logging
import smtplib

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from proposals.models import Notification, Proposal, User

log = logging.getLogger(__name__)

KINDS = {
    "decision": "decision received",
    "send_failed": "send failed",
    "conflict": "changes conflict with SFS",
    "decision_refused": "SFS cannot decide yet",
    "gone": "no longer at SFS",
}


def _email(*, notification_id: int, address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except (smtplib.SMTPException, OSError):
        log.exception("Notification %s: the email could not be sent", notification_id)


def notification_send(*, proposal: Proposal, kind: str, message: str) -> Notification:
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}; one of {sorted(KINDS)}")
    broker = proposal.broker
    notification = Notification.objects.create(
        user=broker, proposal=proposal, kind=kind, message=message[:500]
    )
    if broker.email:
        subject = f"{proposal}: {KINDS[kind]}"
        body = f"{message}\n\nOpen the Introducer Portal to see the proposal.\n"
        transaction.on_commit(
            lambda: _email(
                notification_id=notification.pk, address=broker.email, subject=subject, body=body
            )
        )
    return notification


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's own notifications, newest first (a read; it sits beside its only writer)."""
    return Notification.objects.filter(user=user).select_related("proposal").order_by("-created")


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
