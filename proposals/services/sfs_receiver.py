"""What the portal does with a notification from SFS (CONTRACT.md 6.12).

It never trusts the payload: a notification only says which proposal to read again. The reads
are coalesced (a flag set with add-if-absent; the job goes only when the flag was newly set, a
short moment later, and clears it as it starts), so a burst for one proposal costs one GET. An
answer older than the version already held changes nothing, so late or reordered deliveries
and racing reads never move a proposal backwards. A notification for a proposal this credential
does not have costs no call; it is kept, and if the proposal turns out to be one whose create's
answer was still on its way, the send's success picks it up (`notifications_proposal_known`).
"""

import json
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction

from proposals import jobs
from proposals.models import Proposal, SfsNotification, SfsSubscription, Status
from proposals.services.decisions import proposal_gone
from proposals.services.refresh import proposal_take_remote
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import Lane

MAX_BODY_BYTES = 16 * 1024
# Deliveries that arrive this close together share one read of the proposal.
COALESCE_SECONDS = 0.5
# A refresh asked and never run (a lost message) blocks further asks this long at most.
PENDING_FLAG_SECONDS = 300
REFRESHABLE = (Status.SENT, Status.CONFLICT)
Outcome = SfsNotification.Outcome


class NotificationMalformed(ValueError):
    """The body is not a notification as CONTRACT.md 6.12 describes it."""


def _text(data: dict, name: str, *, required: bool = False) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise NotificationMalformed(f"{name} must be a short text")
    return value.strip()


def notification_parse(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotificationMalformed("not JSON") from exc
    if not isinstance(data, dict):
        raise NotificationMalformed("not a JSON object")
    proposal_id = data.get("proposalId")
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int) or proposal_id <= 0:
        raise NotificationMalformed("proposalId must be a positive whole number")
    occurred = None
    if data.get("occurred") is not None:
        occurred = _version(_text(data, "occurred"))
        if occurred is None:
            raise NotificationMalformed("occurred must be a timestamp")
    return {
        "notification_id": _text(data, "notificationId", required=True),
        "subscription_id": _text(data, "subscriptionId"),
        "event_type": _text(data, "eventType")[:40],
        "sfs_proposal_id": proposal_id,
        "occurred": occurred,
    }


def notification_receive(*, credential_id: int, body: bytes) -> SfsNotification | None:
    """Record a notification whose key named ``credential_id``; None for a duplicate (nothing
    else is done then). Raises NotificationMalformed."""
    fields = notification_parse(body)
    proposal = Proposal.objects.filter(
        credential_id=credential_id, sfs_id=fields["sfs_proposal_id"]
    ).first()
    if proposal is None:
        outcome = Outcome.AWAITING_PROPOSAL
    elif proposal.status not in REFRESHABLE:
        outcome = Outcome.NOT_REFRESHABLE
    else:
        outcome = Outcome.REFRESH_ASKED
    try:
        with transaction.atomic():
            notification = SfsNotification.objects.create(
                credential_id=credential_id,
                proposal=proposal,
                outcome=outcome,
                raw_body=body.decode("utf-8"),
                **fields,
            )
    except IntegrityError:
        return None  # delivered before: at least once, recorded once
    if outcome == Outcome.REFRESH_ASKED and not notification_refresh_ask(proposal_id=proposal.pk):
        notification.outcome = Outcome.COALESCED
        notification.save(update_fields=["outcome"])
    return notification


def _flag(proposal_id: int) -> str:
    return f"sfs-refresh-pending:{proposal_id}"


def notification_refresh_ask(*, proposal_id: int) -> bool:
    """Ask for one read of the proposal; False when one is already asked and not yet begun."""
    if not cache.add(_flag(proposal_id), 1, timeout=PENDING_FLAG_SECONDS):
        return False
    jobs.job_enqueue(jobs.SFS_NOTIFIED_REFRESH, proposal_id, countdown=COALESCE_SECONDS)
    return True


def notifications_proposal_known(*, proposal: Proposal) -> int:
    """The create's answer is recorded: notifications that came before it are taken up now."""
    waiting = SfsNotification.objects.filter(
        credential_id=proposal.credential_id, sfs_proposal_id=proposal.sfs_id, proposal=None
    )
    count = waiting.update(proposal=proposal, outcome=Outcome.REFRESH_ASKED)
    if count:
        notification_refresh_ask(proposal_id=proposal.pk)
    return count


def _version(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def notification_refresh_run(*, proposal_id: int) -> str:
    """The job: read the proposal once and take SFS's answer in, unless it is older."""
    cache.delete(_flag(proposal_id))  # a notification from now on asks for a read of its own
    proposal = Proposal.objects.select_related("credential").get(pk=proposal_id)
    if proposal.status not in REFRESHABLE or not proposal.sfs_id:
        return "not refreshable"
    client = client_for(
        credential=proposal.credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk
    )
    try:
        remote = client.get_proposal(proposal.sfs_id)
    except errors.NotFoundError:
        proposal_gone(proposal=proposal, actor_label="sfs notification")
        # SFS dropped the subscriptions with the proposal: nothing left to end there.
        SfsSubscription.objects.filter(proposal=proposal).update(state=SfsSubscription.State.ENDED)
        return "gone"
    return notification_answer_take(proposal_id=proposal_id, remote=remote)


def notification_answer_take(*, proposal_id: int, remote) -> str:
    """SFS's answer into the mirror, unless the portal holds a later version already."""
    with transaction.atomic():
        # Under the row's lock, so a read that answered earlier cannot overwrite a later one.
        held = Proposal.objects.select_for_update().get(pk=proposal_id)
        if held.status not in REFRESHABLE:
            return "not refreshable"
        if not proposal_take_remote(proposal=held, remote=remote, actor_label="sfs notification"):
            return "older answer ignored"
    return "refreshed"
