"""Issue 10, point 3: the write-only secret is only ever sent where it was saved for.

Keeping the stored secret (a blank field) is refused once the API URL, the token URL or the
environment changes; a change also drops the shared token fetched for the old place.
"""

import time

import pytest
from django.urls import reverse

from proposals.models import Credential
from proposals.services import PortalError
from proposals.services.credentials import credential_save
from proposals.services.crypto import secret_decrypt
from proposals.services.shared_state import CacheTokenStore
from proposals.siesmart.types import Token
from tests.security.http_target import HttpTarget
from tests.security.test_point2_ssrf import field_error
from tests.services.conftest import sandbox_credential


def edit(client, credential, **changes):
    data = {
        "environment": credential.environment,
        "api_url": credential.api_url,
        "token_url": credential.token_url,
        "client_id": credential.client_id,
        "client_secret": "",
    }
    data.update(changes)
    return client.post(reverse("credential_edit", args=[credential.pk]), data)


@pytest.fixture
def internal():
    with HttpTarget() as target:
        yield target


@pytest.mark.parametrize(
    "change",
    [
        lambda target: {"api_url": f"{target.base_url}/siesmart/b2b/v1"},
        lambda target: {"token_url": f"{target.base_url}/oauth/token"},
        lambda target: {"environment": "sfs_test"},
    ],
    ids=["api_url", "token_url", "environment"],
)
def test_a_changed_url_or_environment_needs_the_secret_again(
    login, admin_user, organisation, sandbox, internal, change
):
    credential = sandbox_credential(organisation, sandbox)
    response = edit(login(admin_user), credential, **change(internal))
    assert response.status_code == 200
    assert "type the client secret again" in field_error(response.content.decode(), "client_secret")
    stored = Credential.objects.get(pk=credential.pk)
    assert (stored.environment, stored.api_url, stored.token_url) == (
        credential.environment,
        credential.api_url,
        credential.token_url,
    )
    assert internal.hits == []


def test_the_service_refuses_it_too(organisation, sandbox, internal):
    credential = sandbox_credential(organisation, sandbox)
    with pytest.raises(PortalError, match="type the client secret again"):
        credential_save(
            organisation=organisation,
            user=None,
            credential=credential,
            environment="custom",
            api_url=f"{internal.base_url}/siesmart/b2b/v1",
            token_url=f"{internal.base_url}/oauth/token",
            client_id=credential.client_id,
        )


def test_unchanged_urls_keep_the_stored_secret(login, admin_user, organisation, sandbox):
    credential = sandbox_credential(organisation, sandbox)
    response = edit(login(admin_user), credential, client_id="renamed-id")
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.client_id == "renamed-id"
    assert secret_decrypt(credential.client_secret_encrypted) == "demo-secret"


def test_a_new_url_with_the_secret_typed_again_saves_and_forgets_the_old_token(
    login, admin_user, organisation, sandbox, internal
):
    credential = sandbox_credential(organisation, sandbox)
    store = CacheTokenStore()
    store.put(
        credential.cache_key,
        Token(access_token="old-host-token", token_type="Bearer", expires_at=time.time() + 3600),
    )
    response = edit(
        login(admin_user),
        credential,
        api_url=f"{internal.base_url}/siesmart/b2b/v1",
        token_url=f"{internal.base_url}/oauth/token",
        client_secret="secret-for-the-new-host",
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.api_url == f"{internal.base_url}/siesmart/b2b/v1"
    assert secret_decrypt(credential.client_secret_encrypted) == "secret-for-the-new-host"
    # The token the old host issued must never be sent to the new one.
    assert store.get(credential.cache_key) is None
