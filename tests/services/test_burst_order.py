"""Work on a deal already started goes before a new deal (issue 16, 3).

Sixteen proposals are queued at once while the rate budget binds (20 calls a minute, so sends
and decisions together need more than one minute). The first proposal's decision request must
not wait behind the fifteen sends queued after it: decisions are requested in submission order,
each close behind its own send, and the minute's budget goes to finishing deals before starting
new ones.
"""

import time

import pytest

from proposals.models import Proposal
from proposals.services.config_mirror import config_refresh
from proposals.services.sending import proposal_submit
from proposals.services.siesmart_access import rate_scope
from tests.services.conftest import sandbox_credential
from tests.support.limiter import empty_window
from tests.support.proposals import make_proposal
from tests.support.worker import WorkerProcess, wait_until

BUDGET = 20
QUEUED = 16
WORKERS = 2

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.broker, pytest.mark.slow]


def test_the_first_deals_decision_goes_before_the_last_new_send(
    organisation, broker, sandbox, settings
):
    credential = sandbox_credential(organisation, sandbox)
    config_refresh(credential=credential)
    proposals = [make_proposal(broker=broker, credential=credential) for _ in range(QUEUED)]
    empty_window(rate_scope(credential))
    settings.SIESMART_BUDGET_PER_MINUTE = BUDGET

    env = {"SIESMART_BUDGET_PER_MINUTE": str(BUDGET)}
    workers = [WorkerProcess(f"order-{i}", extra_env=env).start() for i in range(WORKERS)]
    try:
        for proposal in proposals:
            proposal_submit(proposal=proposal, user=broker)
        ids = [p.pk for p in proposals]

        def progress() -> tuple[int, int]:
            mine = Proposal.objects.filter(pk__in=ids)
            return (
                mine.filter(sent_at__isnull=False).count(),
                mine.filter(decision_requested_at__isnull=False).count(),
            )

        # The first minute's budget is spent once nothing moves for a few seconds (other calls
        # of a send, such as a notification subscription, share it too).
        wait_until(lambda: progress()[1] >= 3, timeout=30, message=workers[0].log()[-3000:])
        seen, still_since = progress(), time.monotonic()
        deadline = time.monotonic() + 40
        while time.monotonic() - still_since < 4 and time.monotonic() < deadline:
            time.sleep(0.25)
            if progress() != seen:
                seen, still_since = progress(), time.monotonic()
    finally:
        for worker in workers:
            worker.stop()

    rows = {
        row["pk"]: row
        for row in Proposal.objects.filter(pk__in=ids).values(
            "pk", "sent_at", "decision_requested_at"
        )
    }
    in_order = [rows[pk] for pk in ids]
    first_decision = in_order[0]["decision_requested_at"]
    last_send = max(row["sent_at"] for row in in_order if row["sent_at"])
    assert first_decision is not None and first_decision < last_send
    sent_before_first_decision = [
        row for row in in_order if row["sent_at"] and row["sent_at"] < first_decision
    ]
    assert len(sent_before_first_decision) <= WORKERS
    # Decisions in submission order: each decided proposal is among the earliest submitted,
    # and new sends ran at most one per worker ahead of the decisions.
    decided_positions = [i for i, row in enumerate(in_order) if row["decision_requested_at"]]
    sent_count = sum(1 for row in in_order if row["sent_at"])
    assert max(decided_positions) < len(decided_positions) + WORKERS
    assert sent_count <= len(decided_positions) + WORKERS
    assert sent_count < QUEUED  # the budget binds: the last sends wait for the next minute
