"""Invitations: an organisation admin invites by email; the link is single use, expires, dies
when re-sent or withdrawn; only its hash is stored; every step is audited."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountAudit, Invitation
from proposals.models import Role, User
from tests.support.two_factor import login_verified

PASSWORD = "velvet-orchard-compass"
LINK = re.compile(r"https?://[^/\s]+(/account/invitation/([^/\s]+)/)")


def invite(client, email="newcomer@example.test", role="broker", follow=True):
    return client.post(reverse("invitation_new"), {"email": email, "role": role}, follow=follow)


def last_link(index=-1) -> str:
    return LINK.search(mail.outbox[index].body).group(1)


def accept(link, username="", password=PASSWORD, password2=None, client=None):
    client = client or Client()
    return client.post(
        link,
        {"username": username, "password1": password, "password2": password2 or password},
        follow=True,
    )


@pytest.fixture
def admin_client(admin_user, login):
    return login(admin_user)


def test_an_invitation_is_emailed_and_accepted_to_a_first_login(admin_client, organisation):
    response = invite(admin_client, email="Newcomer@Example.test", role="staff")
    assert b"An invitation was emailed to Newcomer@example.test" in response.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Newcomer@example.test"]
    assert "Acme Asset Brokers" in mail.outbox[0].subject
    link = last_link()
    token = LINK.search(mail.outbox[0].body).group(2)
    invitation = Invitation.objects.get()
    # Only a hash of the token is kept.
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64

    page = Client().get(link)
    assert page.status_code == 200 and b"Join Acme Asset Brokers" in page.content
    done = accept(link, username="nina")
    assert done.redirect_chain[-1][0] == reverse("login")
    assert b"Your account is ready" in done.content

    user = User.objects.get(username="nina")
    assert (user.organisation, user.role, user.email) == (organisation, Role.STAFF,
                                                          "Newcomer@example.test")  # fmt: skip
    assert user.is_active and not user.is_staff and not user.is_superuser
    first = Client().post(reverse("login"), {"username": "nina", "password": PASSWORD})
    assert first.status_code == 302 and first["Location"] == reverse("home")
    actions = list(
        AccountAudit.objects.filter(organisation=organisation).values_list("action", flat=True)
    )
    assert {"invitation_sent", "invitation_accepted"} <= set(actions)


def test_an_empty_username_means_the_email_address(admin_client):
    invite(admin_client, email="plain@example.test")
    accept(last_link())
    assert User.objects.get(email="plain@example.test").username == "plain@example.test"


def test_an_invited_admin_gets_the_django_admin_flag(admin_client):
    invite(admin_client, email="boss@example.test", role="admin")
    accept(last_link(), username="boss")
    assert User.objects.get(username="boss").is_staff


def test_a_link_works_once(admin_client):
    invite(admin_client)
    link = last_link()
    accept(link, username="nina")
    again = Client().get(link)
    assert again.status_code == 200
    assert b"already used" in again.content
    second = accept(link, username="someone-else")
    assert not User.objects.filter(username="someone-else").exists()
    assert b"already used" in second.content


def test_an_expired_link_is_refused(admin_client):
    invite(admin_client)
    link = last_link()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert b"This invitation has expired." in Client().get(link).content
    accept(link, username="late")
    assert not User.objects.filter(username="late").exists()


def test_the_link_lasts_the_configured_days(admin_client, settings):
    settings.ACCOUNT_INVITATION_DAYS = 3
    invite(admin_client)
    invitation = Invitation.objects.get()
    assert abs(invitation.expires_at - invitation.sent_at - timedelta(days=3)) < timedelta(
        seconds=1
    )


def test_a_resend_kills_the_old_link_and_renews_the_term(admin_client):
    invite(admin_client)
    old_link = last_link()
    invitation = Invitation.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    response = admin_client.post(reverse("invitation_resend", args=[invitation.pk]), follow=True)
    assert b"the old link is dead" in response.content
    assert len(mail.outbox) == 2
    new_link = last_link()
    assert new_link != old_link
    assert b"not valid" in Client().get(old_link).content
    accept(old_link, username="old")
    assert not User.objects.filter(username="old").exists()
    accept(new_link, username="fresh")
    assert User.objects.filter(username="fresh").exists()
    assert AccountAudit.objects.filter(action="invitation_resent").count() == 1


def test_a_withdrawn_link_is_refused_and_leaves_the_list(admin_client):
    invite(admin_client, email="gone@example.test")
    link = last_link()
    invitation = Invitation.objects.get()
    response = admin_client.post(reverse("invitation_withdraw", args=[invitation.pk]), follow=True)
    assert b"was withdrawn" in response.content
    assert b"gone@example.test</td>" not in admin_client.get(reverse("people")).content
    assert b"This invitation was withdrawn." in Client().get(link).content
    accept(link, username="gone")
    assert not User.objects.filter(username="gone").exists()
    again = admin_client.post(reverse("invitation_resend", args=[invitation.pk]), follow=True)
    assert b"already withdrawn" in again.content
    assert len(mail.outbox) == 1
    assert AccountAudit.objects.filter(action="invitation_withdrawn").count() == 1


def test_an_address_with_an_account_is_refused(admin_client, broker, other_broker):
    for email in (broker.email, other_broker.email.upper()):
        response = invite(admin_client, email=email)
        assert response.status_code == 200
        assert b'id="id_email_error"' in response.content
        assert b"already belongs to an account" in response.content
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_an_address_already_invited_is_refused(admin_client):
    invite(admin_client)
    response = invite(admin_client, email="NEWCOMER@example.test")
    assert b"already has an invitation" in response.content
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_bad_invitation_input_gets_messages_by_its_fields(admin_client):
    response = invite(admin_client, email="not-an-address", role="superuser")
    assert response.status_code == 200
    assert b'id="id_email_error"' in response.content
    assert b'id="id_role_error"' in response.content
    assert not Invitation.objects.exists()


def test_the_accept_form_checks_username_and_password(admin_client, broker):
    invite(admin_client)
    link = last_link()
    taken = accept(link, username="BELLA")
    assert b"This username is taken" in taken.content
    short = accept(link, username="nina", password="short-pass1")
    assert b"at least 12 characters" in short.content
    differ = accept(link, username="nina", password2="velvet-orchard-compasS")
    assert b"The two passwords differ." in differ.content
    bad_name = accept(link, username="nina smith")
    assert b'id="id_username_error"' in bad_name.content
    assert not User.objects.filter(email="newcomer@example.test").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_unknown_token_gets_a_plain_page(db):
    for token in ("nonsense", "x" * 300):
        response = Client().get(reverse("invitation_accept", args=[token]))
        assert response.status_code == 200
        assert b"This invitation link cannot be used" in response.content


def test_a_logged_in_person_is_asked_to_log_out_first(admin_client, broker, login):
    invite(admin_client)
    link = last_link()
    response = login(broker).get(link)
    assert b"log out first" in response.content
    assert Invitation.objects.get().accepted_at is None


def test_people_pages_are_for_admins_only(broker, staff, login):
    for person in (broker, staff):
        client = login(person)
        assert client.get(reverse("people")).status_code == 403
        assert invite(client, follow=False).status_code == 403
    assert not Invitation.objects.exists()


def test_another_organisations_admin_cannot_touch_an_invitation(admin_client, other_admin):
    invite(admin_client)
    invitation = Invitation.objects.get()
    foreign = login_verified(Client(), other_admin)
    for name in ("invitation_resend", "invitation_withdraw"):
        assert foreign.post(reverse(name, args=[invitation.pk])).status_code == 404
    assert b"newcomer@example.test" not in foreign.get(reverse("people")).content
    invitation.refresh_from_db()
    assert invitation.is_open and invitation.send_count == 1


def test_an_email_that_cannot_be_sent_saves_no_invitation(admin_client, settings):
    settings.EMAIL_BACKEND = "tests.accounts.failing_email.RefusingEmailBackend"
    response = invite(admin_client)
    assert response.status_code == 200
    assert b"The email could not be sent. Please try again." in response.content
    assert not Invitation.objects.exists()
    assert not AccountAudit.objects.filter(action="invitation_sent").exists()
