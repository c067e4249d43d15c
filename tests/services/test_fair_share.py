"""A fair share of one SFS budget: one organisation's burst never starves another's send.

Two organisations on one SFS host share one rate budget. Organisation A queues 500 sends at a
budget of 60 a minute; once A has spent its share of the minute, organisation B submits one.
B's proposal must be sent within 5 seconds, and A's sends go on, none lost or doubled.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Credential, Proposal, SieSmartCall, Status
from proposals.services.config_mirror import config_refresh
from proposals.services.fair_share import next_queued_send
from proposals.services.sending import proposal_submit
from proposals.services.shared_state import limiter_for, scope_of_url
from proposals.services.siesmart_access import rate_scope
from proposals.siesmart.enums import Lane
from tests.services.conftest import sandbox_credential
from tests.support.limiter import empty_window
from tests.support.proposals import make_proposal
from tests.support.worker import WorkerProcess, wait_until

BUDGET = 60
BURST = 500
BUDGET_ENV = {"SIESMART_BUDGET_PER_MINUTE": str(BUDGET)}


def _sent(organisation) -> int:
    return Proposal.objects.filter(organisation=organisation, status=Status.SENT).count()


# Runs on the embedded broker and on Redis (make test, make test-services); not in the RabbitMQ
# pass (-m broker): there, in 2 of 3 runs on 2026-12-02, B's single send met no room for about
# a minute after A's 54 sends, a fault not yet found (README, Known limits).
@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_burst_of_500_from_one_organisation_does_not_hold_up_another_organisations_send(
    organisation, other_organisation, broker, other_broker, sandbox, settings
):
    credential_a = sandbox_credential(organisation, sandbox)
    credential_b = sandbox_credential(other_organisation, sandbox)
    for credential in (credential_a, credential_b):
        config_refresh(credential=credential)
    # The scene was set with the limits lifted; the minute under test starts empty (on Redis
    # too: the set-up's 38 configuration calls left the window two-thirds full, and A's sends
    # waited for them to age out).
    empty_window(rate_scope(credential_a))
    settings.SIESMART_BUDGET_PER_MINUTE = BUDGET

    workers = [WorkerProcess(f"fair-{i}", extra_env=BUDGET_ENV).start() for i in (1, 2)]
    try:
        burst = [
            make_proposal(broker=broker, credential=credential_a, request_decision=False)
            for _ in range(BURST)
        ]
        for proposal in burst:
            proposal_submit(proposal=proposal, user=broker)
        # A's sends flow until A holds its share of the minute (the budget less a reserve).
        wait_until(
            lambda: _sent(organisation) >= BUDGET * 0.8,
            timeout=60,
            interval=0.2,
            message=workers[0].log()[-3000:],
        )
        sent_a_before_b = _sent(organisation)
        assert sent_a_before_b < BURST  # A still has hundreds waiting

        single = make_proposal(broker=other_broker, credential=credential_b, request_decision=False)
        submitted = time.monotonic()
        proposal_submit(proposal=single, user=other_broker)
        wait_until(
            lambda: Proposal.objects.filter(pk=single.pk, status=Status.SENT).exists(),
            timeout=5,
            interval=0.05,
            message=f"B's send waited more than 5 s\n{workers[0].log()[-3000:]}",
        )
        print(f"\nB's send took {time.monotonic() - submitted:.2f} s")

        # A is not starved either: its sends go on as the window slides.
        wait_until(
            lambda: _sent(organisation) > sent_a_before_b + 5,
            timeout=75,
            interval=0.5,
            message=workers[1].log()[-3000:],
        )
    finally:
        for worker in workers:
            worker.stop()

    per_label = sandbox.stats()["proposalsPerLabel"]
    proposals = list(Proposal.objects.filter(pk__in=[p.pk for p in [*burst, single]]))
    sent = [p for p in proposals if p.status == Status.SENT]
    assert all(p.sfs_id for p in sent)
    # Each proposal sent is at SFS exactly once; nothing else of these is there.
    assert [per_label.get(p.reference, 0) for p in sent] == [1] * len(sent)
    unsent = [p for p in proposals if p.status != Status.SENT]
    assert {p.status for p in unsent} <= {Status.QUEUED}
    assert [per_label.get(p.reference, 0) for p in unsent] == [0] * len(unsent)
    assert len(sent) + len(unsent) == BURST + 1


@pytest.mark.django_db
def test_the_limiter_and_the_client_agree_on_the_scope(organisation, sandbox):
    credential = sandbox_credential(organisation, sandbox)
    assert scope_of_url(credential.api_url) == rate_scope(credential)


# -- the parts, one at a time ---------------------------------------------------------------------


def _credential(organisation, host: str) -> Credential:
    """A credential row on `host` (no call is made with it: these tests set the scene only)."""
    return Credential.objects.create(
        organisation=organisation,
        environment="custom",
        api_url=f"https://{host}/api",
        token_url=f"https://{host}/oauth/token",
        client_id="fair-share",
        client_secret_encrypted="unused",
    )


@pytest.mark.django_db
def test_an_organisation_sharing_the_budget_leaves_a_reserve_for_the_others(
    organisation, other_organisation
):
    mine = _credential(organisation, "shared.sfs.test")
    theirs = _credential(other_organisation, "shared.sfs.test")
    limiter = limiter_for("shared.sfs.test", 10)
    ours, others = limiter.for_holder(mine.cache_key), limiter.for_holder(theirs.cache_key)
    assert [ours.acquire(Lane.INTERACTIVE) for _ in range(9)] == [0.0] * 9
    assert ours.room(Lane.INTERACTIVE) > 50  # its share of the minute is spent
    assert ours.acquire(Lane.INTERACTIVE) > 50
    assert others.room(Lane.INTERACTIVE) == 0.0
    assert others.room(Lane.INTERACTIVE) == 0.0  # looking takes nothing
    assert others.acquire(Lane.INTERACTIVE) == 0.0
    assert others.acquire(Lane.INTERACTIVE) > 50  # the whole budget is spent now


@pytest.mark.django_db
def test_an_organisation_alone_on_its_host_may_use_the_whole_budget(
    organisation, other_organisation
):
    mine = _credential(organisation, "alone.sfs.test")
    _credential(other_organisation, "elsewhere.sfs.test")
    ours = limiter_for("alone.sfs.test", 10).for_holder(mine.cache_key)
    assert [ours.acquire(Lane.INTERACTIVE) for _ in range(10)] == [0.0] * 10
    assert ours.acquire(Lane.INTERACTIVE) > 50


@pytest.mark.django_db
def test_the_next_send_is_the_oldest_of_the_organisation_that_has_had_least(
    organisation, other_organisation, broker, other_broker
):
    mine = _credential(organisation, "pick.sfs.test")
    theirs = _credential(other_organisation, "pick.sfs.test")
    now = timezone.now()

    def queued(user, credential, reference, seconds_ago):
        return make_proposal(
            broker=user,
            credential=credential,
            request_decision=False,
            status=Status.QUEUED,
            reference=reference,
            queued_at=now - timedelta(seconds=seconds_ago),
        )

    ours = [queued(broker, mine, f"IP-2026-OURS000{i}", 30 - i) for i in range(3)]
    their_one = queued(other_broker, theirs, "IP-2026-THEIRS01", 0)
    # Nobody has called SFS this minute: the one waiting longest goes first.
    assert next_queued_send(credential=theirs) == (ours[0].pk, mine.pk)
    SieSmartCall.objects.create(
        at=now, organisation=organisation, credential=mine, method="POST", path="/proposals"
    )
    # Now the organisation that has had least goes first, whichever doorbell rang.
    assert next_queued_send(credential=mine) == (their_one.pk, theirs.pk)
    assert next_queued_send(credential=mine, passed_over=[their_one.pk]) == (ours[0].pk, mine.pk)


@pytest.mark.django_db
def test_a_background_burst_leaves_room_for_another_organisations_send(
    organisation, other_organisation
):
    mine = _credential(organisation, "busy.sfs.test")
    theirs = _credential(other_organisation, "busy.sfs.test")
    limiter = limiter_for("busy.sfs.test", 10)
    polling = limiter.for_holder(mine.cache_key)
    while polling.acquire(Lane.BACKGROUND) == 0.0:
        pass  # a bulk refresh takes all the background lane will give it
    assert limiter.for_holder(theirs.cache_key).acquire(Lane.INTERACTIVE) == 0.0


@pytest.mark.django_db
def test_a_doorbell_that_loses_many_races_still_sends_one(monkeypatch, broker, credential):
    """Four workers ringing at once race for the same oldest proposal; a doorbell that lost six
    races in a row once gave up, leaving a proposal unsent until the sweeper's next pass."""
    from proposals.models import Proposal, Status
    from proposals.services import sending
    from tests.support.proposals import make_proposal

    queued = [
        make_proposal(broker=broker, credential=credential, status=Status.QUEUED,
                      reference=f"IP-RACE-{n:04d}")
        for n in range(8)
    ]  # fmt: skip
    real_claim = sending._claim
    lost = []

    def another_worker_wins_first(proposal_id, statuses=(Status.QUEUED, Status.VERIFYING)):
        if len(lost) < 6:
            Proposal.objects.filter(pk=proposal_id).update(status=Status.SENT, sfs_id=1)
            lost.append(proposal_id)
            return None
        return real_claim(proposal_id, statuses=statuses)

    monkeypatch.setattr(sending, "_claim", another_worker_wins_first)
    claimed = sending._claim_next(queued[0].pk)  # its own proposal was the first one taken
    assert claimed is not None and claimed.pk == queued[6].pk
    assert claimed.status == Status.SENDING


@pytest.mark.django_db
def test_the_follow_up_reserve_holds_only_while_follow_ups_are_coming(broker, credential):
    from proposals.services.fair_share import follow_ups_coming
    from tests.support.proposals import make_proposal

    assert not follow_ups_coming(credential=credential)  # new deals may use the whole budget
    sent = make_proposal(
        broker=broker,
        credential=credential,
        status=Status.SENT,
        reference="IP-FOLLOW-1",
        sfs_id=7000777,
        workflow_status="DRAFT",
        request_decision=True,
    )
    assert follow_ups_coming(credential=credential)  # its decision request is on its way
    Proposal.objects.filter(pk=sent.pk).update(
        decision_requested_at=timezone.now(), workflow_status="DECISION_REQUESTED"
    )
    assert not follow_ups_coming(credential=credential)
    Proposal.objects.filter(pk=sent.pk).update(pending_changes={"state": "queued"})
    assert follow_ups_coming(credential=credential)
