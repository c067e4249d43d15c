"""Two-factor authentication: a TOTP app as the second factor, recovery codes for a lost device.

The devices are django-otp's: one ``TOTPDevice`` per person (unconfirmed while they enrol) and
one ``StaticDevice`` holding their single-use recovery codes. django-otp's own throttling (wait
1, 2, 4 ... seconds after each wrong code, per device) guards both; every verification goes
through ``django_otp.verify_token``, which locks the device row, so one recovery code cannot be
spent twice by two requests at once.

Who must use it: staff and admins always (they see the whole organisation's proposals and the
SFS credentials); brokers once they turned it on.
"""

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services.audit import account_audit_record
from proposals.services import PortalError

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
TOTP_DIGITS = 6
QR_SVG_OPENING = '<svg width="224" height="224" aria-hidden="true" focusable="false"'


class TwoFactorError(PortalError):
    """A code was refused (wrong, malformed or throttled); the message says which."""


# ---- who, and what they have ---------------------------------------------------------------------


def two_factor_required(user) -> bool:
    """Must this logged-in person pass a second factor before using the portal?"""
    if not user.is_authenticated:
        return False
    return user.is_staff_member or user.is_superuser or two_factor_enrolled(user)


def two_factor_may_turn_off(user) -> bool:
    """Only for whom it is optional: brokers (and never a superuser)."""
    return user.is_broker and not user.is_superuser


def two_factor_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# ---- enrolment -----------------------------------------------------------------------------------


def two_factor_enrolment_device(*, user) -> TOTPDevice:
    """The unconfirmed device this person is enrolling; the same key until they confirm it, so
    a reloaded page shows the same QR code as the app already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False, digits=TOTP_DIGITS
        )
    return device


def two_factor_qr_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` URL as an inline SVG QR code (no Pillow, no inline script)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    svg = image.to_string(encoding="unicode")
    # Inline in the page: no XML declaration; a size in pixels that a phone camera reads
    # easily; hidden from screen readers, since the page's figure names it and the key
    # beside it is the accessible way to enrol.
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', QR_SVG_OPENING, svg, count=1)
    return svg


def two_factor_secret_text(device: TOTPDevice) -> str:
    """The key as apps ask for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def two_factor_enrol_confirm(*, user, code: str) -> list[str]:
    """Confirm the enrolling device with a code from the app; returns the new recovery codes
    (shown once). Raises ``TwoFactorError`` for a wrong or throttled code."""
    code = _normalise(code)
    if not _looks_like_totp(code):
        raise TwoFactorError(f"Enter the {TOTP_DIGITS}-digit code your app shows.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise TwoFactorError("Start again: the set-up page shows a new code to scan.")
    _refuse_if_throttled(device)
    # verify_token locks the row and records a failure for the throttle; it must commit, so
    # the refusal is raised outside its transaction.
    if verify_token(user, device.persistent_id, code) is None:
        device.refresh_from_db()
        raise TwoFactorError(_wrong_code_message(device))
    with transaction.atomic():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One app per person: an older unconfirmed or confirmed one is replaced.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _issue_recovery_codes(user)
        account_audit_record(
            organisation=user.organisation, action="two_factor_enrolled", actor=user, subject=user
        )
    return codes


# ---- verification at login -------------------------------------------------------------------


def two_factor_verify(*, user, code: str):
    """Check a code from the app or a recovery code; returns ``(device, recovery_codes_left)``
    where the second is None unless a recovery code was used (and is now spent)."""
    code = _normalise(code)
    if _looks_like_totp(code):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise TwoFactorError("Set up two-factor authentication first.")
        _refuse_if_throttled(device)
        verified = verify_token(user, device.persistent_id, code)
        if verified is None:
            device.refresh_from_db()
            raise TwoFactorError(_wrong_code_message(device))
        return verified, None
    if not code:
        raise TwoFactorError("Enter the code from your app, or one of your recovery codes.")
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise TwoFactorError(f"Enter the {TOTP_DIGITS}-digit code your app shows.")
    _refuse_if_throttled(device)
    verified = verify_token(user, device.persistent_id, code)
    if verified is None:
        device.refresh_from_db()
        raise TwoFactorError(_wrong_code_message(device, recovery=True))
    left = recovery_codes_left(user)
    account_audit_record(
        organisation=user.organisation,
        action="recovery_code_used",
        actor=user,
        subject=user,
        recovery_codes_left=left,
    )
    return verified, left


# ---- managing it ---------------------------------------------------------------------------------


def recovery_codes_regenerate(*, user) -> list[str]:
    """New recovery codes for an enrolled person; the old ones stop working."""
    if not two_factor_enrolled(user):
        raise TwoFactorError("Set up two-factor authentication first.")
    with transaction.atomic():
        codes = _issue_recovery_codes(user)
        account_audit_record(
            organisation=user.organisation,
            action="recovery_codes_regenerated",
            actor=user,
            subject=user,
        )
    return codes


def two_factor_turn_off(*, user, code: str) -> None:
    """A broker turns two-factor off, proving it is them with a current code first."""
    if not two_factor_may_turn_off(user):
        raise TwoFactorError("Two-factor authentication is required for your role.")
    two_factor_verify(user=user, code=code)
    with transaction.atomic():
        _remove_devices(user)
        account_audit_record(
            organisation=user.organisation, action="two_factor_disabled", actor=user, subject=user
        )


def two_factor_reset(*, actor, subject) -> None:
    """An admin removes a person's devices (a lost phone and no recovery code left). The person
    enrols again at their next page: their sessions verified with the old device no longer are."""
    if not actor.is_portal_admin or actor.organisation_id != subject.organisation_id:
        raise TwoFactorError("Only an admin of the same organisation can reset two-factor.")
    with transaction.atomic():
        removed = _remove_devices(subject)
        account_audit_record(
            organisation=subject.organisation,
            action="two_factor_reset",
            actor=actor,
            subject=subject,
            devices_removed=removed,
        )


# ---- inside ----------------------------------------------------------------------------------


def _normalise(code) -> str:
    """Codes as people type them: spaces and hyphens (recovery codes are shown as abcd-efgh) and
    case do not matter."""
    return "".join(str(code or "").split()).replace("-", "").lower()[:32]


def _looks_like_totp(code: str) -> bool:
    return len(code) == TOTP_DIGITS and code.isdigit()


def _refuse_if_throttled(device) -> None:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise TwoFactorError(_throttled_message((details or {}).get("locked_until")))


def _throttled_message(locked_until) -> str:
    seconds = 1
    if locked_until is not None:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    return (
        f"Too many wrong codes in a row. Wait {seconds} second{'s' if seconds != 1 else ''} "
        "and try again."
    )


def _wrong_code_message(device, *, recovery=False) -> str:
    what = "recovery code" if recovery else "code"
    message = f"That {what} is not right. Check it and try again."
    if device.throttling_failure_count >= 3:
        # Tell people the wait grows, so a slow page is not a mystery.
        message += " After each wrong code the next try has to wait longer."
    return message


def _issue_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def _remove_devices(user) -> int:
    """Every device of the person, confirmed or not; returns how many (their codes aside)."""
    _, totp = TOTPDevice.objects.filter(user=user).delete()
    _, static = StaticDevice.objects.filter(user=user).delete()
    return totp.get(TOTPDevice._meta.label, 0) + static.get(StaticDevice._meta.label, 0)
