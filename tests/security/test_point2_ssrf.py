"""Issue 10, point 2: a credential URL may not reach into the portal's own network (SSRF).

Checked in the form, and again before every call the worker makes; no redirect is followed.
"""

import re

import pytest
import requests
from django.urls import reverse

from proposals.models import ConnectionTest, Credential, SieSmartCall
from proposals.services.credentials import connection_test_run, credential_save
from proposals.services.url_safety import guarded_session, outgoing_url_check
from proposals.siesmart.endpoints import OFFICES, TOKEN_RECORD_PATH
from proposals.siesmart.retry import error_from_exception
from tests.security.http_target import HttpTarget
from tests.services.conftest import sandbox_credential

PUBLIC_IP = "93.184.216.34"  # an address literal: resolves without DNS, and is public


def field_error(page: str, name: str) -> str:
    """The error text shown next to one field (see templates/includes/field.html)."""
    match = re.search(rf'id="id_{name}_error"[^>]*>(.*?)</div>', page, re.S)
    return match.group(1) if match else ""


def post_new(client, **fields):
    data = {"environment": "custom", "client_id": "attacker", "client_secret": "s3cret"}
    data.update(fields)
    return client.post(reverse("credential_new"), data)


@pytest.fixture
def no_private_hosts(settings):
    """Production's default: no host is exempt."""
    settings.SIESMART_ALLOWED_PRIVATE_HOSTS = []


def test_the_query_string_trick_is_refused_next_to_the_field(login, admin_user, sandbox):
    response = post_new(
        login(admin_user),
        api_url=f"{sandbox.base_url}/anything?x=",
        token_url=sandbox.token_url,
    )
    assert response.status_code == 200
    assert "must not contain a query string" in field_error(response.content.decode(), "api_url")
    assert not Credential.objects.exists()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://127.0.0.1/siesmart/b2b/v1", "internal address"),
        ("https://localhost/siesmart/b2b/v1", "internal address"),
        ("https://10.20.30.40/siesmart/b2b/v1", "internal address"),
        ("https://192.168.1.5/siesmart/b2b/v1", "internal address"),
        ("https://169.254.169.254/latest/meta-data", "internal address"),
        ("https://[::1]/siesmart/b2b/v1", "internal address"),
        ("https://[::ffff:127.0.0.1]/siesmart/b2b/v1", "internal address"),
        ("https://0.0.0.0/siesmart/b2b/v1", "internal address"),
        ("https://224.0.0.1/siesmart/b2b/v1", "internal address"),
        (f"http://{PUBLIC_IP}/siesmart/b2b/v1", "must start with https://"),
        (f"https://user:pw@{PUBLIC_IP}/siesmart/b2b/v1", "user name or password"),
        (f"https://{PUBLIC_IP}/siesmart/b2b/v1#x", "fragment"),
        ("https://no-such-host.invalid/siesmart/b2b/v1", "does not resolve"),
    ],
)
def test_internal_or_tricky_urls_are_refused(login, admin_user, no_private_hosts, url, words):
    response = post_new(
        login(admin_user), api_url=url, token_url=url.replace("siesmart/b2b/v1", "oauth/token")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert words in field_error(page, "api_url")
    assert words in field_error(page, "token_url")
    assert not Credential.objects.exists()


def test_a_public_https_host_is_accepted(login, admin_user, no_private_hosts):
    response = post_new(
        login(admin_user),
        api_url=f"https://{PUBLIC_IP}/siesmart/b2b/v1",
        token_url=f"https://{PUBLIC_IP}/oauth/token",
    )
    assert response.status_code == 302
    assert Credential.objects.get().api_url == f"https://{PUBLIC_IP}/siesmart/b2b/v1"


def test_the_sandbox_preset_is_refused_where_its_host_is_not_allowed(
    login, admin_user, no_private_hosts
):
    response = post_new(login(admin_user), environment="sandbox")
    assert response.status_code == 200
    assert "sandbox cannot be used here" in field_error(response.content.decode(), "environment")
    assert not Credential.objects.exists()


def test_a_url_saved_earlier_is_refused_just_before_the_worker_calls_it(
    organisation, sandbox, admin_user
):
    credential = sandbox_credential(organisation, sandbox)
    with HttpTarget() as internal:
        # Saved before the check existed (or written around the form): the call still refuses.
        Credential.objects.filter(pk=credential.pk).update(api_url=f"{internal.base_url}/x?x=")
        test = ConnectionTest.objects.create(credential=credential, requested_by=admin_user)
        test = connection_test_run(test_id=test.pk)
    assert internal.hits == []
    assert test.state == "failed"
    assert "refused" in test.message and "query string" in test.message
    call = SieSmartCall.objects.get(credential=credential, path=OFFICES)
    assert call.status is None and "do-not-leak" not in str(call.response_body)


def test_a_host_no_longer_allowed_is_refused_at_call_time_token_call_included(
    organisation, admin_user, settings
):
    with HttpTarget() as internal:
        credential = credential_save(
            organisation=organisation,
            user=None,
            environment="custom",
            api_url=f"{internal.base_url}/siesmart/b2b/v1",
            token_url=f"{internal.base_url}/oauth/token",
            client_id="id",
            client_secret="kept-secret",
        )
        settings.SIESMART_ALLOWED_PRIVATE_HOSTS = []  # the policy changed since it was saved
        test = ConnectionTest.objects.create(credential=credential, requested_by=admin_user)
        test = connection_test_run(test_id=test.pk)
    assert internal.hits == []  # not even the token call, which carries the secret
    assert test.state == "failed" and "refused" in test.message
    token_calls = SieSmartCall.objects.filter(credential=credential, path=TOKEN_RECORD_PATH)
    assert token_calls.count() == 1  # refused once, never retried


def test_a_redirect_is_an_error_and_never_followed(organisation, sandbox, admin_user):
    with (
        HttpTarget() as internal,
        HttpTarget(status=302, headers={"Location": f"{internal.base_url}/secret"}) as redirector,
    ):
        credential = sandbox_credential(organisation, sandbox)
        Credential.objects.filter(pk=credential.pk).update(
            api_url=f"{redirector.base_url}/siesmart/b2b/v1"
        )
        test = ConnectionTest.objects.create(credential=credential, requested_by=admin_user)
        test = connection_test_run(test_id=test.pk)
        assert redirector.hits == [f"GET /siesmart/b2b/v1{OFFICES}"]
    assert internal.hits == []
    assert test.state == "failed"
    assert SieSmartCall.objects.get(credential=credential, path=OFFICES).status == 302


def test_the_guarded_session_never_follows_a_redirect_even_when_asked():
    with (
        HttpTarget() as internal,
        HttpTarget(status=307, headers={"Location": f"{internal.base_url}/secret"}) as redirector,
    ):
        response = guarded_session().get(f"{redirector.base_url}/a", allow_redirects=True)
    assert response.status_code == 307
    assert internal.hits == []


def test_a_host_that_does_not_resolve_at_call_time_is_transient_and_never_sent(
    no_private_hosts,
):
    with pytest.raises(requests.ConnectionError) as caught:
        outgoing_url_check("https://no-such-host.invalid/siesmart/b2b/v1")
    error = error_from_exception(caught.value)
    assert error.retryable and not error.outcome_unknown
