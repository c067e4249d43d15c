"""Staff actions on a proposal: retry a failed send, re-queue a stuck one, refresh now.

The send and refresh services do the work and write the timeline. On top sits staff policy:
only a proposal stuck in the send queue is re-queued, never one whose lease a worker still
holds. A refusal is a PortalError whose message the page shows.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from proposals.models import Proposal, Status, User
from proposals.selectors_staff import proposal_is_stuck
from proposals.services import PortalError
from proposals.services.refresh import proposal_refresh_request
from proposals.services.sending import proposal_requeue, proposal_retry_send
from proposals.siesmart.enums import Lane


def staff_retry_send(*, proposal: Proposal, user: User) -> Proposal:
    """FAILED → queued again, validated in full like a broker's submit."""
    return proposal_retry_send(proposal=proposal, user=user)


def _check_stuck(proposal: Proposal) -> None:
    proposal.refresh_from_db()
    if not proposal_is_stuck(proposal=proposal):
        raise PortalError("Only a proposal stuck in the send queue can be re-queued.")
    lease = proposal.lease_until
    if proposal.status == Status.SENDING and lease and lease > timezone.now():
        raise PortalError("A worker still holds this proposal's lease.")


def staff_requeue(*, proposal: Proposal, user: User) -> Proposal:
    """A stuck proposal goes back in the queue; where a create may have landed (an earlier
    attempt), the next send checks SFS by reference first."""
    with transaction.atomic():
        _check_stuck(proposal)
        return proposal_requeue(proposal=proposal, user=user)


@dataclass
class RefreshOutcome:
    requested: list[Proposal] = field(default_factory=list)
    refused: list[tuple[Proposal, str]] = field(default_factory=list)


def staff_refresh(*, proposals, user: User) -> RefreshOutcome:
    """Ask for a refresh now (interactive lane) of each proposal; refusals are collected."""
    outcome = RefreshOutcome()
    for proposal in proposals:
        try:
            proposal_refresh_request(proposal=proposal, user=user, lane=Lane.INTERACTIVE)
        except PortalError as refused:
            outcome.refused.append((proposal, str(refused)))
        else:
            outcome.requested.append(proposal)
    return outcome
