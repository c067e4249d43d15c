"""The credit decision: requested with If-Match straight away; the pre-check only on request."""

from django.db import transaction
from django.utils import timezone

from proposals import jobs
from proposals.lifecycle import Action, action_permitted
from proposals.models import Proposal, Status, User
from proposals.services import PortalError
from proposals.services.credentials import describe_error
from proposals.services.events import event_record, status_move
from proposals.services.notifications import error_message, notification_send
from proposals.services.remote import remote_save
from proposals.services.sfs_subscriptions import DECISION_RECEIVED, subscription_request
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import Lane


def _client(proposal: Proposal):
    return client_for(
        credential=proposal.credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk
    )


def decision_request_update(proposal: Proposal, **keys) -> dict:
    """Write the worker's keys of `decision_request` onto the row as it is now, under the row's
    lock: the broker may have saved a comment on the review step since this copy was read, and
    writing back the copy would lose it."""
    with transaction.atomic():
        current = (
            Proposal.objects.select_for_update()
            .values_list("decision_request", flat=True)
            .get(pk=proposal.pk)
        )
        merged = {**(current if isinstance(current, dict) else {}), **keys}
        Proposal.objects.filter(pk=proposal.pk).update(decision_request=merged)
    proposal.decision_request = merged
    return merged


def proposal_gone(*, proposal: Proposal, actor_label: str = "worker") -> None:
    """SFS answered 404: the test environment was wiped. Marked and explained, never re-created
    behind the broker's back."""

    status_move(
        proposal=proposal,
        to=Status.GONE,
        kind="gone",
        actor_label=actor_label,
        message="SFS no longer has this proposal (its test environment is wiped from time to "
        "time). Sending it again is your choice.",
        fields={"last_checked_at": timezone.now()},
    )
    notification_send(
        proposal=proposal,
        kind="gone",
        message="SFS no longer has this proposal. Sending it again is your choice.",
    )


def decision_request_now(*, proposal: Proposal) -> str:
    """POST .../decision with If-Match. A stale ETag (SFS changed it meanwhile, e.g. an
    underwriter's edit) is re-read and tried once more, as client-go's RetryOnConflict does."""
    if proposal.status != Status.SENT or not proposal.sfs_id:
        return "not sent"
    if not action_permitted(proposal, Action.REQUEST_DECISION):
        return f"not requestable in {proposal.workflow_status}"
    client = _client(proposal)
    request = proposal.decision_request or {}
    for attempt in (1, 2):
        try:
            remote = client.request_decision(
                proposal.sfs_id,
                etag=proposal.etag,
                comment_to_risk_analyst=request.get("commentToRiskAnalyst") or None,
                may_contact_customer=bool(request.get("siemensMayContactCustomer")),
                may_request_credit_data=bool(request.get("siemensMayRequestCreditData")),
                prelease=bool(request.get("prelease")),
            )
        except errors.EtagMismatchError:
            if attempt == 2:
                raise
            remote_save(proposal=proposal, remote=client.get_proposal(proposal.sfs_id))
            if _carried_out_already(proposal):
                return _requested(proposal, "SFS had the request already (its answer was lost).")
            if not action_permitted(proposal, Action.REQUEST_DECISION):
                return f"not requestable in {proposal.workflow_status}"
            continue
        except errors.ValidationError as error:
            return _precondition_failed(proposal, error)
        except errors.ConflictError:
            remote_save(proposal=proposal, remote=client.get_proposal(proposal.sfs_id))
            event_record(
                proposal=proposal,
                kind="decision_not_allowed",
                message="SFS does not take a decision request in state "
                f"{proposal.workflow_status}.",
            )
            return "conflict"
        except errors.NotFoundError:
            proposal_gone(proposal=proposal)
            return "gone"
        break
    remote_save(proposal=proposal, remote=remote)
    return _requested(proposal, "Credit decision requested; SFS is deciding.")


# A request of ours whose answer was lost shows in the re-read as one of these states.
_REQUEST_TOOK_EFFECT = frozenset({"DECISION_REQUESTED", "ACCEPTED", "DECLINED"})


def _carried_out_already(proposal: Proposal) -> bool:
    """After a 412, did SFS carry out the request whose answer we never got? Our bookkeeping
    has not recorded it, and SFS's state shows a request made."""
    recorded = (
        proposal.decision_requested_at is not None
        and (proposal.decision_request or {}).get("state") == "requested"
    )
    return not recorded and proposal.workflow_status in _REQUEST_TOOK_EFFECT


def _requested(proposal: Proposal, message: str) -> str:
    proposal.decision_requested_at = timezone.now()
    proposal.save(update_fields=["decision_requested_at", "updated"])
    decision_request_update(proposal, violations=[], state="requested")
    event_record(proposal=proposal, kind="decision_requested", message=message)
    subscription_request(proposal=proposal, event_type=DECISION_RECEIVED)  # issue 14
    return "requested"


def _precondition_failed(proposal: Proposal, error: errors.ValidationError) -> str:

    words = [v.user_message or v.code for v in error.violations]
    decision_request_update(
        proposal,
        state="refused",
        violations=[{"code": v.code, "userMessage": v.user_message} for v in error.violations],
    )
    proposal.last_error_code = str(error.code or "")[:60]
    proposal.last_error_message = "; ".join(words)[:2000]
    proposal.save(update_fields=["last_error_code", "last_error_message"])
    event_record(
        proposal=proposal,
        kind="decision_refused",
        message="SFS cannot decide yet: " + "; ".join(words),
    )
    notification_send(
        proposal=proposal,
        kind="decision_refused",
        message="SFS cannot decide yet. " + error_message(error),
    )
    return "precondition violations"


def proposal_request_decision(*, proposal: Proposal, user: User) -> None:
    """A broker asks for the decision of a sent proposal (e.g. after more information)."""
    if not action_permitted(proposal, Action.REQUEST_DECISION):
        raise PortalError("SFS does not take a decision request in this state.")

    event_record(proposal=proposal, kind="decision_asked", actor=user, message="Decision asked.")
    decision_request_update(proposal, state="queued")
    jobs.job_enqueue(jobs.DECISION, proposal.pk)


def proposal_precheck_request(*, proposal: Proposal, user: User) -> None:
    if not action_permitted(proposal, Action.PRECHECK):
        raise PortalError("SFS's pre-check is for a proposal SFS has and has not decided yet.")

    decision_request_update(proposal, precheck={"state": "queued"})
    event_record(proposal=proposal, kind="precheck_asked", actor=user, message="Pre-check asked.")
    jobs.job_enqueue(jobs.PRECHECK, proposal.pk)


def precheck_run(*, proposal: Proposal) -> dict:
    try:
        result = _client(proposal).precheck(proposal.sfs_id)
    except errors.NotFoundError:
        proposal_gone(proposal=proposal)
        return {"state": "gone"}
    except errors.BudgetExhausted:
        raise
    except errors.SieSmartError as error:
        outcome = {"state": "failed", "message": describe_error(error)}
    else:
        outcome = {
            "state": "ok",
            "requestAllowed": result.request_allowed,
            "cancelAllowed": result.cancel_allowed,
            "violations": [
                {"code": v.code, "userMessage": v.user_message} for v in result.violations
            ],
        }
    outcome["at"] = timezone.now().isoformat()
    decision_request_update(proposal, precheck=outcome)
    return outcome
