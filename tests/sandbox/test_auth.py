"""CONTRACT.md section 2: the token endpoint and the bearer token on API calls."""

import time

import pytest
import requests

from tests.sandbox.helpers import TRACE, Api, assert_error
from tests.support.sandbox_server import SandboxProcess

AUDIENCE = "https://api.siesmart.com/b2b"
GOOD = {
    "grant_type": "client_credentials",
    "client_id": "demo-introducer",
    "client_secret": "demo-secret",
    "audience": AUDIENCE,
}


def test_client_credentials_give_an_opaque_bearer_token_for_24_hours(sandbox):
    response = requests.post(sandbox.token_url, json=GOOD, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    assert len(body["access_token"]) >= 32
    with Api(sandbox, body["access_token"]) as api:
        assert api.get("/common/offices").status_code == 200


def test_each_request_gets_a_new_token_and_the_old_one_keeps_working(sandbox):
    first = requests.post(sandbox.token_url, json=GOOD, timeout=5).json()["access_token"]
    second = requests.post(sandbox.token_url, json=GOOD, timeout=5).json()["access_token"]
    assert first != second
    for token in (first, second):
        with Api(sandbox, token) as api:
            assert api.get("/common/titles").status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"client_secret": "wrong"},
        {"client_id": "nobody"},
        {"client_id": "other-introducer"},  # demo's secret is not other's
        {"audience": "https://api.siesmart.com/other"},
    ],
)
def test_wrong_credentials_or_audience_are_401_access_denied(sandbox, change):
    response = requests.post(sandbox.token_url, json={**GOOD, **change}, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"error": "access_denied", "error_description": "Unauthorized"}


@pytest.mark.parametrize(
    "data",
    [
        b"grant_type=client_credentials",
        b"",
        b"[]",
        b'{"grant_type": "client_credentials"}',
        b'{"grant_type": "client_credentials", "client_id": 1, "client_secret": "x", '
        b'"audience": "https://api.siesmart.com/b2b"}',
        b"\xff\xfe",
    ],
)
def test_a_body_that_is_not_json_or_lacks_a_field_is_400_invalid_request(sandbox, data):
    response = requests.post(
        sandbox.token_url, data=data, headers={"Content-Type": "application/json"}, timeout=5
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_another_grant_type_is_400_unsupported_grant_type(sandbox):
    response = requests.post(sandbox.token_url, json={**GOOD, "grant_type": "password"}, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer not-a-token", "Basic ZGVtbzpzZWNyZXQ=", "Token abc"],
)
def test_a_missing_or_unknown_token_is_401_unauthorized(sandbox, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = requests.get(sandbox.api_url + "/common/offices", headers=headers, timeout=5)
    body = assert_error(response, 401, "UNAUTHORIZED")
    assert body["traceId"] == response.headers[TRACE]


def test_the_bearer_scheme_is_case_insensitive(sandbox, demo_token):
    headers = {"Authorization": f"bearer {demo_token}"}
    response = requests.get(sandbox.api_url + "/common/offices", headers=headers, timeout=5)
    assert response.status_code == 200


def test_revoked_tokens_are_401():
    # A sandbox of its own: revoking would end the shared sandbox's session tokens.
    with SandboxProcess() as sandbox:
        _revoke(sandbox)


def _revoke(sandbox):
    token = sandbox.token()
    with Api(sandbox, token) as api:
        assert api.get("/common/offices").status_code == 200
        answer = sandbox.revoke_tokens()
        assert answer["revoked"] >= 1
        assert_error(api.get("/common/offices"), 401, "UNAUTHORIZED")
    # A new token works again.
    with Api(sandbox, sandbox.token()) as api:
        assert api.get("/common/offices").status_code == 200


def test_an_expired_token_is_401_and_the_lifetime_setting_applies_to_new_tokens(
    restore_settings,
):
    sandbox = restore_settings
    sandbox.set_settings(tokenLifetimeSeconds=1)
    response = requests.post(sandbox.token_url, json=GOOD, timeout=5)
    assert response.json()["expires_in"] == 1
    with Api(sandbox, response.json()["access_token"]) as api:
        assert api.get("/common/titles").status_code == 200
        time.sleep(1.1)
        assert_error(api.get("/common/titles"), 401, "UNAUTHORIZED")


def test_the_token_lifetime_comes_from_the_command_line():
    with SandboxProcess(token_lifetime=120) as sandbox:
        response = requests.post(sandbox.token_url, json=GOOD, timeout=5)
        assert response.json()["expires_in"] == 120


def test_the_token_endpoint_is_not_counted_and_counts_tokens_issued():
    with SandboxProcess() as sandbox:
        sandbox.token()
        sandbox.token("other-introducer", "other-secret")
        requests.post(sandbox.token_url, json={**GOOD, "client_secret": "x"}, timeout=5)
        stats = sandbox.stats()
        assert stats["tokensIssued"] == 2
        assert stats["requests"]["total"] == 0
        assert stats["maxRequestsIn60s"] == {}
