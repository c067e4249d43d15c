"""Registration follows PORTAL_PUBLIC_URL and the key; no call when SFS holds them already;
subscriptions only for a credential with a registered endpoint."""

import pytest
import requests

from proposals.models import SfsEndpoint, SfsSubscription, SieSmartCall
from proposals.services.crypto import secret_decrypt
from proposals.services.sfs_notifications import (
    endpoint_register_request,
    endpoint_register_run,
    endpoints_register_all,
)
from proposals.services.sfs_subscriptions import subscription_request
from proposals.siesmart import errors
from tests.notifications_sfs.conftest import registered, sent_locally

pytestmark = pytest.mark.django_db


def _held_by_sandbox(sandbox) -> str:
    answer = requests.get(
        sandbox.api_url + "/notification-endpoints",
        headers={"Authorization": f"Bearer {sandbox.token()}"},
        timeout=5,
    )
    return answer.json()["basePath"]


def test_a_changed_public_url_is_registered_again(
    credential, sandbox, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_PUBLIC_URL = "http://127.0.0.1:8001/"
    registered(credential)
    assert _held_by_sandbox(sandbox) == "http://127.0.0.1:8001/hooks/sfs"
    calls = SieSmartCall.objects.count()
    assert endpoint_register_run(credential_id=credential.pk) == "up to date"
    assert SieSmartCall.objects.count() == calls  # nothing to tell SFS
    with django_capture_on_commit_callbacks() as callbacks:
        assert endpoints_register_all() == 0
    assert callbacks == []

    settings.PORTAL_PUBLIC_URL = "http://localhost:8002"
    with django_capture_on_commit_callbacks() as callbacks:
        assert endpoints_register_all() == 1
    assert len(callbacks) == 1
    assert endpoint_register_run(credential_id=credential.pk) == "registered"
    assert _held_by_sandbox(sandbox) == "http://localhost:8002/hooks/sfs"
    last = SieSmartCall.objects.order_by("-id").first()
    assert (last.method, last.path, last.status) == ("PUT", "/notification-endpoints", 200)


def test_the_key_is_encrypted_at_rest_and_never_recorded(credential):
    key = registered(credential)
    endpoint = SfsEndpoint.objects.get(credential=credential)
    assert key not in endpoint.api_key_encrypted and len(key) >= 40
    assert secret_decrypt(endpoint.api_key_encrypted) == key
    for call in SieSmartCall.objects.filter(path="/notification-endpoints"):
        assert key not in str(call.request_body) and key not in str(call.response_body)


def test_a_refused_registration_is_shown_and_nothing_counts_as_registered(credential, settings):
    # The sandbox delivers to loopback addresses only: any other host is refused.
    settings.PORTAL_PUBLIC_URL = "http://portal.example.com"
    endpoint_register_request(credential=credential)
    with pytest.raises(errors.ValidationError):
        endpoint_register_run(credential_id=credential.pk)
    endpoint = SfsEndpoint.objects.get(credential=credential)
    assert endpoint.registered_at is None
    assert "VALIDATION_FAILED" in endpoint.last_error


def test_no_subscription_without_a_registered_endpoint(
    broker, credential, django_capture_on_commit_callbacks
):
    proposal = sent_locally(broker, credential)
    with django_capture_on_commit_callbacks() as callbacks:
        assert not subscription_request(proposal=proposal, event_type="DECISION_RECEIVED")
    assert callbacks == [] and not SfsSubscription.objects.exists()
    registered(credential)
    with django_capture_on_commit_callbacks() as callbacks:
        assert subscription_request(proposal=proposal, event_type="DECISION_RECEIVED")
        assert not subscription_request(proposal=proposal, event_type="DECISION_RECEIVED")
    assert len(callbacks) == 1
