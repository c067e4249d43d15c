"""The one table of a proposal's life: its states, the moves between them, the stage a person
sees, and the actions the state allows.

A proposal has two state machines side by side: the portal's own `status` (is SFS holding our
copy yet?) and SFS's `workflow_status` (what SFS is doing with it; CONTRACT.md 6.6). Pages offer
what `actions_allowed` lists and services refuse what `action_permitted` refuses, so the rules
live here once. Conditions that are not about state (are there local changes, is a quote's input
complete, is this the proposal's own broker) stay with the page or service that knows them.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from proposals.models import Status
from proposals.siesmart.enums import WorkflowStatus


class Stage(models.TextChoices):
    """Where a deal stands, in one word a broker understands."""

    DRAFT = "draft", "Draft"
    SENDING = "sending", "Sending"
    WITH_SFS = "with_sfs", "With SFS"
    DECIDED = "decided", "Accepted"
    DOCUMENTS = "documents", "Documents"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    GONE = "gone", "No longer at SFS"


# Bootstrap's contextual classes, one per stage: the badge looks the same on every page.
STAGE_TONES = {
    Stage.DRAFT: "text-bg-secondary",
    Stage.SENDING: "text-bg-info",
    Stage.WITH_SFS: "text-bg-primary",
    Stage.DECIDED: "text-bg-success",
    Stage.DOCUMENTS: "text-bg-warning",
    Stage.ACTIVE: "text-bg-success",
    Stage.DECLINED: "text-bg-danger",
    Stage.CANCELLED: "text-bg-dark",
    Stage.GONE: "text-bg-dark",
}

STAGE_HELP = {
    Stage.DRAFT: "Not sent to SFS yet.",
    Stage.SENDING: "On its way to SFS.",
    Stage.WITH_SFS: "SFS has the proposal; no decision yet.",
    Stage.DECIDED: "SFS accepted the proposal.",
    Stage.DOCUMENTS: "SFS needs documents before the deal goes on.",
    Stage.ACTIVE: "The contract is active.",
    Stage.DECLINED: "SFS declined the proposal.",
    Stage.CANCELLED: "The proposal was cancelled.",
    Stage.GONE: "SFS no longer has this proposal (its test environment was reset).",
}

_SENDING = frozenset({Status.QUEUED, Status.SENDING, Status.VERIFYING})
_BY_WORKFLOW = {
    WorkflowStatus.DRAFT: Stage.WITH_SFS,
    WorkflowStatus.DECISION_REQUESTED: Stage.WITH_SFS,
    WorkflowStatus.MORE_INFORMATION: Stage.DOCUMENTS,
    WorkflowStatus.ACCEPTED: Stage.DECIDED,
    WorkflowStatus.DECLINED: Stage.DECLINED,
    WorkflowStatus.CANCELLED: Stage.CANCELLED,
    "ACTIVATED": Stage.ACTIVE,
}


def stage_of(proposal) -> Stage:
    """The one stage shown for a proposal; a workflow status SFS adds later reads "With SFS"."""
    status = proposal.status
    if status in (Status.DRAFT, Status.FAILED):
        return Stage.DRAFT
    if status in _SENDING:
        return Stage.SENDING
    if status == Status.GONE:
        return Stage.GONE
    stage = _BY_WORKFLOW.get(proposal.workflow_status or "", Stage.WITH_SFS)
    if stage == Stage.DECIDED and getattr(proposal, "documents_outstanding", False):
        return Stage.DOCUMENTS
    return stage


# SFS's statuses in the words every page and message uses (a broker never reads the enum).
WORDS = {
    "DRAFT": "Draft",
    "DECISION_REQUESTED": "Decision requested",
    "MORE_INFORMATION": "More information needed",
    "ACCEPTED": "Accepted",
    "DECLINED": "Declined",
    "CANCELLED": "Cancelled",
    "NOT_AVAILABLE": "Not requested yet",
    "PENDING": "Pending: SFS is deciding",
    "ACTIVATED": "Active",
}


def words(value: str) -> str:
    """An SFS status in words; a value SFS added later is shown as it came, never a crash."""
    if not value:
        return ""
    return WORDS.get(value, value.replace("_", " ").capitalize())


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    RESEND = "resend"
    QUOTE = "quote"
    REFRESH = "refresh"
    REQUEST_DECISION = "request_decision"
    PRECHECK = "precheck"
    SEND_CHANGES = "send_changes"
    CANCEL = "cancel"
    CONFLICT = "conflict"
    COPY = "copy"
    DELETE = "delete"


ANY = None  # in a rule: every value


@dataclass(frozen=True)
class Rule:
    """Where an action is allowed: in these portal statuses, whatever SFS says (`local`), or
    once SFS has the proposal (`Status.SENT`) in these workflow statuses (`sent`)."""

    local: frozenset = frozenset()
    sent: frozenset | None = frozenset()


_OPEN_AT_SFS = frozenset({WorkflowStatus.DRAFT, WorkflowStatus.MORE_INFORMATION})
_FINAL_AT_SFS = frozenset({WorkflowStatus.DECLINED, WorkflowStatus.CANCELLED, "ACTIVATED"})
_CANCELLABLE_AT_SFS = frozenset(
    {
        WorkflowStatus.DRAFT,
        WorkflowStatus.DECISION_REQUESTED,
        WorkflowStatus.MORE_INFORMATION,
        WorkflowStatus.ACCEPTED,
    }
)

RULES: dict[Action, Rule] = {
    Action.EDIT: Rule(
        local=frozenset({Status.DRAFT, Status.FAILED, Status.GONE}), sent=_OPEN_AT_SFS
    ),
    Action.SUBMIT: Rule(local=frozenset({Status.DRAFT, Status.FAILED})),
    Action.RESEND: Rule(local=frozenset({Status.GONE})),
    Action.QUOTE: Rule(local=frozenset({Status.DRAFT, Status.FAILED}), sent=_OPEN_AT_SFS),
    Action.REFRESH: Rule(local=frozenset({Status.CONFLICT}), sent=ANY),
    Action.REQUEST_DECISION: Rule(sent=_OPEN_AT_SFS),
    Action.PRECHECK: Rule(sent=_OPEN_AT_SFS),
    Action.SEND_CHANGES: Rule(sent=_OPEN_AT_SFS),
    Action.CANCEL: Rule(sent=_CANCELLABLE_AT_SFS),
    Action.CONFLICT: Rule(local=frozenset({Status.CONFLICT})),
    Action.COPY: Rule(local=frozenset(Status), sent=ANY),
    # Only a draft SFS never had (no `sfs_id`): that condition is the page's and the service's.
    Action.DELETE: Rule(local=frozenset({Status.DRAFT})),
}


def action_permitted(proposal, action: Action) -> bool:
    """Does the proposal's state allow this action? (Who may act is the caller's question.)"""
    rule = RULES[action]
    if proposal.status in rule.local:
        return True
    if proposal.status != Status.SENT:
        return False
    if action == Action.REFRESH and proposal.workflow_status in _FINAL_AT_SFS:
        return False
    return rule.sent is ANY or proposal.workflow_status in rule.sent


def actions_permitted(proposal) -> list[Action]:
    return [action for action in Action if action_permitted(proposal, action)]


# The portal's own moves (`Status`): what the services and the sweeper may do, for the record
# and for the test that walks them.
TRANSITIONS: dict[str, frozenset] = {
    Status.DRAFT: frozenset({Status.QUEUED}),
    Status.FAILED: frozenset({Status.QUEUED, Status.DRAFT}),
    Status.QUEUED: frozenset({Status.SENDING, Status.VERIFYING}),
    Status.SENDING: frozenset({Status.SENT, Status.FAILED, Status.VERIFYING, Status.QUEUED}),
    Status.VERIFYING: frozenset({Status.SENT, Status.QUEUED, Status.SENDING, Status.FAILED}),
    Status.SENT: frozenset({Status.CONFLICT, Status.GONE}),
    Status.CONFLICT: frozenset({Status.SENT, Status.GONE}),
    Status.GONE: frozenset({Status.QUEUED}),
}


def move_allowed(old: str, new: str) -> bool:
    return old == new or new in TRANSITIONS.get(old, frozenset())
