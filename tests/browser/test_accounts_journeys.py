"""The account lifecycle in a real Chromium: a password reset from the email to a login, and an
invitation from the admin's people page to the invitee's first login. Emails land in Django's
locmem outbox: ``live_server`` serves from a thread of this process, so the test reads them.
Every page is screenshotted and checked by axe-core with no console error."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from proposals.models import Role, User
from tests.support.two_factor import login_verified

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reset_throttle_cleared"),
]

NEW_PASSWORD = "lantern-quarry-meadow"
RESET_PATH = re.compile(r"https?://[^/\s]+(/account/password/reset/\S+/)")
INVITE_PATH = re.compile(r"https?://[^/\s]+(/account/invitation/\S+/)")


def heading(tab):
    return tab.page.get_by_role("heading", level=1)


def test_a_password_reset_from_the_email_to_a_login(open_tab, broker):
    tab = open_tab("password-reset")
    page = tab.page
    tab.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(heading(tab)).to_have_text("Reset your password")
    tab.check("ask")
    page.get_by_label("Email").fill(broker.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(heading(tab)).to_have_text("Check your email")
    tab.check("sent")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [broker.email]
    tab.goto(RESET_PATH.search(mail.outbox[0].body).group(1))
    expect(heading(tab)).to_have_text("Choose a new password")
    # The token left the address bar (Django swaps it for the session) before the form shows.
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    tab.check("choose")
    page.locator("#id_new_password1").fill("too-short")
    page.locator("#id_new_password2").fill("too-short")
    page.get_by_role("button", name="Set my password").click()
    expect(page.locator("#id_new_password2_error")).to_contain_text("at least 12 characters")
    tab.check("too-short")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(heading(tab)).to_have_text("Your password was changed")
    tab.check("changed")

    page.get_by_role("link", name="Log in").click()
    tab.login(broker.username, NEW_PASSWORD)
    expect(heading(tab)).to_contain_text("My proposals")
    tab.check("logged-in")


def admin_tab(open_tab, admin_user):
    """The admin's tab, already logged in and past two-factor (not this journey's subject)."""
    tab = open_tab("invitation-admin")
    session = login_verified(Client(), admin_user).cookies[settings.SESSION_COOKIE_NAME].value
    tab.page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": tab.base_url}]
    )
    return tab


def test_an_invitation_accepted_to_a_first_login(open_tab, admin_user, organisation):
    admin = admin_tab(open_tab, admin_user)
    admin.goto("/account/people/")
    expect(heading(admin)).to_have_text(f"People of {organisation}")
    admin.check("people")
    admin.page.get_by_label("Email address").fill("nina@example.test")
    admin.page.get_by_label("Role").select_option("broker")
    admin.page.get_by_role("button", name="Send the invitation").click()
    expect(admin.page.get_by_role("alert")).to_contain_text("An invitation was emailed")
    expect(admin.page.get_by_role("cell", name="nina@example.test", exact=True)).to_be_visible()
    admin.check("invited")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.test"]
    link = INVITE_PATH.search(mail.outbox[0].body).group(1)
    tab = open_tab("invitation")
    page = tab.page
    tab.goto(link)
    expect(heading(tab)).to_have_text(f"Join {organisation}")
    tab.check("accept")
    page.get_by_label("Username").fill("nina")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(heading(tab)).to_have_text("Log in")
    expect(page.get_by_role("alert")).to_contain_text("Your account is ready")
    tab.check("ready")
    tab.login("nina", NEW_PASSWORD)
    expect(heading(tab)).to_contain_text("My proposals")
    tab.check("first-login")
    nina = User.objects.get(username="nina")
    assert (nina.organisation, nina.role) == (organisation, Role.BROKER)

    # The link is spent: a second visit gets a plain page.
    fresh = open_tab("invitation-again")
    fresh.goto(link)
    expect(heading(fresh)).to_have_text("This invitation link cannot be used")
    fresh.check("spent")

    # The admin sees the new account, and no open invitation.
    admin.goto("/account/people/")
    expect(admin.page.get_by_role("cell", name="nina", exact=True)).to_be_visible()
    expect(admin.page.get_by_text("No open invitations.")).to_be_visible()
    admin.check("accepted")
