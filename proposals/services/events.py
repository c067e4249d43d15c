"""The timeline: every status change and action, with who (a person) or what (a worker) did it."""

from proposals.lifecycle import move_allowed
from proposals.models import Proposal, ProposalEvent, User
from proposals.services import PortalError


def event_record(
    *,
    proposal: Proposal,
    kind: str,
    message: str = "",
    actor: User | None = None,
    actor_label: str = "",
    from_status: str = "",
    to_status: str = "",
) -> ProposalEvent:
    return ProposalEvent.objects.create(
        proposal=proposal,
        kind=kind,
        message=message[:2000],
        actor=actor,
        actor_label=actor_label or ("" if actor else "worker"),
        from_status=from_status,
        to_status=to_status,
    )


def status_move(
    *,
    proposal: Proposal,
    to: str,
    kind: str = "status",
    message: str = "",
    actor: User | None = None,
    actor_label: str = "",
    fields: dict | None = None,
) -> Proposal:
    """Move ``proposal`` to status ``to`` (saving ``fields`` with it) and record the change."""
    before = proposal.status
    if not move_allowed(before, to):
        raise PortalError(f"A proposal does not move from {before} to {to}.")
    proposal.status = to
    for name, value in (fields or {}).items():
        setattr(proposal, name, value)
    proposal.save(update_fields=["status", "updated", *(fields or {})])
    event_record(
        proposal=proposal,
        kind=kind,
        message=message,
        actor=actor,
        actor_label=actor_label,
        from_status=before,
        to_status=to,
    )
    return proposal
