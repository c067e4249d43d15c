"""Notifications to a proposal's broker: stored for the portal's bell, and emailed.

The send and refresh services call ``notification_send`` on a decision, a failed send or a
conflict. The email goes after commit, so a rolled-back change never mails anyone, and a mail
server failure is logged, never raised: the caller's outcome must not depend on SMTP.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from proposals.lifecycle import words
from proposals.models import Notification, Proposal, User
from proposals.services.credentials import describe_error

log = logging.getLogger(__name__)

KINDS = {
    "decision": "decision received",
    "send_failed": "send failed",
    "conflict": "changes conflict with SFS",
    "decision_refused": "SFS cannot decide yet",
    "gone": "no longer at SFS",
    "signing_refused": "SFS refused the signing request",
    "activated": "contract active",
}


def decision_message(proposal: Proposal) -> str:
    """A decision notification's text: the outcome in words (never SFS's enum) and its reason."""
    status = proposal.decision_status or proposal.workflow_status or ""
    if proposal.workflow_status in ("CANCELLED", "ACTIVATED"):
        status = proposal.workflow_status
    outcome = words(status) or "Decided"
    reason = (proposal.decision or {}).get("reason") if isinstance(proposal.decision, dict) else ""
    return f"SFS's decision: {outcome}." + (f" Reason: {reason}" if reason else "")


def activation_message(proposal: Proposal) -> str:
    """The deal is done: SFS activated the contract (and pays the supplier)."""
    number = proposal.contract_no or "(number to follow)"
    return f"Contract {number} is active: SFS has every document it needs."


def error_message(error) -> str:
    """A failure in the portal's words, without SFS's code and trace id (staff see those on the
    proposal's events)."""
    violations = getattr(error, "violations", None) or []
    if violations:
        said = [v.user_message for v in violations if getattr(v, "user_message", None)]
        if len(said) == len(violations):
            return "; ".join(said)
        return "Open the proposal to see what SFS needs and where to fix it."
    text = describe_error(error)
    tail = str(error)
    if text.endswith(tail):
        text = text[: -len(tail)].rstrip()
    code = getattr(error, "code", None)
    if code and text.endswith(f"({code})"):
        text = text[: -len(f"({code})")].rstrip()
    return text or "SFS refused the request."


def proposal_link(proposal: Proposal) -> str:
    """The proposal's page as an absolute URL, for an email read outside the portal."""
    base = settings.PORTAL_PUBLIC_URL.rstrip("/")
    return base + reverse("proposal_detail", args=[proposal.pk])


def _email(*, notification_id: int, address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except (smtplib.SMTPException, OSError):
        log.exception("Notification %s: the email could not be sent", notification_id)


def _reason(proposal: Proposal) -> str:
    decision = proposal.decision if isinstance(proposal.decision, dict) else {}
    return decision.get("reason") or ""


def notification_send(*, proposal: Proposal, kind: str, message: str) -> Notification:
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}; one of {sorted(KINDS)}")
    broker = proposal.broker
    notification = Notification.objects.create(
        user=broker, proposal=proposal, kind=kind, message=message[:500]
    )
    if broker.email:
        subject = f"{proposal}: {KINDS[kind]}"
        body = render_to_string(
            "notifications/email.txt",
            {
                "proposal": proposal,
                "message": message,
                "reason": _reason(proposal) if kind == "decision" else "",
                "link": proposal_link(proposal),
            },
        )
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
