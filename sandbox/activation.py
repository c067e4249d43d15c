"""Contract activation (CONTRACT.md 6.9 and section 7): an accepted proposal whose required
documents are all received and valid is `ACTIVATED` after the activation delay.

The timer names the proposal's `decision_ticket`: a decision, a cancel or a wipe meanwhile makes it
do nothing, and so does a document that is no longer valid when it fires.
"""

from .errors import invalid_state


def ready(proposal) -> bool:
    required = [item for item in proposal.documents if item.required]
    return (
        proposal.workflow_status == "ACCEPTED"
        and bool(required)
        and all(item.received_date is not None and item.valid for item in required)
    )


def check(sb, proposal):
    """Called after a document became valid: schedule the activation once the checklist is done."""
    if ready(proposal):
        delay = sb.settings.delay("activation_delay")
        sb.scheduler.call_later(delay, _due, sb, proposal.id, proposal.decision_ticket)


def _due(sb, proposal_id, ticket):
    with sb.store.lock:
        proposal = sb.store.get(proposal_id)
        if proposal is None or proposal.decision_ticket != ticket or not ready(proposal):
            return
        activate(sb, proposal)


def contract_number(proposal) -> str:
    return f"C{proposal.id % 100_000_000:08d}"


def activate(sb, proposal):
    """Make the proposal a contract now; it bumps the ETag."""
    old_workflow, old_decision = proposal.workflow_status, proposal.decision["decisionStatus"]
    proposal.touch()
    proposal.workflow_status = "ACTIVATED"
    proposal.contract_no = contract_number(proposal)
    proposal.decision_ticket += 1
    sb.notifications.status_changed(proposal, old_workflow, old_decision)


def activate_now(sb, proposal):
    """The control endpoint: an accepted proposal, documents or not."""
    if proposal.workflow_status != "ACCEPTED":
        raise invalid_state(proposal.workflow_status)
    activate(sb, proposal)
