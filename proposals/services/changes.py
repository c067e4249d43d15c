"""Changes after creation: sent with If-Match; a stale ETag meets SFS's change in a three-way merge.

Disjoint changes (SFS changed one part, the broker another) are merged and sent once more; the
same part changed on both sides becomes a conflict that a person settles.
"""

from proposals import jobs
from proposals.lifecycle import Action, action_permitted
from proposals.models import Proposal, Status, User
from proposals.services import PortalError
from proposals.services.body import (
    assets_body,
    calculation_body,
    customer_body,
    delivery_address_body,
    loans_body,
    notes_body,
)
from proposals.services.config_mirror import to_plain
from proposals.services.credentials import describe_error
from proposals.services.decisions import decision_request_now, proposal_gone
from proposals.services.events import event_record, status_move
from proposals.services.notifications import notification_send
from proposals.services.parts import (
    GROUP_LABELS,
    local_changes,
    local_groups,
    parts_take_remote,
    remote_groups,
)
from proposals.services.remote import remote_adopt, remote_save
from proposals.services.sending import ProposalInvalid, validate_complete
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import (
    Lane,
)


def proposal_send_changes(*, proposal: Proposal, user: User) -> None:
    """The broker's edits (e.g. after MORE_INFORMATION) go to SFS, then the decision again."""

    if not action_permitted(proposal, Action.SEND_CHANGES):
        raise PortalError("SFS takes changes only while the proposal is open for them.")
    groups = local_changes(proposal)
    if not groups:
        raise PortalError("Nothing has changed since SFS's last answer.")
    problems = validate_complete(proposal)
    if problems:
        raise ProposalInvalid(problems)
    proposal.pending_changes = {"state": "queued", "groups": sorted(groups)}
    proposal.violations = []
    proposal.save(update_fields=["pending_changes", "violations", "updated"])
    event_record(
        proposal=proposal,
        kind="changes_submitted",
        actor=user,
        message="Changes queued for SFS: " + ", ".join(GROUP_LABELS[g] for g in sorted(groups)),
    )
    jobs.job_enqueue(jobs.CHANGES, proposal.pk)


def _apply(client, proposal: Proposal, groups: set[str]) -> None:
    """Send each changed part with the ETag of the answer before it."""
    sfs_id = proposal.sfs_id
    patch = {}
    if "notes" in groups:
        patch.update(
            {k: None for k in ("specialConditionText", "scheduleAssetsDescription")}
            | notes_body(proposal)
        )
    if "sales_contact" in groups:
        patch["salesContactId"] = proposal.sales_contact_id
    if patch:
        remote_save(
            proposal=proposal,
            remote=client.update_proposal(sfs_id, etag=proposal.etag, changes=patch),
        )
    if "customer" in groups:
        body = customer_body(proposal)
        remote = client.replace_customer(
            sfs_id,
            etag=proposal.etag,
            customer=body.get("customer"),
            customer_manual=body.get("customerManual"),
        )
        remote_save(proposal=proposal, remote=remote)
    if "delivery" in groups:
        _apply_delivery(client, proposal)
    if "assets" in groups:
        _apply_assets(client, proposal)
    if "loans" in groups:
        _apply_loans(client, proposal)
    if groups & {"assets", "loans", "calculation"} and calculation_body(proposal):
        # Changed assets or loans leave SFS's stored calculation outdated until it is
        # calculated again.
        remote = client.calculate(
            sfs_id, etag=proposal.etag, calculation=calculation_body(proposal)
        )
        remote_save(proposal=proposal, remote=remote)
    elif groups & {"assets", "loans"}:
        remote_save(proposal=proposal, remote=client.get_proposal(sfs_id))
    if "loans" in groups:
        _loans_take_ids(proposal)


def _apply_delivery(client, proposal: Proposal) -> None:
    """SFS has no call that clears a delivery address: "the customer's address" is sent as one."""
    address = delivery_address_body(proposal)
    if address is None:
        base = proposal.base_snapshot or {}
        customer = base.get("customerManual") or base.get("customer") or {}
        address = customer.get("address") if isinstance(customer, dict) else None
        if not isinstance(address, dict):
            return
        address = {k: v for k, v in address.items() if v is not None}
    remote = client.set_delivery_address(proposal.sfs_id, etag=proposal.etag, address=address)
    remote_save(proposal=proposal, remote=remote)


def _apply_loans(client, proposal: Proposal) -> None:
    """Each loan by its own call (CONTRACT.md 6.7): removed, replaced by its id, or added."""
    base = {loan.get("id"): loan for loan in (proposal.base_snapshot or {}).get("loans") or []}
    local = loans_body(proposal)
    kept = {loan.get("id") for loan in local if loan.get("id") in base}
    for loan_id in set(base) - kept:
        result = client.delete_loan(proposal.sfs_id, loan_id, etag=proposal.etag)
        proposal.etag = result.etag or proposal.etag
    for loan in local:
        body = {k: v for k, v in loan.items() if k != "id"}
        if loan.get("id") in base:
            if remote_groups({"loans": [base[loan["id"]]]}) == remote_groups({"loans": [loan]}):
                continue
            result = client.replace_loan(proposal.sfs_id, loan["id"], etag=proposal.etag, loan=body)
        else:
            result = client.add_loan(proposal.sfs_id, etag=proposal.etag, loan=body)
        proposal.etag = result.etag or proposal.etag
    proposal.save(update_fields=["etag"])


def _loans_take_ids(proposal: Proposal) -> None:
    """Once SFS holds the same loans, the local ones take their ids: the next change replaces
    a loan instead of removing and adding it."""
    if local_groups(proposal)["loans"] == remote_groups(proposal.base_snapshot)["loans"]:
        proposal.save(update_fields=parts_take_remote(proposal, proposal.base_snapshot, ["loans"]))


def _apply_assets(client, proposal: Proposal) -> None:
    base = {a.get("id"): a for a in (proposal.base_snapshot or {}).get("assets") or []}
    local = assets_body(proposal)
    kept = {a.get("id") for a in local if a.get("id") in base}
    for asset_id in set(base) - kept:
        proposal.etag = client.delete_asset(proposal.sfs_id, asset_id, etag=proposal.etag).etag
    for asset in local:
        body = {k: v for k, v in asset.items() if k != "id"}
        if asset.get("id") in base:
            if remote_groups({"assets": [base[asset["id"]]]}) == remote_groups({"assets": [asset]}):
                continue
            result = client.replace_asset(
                proposal.sfs_id, asset["id"], etag=proposal.etag, asset=body
            )
        else:
            result = client.add_asset(proposal.sfs_id, etag=proposal.etag, asset=body)
        proposal.etag = result.etag or proposal.etag
    proposal.save(update_fields=["etag"])


def changes_send(*, proposal: Proposal) -> str:
    """The worker's half. Returns what happened, for the task's log."""
    groups = local_changes(proposal)
    if proposal.status != Status.SENT or not groups:
        return "nothing to send"
    client = client_for(
        credential=proposal.credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk
    )
    try:
        try:
            _apply(client, proposal, groups)
        except errors.EtagMismatchError:
            remote = client.get_proposal(proposal.sfs_id)
            overlap = _merge(proposal, remote)
            if overlap:
                return "conflict"
            _apply(client, proposal, local_changes(proposal))
    except errors.ValidationError as error:
        proposal.violations = [
            {"field": v.field, "code": v.code, "userMessage": v.user_message}
            for v in error.violations
        ]
        proposal.pending_changes = {"state": "failed", "message": describe_error(error)}
        proposal.save(update_fields=["violations", "pending_changes", "updated"])
        event_record(proposal=proposal, kind="changes_refused", message=describe_error(error))
        return "refused"
    except errors.NotFoundError:
        proposal_gone(proposal=proposal)
        return "gone"
    proposal.pending_changes = {"state": "sent"}
    proposal.save(update_fields=["pending_changes", "updated"])
    event_record(proposal=proposal, kind="changes_sent", message="Changes accepted by SFS.")
    if proposal.request_decision:
        decision_request_now(proposal=proposal)
    return "sent"


def _merge(proposal: Proposal, remote) -> set[str]:
    """Three-way compare base / SFS / local. Returns the overlapping groups (a conflict)."""
    base = remote_groups(proposal.base_snapshot)
    theirs = remote_groups(remote.raw)
    mine = local_groups(proposal)
    their_changes = {g for g in base if theirs[g] != base[g]}
    my_changes = {g for g in base if mine[g] != base[g]}
    overlap = {g for g in their_changes & my_changes if mine[g] != theirs[g]}
    if overlap:
        status_move(
            proposal=proposal,
            to=Status.CONFLICT,
            kind="conflict",
            message="SFS changed the same parts meanwhile: "
            + ", ".join(GROUP_LABELS[g] for g in sorted(overlap)),
            fields={
                "conflict": {
                    "groups": {
                        g: {
                            "base": to_plain(base[g]),
                            "mine": to_plain(mine[g]),
                            "theirs": to_plain(theirs[g]),
                        }
                        for g in sorted(overlap)
                    },
                    "theirs_only": sorted(their_changes - my_changes),
                    "remote": to_plain(remote.raw),
                    "etag": remote.etag or remote.updated_raw,
                }
            },
        )
        notification_send(
            proposal=proposal,
            kind="conflict",
            message="Your changes and SFS's overlap: choose which to keep.",
        )
        return overlap
    fields = parts_take_remote(proposal, remote.raw, groups=their_changes)
    fields += remote_adopt(proposal=proposal, remote=remote)
    proposal.save(update_fields=[*set(fields), "updated"])
    event_record(
        proposal=proposal,
        kind="merged",
        message="SFS changed other parts meanwhile; merged and sending yours again.",
    )
    return set()


def proposal_resolve_conflict(*, proposal: Proposal, user: User, choices: dict[str, str]) -> None:
    """A person settles each conflicting part: "mine" keeps the broker's, "theirs" takes SFS's."""

    conflict = proposal.conflict or {}
    groups = conflict.get("groups") or {}
    if proposal.status != Status.CONFLICT or not groups:
        raise PortalError("There is no conflict to settle on this proposal.")
    missing = [g for g in groups if choices.get(g) not in ("mine", "theirs")]
    if missing:
        raise PortalError(
            "Choose yours or SFS's for: " + ", ".join(GROUP_LABELS[g] for g in missing)
        )
    take = [g for g in groups if choices[g] == "theirs"] + conflict.get("theirs_only", [])
    fields = parts_take_remote(proposal, conflict["remote"], groups=take)
    proposal.base_snapshot = conflict["remote"]
    proposal.etag = conflict["etag"]
    proposal.workflow_status = conflict["remote"].get("workflowStatus", proposal.workflow_status)
    status_move(
        proposal=proposal,
        to=Status.SENT,
        kind="conflict_resolved",
        actor=user,
        message="; ".join(
            f"{GROUP_LABELS[g]}: {'yours' if choices[g] == 'mine' else 'SFS'}'s" for g in groups
        ),
        fields={
            **{name: getattr(proposal, name) for name in set(fields)},
            "base_snapshot": proposal.base_snapshot,
            "etag": proposal.etag,
            "workflow_status": proposal.workflow_status,
            "conflict": {},
        },
    )
    if local_changes(proposal):
        proposal.pending_changes = {"state": "queued"}
        proposal.save(update_fields=["pending_changes"])
        jobs.job_enqueue(jobs.CHANGES, proposal.pk)


def cancel_run(*, proposal: Proposal) -> str:
    client = client_for(
        credential=proposal.credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk
    )
    for attempt in (1, 2):
        try:
            remote = client.cancel(proposal.sfs_id, etag=proposal.etag)
        except errors.EtagMismatchError:
            if attempt == 2:
                raise
            # A cancel does not depend on the content: re-read and cancel that version.
            remote_save(proposal=proposal, remote=client.get_proposal(proposal.sfs_id))
            continue
        except errors.ConflictError:
            remote_save(proposal=proposal, remote=client.get_proposal(proposal.sfs_id))
            event_record(proposal=proposal, kind="cancel_refused", message="SFS refused to cancel.")
            return "refused"
        except errors.NotFoundError:
            proposal_gone(proposal=proposal)
            return "gone"
        break
    remote_save(proposal=proposal, remote=remote)
    event_record(proposal=proposal, kind="cancelled", message="Cancelled at SFS.")
    return "cancelled"


def cancel_allowed(proposal: Proposal) -> bool:
    return action_permitted(proposal, Action.CANCEL)
