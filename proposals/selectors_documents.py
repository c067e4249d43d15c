"""Reads for staff about the deals between acceptance and activation (issue 13): which accepted
deals still wait for documents, oldest first."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from proposals.models import Proposal, Status, User
from proposals.selectors import proposals_for_user

WAITING_WORKFLOWS = ("ACCEPTED", "MORE_INFORMATION")


@dataclass(frozen=True)
class Outstanding:
    proposal: Proposal
    decided_on: date | None
    days: int | None  # since SFS's decision; None when SFS gave no date
    missing: tuple[str, ...]  # SFS's names of the required documents not yet received and valid


def _decided_on(proposal: Proposal) -> date | None:
    decision = proposal.decision if isinstance(proposal.decision, dict) else {}
    raw = decision.get("decisionDate")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _missing(proposal: Proposal) -> tuple[str, ...]:
    names = []
    for item in proposal.outstanding_documents:
        kind = item.get("documentType") if isinstance(item.get("documentType"), dict) else {}
        names.append(str(kind.get("name") or "A document"))
    return tuple(names)


def documents_outstanding(*, user: User) -> list[Outstanding]:
    """The organisation's accepted (or more-information) deals with a required document missing,
    oldest decision first. The checklist is read from the mirror, never from SFS."""
    today = timezone.localdate()
    rows = []
    candidates = (
        proposals_for_user(user=user)
        .filter(status=Status.SENT, workflow_status__in=WAITING_WORKFLOWS)
        .exclude(documents=[])
        .select_related("broker")
        .only("pk", "reference", "customer_name", "workflow_status", "decision", "documents",
              "broker__first_name", "broker__last_name", "broker__username", "created")
    )  # fmt: skip
    for proposal in candidates:
        missing = _missing(proposal)
        if not missing:
            continue
        decided = _decided_on(proposal)
        days = (today - decided).days if decided else None
        rows.append(Outstanding(proposal, decided, days, missing))
    rows.sort(key=lambda row: (row.decided_on or date.max, row.proposal.pk))
    return rows
