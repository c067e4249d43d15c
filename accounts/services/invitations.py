"""Invitations: an organisation admin asks someone by email to join; the link sets a password.

The token goes out in the email only; the database keeps its sha256. Every change is a
conditional update on an open invitation, so a link accepted, withdrawn or re-sent in a race is
used at most once. No invitation is saved without its email having been handed to the backend.
"""

import hashlib
import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, InvitationState
from accounts.services.audit import account_audit_record
from proposals.models import Role, User
from proposals.services import PortalError

log = logging.getLogger(__name__)

INVITABLE_ROLES = (Role.BROKER, Role.STAFF, Role.ADMIN)


class InvitationRefused(PortalError):
    """A refused invitation step; ``field`` names the form field the message belongs next to."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, invitation_token_hash(token)


def _expiry(now):
    return now + timedelta(days=settings.ACCOUNT_INVITATION_DAYS)


def _email_invitation(*, invitation: Invitation, token: str, site_url: str) -> None:
    """Hand the email to the backend; a failure refuses the step (and rolls it back)."""
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "invited_by": invitation.invited_by,
        "accept_url": site_url.rstrip("/") + reverse("invitation_accept", args=[token]),
        "expires_at": invitation.expires_at,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    body = render_to_string("accounts/email/invitation_body.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [invitation.email])
    except (smtplib.SMTPException, OSError) as error:
        log.warning("invitation email to organisation %s failed: %s", invitation.organisation_id,
                    type(error).__name__)  # fmt: skip
        raise InvitationRefused("The email could not be sent. Please try again.") from error


def _open_invitations(organisation_id):
    return Invitation.objects.filter(
        organisation_id=organisation_id, accepted_at=None, withdrawn_at=None
    )


def invitation_create(*, actor: User, email: str, role: str, site_url: str) -> Invitation:
    email = User.objects.normalize_email(email.strip())
    if role not in INVITABLE_ROLES:
        raise InvitationRefused("Choose a role.", field="role")
    # One account per address: a reset email must reach exactly one account.
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationRefused(
            "This address already belongs to an account, so it cannot be invited.", field="email"
        )
    if _open_invitations(actor.organisation_id).filter(email__iexact=email).exists():
        raise InvitationRefused(
            "This address already has an invitation: re-send or withdraw it below.",
            field="email",
        )
    token, digest = _new_token()
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation_id=actor.organisation_id,
            email=email,
            role=role,
            token_hash=digest,
            invited_by=actor,
            sent_at=now,
            expires_at=_expiry(now),
        )
        account_audit_record(
            organisation=actor.organisation,
            action="invitation_sent",
            actor=actor,
            email=email,
            role=role,
        )
        _email_invitation(invitation=invitation, token=token, site_url=site_url)
    return invitation


def _refuse_closed(invitation: Invitation) -> None:
    state = invitation.state
    if state == InvitationState.ACCEPTED:
        raise InvitationRefused("This invitation was already accepted.")
    if state == InvitationState.WITHDRAWN:
        raise InvitationRefused("This invitation was already withdrawn.")


def invitation_resend(*, actor: User, invitation: Invitation, site_url: str) -> Invitation:
    """A new link with a new term; the old link stops working at once."""
    _refuse_closed(invitation)
    token, digest = _new_token()
    now = timezone.now()
    with transaction.atomic():
        changed = (
            _open_invitations(actor.organisation_id)
            .filter(pk=invitation.pk)
            .update(
                token_hash=digest,
                sent_at=now,
                expires_at=_expiry(now),
                send_count=F("send_count") + 1,
            )
        )
        if not changed:
            raise InvitationRefused("This invitation is no longer open.")
        invitation.refresh_from_db()
        account_audit_record(
            organisation=actor.organisation,
            action="invitation_resent",
            actor=actor,
            email=invitation.email,
            role=invitation.role,
        )
        _email_invitation(invitation=invitation, token=token, site_url=site_url)
    return invitation


def invitation_withdraw(*, actor: User, invitation: Invitation) -> None:
    _refuse_closed(invitation)
    with transaction.atomic():
        changed = (
            _open_invitations(actor.organisation_id)
            .filter(pk=invitation.pk)
            .update(withdrawn_at=timezone.now())
        )
        if not changed:
            raise InvitationRefused("This invitation is no longer open.")
        account_audit_record(
            organisation=actor.organisation,
            action="invitation_withdrawn",
            actor=actor,
            email=invitation.email,
            role=invitation.role,
        )


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link names, in whatever state; None for a token never issued or
    replaced by a re-send."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def invitation_accept(*, token: str, username: str, password: str) -> User:
    """Create the invited person's account with the chosen password and close the link.
    The password has passed Django's validators in the form."""
    username = username.strip()
    with transaction.atomic():
        invitation = invitation_for_token(token=token)
        if invitation is None or invitation.state != InvitationState.PENDING:
            raise InvitationRefused("This invitation link can no longer be used.")
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationRefused("This address already belongs to an account: log in instead.")
        if User.objects.filter(username__iexact=username).exists():
            raise InvitationRefused("This username is taken: choose another.", field="username")
        role = Role(invitation.role)
        user = User(
            username=username,
            email=invitation.email,
            organisation_id=invitation.organisation_id,
            role=role,
            # As for every portal admin: Django's admin, scoped to the organisation there.
            is_staff=role == Role.ADMIN,
            is_superuser=False,
            is_active=True,
        )
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as error:  # the same username taken a moment ago
            raise InvitationRefused(
                "This username is taken: choose another.", field="username"
            ) from error
        now = timezone.now()
        changed = (
            _open_invitations(invitation.organisation_id)
            .filter(pk=invitation.pk, token_hash=invitation.token_hash, expires_at__gt=now)
            .update(accepted_at=now, accepted_user=user)
        )
        if not changed:  # accepted, withdrawn or re-sent meanwhile: undo the account
            raise InvitationRefused("This invitation link can no longer be used.")
        account_audit_record(
            organisation=invitation.organisation,
            action="invitation_accepted",
            actor=user,
            subject=user,
            email=invitation.email,
            role=invitation.role,
        )
    return user
