"""Issue 10: a secret never reaches an error report (the mail to ADMINS, a logged 500).

Django hides what ``sensitive_post_parameters`` and ``sensitive_variables`` mark whenever DEBUG
is off; a view or service that handles a plain secret must carry them. The reports below are
built exactly as Django builds them for an unhandled exception.
"""

import sys

import pytest
from django.core.signals import got_request_exception
from django.urls import reverse
from django.views.debug import ExceptionReporter

from proposals.services import credentials, crypto, siesmart_access
from proposals.services.credentials import credential_save
from proposals.services.siesmart_access import client_for
from tests.services.conftest import sandbox_credential

TYPED_SECRET = "typed-secret-4711"


def _reports(exc_info, request=None) -> str:
    reporter = ExceptionReporter(request, *exc_info)
    return reporter.get_traceback_html() + reporter.get_traceback_text()


@pytest.fixture
def broken_keys(settings):
    """A malformed FIELD_ENCRYPTION_KEYS: encrypting the typed secret raises deep in a service."""
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    yield
    crypto._fernet.cache_clear()


@pytest.fixture
def captured_reports():
    reports = []

    def on_exception(sender, request=None, **kwargs):
        reports.append(_reports(sys.exc_info(), request))

    got_request_exception.connect(on_exception)
    yield reports
    got_request_exception.disconnect(on_exception)


@pytest.mark.parametrize("url_name", ["credential_new", "credential_edit"])
def test_a_view_failing_with_a_posted_secret_never_shows_it_in_the_report(
    login, admin_user, organisation, sandbox, settings, captured_reports, url_name
):
    settings.DEBUG = False  # reports are cleansed exactly when DEBUG is off, as in production
    existing = sandbox_credential(organisation, sandbox)
    url = (
        reverse("credential_new")
        if url_name == "credential_new"
        else reverse("credential_edit", args=[existing.pk])
    )
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    try:
        with pytest.raises(ValueError):
            login(admin_user).post(
                url,
                {
                    "environment": "sfs_test" if url_name == "credential_new" else "custom",
                    "api_url": sandbox.api_url,
                    "token_url": sandbox.token_url,
                    "client_id": "x",
                    "client_secret": TYPED_SECRET,
                },
            )
    finally:
        crypto._fernet.cache_clear()
    assert len(captured_reports) == 1
    report = captured_reports[0]
    assert "client_secret" in report  # the report is there and names the field...
    assert TYPED_SECRET not in report  # ...but never its value


def test_a_service_failing_with_a_plain_secret_never_shows_it(organisation, broken_keys):
    with pytest.raises(ValueError) as caught:
        credential_save(
            organisation=organisation,
            user=None,
            environment="sfs_test",
            client_id="x",
            client_secret=TYPED_SECRET,
        )
    report = _reports((caught.type, caught.value, caught.tb))
    assert "credential_save" in report and TYPED_SECRET not in report


def test_building_a_client_never_shows_the_decrypted_secret(organisation, sandbox):
    credential = sandbox_credential(organisation, sandbox, secret=TYPED_SECRET)
    with pytest.raises(ValueError) as caught:
        client_for(credential=credential, lane="no-such-lane")
    report = _reports((caught.type, caught.value, caught.tb))
    assert "client_for" in report and TYPED_SECRET not in report


@pytest.mark.parametrize(
    "function",
    [
        crypto.secret_encrypt,
        crypto.secret_decrypt,
        crypto.secret_rotate,
        credentials.credential_save,
        credentials.connection_test_run,
        credentials.credentials_rotate_keys,
        siesmart_access.client_for,
    ],
    ids=lambda function: function.__name__,
)
def test_every_service_that_handles_a_plain_secret_is_marked(function):
    assert function.__code__.co_name == "sensitive_variables_wrapper"
