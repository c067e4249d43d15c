"""Issue 10, point 4: one credential per environment, enforced in the form (never a silent
replacement, never an IntegrityError); SFS production made active only after a confirmation and
a successful connection test of its current secret and URLs in the last 15 minutes."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from proposals.models import ConnectionTest, Credential
from proposals.services import PortalError
from proposals.services.credentials import credential_save
from proposals.services.crypto import secret_decrypt
from tests.security.test_point2_ssrf import field_error
from tests.services.conftest import sandbox_credential


def test_adding_a_second_credential_for_an_environment_is_refused_with_a_link(
    login, admin_user, organisation, sandbox
):
    existing = sandbox_credential(organisation, sandbox)
    response = login(admin_user).post(
        reverse("credential_new"),
        {
            "environment": "custom",
            "api_url": sandbox.api_url,
            "token_url": sandbox.token_url,
            "client_id": "someone-else",
            "client_secret": "a-wrong-secret",
        },
    )
    assert response.status_code == 200
    error = field_error(response.content.decode(), "environment")
    assert "already has a Custom URLs credential" in error
    assert f'href="{reverse("credential_edit", args=[existing.pk])}"' in error
    assert Credential.objects.count() == 1
    existing.refresh_from_db()
    assert existing.client_id == "demo-introducer"
    assert secret_decrypt(existing.client_secret_encrypted) == "demo-secret"


def test_the_service_never_replaces_silently(organisation, sandbox):
    sandbox_credential(organisation, sandbox)
    with pytest.raises(PortalError, match="already has"):
        sandbox_credential(organisation, sandbox, secret="a-wrong-secret")


def test_editing_onto_a_taken_environment_is_a_form_error_not_a_500(
    login, admin_user, organisation, sandbox
):
    custom = sandbox_credential(organisation, sandbox)
    sfs_test = credential_save(
        organisation=organisation,
        user=None,
        environment="sfs_test",
        client_id="test-id",
        client_secret="test-secret",
    )
    response = login(admin_user).post(
        reverse("credential_edit", args=[custom.pk]),
        {"environment": "sfs_test", "client_id": "x", "client_secret": "new-secret"},
    )
    assert response.status_code == 200
    error = field_error(response.content.decode(), "environment")
    assert "already has a SFS test credential" in error
    assert reverse("credential_edit", args=[sfs_test.pk]) in error
    custom.refresh_from_db()
    assert custom.environment == "custom"


def test_production_cannot_be_made_active_from_the_add_form(login, admin_user):
    response = login(admin_user).post(
        reverse("credential_new"),
        {
            "environment": "sfs_production",
            "client_id": "prod",
            "client_secret": "prod-secret",
            "make_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Test connection" in field_error(response.content.decode(), "make_active")
    assert not Credential.objects.exists()


@pytest.fixture
def production(organisation):
    return credential_save(
        organisation=organisation,
        user=None,
        environment="sfs_production",
        client_id="prod",
        client_secret="prod-secret",
    )


def passed_test(credential, *, finished_ago=timedelta(minutes=1), state="ok"):
    test = ConnectionTest.objects.create(credential=credential)
    ConnectionTest.objects.filter(pk=test.pk).update(
        state=state, finished=timezone.now() - finished_ago
    )
    return test


def activate(client, credential, *, confirm=True):
    data = {"confirm_production": "on"} if confirm else {}
    response = client.post(reverse("credential_activate", args=[credential.pk]), data)
    credential.refresh_from_db()
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_production_needs_the_confirmation(login, admin_user, production):
    passed_test(production)
    messages = activate(login(admin_user), production, confirm=False)
    assert not production.is_active
    assert any("Tick the confirmation" in m for m in messages)


def test_production_needs_a_connection_test_first(login, admin_user, production):
    messages = activate(login(admin_user), production)
    assert not production.is_active
    assert any('Run "Test connection"' in m for m in messages)


@pytest.mark.parametrize(
    "test_kwargs",
    [{"state": "failed"}, {"finished_ago": timedelta(minutes=16)}],
    ids=["failed", "too-old"],
)
def test_a_failed_or_old_test_does_not_count(login, admin_user, production, test_kwargs):
    Credential.objects.filter(pk=production.pk).update(updated=timezone.now() - timedelta(hours=1))
    passed_test(production, **test_kwargs)
    activate(login(admin_user), production)
    assert not production.is_active


def test_a_test_of_the_secret_before_it_changed_does_not_count(login, admin_user, production):
    passed_test(production)
    credential_save(
        organisation=production.organisation,
        user=None,
        credential=production,
        environment="sfs_production",
        client_id="prod",
        client_secret="a-new-prod-secret",
    )
    activate(login(admin_user), production)
    assert not production.is_active


def test_production_with_confirmation_and_a_recent_test_becomes_active(
    login, admin_user, production, organisation, sandbox
):
    earlier = sandbox_credential(organisation, sandbox)
    passed_test(production)
    messages = activate(login(admin_user), production)
    assert production.is_active, messages
    earlier.refresh_from_db()
    assert not earlier.is_active


def test_other_environments_still_activate_in_one_click(login, admin_user, organisation, sandbox):
    credential = sandbox_credential(organisation, sandbox, make_active=False)
    assert not credential.is_active
    activate(login(admin_user), credential, confirm=False)
    assert credential.is_active
