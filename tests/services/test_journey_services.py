"""The SFS side of a proposal's life, against a sandbox process and a real worker process."""

import pytest

from proposals.models import Proposal, Status
from proposals.services.changes import proposal_send_changes
from proposals.services.refresh import refresh_cycle
from proposals.services.sending import proposal_cancel, proposal_submit
from tests.support.proposals import DECLINED_COMPANY, asset, make_proposal
from tests.support.worker import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.broker]


def _reload(proposal):
    return Proposal.objects.get(pk=proposal.pk)


def _until_status(proposal, status, worker, timeout=30):
    return wait_until(
        lambda: (p := _reload(proposal)).status == status and p,
        timeout=timeout,
        message=f"never reached {status}: {_reload(proposal).status}\n{worker.log()[-3000:]}",
    )


def _until_decided(proposal, credential, worker, timeout=30):
    def decided():
        refresh_cycle(credential=credential)
        p = _reload(proposal)
        return p.decision_status not in ("", "PENDING", "NOT_AVAILABLE") and p

    return wait_until(decided, timeout=timeout, interval=0.5, message=worker.log()[-3000:])


def test_submit_send_decide_accepted(broker, mirrored, worker, sandbox):
    proposal = make_proposal(broker=broker)
    proposal_submit(proposal=proposal, user=broker)
    sent = _until_status(proposal, Status.SENT, worker)
    assert sent.reference.startswith("IP-") and sent.sfs_id and sent.etag
    assert sandbox.stats()["proposalsPerLabel"][sent.reference] == 1
    decided = _until_decided(proposal, mirrored, worker)
    assert decided.workflow_status == "ACCEPTED"
    assert decided.decision["validUntilDate"]
    kinds = list(decided.events.values_list("kind", flat=True))
    assert {"submitted", "send_attempt", "sent", "decision_requested", "sfs_changed"} <= set(kinds)
    assert decided.calls.filter(method="POST", path="/proposals", status=201).count() == 1


def test_declined(broker, mirrored, worker):
    proposal = make_proposal(broker=broker, registration_number=DECLINED_COMPANY)
    proposal_submit(proposal=proposal, user=broker)
    decided = _until_decided(proposal, mirrored, worker)
    assert decided.workflow_status == "DECLINED"
    assert decided.decision["reason"]


def test_more_information_then_edited_and_resent(broker, mirrored, worker):
    big = make_proposal(
        broker=broker,
        assets=[asset(value="30000.00", quantity=10)],
        calculation={
            "sheet": {
                "introducerPricelistId": 502,
                "marketProductId": 20,
                "paymentMethod": {"id": 1},
                "paymentMode": "ADVANCE",
                "paymentPeriod": "MONTHLY",
                "term": 36,
            }
        },
    )
    proposal_submit(proposal=big, user=broker)
    decided = _until_decided(big, mirrored, worker)
    assert decided.workflow_status == "MORE_INFORMATION"
    assert "accounts" in (decided.decision["reason"] or "").lower()

    # The broker adds a deposit that brings the amount under 250,000 and sends the change.
    decided.calculation["sheet"]["specialPayments"] = [{"type": {"id": 1}, "amount": "60000.00"}]
    decided.save()
    proposal_send_changes(proposal=decided, user=broker)
    again = wait_until(
        lambda: (p := _reload(big)).pending_changes.get("state") == "sent" and p,
        timeout=30,
        message=worker.log()[-3000:],
    )
    assert again.workflow_status == "DECISION_REQUESTED"
    final = _until_decided(big, mirrored, worker)
    assert final.workflow_status == "ACCEPTED"
    assert final.decision["condition"]  # above 100,000: a director's guarantee


def test_cancelled(broker, mirrored, worker):
    proposal = make_proposal(broker=broker, request_decision=False)
    proposal_submit(proposal=proposal, user=broker)
    sent = _until_status(proposal, Status.SENT, worker)
    assert sent.workflow_status == "DRAFT"
    proposal_cancel(proposal=sent, user=broker)
    wait_until(
        lambda: _reload(proposal).workflow_status == "CANCELLED",
        timeout=30,
        message=worker.log()[-3000:],
    )
