"""Submit and send: the database is the queue of record, the broker only a doorbell.

claim (conditional update, with a lease) → record the attempt → call, outside any transaction →
record the outcome. An unknown outcome is verified by label before any second create.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from proposals import jobs
from proposals.lifecycle import Action, action_permitted
from proposals.models import IN_FLIGHT, Proposal, Status, User
from proposals.services import PortalError
from proposals.services.body import proposal_create_body
from proposals.services.credentials import credential_active_for, describe_error
from proposals.services.decisions import decision_request_now
from proposals.services.drafts import proposal_problems
from proposals.services.events import event_record, status_move
from proposals.services.fair_share import next_send_with_room
from proposals.services.notifications import error_message, notification_send
from proposals.services.remote import remote_adopt
from proposals.services.sfs_receiver import notifications_proposal_known
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import Lane

log = logging.getLogger(__name__)

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud to SFS support


class ProposalInvalid(PortalError):
    def __init__(self, problems):
        super().__init__(f"The proposal has {len(problems)} problem(s) to fix before sending.")
        self.problems = problems


def _new_reference() -> str:
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"IP-{timezone.now():%Y}-{suffix}"


def validate_complete(proposal: Proposal) -> list:
    """Every problem to fix before sending: the rules of the config mirror, and input kept as
    typed that could not be read yet (a send would otherwise go without it)."""

    return proposal_problems(proposal=proposal)


def proposal_submit(*, proposal: Proposal, user: User) -> Proposal:
    """Validate in full, give the proposal its reference and queue it (sent after commit)."""
    if not action_permitted(proposal, Action.SUBMIT):
        raise PortalError("Only a draft or a failed proposal can be submitted.")
    credential = proposal.credential or credential_active_for(
        organisation_id=proposal.organisation_id
    )
    if credential is None:
        raise PortalError("Your organisation has no active SFS credential; ask your admin.")
    problems = validate_complete(proposal)
    if problems:
        raise ProposalInvalid(problems)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in (Status.DRAFT, Status.FAILED):
            raise PortalError("This proposal has already been submitted.")
        fields = {
            "credential": credential,
            "queued_at": timezone.now(),
            "lease_until": None,
            "violations": [],
            "last_error_code": "",
            "last_error_message": "",
            # A 400 created nothing at SFS, so the next send needs no verification first.
            "send_attempts": 0,
        }
        for _ in range(5):
            if locked.reference:
                break
            candidate = _new_reference()
            if not Proposal.objects.filter(reference=candidate).exists():
                fields["reference"] = candidate
                break
        try:
            status_move(
                proposal=locked,
                to=Status.QUEUED,
                kind="submitted",
                actor=user,
                message="Queued for sending to SFS.",
                fields=fields,
            )
        except IntegrityError as exc:  # a reference taken in between: vanishingly rare
            raise PortalError("Please submit again.") from exc
        _enqueue_send(locked.pk)
    return locked


def _enqueue_send(proposal_id: int, countdown: float = 0) -> None:
    jobs.job_enqueue(jobs.SEND, proposal_id, countdown=countdown)


def _claim(proposal_id: int, statuses=(Status.QUEUED, Status.VERIFYING)) -> Proposal | None:
    """QUEUED or VERIFYING → SENDING with a lease. None: another worker has it, or it is done."""
    lease_until = timezone.now() + timedelta(seconds=settings.SEND_LEASE_SECONDS)
    claimed = Proposal.objects.filter(pk=proposal_id, status__in=list(statuses)).update(
        status=Status.SENDING,
        lease_until=lease_until,
        send_attempts=F("send_attempts") + 1,
        updated=timezone.now(),
    )
    if not claimed:
        return None
    return Proposal.objects.select_related("credential").get(pk=proposal_id)


def _claim_next(rung_id: int) -> Proposal | None:
    """Claim what this doorbell sends (see services/fair_share.py): a proposal being verified
    is its own recovery, timed by its own backoff, so its doorbell claims it; otherwise the
    fair next QUEUED send of the scope, whichever proposal rang. A doorbell whose proposal
    another doorbell has sent serves the rest of the queue: that other one's proposal may still
    be waiting for it."""
    rung = Proposal.objects.filter(pk=rung_id).select_related("credential").first()
    if rung is None or rung.credential is None:
        return None
    if rung.status == Status.VERIFYING:
        claimed = _claim(rung_id)
        if claimed is not None:
            return claimed
    # Every doorbell sends one proposal while any waits: one that gave up after a few lost races
    # left as many proposals unsent as it gave up on, until the sweeper's next pass (2,000
    # queued at once with 4 workers left two). Each lost race passes one proposal over for
    # good, so the loop ends.
    passed_over: list[int] = []
    while True:
        pick = next_send_with_room(credential=rung.credential, passed_over=passed_over)
        if pick is None:
            return None
        claimed = _claim(pick, statuses=[Status.QUEUED])
        if claimed is not None:
            return claimed
        passed_over.append(pick)  # another worker claimed it between the pick and the claim


def proposal_send(*, proposal_id: int) -> str:
    """The worker's half of sending: `proposal_id` rang, the fair pick is sent. Returns what
    happened, for the task's log."""
    proposal = _claim_next(proposal_id)
    if proposal is None:
        return "not claimed"
    verify_first = proposal.send_attempts > 1
    event_record(
        proposal=proposal,
        kind="send_attempt",
        from_status=Status.QUEUED if not verify_first else Status.VERIFYING,
        to_status=Status.SENDING,
        message=f"Attempt {proposal.send_attempts}"
        + (": checking SFS for an earlier attempt first." if verify_first else "."),
    )
    client = client_for(
        credential=proposal.credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk
    )
    try:
        remote = None
        if verify_first:
            remote = _find_earlier(client, proposal)
        if remote is None:
            remote = client.create_proposal(proposal_create_body(proposal))
            how = "Created at SFS."
        else:
            how = "Found the earlier attempt at SFS and adopted it."
    except errors.BudgetExhausted:
        _release(proposal, verify_first)
        raise
    except errors.RateLimitedError as error:
        _release(proposal, verify_first)
        raise errors.BudgetExhausted(error.retry_after or 60) from error
    except errors.ValidationError as error:
        _fail(proposal, error, violations=[_violation(v) for v in error.violations])
        return "failed: validation"
    except errors.SieSmartError as error:
        if error.outcome_unknown or error.retryable:
            _to_verifying(proposal, error)
            return "verifying"
        _fail(proposal, error)
        return f"failed: {error.code}"
    fields = remote_adopt(proposal=proposal, remote=remote)
    status_move(
        proposal=proposal,
        to=Status.SENT,
        kind="sent",
        message=f"{how} SFS id {remote.id}.",
        fields={
            **{name: getattr(proposal, name) for name in fields},
            "sent_at": timezone.now(),
            "lease_until": None,
            "last_error_code": "",
            "last_error_message": "",
        },
    )
    notifications_proposal_known(proposal=proposal)  # issue 14: any that came before the answer
    if proposal.request_decision:
        _decision_follows(proposal)
    return "sent"


def _decision_follows(proposal: Proposal) -> None:
    """Work on a deal already started goes before a new deal: the decision is requested in the
    send's own turn, not queued behind every later submission's send. What cannot go now (no
    slot soon, SFS unwell) goes to the decision task and its retry policy, as before."""
    try:
        decision_request_now(proposal=proposal)
    except errors.BudgetExhausted as exhausted:
        jobs.job_enqueue(jobs.DECISION, proposal.pk, countdown=exhausted.wait_seconds)
    except errors.RateLimitedError as limited:
        jobs.job_enqueue(jobs.DECISION, proposal.pk, countdown=limited.retry_after or 60)
    except errors.SieSmartError as error:
        log.info("Decision of %s put to its task: %s", proposal.reference, error)
        jobs.job_enqueue(jobs.DECISION, proposal.pk)


def _find_earlier(client, proposal: Proposal):
    found = client.find_by_label(proposal.reference)
    if not found:
        return None
    if len(found) > 1:
        log.error("Label %s matches %d SFS proposals", proposal.reference, len(found))
    # The oldest is the one the first attempt made.
    first = min(found, key=lambda summary: (summary.created is None, summary.created, summary.id))
    return client.get_proposal(first.id)


def _violation(violation) -> dict:
    return {"field": violation.field, "code": violation.code, "userMessage": violation.user_message}


def _release(proposal: Proposal, verify_first: bool) -> None:
    """Nothing was sent (no budget): back in the queue as it was, this attempt not counted."""
    Proposal.objects.filter(pk=proposal.pk, status=Status.SENDING).update(
        status=Status.VERIFYING if verify_first else Status.QUEUED,
        lease_until=None,
        send_attempts=F("send_attempts") - 1,
    )


def _to_verifying(proposal: Proposal, error: errors.SieSmartError) -> None:
    status_move(
        proposal=proposal,
        to=Status.VERIFYING,
        kind="outcome_unknown",
        message=f"{describe_error(error)} The next attempt checks SFS by reference first.",
        fields={
            "lease_until": None,
            "last_error_code": str(error.code or "")[:60],
            "last_error_message": str(error)[:2000],
        },
    )
    backoff = min(60, 5 * 2 ** min(proposal.send_attempts, 4))
    _enqueue_send(proposal.pk, countdown=backoff)


def _fail(proposal: Proposal, error: errors.SieSmartError, violations=None) -> None:

    status_move(
        proposal=proposal,
        to=Status.FAILED,
        kind="send_failed",
        message=describe_error(error),
        fields={
            "lease_until": None,
            "violations": violations or [],
            "last_error_code": str(error.code or "")[:60],
            "last_error_message": str(error)[:2000],
        },
    )
    notification_send(
        proposal=proposal,
        kind="send_failed",
        message=f"It could not be sent to SFS. {error_message(error)}",
    )


def sending_sweep() -> dict:
    """Beat: expired leases → VERIFYING (their create may have landed); stale queue rows and
    VERIFYING rows → sent to the workers again. A killed worker delays, never loses or doubles."""
    now = timezone.now()
    expired = list(
        Proposal.objects.filter(status=Status.SENDING, lease_until__lt=now).values_list(
            "pk", flat=True
        )
    )
    for pk in expired:
        moved = Proposal.objects.filter(pk=pk, status=Status.SENDING, lease_until__lt=now).update(
            status=Status.VERIFYING, lease_until=None
        )
        if moved:
            proposal = Proposal.objects.get(pk=pk)
            event_record(
                proposal=proposal,
                kind="lease_expired",
                actor_label="sweeper",
                from_status=Status.SENDING,
                to_status=Status.VERIFYING,
                message="The worker sending it stopped; checking SFS before sending again.",
            )
    stale_before = now - timedelta(seconds=settings.SEND_REQUEUE_AFTER_SECONDS)
    stale = list(
        Proposal.objects.filter(
            Q(status=Status.QUEUED, queued_at__lt=stale_before)
            | Q(status=Status.VERIFYING, updated__lt=stale_before)
            | Q(pk__in=expired)
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        jobs.job_enqueue(jobs.SEND, pk)
    # A decision asked for but never requested (its task gave up on a sick SFS): ask again.
    # Requesting twice is harmless: SFS answers 409 or a moved version, and the service reads
    # the proposal's state back before deciding what to do.
    undecided = list(
        Proposal.objects.filter(
            status=Status.SENT,
            request_decision=True,
            workflow_status__in=["DRAFT"],
            decision_requested_at__isnull=True,
            sent_at__lt=stale_before,
        )
        .exclude(decision_request__state="refused")
        .values_list("pk", flat=True)
    )
    for pk in undecided:
        jobs.job_enqueue(jobs.DECISION, pk)
    return {"expired": len(expired), "requeued": len(stale), "decisions": len(undecided)}


def proposal_requeue(*, proposal: Proposal, user: User) -> Proposal:
    """Staff: send a stuck proposal again (verifying first where a create may have landed)."""
    if proposal.status not in IN_FLIGHT:
        raise PortalError("Only a queued, sending or verifying proposal can be re-queued.")
    target = Status.QUEUED if proposal.send_attempts == 0 else Status.VERIFYING
    status_move(
        proposal=proposal,
        to=target,
        kind="requeued",
        actor=user,
        message="Re-queued by staff.",
        fields={"lease_until": None},
    )
    _enqueue_send(proposal.pk)
    return proposal


def proposal_retry_send(*, proposal: Proposal, user: User) -> Proposal:
    """Staff or broker: send a failed proposal again, as it is."""
    if proposal.status != Status.FAILED:
        raise PortalError("Only a failed proposal can be retried.")
    return proposal_submit(proposal=proposal, user=user)


def proposal_resend_gone(*, proposal: Proposal, user: User) -> Proposal:
    """The broker's explicit choice to create again a proposal that SFS no longer has."""
    if proposal.status != Status.GONE:
        raise PortalError("Only a proposal that SFS no longer has can be sent again.")
    status_move(
        proposal=proposal,
        to=Status.DRAFT,
        kind="resend_gone",
        actor=user,
        message="Sending again a proposal SFS no longer has.",
        fields={"sfs_id": None, "etag": "", "base_snapshot": {}, "workflow_status": ""},
    )
    return proposal_submit(proposal=proposal, user=user)


def proposal_cancel(*, proposal: Proposal, user: User) -> None:
    """Cancel at SFS where its state allows it (CONTRACT.md 6.6)."""
    if not action_permitted(proposal, Action.CANCEL):
        raise PortalError("SFS does not allow cancelling this proposal in its current state.")
    event_record(proposal=proposal, kind="cancel_asked", actor=user, message="Cancel asked.")
    jobs.job_enqueue(jobs.CANCEL, proposal.pk)
