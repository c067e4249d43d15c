"""The decision request's own record: what the broker types is never overwritten by a worker's
stale copy, and a request whose answer was lost is still recorded once SFS shows it."""

import pytest

from proposals.models import Proposal, Status
from proposals.services.decisions import decision_request_now, precheck_run
from proposals.services.drafts import proposal_save_step
from proposals.services.sending import proposal_send
from proposals.services.siesmart_access import client_for
from proposals.siesmart.enums import Lane
from tests.support.proposals import make_proposal

pytestmark = pytest.mark.django_db


def _sent(broker, credential, reference):
    proposal = make_proposal(
        broker=broker,
        credential=credential,
        status=Status.QUEUED,
        reference=reference,
        request_decision=False,
    )
    assert proposal_send(proposal_id=proposal.pk) != "not claimed"
    proposal.refresh_from_db()
    assert proposal.status == Status.SENT and proposal.sfs_id
    return proposal


REVIEW = {
    "special_condition_text": "",
    "schedule_assets_description": "",
    "comment_to_risk_analyst": "Call Jo after 3pm, the director is travelling.",
    "siemens_may_contact_customer": "on",
}


def test_a_comment_typed_during_a_precheck_and_a_decision_request_is_kept(broker, mirrored):
    proposal = _sent(broker, mirrored, "IP-RACE-0001")
    # Two workers read the proposal, then the broker saves the review step, then they finish.
    precheck_copy = Proposal.objects.get(pk=proposal.pk)
    decision_copy = Proposal.objects.get(pk=proposal.pk)
    problems = proposal_save_step(proposal=proposal, user=broker, step="review", data=REVIEW)
    assert problems == []

    precheck_run(proposal=precheck_copy)
    assert decision_request_now(proposal=decision_copy) == "requested"

    request = Proposal.objects.get(pk=proposal.pk).decision_request
    assert request["commentToRiskAnalyst"] == REVIEW["comment_to_risk_analyst"]
    assert request["siemensMayContactCustomer"] is True
    assert request["precheck"]["state"] == "ok"
    assert request["state"] == "requested"


def test_a_request_whose_answer_was_lost_is_recorded_when_sfs_shows_it(broker, mirrored):
    proposal = _sent(broker, mirrored, "IP-LOST-0001")
    # SFS carries the request out, and the answer never reaches the portal.
    client = client_for(credential=mirrored, lane=Lane.INTERACTIVE, proposal_id=proposal.pk)
    client.request_decision(
        proposal.sfs_id,
        etag=proposal.etag,
        comment_to_risk_analyst=None,
        may_contact_customer=False,
        may_request_credit_data=False,
        prelease=False,
    )

    # The retry meets a moved ETag (412), re-reads, and finds the request made.
    assert decision_request_now(proposal=proposal) == "requested"
    proposal.refresh_from_db()
    assert proposal.decision_requested_at is not None
    assert proposal.decision_request["state"] == "requested"
    assert proposal.events.filter(kind="decision_requested").count() == 1
    # The lost one and the retry: the retry met 412 and was not sent a third time.
    statuses = list(
        proposal.calls.filter(method="POST", path__endswith="/decision")
        .order_by("pk")
        .values_list("status", flat=True)
    )
    assert statuses == [200, 412]
