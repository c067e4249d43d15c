"""Which queued send goes next: a fair share of one SFS budget between organisations.

Every organisation of a deployment that calls one SFS host shares one rate budget (SFS limits
per IP). Two parts keep one organisation's burst (500 sends, a bulk refresh) from starving
another organisation's single send:

1. The limiter (``shared_state``) takes every slot in an organisation's name and, while more
   than one organisation has a credential on the scope, lets none hold more than the budget
   less a reserve. A burst never fills the whole window, so a newcomer finds a slot at once
   instead of waiting for the minute to slide by. The background lane already leaves a share of
   the window to the interactive lane, so polling and bulk refreshes never take it either.
2. Here, the choice of what to send. The broker delivers send tasks in order, and 500 of one
   organisation sit ahead of another's one, so a task does not decide what it sends: the
   database is the queue of record and a task is only a doorbell. A doorbell sends the oldest
   queued proposal of the organisation that has made the fewest calls to the scope in the last
   minute (ties: the one waiting longest). Whichever doorbell rings next therefore serves the
   organisation that has had least, and two busy organisations take turns.

A new deal is picked only while the budget has room under its ``NEW_DEAL`` limit, a little
below the interactive lane's, so work on deals already started (a decision request, changes)
always finds a slot before the next new send takes it; the send itself requests its decision in
the same turn (services/sending.py), so a decision never waits behind the queue of sends.

A doorbell still sends at most one proposal, and every queued proposal keeps a doorbell of its
own somewhere (one rung for another leaves that one's doorbell to ring for the rest), so nothing
is lost; the sweeper still rings again for whatever waited two minutes.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from proposals.models import Credential, Proposal, SieSmartCall, Status
from proposals.services.shared_state import NEW_DEAL, WINDOW_SECONDS, limiter_for, scope_of_url
from proposals.siesmart.enums import Lane
from proposals.siesmart.errors import BudgetExhausted

# While the pick waits for room in the budget, it picks again this often, so that a send of an
# organisation that has had less, submitted meanwhile, takes the next free slot.
RECHECK_SECONDS = 0.25


def scope_credential_ids(credential: Credential) -> list[int]:
    """Every credential that calls the same host as `credential`: one budget, one queue."""
    scope = scope_of_url(credential.api_url)
    return [
        pk
        for pk, api_url in Credential.objects.values_list("pk", "api_url")
        if scope_of_url(api_url) == scope
    ]


def next_send_with_room(*, credential: Credential, passed_over=(), sleep=time.sleep) -> int | None:
    """The fair pick (``next_queued_send``) once the budget has a slot for its organisation;
    None when nothing waits. Nothing is claimed while waiting, so no proposal is held back
    from a free worker. A wait longer than the inline allowance raises ``BudgetExhausted``:
    the task comes back when there is room."""
    deadline = time.monotonic() + settings.SIESMART_MAX_INLINE_WAIT
    limiter = limiter_for(scope_of_url(credential.api_url))
    while True:
        pick = next_queued_send(credential=credential, passed_over=passed_over)
        if pick is None:
            return None
        proposal_id, credential_id = pick
        # Under the new-deal limit while started deals have follow-ups coming (they keep a
        # share of the budget); with none coming, new deals may use the whole of it.
        limit = NEW_DEAL if follow_ups_coming(credential=credential) else Lane.INTERACTIVE
        wait = limiter.for_holder(Credential(pk=credential_id).cache_key).room(limit)
        if wait <= 0:
            return proposal_id
        if time.monotonic() + wait > deadline:
            raise BudgetExhausted(wait, lane=Lane.INTERACTIVE)
        sleep(min(wait, RECHECK_SECONDS))


def follow_ups_coming(*, credential: Credential) -> bool:
    """Work on a started deal that will want a slot soon: a sent proposal whose decision is
    still to be requested, or a decision or changes the broker asked for."""
    started = Proposal.objects.filter(
        credential_id__in=scope_credential_ids(credential), status=Status.SENT
    )
    return (
        started.filter(
            request_decision=True, decision_requested_at__isnull=True, workflow_status="DRAFT"
        ).exists()
        or started.filter(decision_request__state="queued").exists()
        or started.filter(pending_changes__state="queued").exists()
    )


def next_queued_send(*, credential: Credential, passed_over=()) -> tuple[int, int] | None:
    """The id and credential id of the proposal to send next on `credential`'s scope, fairly;
    None when nothing waits. `passed_over`: ids another worker claimed first."""
    credential_ids = scope_credential_ids(credential)
    queued = Proposal.objects.filter(status=Status.QUEUED, credential_id__in=credential_ids)
    if passed_over:
        queued = queued.exclude(pk__in=list(passed_over))
    waiting = {
        row["organisation_id"]: row["oldest"]
        for row in queued.order_by().values("organisation_id").annotate(oldest=Min("queued_at"))
    }
    if not waiting:
        return None
    if len(waiting) > 1:
        since = timezone.now() - timedelta(seconds=WINDOW_SECONDS)
        recent_calls = dict(
            SieSmartCall.objects.filter(
                at__gte=since, credential_id__in=credential_ids, organisation_id__in=waiting
            )
            .order_by()
            .values("organisation_id")
            .annotate(calls=Count("id"))
            .values_list("organisation_id", "calls")
        )
        far_future = timezone.now() + timedelta(days=1)
        organisation_id = min(
            waiting,
            key=lambda org: (recent_calls.get(org, 0), waiting[org] or far_future, org),
        )
    else:
        (organisation_id,) = waiting
    return (
        queued.filter(organisation_id=organisation_id)
        .order_by("queued_at", "pk")
        .values_list("pk", "credential_id")
        .first()
    )
