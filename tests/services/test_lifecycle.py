"""The lifecycle's one table, walked: every portal status and SFS workflow status against every
action, for the page (what is offered) and for the services (what is refused), and the stage a
person sees."""

import itertools

import pytest

from proposals.lifecycle import Action, Stage, action_permitted, stage_of
from proposals.models import Proposal, Status
from proposals.services import PortalError
from proposals.services.changes import proposal_send_changes
from proposals.services.decisions import proposal_precheck_request, proposal_request_decision
from proposals.services.drafts import proposal_editable
from proposals.services.events import status_move
from proposals.services.quotes import quote_request
from proposals.services.sending import proposal_submit
from proposals.views.proposal_status import allowed_actions
from tests.support.proposals import make_proposal

WORKFLOWS = (
    "",
    "DRAFT",
    "DECISION_REQUESTED",
    "MORE_INFORMATION",
    "ACCEPTED",
    "DECLINED",
    "CANCELLED",
    "ACTIVATED",
    "SOMETHING_NEW",
)
# What CONTRACT.md 6.6 allows once SFS has the proposal (status SENT), written out by hand so
# the test does not read the table it checks.
SFS_ALLOWS = {
    "DRAFT": {"edit", "quote", "refresh", "request_decision", "precheck", "send_changes", "cancel"},
    "DECISION_REQUESTED": {"refresh", "cancel"},
    "MORE_INFORMATION": {
        "edit",
        "quote",
        "refresh",
        "request_decision",
        "precheck",
        "send_changes",
        "cancel",
    },
    "ACCEPTED": {"refresh", "cancel"},
    "DECLINED": set(),
    "CANCELLED": set(),
    "ACTIVATED": set(),
    "SOMETHING_NEW": {"refresh"},
    "": {"refresh"},
}
LOCAL_ALLOWS = {
    Status.DRAFT: {"edit", "submit", "quote", "delete"},
    Status.FAILED: {"edit", "submit", "quote"},
    Status.GONE: {"edit", "resend"},
    Status.CONFLICT: {"refresh", "conflict"},
    Status.QUEUED: set(),
    Status.SENDING: set(),
    Status.VERIFYING: set(),
}
EXPECTED_STAGE = {
    "DRAFT": Stage.WITH_SFS,
    "DECISION_REQUESTED": Stage.WITH_SFS,
    "MORE_INFORMATION": Stage.DOCUMENTS,
    "ACCEPTED": Stage.DECIDED,
    "DECLINED": Stage.DECLINED,
    "CANCELLED": Stage.CANCELLED,
    "ACTIVATED": Stage.ACTIVE,
    "SOMETHING_NEW": Stage.WITH_SFS,
    "": Stage.WITH_SFS,
}


def expected(status, workflow) -> set:
    allowed = {"copy"}
    if status == Status.SENT:
        return allowed | SFS_ALLOWS[workflow]
    return allowed | LOCAL_ALLOWS[status]


@pytest.mark.parametrize(
    ("status", "workflow"), list(itertools.product([s.value for s in Status], WORKFLOWS))
)
def test_the_table_allows_what_the_contract_and_the_portal_allow(status, workflow):
    proposal = Proposal(status=status, workflow_status=workflow)
    permitted = {str(a) for a in Action if action_permitted(proposal, a)}
    assert permitted == expected(status, workflow)


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_stage_of_a_proposal_sfs_has(workflow):
    assert (
        stage_of(Proposal(status=Status.SENT, workflow_status=workflow))
        == (EXPECTED_STAGE[workflow])
    )


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        (Status.DRAFT, Stage.DRAFT),
        (Status.FAILED, Stage.DRAFT),
        (Status.QUEUED, Stage.SENDING),
        (Status.SENDING, Stage.SENDING),
        (Status.VERIFYING, Stage.SENDING),
        (Status.GONE, Stage.GONE),
        (Status.CONFLICT, Stage.DECIDED),  # a conflict keeps the stage SFS gives it
    ],
)
def test_stage_of_a_proposal_sfs_does_not_hold_as_sent(status, stage):
    assert stage_of(Proposal(status=status, workflow_status="ACCEPTED")) == stage


def test_an_accepted_deal_with_documents_outstanding_reads_documents():
    proposal = Proposal(status=Status.SENT, workflow_status="ACCEPTED")
    proposal.documents = [{"required": True, "received": False, "valid": False}]
    assert stage_of(proposal) == Stage.DOCUMENTS


SERVICE_GUARDS = {
    "submit": lambda p, u: proposal_submit(proposal=p, user=u),
    "quote": lambda p, u: quote_request(proposal=p, user=u),
    "request_decision": lambda p, u: proposal_request_decision(proposal=p, user=u),
    "precheck": lambda p, u: proposal_precheck_request(proposal=p, user=u),
    "send_changes": lambda p, u: proposal_send_changes(proposal=p, user=u),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(SERVICE_GUARDS))
@pytest.mark.parametrize(
    ("status", "workflow"),
    [
        (Status.DRAFT, ""),
        (Status.QUEUED, ""),
        (Status.SENT, "DRAFT"),
        (Status.SENT, "DECISION_REQUESTED"),
        (Status.SENT, "ACCEPTED"),
        (Status.SENT, "DECLINED"),
        (Status.SENT, "CANCELLED"),
        (Status.SENT, "ACTIVATED"),
        (Status.GONE, ""),
    ],
)
def test_services_refuse_what_the_table_forbids(broker, credential, action, status, workflow):
    proposal = make_proposal(
        broker=broker,
        credential=credential,
        status=status,
        workflow_status=workflow,
        sfs_id=7000001 if status != Status.DRAFT else None,
        etag="2026-12-01T00:00:00.000Z",
        reference=None if status == Status.DRAFT else "IP-TEST-1",
    )
    if action_permitted(proposal, Action(action)):
        try:
            SERVICE_GUARDS[action](proposal, broker)
        except PortalError as error:
            # Allowed by state; a refusal may only be about something else (e.g. no changes).
            assert "state" not in str(error) and "open" not in str(error), error
    else:
        with pytest.raises(PortalError):
            SERVICE_GUARDS[action](proposal, broker)


@pytest.mark.django_db
def test_the_page_offers_only_what_the_table_permits(broker, broker2, credential):
    for status, workflow in itertools.product([s.value for s in Status], WORKFLOWS):
        proposal = make_proposal(
            broker=broker,
            credential=credential,
            status=status,
            workflow_status=workflow,
            sfs_id=7000001,
            reference=None if status == Status.DRAFT else "IP-TEST-2",
        )
        offered = set(allowed_actions(proposal, broker))
        assert offered <= expected(status, workflow), (status, workflow)
        assert "copy" in offered
        assert ("edit" in offered) == proposal_editable(proposal)
        # Another broker of the same firm is offered nothing on it.
        assert allowed_actions(proposal, broker2) == []
        proposal.delete()


@pytest.mark.django_db
def test_a_cancel_is_not_offered_after_a_decline_or_a_cancel(broker, credential):
    for workflow in ("DECLINED", "CANCELLED", "ACTIVATED"):
        proposal = make_proposal(
            broker=broker,
            credential=credential,
            status=Status.SENT,
            workflow_status=workflow,
            sfs_id=7000002,
            reference=f"IP-TEST-{workflow}",
        )
        offered = allowed_actions(proposal, broker)
        assert not {"cancel", "precheck", "quote", "request_decision"} & set(offered)


@pytest.mark.django_db
def test_status_move_refuses_a_move_the_table_does_not_have(broker, credential):
    proposal = make_proposal(broker=broker, credential=credential, status=Status.DRAFT)
    with pytest.raises(PortalError):
        status_move(proposal=proposal, to=Status.SENT)
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT
    status_move(proposal=proposal, to=Status.QUEUED, fields={"reference": "IP-TEST-3"})
    proposal.refresh_from_db()
    assert proposal.status == Status.QUEUED
