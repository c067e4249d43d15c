"""What a proposal's page shows of its state: progress, decision in words, allowed actions,
and the JSON the page polls so it stays current without a reload."""

from datetime import date, datetime

from django.urls import reverse

from proposals.lifecycle import STAGE_HELP, STAGE_TONES, Action, actions_permitted, stage_of
from proposals.models import IN_FLIGHT, Proposal, Status
from proposals.services.parts import local_changes
from proposals.services.validation import problem_step
from proposals.siesmart.enums import (
    DecisionStatus,
    WorkflowStatus,
)
from proposals.views.event_words import error_words, words

PROGRESS = (
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent to SFS"),
    ("decision_requested", "Decision requested"),
    ("decided", "Decided"),
)
DECIDED = {DecisionStatus.ACCEPTED, DecisionStatus.DECLINED, DecisionStatus.MORE_INFORMATION}
ACTION_LABELS = {
    "edit": "Edit",
    "submit": "Send to SFS",
    "resend": "Send it again",
    "quote": "Get a quote",
    "refresh": "Check SFS now",
    "request_decision": "Ask for the decision",
    "precheck": "Run SFS's pre-check",
    "send_changes": "Send my changes",
    "cancel": "Cancel at SFS",
    "conflict": "Settle the conflict",
    "copy": "Copy as a new draft",
    "delete": "Delete draft",
}


def _decision_requested(proposal: Proposal) -> bool:
    return bool(
        proposal.decision_requested_at
        or proposal.workflow_status == WorkflowStatus.DECISION_REQUESTED
        or proposal.decision_status == DecisionStatus.PENDING
        or proposal.decision_status in DECIDED
    )


def progress(proposal: Proposal) -> list[dict]:
    """queued → sending → sent → decision requested → decided, each done, current or to do."""
    status = proposal.status
    done, current, failed = 0, None, None
    if status == Status.QUEUED:
        current = 0
    elif status in (Status.SENDING, Status.VERIFYING):
        done, current = 1, 1
    elif status == Status.FAILED:
        done, failed = 2, 2
    elif status != Status.DRAFT:
        done = 3
        if proposal.decision_status in DECIDED or proposal.workflow_status in (
            WorkflowStatus.ACCEPTED,
            WorkflowStatus.DECLINED,
        ):
            done = 5
        elif _decision_requested(proposal):
            done, current = 4, 4
    steps = []
    for index, (key, label) in enumerate(PROGRESS):
        state = "done" if index < done else "todo"
        if index == current:
            state = "current"
        if index == failed:
            state = "failed"
        steps.append(
            {
                "key": key,
                "label": label,
                "state": state,
                "done": state == "done",
                "current": state == "current",
            }
        )
    return steps


def _day(value) -> str:
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return f"{parsed.day} {parsed:%b %Y}"


def decision_words(proposal: Proposal) -> dict:
    decision = proposal.decision if isinstance(proposal.decision, dict) else {}
    status = proposal.decision_status or decision.get("decisionStatus") or ""
    return {
        "status": status,
        "label": words(status) or "Not requested yet",
        "reason": decision.get("reason") or "",
        "condition": decision.get("condition") or "",
        "comment": decision.get("comment") or "",
        "decided_on": _day(decision.get("decisionDate")),
        "valid_until": _day(
            decision.get("validUntilDate") or decision.get("decisionValidUntilDate")
        ),
    }


def _has_quote_inputs(proposal: Proposal) -> bool:
    sheet = (proposal.calculation or {}).get("sheet")
    return bool(proposal.office_id and proposal.assets and sheet)


def allowed_actions(proposal: Proposal, user) -> list[str]:
    """What the proposal's own broker may do now (staff only look): the lifecycle's table,
    then the conditions that are not about state."""
    if not (user.is_broker and proposal.broker_id == user.pk):
        return []
    request_state = (proposal.decision_request or {}).get("state")
    extra = {
        Action.QUOTE: lambda: _has_quote_inputs(proposal),
        Action.REFRESH: lambda: bool(proposal.sfs_id),
        Action.REQUEST_DECISION: lambda: request_state != "queued",
        Action.SEND_CHANGES: lambda: bool(local_changes(proposal)),
        Action.DELETE: lambda: not proposal.sfs_id,
    }
    return [
        str(action) for action in actions_permitted(proposal) if extra.get(action, lambda: True)()
    ]


def _busy(proposal: Proposal) -> bool:
    request = proposal.decision_request or {}
    return bool(
        proposal.status in IN_FLIGHT
        or (proposal.quote or {}).get("state") in ("queued", "running")
        or (request.get("precheck") or {}).get("state") in ("queued", "running")
        or request.get("state") == "queued"
        or (proposal.pending_changes or {}).get("state") == "queued"
    )


def violations_for_page(proposal: Proposal) -> list[dict]:
    """SFS's violations in words, each with the step (and URL) where it is fixed."""
    items = []
    for violation in proposal.violations or []:
        if not isinstance(violation, dict):
            continue
        step = problem_step(violation.get("field"), violation.get("code") or "")
        items.append(
            {
                "field": violation.get("field"),
                "code": violation.get("code") or "",
                "message": violation.get("userMessage")
                or "SFS found a problem it did not describe.",
                "step": step,
                "url": reverse("proposal_step", args=[proposal.pk, step]),
            }
        )
    return items


def _stage(proposal: Proposal) -> dict:
    stage = stage_of(proposal)
    return {
        "value": stage.value,
        "label": stage.label,
        "tone": STAGE_TONES[stage],
        "help": STAGE_HELP[stage],
    }


def _last_error(proposal: Proposal, user) -> dict | None:
    """Staff read the code and the trace id; a broker reads SFS's sentence without them."""
    if not (proposal.last_error_code or proposal.last_error_message):
        return None
    if getattr(user, "is_broker", False):
        return {"code": "", "message": error_words(proposal.last_error_message)}
    return {"code": proposal.last_error_code, "message": proposal.last_error_message}


def status_payload(proposal: Proposal, user) -> dict:
    request = proposal.decision_request or {}
    quote = proposal.quote if isinstance(proposal.quote, dict) else {}
    return {
        "id": proposal.pk,
        "reference": proposal.reference or "",
        "status": proposal.status,
        "status_label": proposal.get_status_display(),
        "stage": _stage(proposal),
        "workflow_status": proposal.workflow_status,
        "workflow_label": words(proposal.workflow_status),
        "decision_status": proposal.decision_status,
        "decision": decision_words(proposal),
        "last_checked_at": proposal.last_checked_at.isoformat()
        if proposal.last_checked_at
        else None,
        "quote": {k: v for k, v in quote.items() if k != "inputs"},
        "precheck": request.get("precheck") or None,
        "decision_request_state": request.get("state") or "",
        "pending_changes": proposal.pending_changes or {},
        "last_error": _last_error(proposal, user),
        "violations": violations_for_page(proposal),
        "progress": progress(proposal),
        "actions": allowed_actions(proposal, user),
        "busy": _busy(proposal),
    }
