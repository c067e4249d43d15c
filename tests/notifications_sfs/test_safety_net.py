"""Polling as the safety net: while SFS's notifications arrive the search runs only every
SFS_SAFETY_NET_SECONDS; a change it finds that no notification announced is counted and puts the
credential back on the usual cadence. Against a sandbox process of this module's own, so its
request counts are this module's alone."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from proposals.models import Proposal, SfsSubscription, Status
from proposals.services.refresh import refresh_all_due, refresh_cycle, refresh_due
from proposals.services.refresh_cadence import credential_pushed, push_figures
from proposals.services.sending import proposal_send
from proposals.services.sfs_subscriptions import DECISION_RECEIVED, subscription_sync
from tests.notifications_sfs.conftest import deliver, notification, registered
from tests.support.proposals import make_proposal
from tests.support.sandbox_server import SandboxProcess, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(rate_limit=0, decision_delay=0.5) as process:
        yield process


@pytest.fixture(autouse=True)
def unreachable_portal(settings, sandbox):
    """SFS delivers to a port nobody listens on: only what a test posts itself arrives."""
    settings.PORTAL_PUBLIC_URL = f"http://127.0.0.1:{free_port()}"
    settings.SFS_SAFETY_NET_SECONDS = 300
    sandbox.set_settings(decisionDelaySeconds=600)  # only the decisions a test makes
    yield
    sandbox.set_settings(decisionDelaySeconds=0.5)


@pytest.fixture
def fresh_cache(credential):
    """The cycle's and the safety net's keys start empty (a Redis cache outlives a test)."""
    keys = ("refresh-last", "refresh-cursor", "refresh-full", "refresh-search-paging")
    cache.delete_many([f"{key}:{credential.pk}" for key in keys])
    cache.delete_many(
        [
            f"sfs-safety-net:lost-until:{credential.pk}",
            f"sfs-safety-net:catches:{credential.pk}",
        ]
    )
    return credential


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


def _last_cycle_ago(credential, seconds: float) -> None:
    moment = timezone.now() - timedelta(seconds=seconds)
    cache.set(f"refresh-last:{credential.pk}", moment.isoformat(), None)


def _sfs_requests(sandbox) -> int:
    return sandbox.stats()["requests"]["total"]


def test_while_notifications_arrive_the_search_waits_for_the_period(
    client, broker, fresh_cache, sandbox
):
    credential = fresh_cache
    key = registered(credential)
    proposal = _sent(broker, credential, "IP-NET001")
    assert deliver(client, notification(proposal.sfs_id), key=key).status_code == 204
    assert credential_pushed(credential_id=credential.pk)

    _last_cycle_ago(credential, 120)  # due long ago at the usual cadence (60 s)
    before = _sfs_requests(sandbox)
    assert refresh_all_due() == {}
    assert _sfs_requests(sandbox) == before  # not a single call

    _last_cycle_ago(credential, 301)
    figures = refresh_all_due()
    assert credential.pk in figures and figures[credential.pk]["calls"] >= 1, figures
    assert _sfs_requests(sandbox) - before == figures[credential.pk]["calls"]
    assert figures[credential.pk]["caught"] == 0


def test_without_notifications_the_cadence_is_as_before(client, broker, fresh_cache, settings):
    credential = fresh_cache
    _sent(broker, credential, "IP-NET002")
    assert not credential_pushed(credential_id=credential.pk)  # no endpoint registered
    _last_cycle_ago(credential, 30)
    assert not refresh_due(credential=credential)
    _last_cycle_ago(credential, 61)
    assert refresh_due(credential=credential)

    registered(credential)  # registered, but nothing has arrived: still the usual cadence
    assert not credential_pushed(credential_id=credential.pk)
    assert refresh_due(credential=credential)

    key = registered(credential)
    assert deliver(client, notification(123456), key=key).status_code == 204
    assert not refresh_due(credential=credential)  # now pushed: 61 s is within the period
    settings.SFS_NOTIFICATIONS = False  # notifications off: back to the usual cadence
    assert refresh_due(credential=credential)


def test_a_change_no_notification_announced_is_caught(
    client, login, staff, broker, fresh_cache, sandbox
):
    credential = fresh_cache
    key = registered(credential)
    proposal = _sent(broker, credential, "IP-NET003", request_decision=True)
    assert proposal.decision_status == "PENDING"
    assert subscription_sync(proposal_id=proposal.pk, event_type=DECISION_RECEIVED) == (
        "subscribed"
    )
    assert SfsSubscription.objects.get(proposal=proposal).state == SfsSubscription.State.ACTIVE
    # One notification arrived (for this proposal, before the cycle looked): pushed.
    assert deliver(client, notification(proposal.sfs_id), key=key).status_code == 204
    assert refresh_cycle(credential=credential)["caught"] == 0  # nothing had changed
    assert credential_pushed(credential_id=credential.pk)

    # SFS decides; its notification never reaches the portal (nobody listens where it goes).
    sandbox.control(
        "POST", f"/__sandbox__/proposals/{proposal.sfs_id}/decide", {"decisionStatus": "ACCEPTED"}
    )
    _last_cycle_ago(credential, 301)
    figures = refresh_all_due()[credential.pk]
    assert figures["changed"] == 1 and figures["caught"] == 1, figures
    assert Proposal.objects.get(pk=proposal.pk).decision_status == "ACCEPTED"

    # Notifications seem lost: the usual cadence again, although one arrived within the hour.
    assert not credential_pushed(credential_id=credential.pk)
    _last_cycle_ago(credential, 61)
    assert refresh_due(credential=credential)

    push = push_figures(credential_id=credential.pk)
    assert push.received_last_day == 1 and push.caught_last_day == 1
    assert push.last_received_at is not None and push.last_caught_at is not None
    assert push.seem_lost_until > timezone.now() + timedelta(minutes=29)
    html = login(staff).get(reverse("staff_health")).content.decode()
    for text in (
        "Notifications from SFS",
        'Received (last 24 h)</dt><dd class="col-5">1</dd>',
        'Changes the safety net caught (last 24 h)</dt>\n        <dd class="col-5">1 ',
        "no notification announced them",
        "at the usual pace",
    ):
        assert text in html, text


def test_an_announced_change_is_not_counted(client, broker, fresh_cache, sandbox):
    credential = fresh_cache
    key = registered(credential)
    proposal = _sent(broker, credential, "IP-NET004", request_decision=True)
    subscription_sync(proposal_id=proposal.pk, event_type=DECISION_RECEIVED)
    refresh_cycle(credential=credential)
    sandbox.control(
        "POST", f"/__sandbox__/proposals/{proposal.sfs_id}/decide", {"decisionStatus": "DECLINED"}
    )
    # Its notification arrived, but the search came before the notified read ran.
    assert deliver(client, notification(proposal.sfs_id), key=key).status_code == 204
    figures = refresh_cycle(credential=credential)
    assert figures["changed"] == 1 and figures["caught"] == 0, figures
    assert credential_pushed(credential_id=credential.pk)
    assert push_figures(credential_id=credential.pk).caught_last_day == 0


def test_a_decision_without_its_subscription_keeps_the_usual_pace(
    client, broker, fresh_cache, sandbox
):
    """Under a backlog a DECISION_RECEIVED subscription can wait for budget, and SFS can decide
    first: no notification will come, so the search keeps its usual pace until it is active."""
    from proposals.models import SfsSubscription

    credential = fresh_cache
    key = registered(credential)
    announced = _sent(broker, credential, "IP-NET010")
    assert deliver(client, notification(announced.sfs_id), key=key).status_code == 204
    assert credential_pushed(credential_id=credential.pk)

    waiting = _sent(broker, credential, "IP-NET011")
    Proposal.objects.filter(pk=waiting.pk).update(workflow_status="DECISION_REQUESTED")
    assert not credential_pushed(credential_id=credential.pk)  # nothing watches its decision
    SfsSubscription.objects.create(
        proposal=waiting, event_type="DECISION_RECEIVED", state=SfsSubscription.State.ACTIVE
    )
    assert credential_pushed(credential_id=credential.pk)
