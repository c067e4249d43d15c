"""Notifications end to end: a sandbox process delivers to the portal's live server, a real
worker reads the proposal. No beat runs here, so nothing is learnt by polling."""

import threading
import time

import pytest
import requests
from django.db import connection

from proposals.models import Proposal, SfsEndpoint, SfsNotification, SfsSubscription, Status
from proposals.services.sending import proposal_send
from proposals.services.sfs_notifications import endpoint_key_rotate, key_digest
from proposals.services.sfs_receiver import notification_answer_take
from proposals.services.siesmart_access import client_for
from tests.notifications_sfs.conftest import (
    deliver,
    notification,
    proposal_gets,
    registered,
    sandbox_gets,
)
from tests.support.proposals import make_proposal
from tests.support.worker import WorkerProcess, purge_queues, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.broker]

State = SfsSubscription.State
Outcome = SfsNotification.Outcome


@pytest.fixture(scope="module")
def push_worker(live_server, django_db_setup, django_db_blocker):
    """A worker that registers the live server as the portal's public URL."""
    purge_queues()
    with django_db_blocker.unblock():
        process = WorkerProcess("push", extra_env={"PORTAL_PUBLIC_URL": live_server.url}).start()
    yield process
    process.stop()
    purge_queues()


@pytest.fixture
def public_url(settings, live_server):
    settings.PORTAL_PUBLIC_URL = live_server.url
    return live_server.url


def _registration(credential):
    return SfsEndpoint.objects.filter(credential=credential, registered_at__isnull=False).first()


def _sandbox_endpoint(sandbox) -> dict:
    answer = requests.get(
        sandbox.api_url + "/notification-endpoints",
        headers={"Authorization": f"Bearer {sandbox.token()}"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()


def _sent(broker, credential, reference, *, request_decision=False) -> Proposal:
    proposal = make_proposal(
        broker=broker,
        credential=credential,
        status=Status.QUEUED,
        reference=reference,
        request_decision=request_decision,
    )
    assert proposal_send(proposal_id=proposal.pk) == "sent"
    return Proposal.objects.get(pk=proposal.pk)


def test_registered_on_activation(credential, push_worker, public_url, sandbox):
    endpoint = wait_until(
        lambda: _registration(credential), message=push_worker.log()[-3000:], timeout=30
    )
    assert endpoint.registered_base_path == public_url + "/hooks/sfs"
    assert endpoint.registered_key_digest == endpoint.api_key_digest
    assert _sandbox_endpoint(sandbox) == {"basePath": public_url + "/hooks/sfs"}


def test_key_rotation(client, credential, push_worker, public_url):
    old = registered(credential)
    endpoint = endpoint_key_rotate(credential=credential, user=None)
    assert endpoint.api_key_digest != key_digest(old)
    wait_until(
        lambda: (
            SfsEndpoint.objects.get(pk=endpoint.pk).registered_key_digest == endpoint.api_key_digest
        ),
        message=push_worker.log()[-3000:],
    )
    # Deliveries already on their way with the old key still get in, for a while.
    assert deliver(client, notification(1), key=old).status_code == 204
    SfsEndpoint.objects.filter(pk=endpoint.pk).update(previous_key_until="2000-01-01T00:00Z")
    assert deliver(client, notification(1), key=old).status_code == 401
    new = registered(credential)  # up to date: no call, the decrypted current key
    assert key_digest(new) == endpoint.api_key_digest
    assert deliver(client, notification(1), key=new).status_code == 204


def test_a_burst_costs_one_get(client, broker, credential, push_worker, public_url, sandbox):
    key = registered(credential)
    proposal = _sent(broker, credential, "IP-BURST1")
    before = sandbox_gets(sandbox)
    for _ in range(5):
        assert deliver(client, notification(proposal.sfs_id), key=key).status_code == 204
    wait_until(lambda: proposal_gets(proposal) == 1, message=push_worker.log()[-3000:])
    time.sleep(2)  # a second read would have come by now
    assert proposal_gets(proposal) == 1
    assert sandbox_gets(sandbox) - before == 1


def test_an_older_answer_never_moves_a_proposal_back(
    client, broker, credential, push_worker, public_url, sandbox
):
    key = registered(credential)
    proposal = _sent(broker, credential, "IP-ORDER1")
    older = client_for(credential=credential).get_proposal(proposal.sfs_id)
    sandbox.control(
        "POST",
        f"/__sandbox__/proposals/{proposal.sfs_id}/underwriter-edit",
        {"specialConditionText": "Guarantee from the director"},
    )
    assert deliver(client, notification(proposal.sfs_id), key=key).status_code == 204
    newer = wait_until(
        lambda: (p := Proposal.objects.get(pk=proposal.pk)).etag != proposal.etag and p,
        message=push_worker.log()[-3000:],
    )
    # The read that answered first is taken last (a slow worker, a late duplicate): ignored.
    assert notification_answer_take(proposal_id=proposal.pk, remote=older) == (
        "older answer ignored"
    )
    after = Proposal.objects.get(pk=proposal.pk)
    assert after.etag == newer.etag and after.base_snapshot == newer.base_snapshot


def test_a_notification_before_the_creates_answer_is_not_lost(
    client, broker, credential, push_worker, public_url, sandbox
):
    key = registered(credential)
    proposal = make_proposal(
        broker=broker,
        credential=credential,
        status=Status.QUEUED,
        reference="IP-EARLY1",
        request_decision=False,
    )
    outcome = {}

    def send():
        try:
            outcome["send"] = proposal_send(proposal_id=proposal.pk)
        finally:
            connection.close()

    sandbox.set_faults(hangRate=1.0, hangSeconds=3, endpoints=["POST /proposals"])
    try:
        sender = threading.Thread(target=send)
        sender.start()
        sfs_id = wait_until(lambda: _found_by_label(sandbox, "IP-EARLY1"), timeout=10)
        # SFS has it; the portal does not know its id yet.
        assert Proposal.objects.get(pk=proposal.pk).sfs_id is None
        assert deliver(client, notification(sfs_id), key=key).status_code == 204
        recorded = SfsNotification.objects.get(sfs_proposal_id=sfs_id)
        assert recorded.proposal is None and recorded.outcome == Outcome.AWAITING_PROPOSAL
        sender.join(20)
    finally:
        sandbox.set_faults()
    assert outcome["send"] == "sent"
    sent = Proposal.objects.get(pk=proposal.pk)
    assert sent.sfs_id == sfs_id
    assert SfsNotification.objects.get(pk=recorded.pk).proposal_id == proposal.pk
    wait_until(lambda: proposal_gets(sent) == 1, message=push_worker.log()[-3000:])


def _found_by_label(sandbox, label):
    answer = requests.get(
        sandbox.api_url + "/proposals/search",
        params={"proposal-label": label},
        headers={"Authorization": f"Bearer {sandbox.token()}"},
        timeout=5,
    )
    content = answer.json().get("content") if answer.ok else None
    return content[0]["id"] if content else None


def test_decision_reaches_the_portal_by_notification(
    broker, credential, push_worker, public_url, sandbox
):
    """Decision at SFS → delivered to the live server → read by the worker; no search at all."""
    registered(credential)
    sandbox.set_settings(decisionDelaySeconds=600)  # only the explicit decision below
    try:
        proposal = _sent(broker, credential, "IP-PUSH01", request_decision=True)
        assert proposal.decision_status == "PENDING"
        wait_until(
            lambda: SfsSubscription.objects.filter(
                proposal=proposal, event_type="DECISION_RECEIVED", state=State.ACTIVE
            ).exists(),
            message=push_worker.log()[-3000:],
        )
        sandbox.control(
            "POST",
            f"/__sandbox__/proposals/{proposal.sfs_id}/decide",
            {"decisionStatus": "ACCEPTED"},
        )
        decided = wait_until(
            lambda: (p := Proposal.objects.get(pk=proposal.pk)).decision_status == "ACCEPTED" and p,
            message=push_worker.log()[-3000:],
            timeout=20,
        )
    finally:
        sandbox.set_settings(decisionDelaySeconds=0.5)
    assert decided.workflow_status == "ACCEPTED"
    assert not decided.calls.filter(path__startswith="/proposals/search").exists()
    assert SfsNotification.objects.filter(proposal=proposal, event_type="DECISION_RECEIVED")

    # From the acceptance on, the status is followed; the activation closes it all.
    wait_until(
        lambda: SfsSubscription.objects.filter(
            proposal=proposal, event_type="CREDIT_STATUS_CHANGED", state=State.ACTIVE
        ).exists(),
        message=push_worker.log()[-3000:],
    )
    sandbox.control("POST", f"/__sandbox__/proposals/{proposal.sfs_id}/activate", {})
    wait_until(
        lambda: Proposal.objects.get(pk=proposal.pk).workflow_status == "ACTIVATED",
        message=push_worker.log()[-3000:],
        timeout=20,
    )
    wait_until(
        lambda: (
            set(SfsSubscription.objects.filter(proposal=proposal).values_list("state", flat=True))
            == {State.ENDED}
        ),
        message=push_worker.log()[-3000:],
    )
