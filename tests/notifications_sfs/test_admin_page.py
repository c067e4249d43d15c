"""The admin page shows the registration and the last notification; admins rotate the key."""

import pytest
from django.urls import reverse

from proposals.models import CredentialAudit, SfsEndpoint
from tests.notifications_sfs.conftest import deliver, notification, registered

pytestmark = pytest.mark.django_db


def test_registration_and_last_notification_shown(login, admin_user, credential, settings):
    settings.PORTAL_PUBLIC_URL = "http://127.0.0.1:8123"
    key = registered(credential)
    client = login(admin_user)
    assert deliver(client, notification(424242, event_type="CREDIT_STATUS_CHANGED"), key=key)
    page = client.get(reverse("admin_home")).content.decode()
    assert "Notifications from SFS" in page
    assert "http://127.0.0.1:8123/hooks/sfs" in page
    assert "CREDIT_STATUS_CHANGED" in page and "SFS #424242" in page
    assert key not in page


def test_admin_rotates_the_key(login, admin_user, credential, django_capture_on_commit_callbacks):
    registered(credential)
    before = SfsEndpoint.objects.get(credential=credential)
    client = login(admin_user)
    with django_capture_on_commit_callbacks() as callbacks:
        answer = client.post(reverse("notification_key_rotate", args=[credential.pk]))
    assert answer.status_code == 302
    after = SfsEndpoint.objects.get(credential=credential)
    assert after.api_key_digest != before.api_key_digest
    assert after.previous_key_digest == before.api_key_digest
    assert len(callbacks) == 1  # the PUT goes as a job
    assert CredentialAudit.objects.filter(action="notification key rotated").exists()
    page = client.get(reverse("admin_home")).content.decode()
    assert "new key not yet at SFS" in page


def test_a_broker_cannot_rotate(login, broker, credential):
    registered(credential)
    before = SfsEndpoint.objects.get(credential=credential).api_key_digest
    answer = login(broker).post(reverse("notification_key_rotate", args=[credential.pk]))
    assert answer.status_code == 403
    assert SfsEndpoint.objects.get(credential=credential).api_key_digest == before
