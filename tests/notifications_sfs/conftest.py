"""Notifications from SFS: a sandbox process, registered endpoints, and helpers to forge or
count what reaches the receiver."""

import json
import uuid

import pytest
from django.urls import reverse

from proposals.models import SfsEndpoint, SieSmartCall, Status
from proposals.services.crypto import secret_decrypt
from proposals.services.sfs_notifications import endpoint_register_request, endpoint_register_run
from tests.services.conftest import sandbox_credential
from tests.support.proposals import make_proposal

HOOK = "/hooks/sfs/notifications"


@pytest.fixture(autouse=True)
def notifications_on(settings):
    """The test settings leave registration off (no portal listens there); on for these."""
    settings.SFS_NOTIFICATIONS = True


def registered(credential) -> str:
    """Register ``credential``'s endpoint at the sandbox now (in this process); its plain key."""
    endpoint_register_request(credential=credential)
    assert endpoint_register_run(credential_id=credential.pk) in ("registered", "up to date")
    return secret_decrypt(SfsEndpoint.objects.get(credential=credential).api_key_encrypted)


def notification(sfs_id: int, *, event_type="DECISION_RECEIVED", notification_id=None) -> dict:
    return {
        "notificationId": notification_id or str(uuid.uuid4()),
        "subscriptionId": str(uuid.uuid4()),
        "eventType": event_type,
        "proposalId": sfs_id,
        "occurred": "2026-12-02T10:00:00.000Z",
    }


def deliver(client, body, key=None, **extra):
    """POST as SFS would: JSON, with the key in X-API-KEY (none when ``key`` is None)."""
    headers = {"HTTP_X_API_KEY": key} if key is not None else {}
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(HOOK, data=data, content_type="application/json", **headers, **extra)


def proposal_gets(proposal) -> int:
    return SieSmartCall.objects.filter(
        proposal=proposal, method="GET", path=f"/proposals/{proposal.sfs_id}"
    ).count()


def sandbox_gets(sandbox) -> int:
    return sandbox.stats()["requests"]["byEndpoint"].get("GET /proposals/{id}", 0)


def sent_locally(broker, credential, sfs_id=987654321, reference="IP-NOTIF1"):
    """A proposal the portal believes SFS has (no SFS call made to get there)."""
    return make_proposal(
        broker=broker,
        credential=credential,
        status=Status.SENT,
        reference=reference,
        sfs_id=sfs_id,
        etag="2026-12-02T10:00:00.000Z",
    )


@pytest.fixture
def hook_url():
    return reverse("sfs_notifications")


@pytest.fixture
def credential(organisation, sandbox):
    return sandbox_credential(organisation, sandbox)


@pytest.fixture
def key(credential):
    return registered(credential)
