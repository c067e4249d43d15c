"""Taking SFS's answer into the local mirror of a proposal."""

from django.utils import timezone

from proposals.models import Proposal
from proposals.services.config_mirror import to_plain
from proposals.siesmart import types as sfs
from proposals.siesmart.enums import is_final

REMOTE_FIELDS = [
    "sfs_id",
    "etag",
    "base_snapshot",
    "workflow_status",
    "decision_status",
    "decision",
    "customer_name",
    "amount_financed",
    "last_checked_at",
    "decided_at",
    "contract_no",
]


def decision_as_dict(decision: sfs.Decision) -> dict:
    return {
        "decisionStatus": decision.decision_status,
        "requestedDate": decision.requested_date.isoformat() if decision.requested_date else None,
        "decisionDate": decision.decision_date.isoformat() if decision.decision_date else None,
        "validUntilDate": (
            decision.valid_until_date.isoformat() if decision.valid_until_date else None
        ),
        "reason": decision.reason,
        "condition": decision.condition,
        "comment": decision.comment,
    }


def remote_adopt(*, proposal: Proposal, remote: sfs.Proposal) -> list[str]:
    """Copy SFS's view onto ``proposal`` (not saved); returns the fields changed for ``save``.

    The answered proposal becomes the base snapshot of the three-way merge.
    """
    proposal.sfs_id = remote.id
    if remote.etag:
        proposal.etag = remote.etag
    elif remote.updated_raw:
        proposal.etag = remote.updated_raw  # [ASSUME] ETag = updated; only if no header came
    proposal.base_snapshot = to_plain(remote.raw)
    was_final = is_final(proposal.workflow_status)
    proposal.workflow_status = str(remote.workflow_status or "")
    proposal.decision_status = str(remote.decision_status or "")
    proposal.decision = decision_as_dict(remote.decision)
    if remote.customer_name:
        proposal.customer_name = remote.customer_name[:255]
    if remote.amount_financed is not None:
        proposal.amount_financed = remote.amount_financed
    if remote.contract_no:
        proposal.contract_no = remote.contract_no[:40]  # v2: set on activation (6.9)
    proposal.last_checked_at = timezone.now()
    if is_final(proposal.workflow_status) and not was_final and not proposal.decided_at:
        proposal.decided_at = timezone.now()
    return list(REMOTE_FIELDS)


def remote_save(*, proposal: Proposal, remote: sfs.Proposal) -> None:
    """SFS's answer adopted and saved: what a change, a decision request, a cancel or a
    signing request does after a re-read or an answer."""
    proposal.save(update_fields=[*remote_adopt(proposal=proposal, remote=remote), "updated"])
