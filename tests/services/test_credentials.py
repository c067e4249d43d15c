"""Credentials: encrypted at rest, never rendered, audited; connection test and config mirror."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from proposals.models import ConnectionTest, CredentialAudit, MirroredLookups, MirroredOffice
from proposals.services.config_mirror import office_config
from proposals.services.credentials import connection_test_run, credential_save
from proposals.services.crypto import secret_decrypt
from tests.services.conftest import sandbox_credential


def test_secret_is_encrypted_in_the_raw_column(credential):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret_encrypted FROM proposals_credential WHERE id = %s",
            [credential.pk],
        )
        raw = cursor.fetchone()[0]
    assert "demo-secret" not in raw
    assert secret_decrypt(raw) == "demo-secret"


def test_secret_is_never_rendered_and_changes_are_audited(login, admin_user, credential):
    page = login(admin_user).get(reverse("admin_home")).content.decode()
    assert "demo-secret" not in page and "••••••••" in page
    edit = login(admin_user).get(reverse("credential_edit", args=[credential.pk])).content.decode()
    assert "demo-secret" not in edit
    response = login(admin_user).post(
        reverse("credential_edit", args=[credential.pk]),
        {
            "environment": "custom",
            "api_url": credential.api_url,
            "token_url": credential.token_url,
            "client_id": "demo-introducer",
            "client_secret": "",
            "make_active": "on",
        },
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert secret_decrypt(credential.client_secret_encrypted) == "demo-secret"  # kept
    entries = list(
        CredentialAudit.objects.filter(credential=credential).values_list("action", "changes")
    )
    assert entries and all("demo-secret" not in str(changes) for _, changes in entries)


def test_new_credential_needs_a_secret_and_custom_urls(login, admin_user):
    response = login(admin_user).post(
        reverse("credential_new"), {"environment": "custom", "client_id": "x"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "needs its client secret" in page
    assert "Custom URLs need both" in page


def test_one_active_credential_per_organisation(organisation, sandbox):
    test = sandbox_credential(organisation, sandbox)
    production = credential_save(
        organisation=organisation,
        user=None,
        environment="sfs_production",
        client_id="prod",
        client_secret="prod-secret",
        make_active=True,
    )
    test.refresh_from_db()
    assert production.is_active and not test.is_active
    assert production.api_url == "https://api.sfs.siemens.cloud/siesmart/b2b/v1"


def test_production_is_marked_on_every_page_while_active(login, admin_user, broker, organisation):
    credential_save(
        organisation=organisation,
        user=admin_user,
        environment="sfs_production",
        client_id="prod",
        client_secret="prod-secret",
        make_active=True,
    )
    for user, url in ((admin_user, "admin_home"), (broker, "broker_home")):
        assert b"production-banner" in login(user).get(reverse(url)).content


def test_connection_test_gets_a_token_and_lists_offices(credential, admin_user):
    test = ConnectionTest.objects.create(credential=credential, requested_by=admin_user)
    test = connection_test_run(test_id=test.pk)
    assert test.state == "ok", test.message
    assert {o["id"] for o in test.offices} >= {1001, 1002}
    assert len(test.trace_id) > 8


def test_connection_test_with_a_wrong_secret_fails_with_words(organisation, sandbox, admin_user):
    wrong = sandbox_credential(organisation, sandbox, secret="not-the-secret")
    test = ConnectionTest.objects.create(credential=wrong, requested_by=admin_user)
    test = connection_test_run(test_id=test.pk)
    assert test.state == "failed"
    assert "refused" in test.message


def test_config_mirror_refreshes_from_the_sandbox(mirrored):
    offices = {o.office_id: o for o in MirroredOffice.objects.filter(credential=mirrored)}
    assert offices[1001].is_gb and not offices[1002].is_gb
    config = office_config(offices[1001])
    assert {p.id for p in config.calculation.pricelists} == {501, 502, 503}
    assert all(not c.blocked for c in config.usable_sales_contacts)
    assert any(c.blocked for c in config.sales_contacts)
    assert all(not code.is_top_level for code in config.leaf_codes)
    lookups = MirroredLookups.objects.get(credential=mirrored)
    assert {f["code"] for f in lookups.legal_forms} >= {"LIMITED_COMPANY", "SOLE_TRADER"}


def test_rotate_keys_reencrypts_with_the_new_key(credential, settings):
    from cryptography.fernet import Fernet

    from proposals.services import crypto

    old = credential.client_secret_encrypted
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    crypto._fernet.cache_clear()
    call_command("rotate_credential_keys")
    credential.refresh_from_db()
    assert credential.client_secret_encrypted != old
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert secret_decrypt(credential.client_secret_encrypted) == "demo-secret"


@pytest.mark.django_db(transaction=True)
@pytest.mark.broker
def test_test_connection_button_runs_in_a_worker(login, admin_user, organisation, sandbox, worker):
    from tests.support.worker import wait_until

    credential = sandbox_credential(organisation, sandbox)
    response = login(admin_user).post(reverse("credential_test", args=[credential.pk]))
    assert response.status_code == 302
    test = ConnectionTest.objects.get(credential=credential)
    status_url = reverse("connection_test_status", args=[test.pk])

    def done():
        data = login(admin_user).get(status_url).json()
        return data if data["done"] else None

    data = wait_until(done, timeout=30, message=worker.log())
    assert data["state"] == "ok" and data["trace_id"]
