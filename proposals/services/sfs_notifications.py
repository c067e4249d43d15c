"""Our notification endpoint at SFS (CONTRACT.md 6.12): registered per credential with a key of
its own, encrypted at rest, rotatable; and the receiver's check of that key.

SFS holds one endpoint per client. What it should hold (the base path from PORTAL_PUBLIC_URL,
the current key) is compared with what it was last told; only a difference costs a call, so
asking to register is cheap and safe to repeat. A POST that meets 409 (an endpoint exists,
e.g. left by an earlier installation) becomes a PUT.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from proposals import jobs
from proposals.models import Credential, CredentialAudit, SfsEndpoint, User
from proposals.services.crypto import secret_decrypt, secret_encrypt
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import Lane

HOOK_PATH = "/hooks/sfs"
# SFS retries a delivery for about 2.5 minutes (1+5+25+125 s); a rotated key is accepted this
# long after SFS has the new one, so deliveries already on their way still get in.
PREVIOUS_KEY_GRACE = timedelta(minutes=5)


def endpoint_base_path() -> str:
    return settings.PORTAL_PUBLIC_URL.rstrip("/") + HOOK_PATH


def key_digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


@sensitive_variables()
def _new_key() -> tuple[str, str]:
    key = secrets.token_urlsafe(32)
    return secret_encrypt(key), key_digest(key)


def endpoint_register_request(*, credential: Credential) -> SfsEndpoint:
    """Make sure SFS has this credential's endpoint (a key is made on first use); the call, if
    any is needed, runs in the background lane."""
    endpoint = SfsEndpoint.objects.filter(credential=credential).first()
    if endpoint is None:
        encrypted, digest = _new_key()
        endpoint, _ = SfsEndpoint.objects.get_or_create(
            credential=credential,
            defaults={"api_key_encrypted": encrypted, "api_key_digest": digest},
        )
    jobs.job_enqueue(jobs.SFS_ENDPOINT_REGISTER, credential.pk)
    return endpoint


@transaction.atomic
def endpoint_key_rotate(*, credential: Credential, user: User | None) -> SfsEndpoint:
    """A new key; the old one keeps working until SFS has the new one (plus the grace)."""
    endpoint = SfsEndpoint.objects.select_for_update().filter(credential=credential).first()
    if endpoint is None:
        return endpoint_register_request(credential=credential)
    encrypted, digest = _new_key()
    endpoint.previous_key_digest = endpoint.registered_key_digest or endpoint.api_key_digest
    endpoint.previous_key_until = None  # open-ended until the PUT succeeds
    endpoint.api_key_encrypted, endpoint.api_key_digest = encrypted, digest
    endpoint.save()
    CredentialAudit.objects.create(
        organisation_id=credential.organisation_id,
        credential=credential,
        user=user,
        action="notification key rotated",
    )
    jobs.job_enqueue(jobs.SFS_ENDPOINT_REGISTER, credential.pk)
    return endpoint


def endpoint_up_to_date(endpoint: SfsEndpoint) -> bool:
    return (
        endpoint.registered_at is not None
        and endpoint.registered_base_path == endpoint_base_path()
        and endpoint.registered_key_digest == endpoint.api_key_digest
    )


def endpoint_registered(credential_id: int) -> bool:
    """Whether SFS has an endpoint of this credential (so subscribing makes sense)."""
    return SfsEndpoint.objects.filter(
        credential_id=credential_id, registered_at__isnull=False
    ).exists()


@sensitive_variables()  # the plain key is in hand while it goes to SFS
def endpoint_register_run(*, credential_id: int) -> str:
    """POST (or PUT) what SFS should hold; nothing when it holds it already."""
    endpoint = SfsEndpoint.objects.select_related("credential").get(credential_id=credential_id)
    if endpoint_up_to_date(endpoint):
        return "up to date"
    base_path, digest = endpoint_base_path(), endpoint.api_key_digest
    api_key = secret_decrypt(endpoint.api_key_encrypted)
    client = client_for(credential=endpoint.credential, lane=Lane.BACKGROUND)
    now = timezone.now()
    try:
        if endpoint.registered_at is None:
            try:
                client.register_notification_endpoint(base_path, api_key=api_key)
            except errors.ConflictError:
                client.change_notification_endpoint(base_path=base_path, api_key=api_key)
        else:
            client.change_notification_endpoint(base_path=base_path, api_key=api_key)
    except errors.NotFoundError:
        # SFS forgot it (PUT needs one to exist): register afresh on the next attempt.
        _record_failure(endpoint, now, "SFS has no endpoint of ours; registering again.")
        SfsEndpoint.objects.filter(pk=endpoint.pk).update(registered_at=None)
        raise
    except errors.SieSmartError as error:
        _record_failure(endpoint, now, f"{error.code or error.status}: {error}")
        raise
    # Only the key just sent counts as registered: a rotation meanwhile registers again.
    SfsEndpoint.objects.filter(pk=endpoint.pk).update(
        registered_base_path=base_path,
        registered_key_digest=digest,
        registered_at=now,
        last_attempt_at=now,
        last_error="",
        previous_key_until=now + PREVIOUS_KEY_GRACE,
    )
    return "registered"


def _record_failure(endpoint: SfsEndpoint, at, message: str) -> None:
    SfsEndpoint.objects.filter(pk=endpoint.pk).update(last_attempt_at=at, last_error=message[:2000])


def endpoints_register_all() -> int:
    """Re-register whatever SFS holds out of date (PORTAL_PUBLIC_URL changed, a key rotated)."""
    count = 0
    for endpoint in SfsEndpoint.objects.filter(credential__is_active=True):
        if not endpoint_up_to_date(endpoint):
            jobs.job_enqueue(jobs.SFS_ENDPOINT_REGISTER, endpoint.credential_id)
            count += 1
    return count


def credential_for_key(api_key: str) -> int | None:
    """The credential whose key this is, or None. Every stored digest is compared, in constant
    time, whatever matched before, so the answer's timing tells nothing of the keys."""
    if not api_key:
        return None
    given = key_digest(api_key)
    now = timezone.now()
    found = None
    for row in SfsEndpoint.objects.values(
        "credential_id", "api_key_digest", "previous_key_digest", "previous_key_until"
    ):
        current = hmac.compare_digest(given, row["api_key_digest"])
        previous_valid = row["previous_key_digest"] and (
            row["previous_key_until"] is None or row["previous_key_until"] > now
        )
        previous = hmac.compare_digest(given, row["previous_key_digest"] or "-" * 64)
        if current or (previous and previous_valid):
            found = row["credential_id"]
    return found
