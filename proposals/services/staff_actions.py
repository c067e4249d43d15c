"""Staff actions on a proposal: retry a failed send, re-queue a stuck one, refresh now.

The real work belongs to the send and refresh services (``proposals.services.sending`` and
``proposals.services.refresh``). This adapter calls them when they exist and otherwise makes
only the minimal state change itself, so that the review pages work before those land. Either
way each action leaves a ProposalEvent with the acting user, and a refusal is a PortalError.
"""

import importlib
import importlib.util
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from proposals.models import Proposal, ProposalEvent, Status, User
from proposals.selectors_staff import proposal_is_stuck
from proposals.services import PortalError


def _lead(module_name: str, function_name: str):
    """The lead's service function, or None while its module or function does not exist."""
    if importlib.util.find_spec(module_name) is None:
        return None
    return getattr(importlib.import_module(module_name), function_name, None)


def _event(*, proposal, user, kind, from_status="", to_status="", message=""):
    return ProposalEvent.objects.create(
        proposal=proposal,
        actor=user,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        message=message,
    )


def _move(*, proposal: Proposal, from_status: str, to_status: str) -> bool:
    """A conditional update, so that a worker moving the row meanwhile wins and we refuse."""
    now = timezone.now()
    changed = Proposal.objects.filter(pk=proposal.pk, status=from_status).update(
        status=to_status, queued_at=now, lease_until=None, updated=now
    )
    if changed:
        proposal.refresh_from_db()
    return bool(changed)


def staff_retry_send(*, proposal: Proposal, user: User) -> Proposal:
    """FAILED -> QUEUED: the send is tried again from the start."""
    lead = _lead("proposals.services.sending", "proposal_retry_send")
    if lead is not None:
        return lead(proposal=proposal, user=user) or proposal
    with transaction.atomic():
        if not _move(proposal=proposal, from_status=Status.FAILED, to_status=Status.QUEUED):
            raise PortalError("Only a failed send can be retried.")
        _event(
            proposal=proposal,
            user=user,
            kind="retry_send",
            from_status=Status.FAILED,
            to_status=Status.QUEUED,
            message="Send retried by staff.",
        )
    return proposal


def _check_stuck(proposal: Proposal) -> None:
    # Staff policy, whoever does the move: only a stuck proposal, never one a worker holds.
    proposal.refresh_from_db()
    if not proposal_is_stuck(proposal=proposal):
        raise PortalError("Only a proposal stuck in the send queue can be re-queued.")
    lease = proposal.lease_until
    if proposal.status == Status.SENDING and lease and lease > timezone.now():
        raise PortalError("A worker still holds this proposal's lease.")


def staff_requeue(*, proposal: Proposal, user: User) -> Proposal:
    """A stuck proposal goes back in the queue: QUEUED stays QUEUED (stamped anew); SENDING
    whose lease expired becomes VERIFYING, since its create may have landed at SFS; VERIFYING
    stays VERIFYING. Never straight back to a blind send."""
    lead = _lead("proposals.services.sending", "proposal_requeue")
    with transaction.atomic():
        _check_stuck(proposal)
        if lead is not None:
            return lead(proposal=proposal, user=user) or proposal
        before = proposal.status
        after = Status.QUEUED if before == Status.QUEUED else Status.VERIFYING
        if not _move(proposal=proposal, from_status=before, to_status=after):
            raise PortalError("The proposal changed meanwhile; reload and look again.")
        _event(
            proposal=proposal,
            user=user,
            kind="requeue",
            from_status=before,
            to_status=after,
            message="Re-queued by staff after being stuck.",
        )
    return proposal


@dataclass
class RefreshOutcome:
    requested: list[Proposal] = field(default_factory=list)
    refused: list[tuple[Proposal, str]] = field(default_factory=list)


def staff_refresh(*, proposals, user: User) -> RefreshOutcome:
    """Ask for a refresh now (interactive lane) of each proposal; refusals are collected."""
    lead = _lead("proposals.services.refresh", "proposal_refresh_request")
    outcome = RefreshOutcome()
    for proposal in proposals:
        try:
            if lead is not None:
                lead(proposal=proposal, user=user, lane="interactive")
            else:
                _refresh_recorded(proposal=proposal, user=user)
        except PortalError as refused:
            outcome.refused.append((proposal, str(refused)))
        else:
            outcome.requested.append(proposal)
    return outcome


def _refresh_recorded(*, proposal: Proposal, user: User) -> None:
    # Until the refresh service exists the request is recorded only; nothing polls SFS here.
    if proposal.sfs_id is None:
        raise PortalError(f"{proposal} is not at SFS yet, so there is nothing to refresh.")
    _event(
        proposal=proposal,
        user=user,
        kind="refresh_requested",
        message="Refresh requested by staff (interactive lane).",
    )
