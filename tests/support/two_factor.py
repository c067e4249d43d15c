"""Two-factor helpers for tests: a real confirmed TOTP device, codes computed from its key as an
authenticator app would, and a test client logged in *and* past the second factor."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator app, created when they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now, as the app shows it.

    django-otp refuses a code of a time step it already accepted (``last_t``), so a second
    login within the same 30 s uses the next step's code, which the device's tolerance of one
    step accepts; only when even that is spent does this wait for the clock."""
    device.refresh_from_db()
    while True:
        now_step = int((time.time() - device.t0) // device.step) + device.drift
        step = max(now_step, device.last_t + 1)
        if step <= now_step + device.tolerance:
            return str(hotp(device.bin_key, step, digits=device.digits)).zfill(device.digits)
        time.sleep(1)


def verify_session(client, device) -> None:
    """Mark the client's session as past the second factor with ``device`` (what
    ``django_otp.login`` does for a request)."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def login_verified(client, user):
    """``client.force_login(user)``, then past two-factor with a real confirmed device (made
    for staff and admins, who must have one; brokers only when they already enrolled)."""
    client.force_login(user)
    if user.is_staff_member or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        verify_session(client, totp_device(user))
    return client
