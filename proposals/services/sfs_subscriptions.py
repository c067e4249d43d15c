"""Subscriptions to SFS's notifications (CONTRACT.md 6.12), one row per (proposal, event type).

`DECISION_RECEIVED` from the decision request on, `CREDIT_STATUS_CHANGED` from an acceptance
until the activation; both end when the proposal is closed (declined, cancelled, activated).
Each change is a background job: a subscription is one call, and under a backlog it waits
behind the interactive lane while the search keeps proposals fresh. Nothing is subscribed for a
credential without a registered endpoint (SFS would answer 409).
"""

from django.db import transaction

from proposals import jobs
from proposals.models import Proposal, SfsSubscription, Status
from proposals.services.sfs_notifications import endpoint_registered
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import CLOSED_WORKFLOW_STATUSES, Lane, NotificationEventType

DECISION_RECEIVED = str(NotificationEventType.DECISION_RECEIVED)
CREDIT_STATUS_CHANGED = str(NotificationEventType.CREDIT_STATUS_CHANGED)
State = SfsSubscription.State


def subscription_request(*, proposal: Proposal, event_type: str) -> bool:
    """Ask for the (proposal, event type) subscription; True when a job was queued."""
    if not proposal.sfs_id or not endpoint_registered(proposal.credential_id):
        return False
    with transaction.atomic():
        row, created = SfsSubscription.objects.get_or_create(
            proposal=proposal, event_type=event_type
        )
        if not created and row.state in (State.PENDING, State.ACTIVE):
            return False
        SfsSubscription.objects.filter(pk=row.pk).update(state=State.PENDING, error="")
    jobs.job_enqueue(jobs.SFS_SUBSCRIPTION_SYNC, proposal.pk, event_type)
    return True


def subscriptions_end(*, proposal: Proposal) -> int:
    """The proposal is closed: every live subscription is ended (one call each)."""
    live = SfsSubscription.objects.filter(
        proposal=proposal, state__in=[State.PENDING, State.ACTIVE]
    )
    event_types = list(live.values_list("event_type", flat=True))
    live.update(state=State.ENDING)
    for event_type in event_types:
        jobs.job_enqueue(jobs.SFS_SUBSCRIPTION_SYNC, proposal.pk, event_type)
    return len(event_types)


def subscriptions_follow(*, proposal: Proposal) -> None:
    """After SFS's state was taken in: subscribe or end what the new state calls for."""
    status = proposal.workflow_status
    if status in CLOSED_WORKFLOW_STATUSES or proposal.status == Status.GONE:
        subscriptions_end(proposal=proposal)
    elif status == "ACCEPTED":
        subscription_request(proposal=proposal, event_type=CREDIT_STATUS_CHANGED)


def subscription_sync(*, proposal_id: int, event_type: str) -> str:
    """Bring SFS in line with the row: subscribe a PENDING one, unsubscribe an ENDING one."""
    row = (
        SfsSubscription.objects.select_related("proposal__credential")
        .filter(proposal_id=proposal_id, event_type=event_type)
        .first()
    )
    if row is None or row.state not in (State.PENDING, State.ENDING):
        return "nothing to do"
    proposal = row.proposal
    client = client_for(
        credential=proposal.credential, lane=Lane.BACKGROUND, proposal_id=proposal.pk
    )
    try:
        if row.state == State.PENDING:
            uuid = client.subscribe(proposal.sfs_id, event_type)
            # Only a row still pending takes the answer: ended meanwhile, it is ended at SFS next.
            moved = SfsSubscription.objects.filter(pk=row.pk, state=State.PENDING).update(
                subscription_id=uuid, state=State.ACTIVE
            )
            if not moved:
                SfsSubscription.objects.filter(pk=row.pk).update(subscription_id=uuid)
                jobs.job_enqueue(jobs.SFS_SUBSCRIPTION_SYNC, proposal.pk, event_type)
            return "subscribed"
        if row.subscription_id:
            client.unsubscribe(proposal.sfs_id, row.subscription_id)
        SfsSubscription.objects.filter(pk=row.pk, state=State.ENDING).update(state=State.ENDED)
        return "ended"
    except errors.NotFoundError:
        # The proposal (or the subscription) is gone at SFS: nothing is left to end.
        SfsSubscription.objects.filter(pk=row.pk).update(state=State.ENDED, error="not at SFS")
        return "gone"
    except errors.ConflictError as error:
        # No endpoint registered at SFS: the search keeps this proposal fresh instead.
        SfsSubscription.objects.filter(pk=row.pk).update(state=State.FAILED, error=str(error))
        return "no endpoint"
    except errors.SieSmartError as error:
        SfsSubscription.objects.filter(pk=row.pk).update(error=str(error)[:2000])
        raise
