"""Password reset by email and password change: no enumeration, throttled, inactive users get
nothing, validators at 12 characters, links used once, everything audited."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccountAudit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("reset_throttle_cleared")

NEW_PASSWORD = "a-fresh-harbour-lantern"
RESET_LINK = re.compile(r"https?://[^/\s]+(/account/password/reset/[^/\s]+/[^/\s]+/)")


def ask_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def reset_link(message) -> str:
    return RESET_LINK.search(message.body).group(1)


def test_a_reset_email_leads_to_a_new_password_that_logs_in(db, broker):
    client = Client()
    response = ask_reset(client, "BELLA@example.test")
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bella@example.test"]
    link = reset_link(mail.outbox[0])

    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")

    broker.refresh_from_db()
    assert broker.check_password(NEW_PASSWORD)
    login = Client().post(reverse("login"), {"username": "bella", "password": NEW_PASSWORD})
    assert login.status_code == 302 and login["Location"] == reverse("home")
    actions = set(AccountAudit.objects.filter(subject=broker).values_list("action", flat=True))
    assert {"password_reset_sent", "password_reset"} <= actions


def test_a_reset_link_works_once(db, broker):
    client = Client()
    ask_reset(client, broker.email)
    link = reset_link(mail.outbox[0])
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(link, follow=True)
    assert again.status_code == 200
    assert b"This link is not valid" in again.content


def test_unknown_and_known_addresses_get_the_same_answer(db, broker):
    known = ask_reset(Client(), broker.email)
    unknown = ask_reset(Client(), "nobody@example.test")
    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", known.content) == strip.sub(b"", unknown.content)
    assert [m.to for m in mail.outbox] == [[broker.email]]


def test_a_disabled_account_gets_no_reset_email(db, broker):
    broker.is_active = False
    broker.save()
    response = ask_reset(Client(), broker.email)
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert mail.outbox == []


def test_resets_are_throttled_per_address_with_the_same_answer(db, broker, settings):
    settings.ACCOUNT_RESET_PER_ADDRESS_PER_HOUR = 2
    answers = [ask_reset(Client(REMOTE_ADDR=f"198.51.100.{n}"), broker.email) for n in range(4)]
    assert len(mail.outbox) == 2
    assert {a.redirect_chain[-1][0] for a in answers} == {reverse("password_reset_done")}


def test_resets_are_throttled_per_client_address(db, broker, broker2, settings):
    settings.ACCOUNT_RESET_PER_CLIENT_PER_HOUR = 3
    client = Client(REMOTE_ADDR="203.0.113.50")
    for email in ("a@example.test", "b@example.test", "c@example.test"):
        ask_reset(client, email)  # unknown addresses count too
    response = ask_reset(client, broker.email)
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert mail.outbox == []
    ask_reset(Client(REMOTE_ADDR="203.0.113.51"), broker2.email)
    assert [m.to for m in mail.outbox] == [[broker2.email]]


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("kestrel-map1", True), ("kestrel-map", False), ("12345678901234", False)],
)
def test_reset_passwords_meet_the_validators_at_twelve(db, broker, password, accepted):
    client = Client()
    ask_reset(client, broker.email)
    set_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": password, "new_password2": password})
    broker.refresh_from_db()
    assert broker.check_password(password) is accepted
    if not accepted:
        assert response.status_code == 200
        assert b'id="id_new_password2_error"' in response.content


def test_password_change_needs_a_login(db):
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_is_validated_audited_and_ends_other_sessions(db, broker, login):
    elsewhere = Client()
    elsewhere.force_login(broker)
    client = login(broker)
    short = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short-pass1", "new_password2": "short-pass1"},
    )
    assert short.status_code == 200
    assert b"at least 12 characters" in short.content
    wrong_old = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert b'id="id_old_password_error"' in wrong_old.content

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[0][0] == reverse("home")
    assert b"Your password was changed." in response.content
    broker.refresh_from_db()
    assert broker.check_password(NEW_PASSWORD)
    # This session stays; the other one is signed out.
    assert client.get(reverse("password_change")).status_code == 200
    assert elsewhere.get(reverse("password_change")).status_code == 302
    assert AccountAudit.objects.filter(subject=broker, action="password_changed").count() == 1


def test_the_login_page_offers_a_password_reset(db):
    page = Client().get(reverse("login"))
    assert reverse("password_reset").encode() in page.content
    assert b"Forgot your password?" in page.content
