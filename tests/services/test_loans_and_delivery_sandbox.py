"""Loans and the delivery address at SFS (CONTRACT.md 6.7, 6.8), against a sandbox process: sent
with the proposal, answered back with ids, and a later change sent as its own loan call."""

from decimal import Decimal

import pytest

from proposals.models import Proposal
from proposals.services.changes import changes_send
from proposals.services.parts import local_changes
from proposals.services.refresh import proposal_take_remote
from proposals.services.sending import proposal_send, proposal_submit
from proposals.services.siesmart_access import client_for
from proposals.siesmart.enums import Lane
from tests.support.proposals import make_proposal

pytestmark = pytest.mark.django_db(transaction=True)

WAREHOUSE = {
    "address1": "Unit 7, Riverside Works",
    "city": "Leeds",
    "postalCode": "LS1 4AP",
    "country": {"code": "GB"},
}
INSTALLATION, TRAINING = 1, 2


def _sent(broker, credential, django_capture_on_commit_callbacks, **fields):
    proposal = make_proposal(broker=broker, credential=credential, request_decision=False, **fields)
    with django_capture_on_commit_callbacks(execute=False):
        proposal_submit(proposal=proposal, user=broker)
    assert proposal_send(proposal_id=proposal.pk) == "sent"
    return Proposal.objects.get(pk=proposal.pk)


def _adopt(proposal):
    """What a refresh does with SFS's answer when nothing local is pending: parts with ids."""
    client = client_for(credential=proposal.credential, lane=Lane.BACKGROUND)
    proposal_take_remote(proposal=proposal, remote=client.get_proposal(proposal.sfs_id))
    return Proposal.objects.get(pk=proposal.pk)


def test_a_loan_and_a_delivery_address_go_with_the_proposal_and_come_back(
    broker, mirrored, django_capture_on_commit_callbacks
):
    sent = _sent(
        broker,
        mirrored,
        django_capture_on_commit_callbacks,
        loans=[{"loanPurpose": {"id": INSTALLATION}, "value": "2000.00"}],
        delivery_address=WAREHOUSE,
    )
    snapshot = sent.base_snapshot
    (loan,) = snapshot["loans"]
    assert loan["id"] and loan["loanPurpose"]["id"] == INSTALLATION
    assert Decimal(str(loan["value"])) == Decimal("2000.00")
    assert snapshot["deliveryAddress"]["postalCode"] == "LS1 4AP"
    result = snapshot["calculation"]["result"]
    # 10 x 1,450 assets + 2,000 loan - 1,500 deposit
    assert Decimal(str(result["amountFinanced"])) == Decimal("15000.00")
    assert Decimal(str(result["loansTotal"])) == Decimal("2000.00")
    assert sent.amount_financed == Decimal("15000.00")
    assert local_changes(sent) == set()  # what was sent and what came back mean the same

    adopted = _adopt(sent)
    assert adopted.loans[0]["id"] == loan["id"]
    assert adopted.delivery_address["city"] == "Leeds"
    assert local_changes(adopted) == set()


def test_a_loan_changed_after_creation_goes_out_as_a_loan_call(
    broker, mirrored, django_capture_on_commit_callbacks
):
    sent = _adopt(
        _sent(
            broker,
            mirrored,
            django_capture_on_commit_callbacks,
            loans=[{"loanPurpose": {"id": INSTALLATION}, "value": "2000.00"}],
        )
    )
    loan_id = sent.loans[0]["id"]
    sent.loans[0]["value"] = "2500.00"
    sent.loans.append({"loanPurpose": {"id": TRAINING}, "value": "400.00"})
    sent.delivery_address = WAREHOUSE
    sent.save()
    assert local_changes(sent) == {"loans", "delivery"}

    assert changes_send(proposal=sent) == "sent"
    done = Proposal.objects.get(pk=sent.pk)
    base = f"/proposals/{sent.sfs_id}"
    assert done.calls.filter(method="PUT", path=f"{base}/loans/{loan_id}", status=200).count() == 1
    assert done.calls.filter(method="POST", path=f"{base}/loans", status=201).count() == 1
    assert done.calls.filter(method="DELETE", path__startswith=f"{base}/loans").count() == 0
    assert (
        done.calls.filter(
            method="POST", path=f"{base}/customer/delivery-address", status=200
        ).count()
        == 1
    )
    values = sorted(Decimal(str(loan["value"])) for loan in done.base_snapshot["loans"])
    assert values == [Decimal("400.00"), Decimal("2500.00")]
    assert done.base_snapshot["deliveryAddress"]["city"] == "Leeds"
    result = done.base_snapshot["calculation"]["result"]
    assert Decimal(str(result["amountFinanced"])) == Decimal("15900.00")
    # The local loans took SFS's ids: the next change replaces, never removes and adds.
    assert all(loan.get("id") for loan in done.loans)
    assert local_changes(done) == set()

    done.loans = done.loans[:1]
    done.save()
    assert changes_send(proposal=done) == "sent"
    removed = Proposal.objects.get(pk=done.pk)
    assert removed.calls.filter(method="DELETE", path__startswith=f"{base}/loans/").count() == 1
    assert [loan["id"] for loan in removed.base_snapshot["loans"]] == [loan_id]
