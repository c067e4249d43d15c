"""The one way services get a SieSmart client: a credential's, with the shared state wired in."""

import threading

import requests
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from proposals.models import Credential
from proposals.services.crypto import secret_decrypt
from proposals.services.shared_state import CacheTokenStore, DatabaseRecorder, limiter_for
from proposals.services.url_safety import guarded_session
from proposals.siesmart.client import SieSmartClient
from proposals.siesmart.enums import Lane

_sessions: dict[int, requests.Session] = {}
_sessions_lock = threading.Lock()


def _session(credential_id: int) -> requests.Session:
    # One keep-alive session per credential and process; requests' Session is not built for
    # sharing across threads, and Celery's prefork workers are processes, so this is enough.
    # Guarded: every call re-checks its URL against SSRF and follows no redirect (issue 10).
    with _sessions_lock:
        if credential_id not in _sessions:
            _sessions[credential_id] = guarded_session()
        return _sessions[credential_id]


def rate_scope(credential: Credential) -> str:
    """SFS limits per connecting IP, so the budget is shared by everything calling one host."""
    return requests.utils.urlparse(credential.api_url).netloc or "default"


@sensitive_variables()  # it decrypts the client secret
def client_for(
    *, credential: Credential, lane: str = Lane.BACKGROUND, proposal_id: int | None = None
) -> SieSmartClient:
    return SieSmartClient(
        api_url=credential.api_url,
        token_url=credential.token_url,
        client_id=credential.client_id,
        client_secret=secret_decrypt(credential.client_secret_encrypted),
        credential_key=credential.cache_key,
        token_store=CacheTokenStore(),
        limiter=limiter_for(rate_scope(credential)),
        recorder=DatabaseRecorder(
            credential_id=credential.pk,
            organisation_id=credential.organisation_id,
            proposal_id=proposal_id,
        ),
        lane=lane,
        connect_timeout=settings.SIESMART_CONNECT_TIMEOUT,
        read_timeout=settings.SIESMART_READ_TIMEOUT,
        max_inline_wait=settings.SIESMART_MAX_INLINE_WAIT,
        session=_session(credential.pk),
    )
