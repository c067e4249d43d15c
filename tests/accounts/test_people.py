"""The people page: an organisation's own users only; disabling ends every session at once and
is audited; an admin cannot disable themselves; re-enabling lets the person back in."""

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import AccountAudit
from tests.conftest import PASSWORD
from tests.support.two_factor import login_verified


def sessions_of(user) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_the_people_page_lists_only_the_organisations_people(admin_user, broker, other_broker,
                                                             login):  # fmt: skip
    page = login(admin_user).get(reverse("people"))
    assert page.status_code == 200
    assert b"bella@example.test" in page.content
    assert b"otto@example.test" not in page.content


def test_disabling_ends_every_session_at_once(admin_user, broker, login):
    laptop, phone = Client(), Client()
    for client in (laptop, phone):
        response = client.post(reverse("login"), {"username": "bella", "password": PASSWORD})
        assert response.status_code == 302
    assert laptop.get(reverse("broker_home")).status_code == 200
    assert sessions_of(broker) == 2

    admin = login(admin_user)
    response = admin.post(reverse("person_disable", args=[broker.pk]), follow=True)
    assert b"is disabled and was signed out everywhere" in response.content

    broker.refresh_from_db()
    assert not broker.is_active
    assert sessions_of(broker) == 0
    for client in (laptop, phone):
        answer = client.get(reverse("broker_home"))
        assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    again = Client().post(reverse("login"), {"username": "bella", "password": PASSWORD})
    assert again.status_code == 200  # the form again: no way in
    entry = AccountAudit.objects.get(action="user_disabled")
    assert (entry.actor, entry.subject, entry.details["sessions_ended"]) == (admin_user, broker, 2)
    # The admin's own session is untouched.
    assert admin.get(reverse("people")).status_code == 200


def test_re_enabling_lets_the_person_log_in_again(admin_user, broker, login):
    admin = login(admin_user)
    admin.post(reverse("person_disable", args=[broker.pk]))
    response = admin.post(reverse("person_enable", args=[broker.pk]), follow=True)
    assert b"can log in again" in response.content
    broker.refresh_from_db()
    assert broker.is_active
    back = Client().post(reverse("login"), {"username": "bella", "password": PASSWORD})
    assert back.status_code == 302
    assert AccountAudit.objects.filter(action="user_enabled", subject=broker).count() == 1


def test_an_admin_cannot_disable_themselves(admin_user, login):
    admin = login(admin_user)
    response = admin.post(reverse("person_disable", args=[admin_user.pk]), follow=True)
    assert b"You cannot disable your own account." in response.content
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert admin.get(reverse("people")).status_code == 200
    assert not AccountAudit.objects.filter(action="user_disabled").exists()


def test_another_organisations_people_answer_404(admin_user, other_broker, login):
    admin = login(admin_user)
    for name in ("person_disable", "person_enable"):
        assert admin.post(reverse(name, args=[other_broker.pk])).status_code == 404
    other_broker.refresh_from_db()
    assert other_broker.is_active


def test_brokers_and_staff_may_not_disable_anyone(broker, broker2, staff, login):
    for person in (broker, staff):
        client = login_verified(Client(), person)
        assert client.post(reverse("person_disable", args=[broker2.pk])).status_code == 403
    broker2.refresh_from_db()
    assert broker2.is_active


def test_the_nav_shows_people_to_admins_and_change_password_to_all(admin_user, broker, login):
    admin_page = login(admin_user).get(reverse("people")).content
    assert reverse("people").encode() in admin_page
    assert reverse("password_change").encode() in admin_page
    broker_page = login_verified(Client(), broker).get(reverse("broker_home")).content
    assert b">People<" not in broker_page
    assert reverse("password_change").encode() in broker_page
