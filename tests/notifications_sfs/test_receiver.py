"""The receiver refuses what SFS did not send, records each notification once, and costs no
SFS call for anything but a proposal of the key's own credential (one read for a burst)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.models import SfsNotification, SieSmartCall
from tests.notifications_sfs.conftest import (
    deliver,
    notification,
    registered,
    sandbox_gets,
    sent_locally,
)
from tests.services.conftest import sandbox_credential

pytestmark = pytest.mark.django_db

Outcome = SfsNotification.Outcome


@pytest.fixture
def proposal(broker, credential):
    return sent_locally(broker, credential)


def _nothing_happened(callbacks, calls_before):
    assert callbacks == []  # no job enqueued
    assert SfsNotification.objects.count() == 0
    assert SieSmartCall.objects.count() == calls_before


@pytest.mark.parametrize("given", [None, "", "not-the-key"])
def test_no_or_wrong_key_is_401_and_nothing_else(
    client, key, proposal, given, django_capture_on_commit_callbacks
):
    calls_before = SieSmartCall.objects.count()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        answer = deliver(client, notification(proposal.sfs_id), key=given)
    assert answer.status_code == 401
    _nothing_happened(callbacks, calls_before)
    # Only the key lookup ran: no write, no session, no proposal read.
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert not any("proposals_proposal" in q["sql"] for q in queries.captured_queries)


def test_a_key_one_character_off_is_refused(client, key, proposal):
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert deliver(client, notification(proposal.sfs_id), key=forged).status_code == 401


def test_get_is_not_allowed(client, key):
    assert client.get("/hooks/sfs/notifications", HTTP_X_API_KEY=key).status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"notificationId": "n1"}),  # no proposalId
        json.dumps({"notificationId": "n1", "proposalId": "12"}),
        json.dumps({"notificationId": "n1", "proposalId": True}),
        json.dumps({"proposalId": 12}),  # no notificationId
        json.dumps({"notificationId": "n" * 101, "proposalId": 12}),
        json.dumps({"notificationId": "n1", "proposalId": 12, "occurred": "yesterday"}),
        b"\xff\xfe",
    ],
)
def test_malformed_body_is_400_and_not_recorded(
    client, key, body, django_capture_on_commit_callbacks
):
    calls_before = SieSmartCall.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        answer = deliver(client, body, key=key)
    assert answer.status_code == 400
    _nothing_happened(callbacks, calls_before)


def test_oversized_body_is_413_and_not_recorded(
    client, key, proposal, django_capture_on_commit_callbacks
):
    calls_before = SieSmartCall.objects.count()
    padded = {**notification(proposal.sfs_id), "padding": "x" * 17_000}
    with django_capture_on_commit_callbacks() as callbacks:
        answer = deliver(client, padded, key=key)
    assert answer.status_code == 413
    _nothing_happened(callbacks, calls_before)


def test_a_body_longer_than_it_declares_is_read_only_as_far_as_declared(client, key, proposal):
    body = json.dumps({**notification(proposal.sfs_id), "padding": "x" * 17_000})
    answer = deliver(client, body, key=key, CONTENT_LENGTH="100")
    assert answer.status_code == 400  # the first 100 bytes are not a whole JSON object
    assert SfsNotification.objects.count() == 0


def test_a_body_of_exactly_16_kb_is_taken(client, key, proposal):
    base = json.dumps({**notification(proposal.sfs_id), "padding": ""})
    body = base.replace('"padding": ""', '"padding": "' + "x" * (16 * 1024 - len(base)) + '"')
    assert len(body.encode()) == 16 * 1024
    assert deliver(client, body, key=key).status_code == 204


def test_unknown_proposal_is_recorded_and_costs_nothing(
    client, key, credential, sandbox, django_capture_on_commit_callbacks
):
    before = sandbox_gets(sandbox)
    calls_before = SieSmartCall.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        answer = deliver(client, notification(555000111), key=key)
    assert answer.status_code == 204
    assert callbacks == []
    recorded = SfsNotification.objects.get()
    assert (recorded.credential, recorded.proposal, recorded.outcome) == (
        credential,
        None,
        Outcome.AWAITING_PROPOSAL,
    )
    assert SieSmartCall.objects.count() == calls_before
    assert sandbox_gets(sandbox) == before


def test_another_credentials_key_never_reaches_this_credentials_proposal(
    client, key, proposal, other_organisation, sandbox, django_capture_on_commit_callbacks
):
    other = sandbox_credential(
        other_organisation, sandbox, client_id="other-introducer", secret="other-secret"
    )
    other_key = registered(other)
    calls_before = SieSmartCall.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        answer = deliver(client, notification(proposal.sfs_id), key=other_key)
    assert answer.status_code == 204
    assert callbacks == []
    recorded = SfsNotification.objects.get()
    assert recorded.credential == other and recorded.proposal is None
    assert SieSmartCall.objects.count() == calls_before


def test_duplicates_are_recorded_once(client, key, proposal, django_capture_on_commit_callbacks):
    body = notification(proposal.sfs_id)
    with django_capture_on_commit_callbacks() as callbacks:
        answers = [deliver(client, body, key=key).status_code for _ in range(3)]
    assert answers == [204, 204, 204]
    recorded = SfsNotification.objects.get()
    assert recorded.notification_id == body["notificationId"]
    assert recorded.proposal == proposal and recorded.outcome == Outcome.REFRESH_ASKED
    assert json.loads(recorded.raw_body) == body
    assert len(callbacks) == 1


def test_a_burst_asks_for_one_read(client, key, proposal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(5):
            assert deliver(client, notification(proposal.sfs_id), key=key).status_code == 204
    outcomes = list(SfsNotification.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [Outcome.REFRESH_ASKED] + [Outcome.COALESCED] * 4
    assert len(callbacks) == 1  # one job, hence one GET (see test_push.py for the real count)
