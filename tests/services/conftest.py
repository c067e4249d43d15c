"""A sandbox process and a credential pointing at it, with its configuration mirrored."""

import pytest

from proposals.services.config_mirror import config_refresh
from proposals.services.credentials import credential_save


def sandbox_credential(
    organisation, sandbox, *, client_id="demo-introducer", secret="demo-secret", make_active=True
):
    return credential_save(
        organisation=organisation,
        user=None,
        environment="custom",
        api_url=sandbox.api_url,
        token_url=sandbox.token_url,
        client_id=client_id,
        client_secret=secret,
        make_active=make_active,
    )


@pytest.fixture
def credential(organisation, sandbox):
    return sandbox_credential(organisation, sandbox)


@pytest.fixture
def mirrored(credential):
    config_refresh(credential=credential)
    return credential
