"""Two-factor authentication in a real Chromium: a staff member enrols with a code computed from
the key the page shows (as an authenticator app would), logs in again with a code, then with a
recovery code; every page is screenshotted and checked by axe-core with no console error."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import AccountAudit
from tests.conftest import PASSWORD
from tests.support.two_factor import totp_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(tab, username):
    tab.goto("/login/")
    tab.page.get_by_label("Username").fill(username)
    tab.page.get_by_label("Password").fill(PASSWORD)
    tab.page.get_by_role("button", name="Log in").click()


def log_out(tab):
    tab.page.get_by_role("button", name="Log out").click()
    expect(tab.page).to_have_url(re.compile(r"/login/"))


def test_staff_enrol_log_in_with_a_code_and_with_a_recovery_code(open_tab, staff, settings):
    # A wrong code is typed on purpose below; the right one follows at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    tab = open_tab("two-factor")
    page = tab.page

    # 1. The first login of a staff member leads to enrolment, wherever they were going.
    password_step(tab, staff.username)
    expect(page).to_have_url(re.compile(r"/account/two-factor/enrol\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    tab.check("enrol")

    # The key typed into an app by hand (the accessible way in) gives the codes.
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator("#id_code_error")).to_have_text(re.compile("That code is not right"))
    tab.check("enrol-wrong-code")
    page.get_by_label("Code from your app").fill(str(totp(key)).zfill(6))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    # 2. The recovery codes, shown once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)
    tab.check("recovery-codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review")
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    assert device.key == key.hex()

    # 3. The next login asks for a code from the app.
    log_out(tab)
    password_step(tab, staff.username)
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify"))
    tab.check("verify")
    page.get_by_label("Code", exact=True).fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review")

    # 4. Phone lost: a recovery code instead, once.
    log_out(tab)
    password_step(tab, staff.username)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert").filter(has_text="recovery code")).to_contain_text("9 left")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review")
    tab.check("after-recovery-code")
    assert AccountAudit.objects.filter(action="recovery_code_used", subject=staff).count() == 1

    page.get_by_role("link", name="Two-factor").click()
    expect(page.locator("#recovery-codes-left")).to_have_text(re.compile(r"^9 recovery codes left"))
    tab.check("settings")

    log_out(tab)
    password_step(tab, staff.username)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#id_code_error")).to_have_text(re.compile("recovery code is not right"))
    tab.check("spent-recovery-code")


def test_an_admin_resets_a_colleagues_two_factor_who_then_enrols_again(open_tab, admin_user, staff):
    totp_device(staff)  # Sam lost the phone that holds this
    admin = open_tab("two-factor-reset")
    admin.login(admin_user.username)  # passes two-factor with a code from the admin's device
    admin.goto("/account/people/")
    row = admin.page.get_by_role("row").filter(has_text=staff.username)
    row.get_by_text("Reset two-factor", exact=True).click()
    tab_confirm = row.get_by_role("button", name=f"Yes, reset two-factor for {staff}")
    expect(tab_confirm).to_be_visible()
    admin.check("people-reset-confirm")
    tab_confirm.click()
    expect(admin.page.get_by_role("alert").filter(has_text="was reset")).to_be_visible()
    expect(admin.page.get_by_role("row").filter(has_text=staff.username)).not_to_contain_text(
        "Reset two-factor"
    )
    admin.check("people-after-reset")
    assert not TOTPDevice.objects.filter(user=staff).exists()
    audit = AccountAudit.objects.get(action="two_factor_reset")
    assert (audit.actor_id, audit.subject_id) == (admin_user.pk, staff.pk)

    colleague = open_tab("two-factor-reset-colleague")
    password_step(colleague, staff.username)
    expect(colleague.page).to_have_url(re.compile(r"/account/two-factor/enrol"))
