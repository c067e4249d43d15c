"""Two-factor authentication through the portal's own pages (Django's test client): required for
staff and admins, optional for brokers, recovery codes, throttling, the admin's reset."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccountAudit
from tests.conftest import PASSWORD
from tests.support.two_factor import login_verified, totp_code, totp_device

pytestmark = pytest.mark.django_db

CODE_ERROR = re.compile(r'id="id_code_error"[^>]*>([^<]*)<')


@pytest.fixture
def no_throttle(settings):
    """Tests that type a wrong code and then the right one at once: no wait in between."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def password_login(client, user, next_url=""):
    """The real login form; returns the response it redirects to."""
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(
        url, {"username": user.username, "password": PASSWORD, "next": next_url}, follow=False
    )


def error_of(response) -> str:
    match = CODE_ERROR.search(response.content.decode())
    return match.group(1).strip() if match else ""


def enrol(client, user):
    """Enrol through the pages; returns (device, the recovery codes shown)."""
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor_enrol"), {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_recovery_codes")
    page = client.get(reverse("two_factor_recovery_codes")).content.decode()
    codes = re.findall(r'<li class="col">([a-z2-7]{4}-[a-z2-7]{4})</li>', page)
    return TOTPDevice.objects.get(user=user, confirmed=True), codes


# ---- staff and admins must use it ----------------------------------------------------------------


def test_staff_after_password_login_must_enrol_before_any_page(client, staff):
    response = password_login(client, staff, next_url="/staff/")
    assert response["Location"] == "/staff/"
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_enrol") + "?next=/staff/"
    for path in ("/", "/manage/", "/notifications/", reverse("two_factor_settings"), "/admin/"):
        assert client.get(path)["Location"].startswith(reverse("two_factor_enrol")), path
    # Still open: the enrolment page, public pages, logout.
    assert client.get(reverse("two_factor_enrol")).status_code == 200
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/staff/")["Location"].startswith(reverse("login"))


def test_enrolment_shows_qr_and_key_confirms_with_a_code_and_shows_codes_once(client, staff):
    password_login(client, staff)
    page = client.get(reverse("two_factor_enrol") + "?next=/staff/").content.decode()
    assert '<svg width="224" height="224" aria-hidden="true"' in page
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32
    # The same key on a reload: the app already scanned it.
    client.get(reverse("two_factor_enrol"))
    assert TOTPDevice.objects.filter(user=staff).count() == 1

    response = client.post(reverse("two_factor_enrol"), {"code": "000000", "next": "/staff/"})
    assert response.status_code == 200
    assert error_of(response) == "That code is not right. Check it and try again."
    assert 'aria-invalid="true"' in response.content.decode()

    device.throttle_reset()
    response = client.post(
        reverse("two_factor_enrol"), {"code": totp_code(device), "next": "/staff/"}
    )
    assert response["Location"] == reverse("two_factor_recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(reverse("two_factor_recovery_codes")).content.decode()
    codes = re.findall(r'<li class="col">([a-z2-7]{4}-[a-z2-7]{4})</li>', page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/staff/"' in page  # then on to where they were going
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    # Shown once: the next visit goes to the settings page, which counts them.
    assert client.get(reverse("two_factor_recovery_codes"))["Location"] == reverse(
        "two_factor_settings"
    )
    settings_page = client.get(reverse("two_factor_settings")).content.decode()
    assert "10 recovery codes left." in settings_page
    assert not any(code in settings_page for code in codes)
    # Verified in this session: pages open.
    assert client.get("/staff/").status_code == 200
    audit = AccountAudit.objects.get(action="two_factor_enrolled")
    assert (audit.actor, audit.subject, audit.organisation) == (staff, staff, staff.organisation)
    assert not any(code.replace("-", "") in str(audit.details) for code in codes)


def test_an_enrolled_admin_verifies_with_the_app_and_returns_where_they_were_going(
    client, admin_user
):
    device = totp_device(admin_user)
    password_login(client, admin_user)
    response = client.get("/manage/")
    assert response["Location"] == reverse("two_factor_verify") + "?next=/manage/"
    # An unverified person with a device cannot enrol a second one to get round verifying.
    assert client.get(reverse("two_factor_enrol"))["Location"] == reverse("two_factor_verify")
    session_before = client.session.session_key
    response = client.post(
        reverse("two_factor_verify"), {"code": totp_code(device), "next": "/manage/"}
    )
    assert response["Location"] == "/manage/"
    assert client.session.session_key != session_before  # a new session key, as at login
    assert client.get("/manage/").status_code == 200


def test_a_foreign_next_is_not_followed_after_verifying(client, staff):
    device = totp_device(staff)
    password_login(client, staff)
    response = client.post(
        reverse("two_factor_verify"), {"code": totp_code(device), "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("home")


def test_a_recovery_code_works_once_and_is_audited(client, staff, no_throttle):
    password_login(client, staff)
    _, codes = enrol(client, staff)
    client.post(reverse("logout"))
    password_login(client, staff)
    response = client.post(
        reverse("two_factor_verify"), {"code": codes[0].upper().replace("-", " "), "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/staff/", follow=True).content.decode()
    assert "You used a recovery code; 9 left." in page
    audit = AccountAudit.objects.get(action="recovery_code_used")
    assert audit.details == {"recovery_codes_left": 9}

    client.post(reverse("logout"))
    password_login(client, staff)
    response = client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert error_of(response) == "That recovery code is not right. Check it and try again."
    assert client.get("/staff/").status_code == 302


def test_wrong_codes_are_throttled_with_a_clear_message(client, staff):
    device = totp_device(staff)
    password_login(client, staff)
    first = client.post(reverse("two_factor_verify"), {"code": "123456"})
    assert error_of(first).startswith("That code is not right.")
    # At once again, even with the right code: django-otp's throttle says wait.
    second = client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert second.status_code == 200
    assert re.fullmatch(
        r"Too many wrong codes in a row\. Wait \d+ seconds? and try again\.", error_of(second)
    )
    assert client.get("/staff/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


@pytest.mark.parametrize(
    "typed", ["", "12345", "1234567", "x" * 5000, "ünïcödé", "<script>", "12 34 56 78 90"]
)
def test_malformed_codes_get_a_message_never_a_500(client, staff, typed):
    totp_device(staff)
    password_login(client, staff)
    response = client.post(reverse("two_factor_verify"), {"code": typed})
    assert response.status_code == 200
    assert error_of(response)
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


# ---- brokers may use it --------------------------------------------------------------------------


def test_a_broker_needs_no_second_factor_until_they_turn_it_on(client, broker, no_throttle):
    password_login(client, broker)
    assert client.get("/broker/").status_code == 200
    settings_page = client.get(reverse("two_factor_settings")).content.decode()
    assert "Set up two-factor authentication" in settings_page
    device, codes = enrol(client, broker)
    assert len(codes) == 10

    client.post(reverse("logout"))
    password_login(client, broker)
    assert client.get("/broker/")["Location"] == reverse("two_factor_verify") + "?next=/broker/"
    client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert client.get("/broker/").status_code == 200

    # Turning it off asks for a code; a wrong one keeps it on.
    wrong = client.post(reverse("two_factor_turn_off"), {"code": "000000"})
    assert wrong.status_code == 400 and error_of(wrong).startswith("That code is not right.")
    assert TOTPDevice.objects.filter(user=broker).exists()
    response = client.post(reverse("two_factor_turn_off"), {"code": codes[1]})
    assert response["Location"] == reverse("two_factor_settings")
    assert not TOTPDevice.objects.filter(user=broker).exists()
    assert not StaticDevice.objects.filter(user=broker).exists()
    assert AccountAudit.objects.filter(action="two_factor_disabled", subject=broker).exists()
    client.post(reverse("logout"))
    password_login(client, broker)
    assert client.get("/broker/").status_code == 200


def test_staff_cannot_turn_it_off(client, staff):
    login_verified(client, staff)
    device = TOTPDevice.objects.get(user=staff)
    page = client.get(reverse("two_factor_settings")).content.decode()
    assert "Turn off two-factor authentication" not in page
    assert "required for your role" in page
    response = client.post(reverse("two_factor_turn_off"), {"code": totp_code(device)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(client, broker, no_throttle):
    password_login(client, broker)
    _, old_codes = enrol(client, broker)
    response = client.post(reverse("two_factor_regenerate"))
    assert response["Location"] == reverse("two_factor_recovery_codes")
    page = client.get(reverse("two_factor_recovery_codes")).content.decode()
    new_codes = re.findall(r'<li class="col">([a-z2-7]{4}-[a-z2-7]{4})</li>', page)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert AccountAudit.objects.filter(action="recovery_codes_regenerated").count() == 1
    client.post(reverse("logout"))
    password_login(client, broker)
    refused = client.post(reverse("two_factor_verify"), {"code": old_codes[0]})
    assert refused.status_code == 200
    accepted = client.post(reverse("two_factor_verify"), {"code": new_codes[0]})
    assert accepted.status_code == 302


# ---- an admin's reset ----------------------------------------------------------------------------


def test_an_admin_resets_a_colleague_who_then_enrols_again(client, admin_user, staff):
    from django.test import Client

    colleague = login_verified(Client(), staff)  # signed in and verified elsewhere
    assert colleague.get("/staff/").status_code == 200
    login_verified(client, admin_user)
    response = client.post(
        reverse("two_factor_reset", kwargs={"pk": staff.pk}), {"next": "/manage/"}
    )
    assert response["Location"] == "/manage/"
    assert not TOTPDevice.objects.filter(user=staff).exists()
    audit = AccountAudit.objects.get(action="two_factor_reset")
    assert (audit.actor, audit.subject) == (admin_user, staff)
    assert audit.details == {"devices_removed": 1}
    # The colleague's session was verified with the removed device: enrol again.
    assert colleague.get("/staff/")["Location"] == reverse("two_factor_enrol") + "?next=/staff/"


def test_only_an_admin_of_the_same_organisation_may_reset(client, staff, other_admin, broker):
    totp_device(staff)
    url = reverse("two_factor_reset", kwargs={"pk": staff.pk})
    login_verified(client, other_admin)
    assert client.post(url).status_code == 404
    huge = reverse("two_factor_reset", kwargs={"pk": 10**22})
    assert client.post(huge).status_code == 404
    login_verified(client, broker)
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=staff).exists()
    assert not AccountAudit.objects.filter(action="two_factor_reset").exists()


def test_the_reset_button_shows_to_admins_for_people_with_a_device(admin_user, staff, broker):
    totp_device(staff)
    request = RequestFactory().get("/account/people/")

    def render_for(viewer, person):
        request.user = viewer
        return render_to_string(
            "accounts/_reset_two_factor.html", {"person": person, "user": viewer}, request
        )

    html = render_for(admin_user, staff)
    assert f'action="{reverse("two_factor_reset", kwargs={"pk": staff.pk})}"' in html
    assert "Yes, reset two-factor for Sam" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert render_for(admin_user, broker).strip() == ""  # nothing to reset
    assert render_for(staff, staff).strip() == ""  # not an admin
    totp_device(admin_user)
    assert render_for(admin_user, admin_user).strip() == ""  # their own: the Two-factor page


# ---- the Django admin ----------------------------------------------------------------------------


def test_django_admin_login_goes_through_the_portal_login(client, admin_user):
    response = client.get("/admin/login/?next=/admin/proposals/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/proposals/"
    # And the admin pages themselves need the second factor.
    totp_device(admin_user)
    password_login(client, admin_user)
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_verify"))
