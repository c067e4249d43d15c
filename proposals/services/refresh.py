"""Freshness: one search call tells which of up to 100 proposals changed; only those are read.

Reading by ``updated`` descending stops once it reaches what the last cycle saw (less a safety
overlap), so a quiet cycle costs one call whatever the number of open proposals. Where more
changed than a page holds, ``refresh_search`` goes on with or without SFS's ``page``.
"""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from proposals import jobs
from proposals.models import Credential, Proposal, Status, User
from proposals.services import PortalError
from proposals.services.decisions import proposal_gone
from proposals.services.documents import checklist_follow, checklists_catch_up
from proposals.services.events import event_record
from proposals.services.notifications import (
    activation_message,
    decision_message,
    notification_send,
)
from proposals.services.parts import local_changes, parts_take_remote
from proposals.services.refresh_cadence import cycle_interval, safety_net_check
from proposals.services.refresh_search import ONE_MS, SearchSweep, created_at_sfs
from proposals.services.remote import remote_adopt
from proposals.services.sfs_subscriptions import subscriptions_follow
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import CLOSED_WORKFLOW_STATUSES, FINAL_WORKFLOW_STATUSES, Lane
from proposals.siesmart.versions import same_version, version_is_older

OVERLAP = timedelta(minutes=2)
FULL_SCAN_EVERY = timedelta(minutes=30)
READ_ALONE_AT_MOST = 2  # fewer unseen than this: a GET each beats walking the list
REFRESHABLE = (Status.SENT,)


def _cursor_key(credential_id: int) -> str:
    return f"refresh-cursor:{credential_id}"


def open_proposals(credential: Credential):
    return Proposal.objects.filter(
        credential=credential, status__in=REFRESHABLE, sfs_id__isnull=False
    ).exclude(workflow_status__in=CLOSED_WORKFLOW_STATUSES)  # v2: ACCEPTED goes on (6.9)


def answer_is_older(*, held: Proposal, remote) -> bool:
    """Whether SFS's answer is a version before the one held: a notification's read and a
    polling read can finish in either order, and the later version must stay."""
    held_version = held.etag or (held.base_snapshot or {}).get("updated")
    return version_is_older(remote.updated_raw, held_version)


def proposal_take_remote(
    *, proposal: Proposal, remote, actor_label: str = "refresh", lane: str = Lane.BACKGROUND
) -> bool:
    """SFS's current answer into the mirror, unless it is older than what is held (False then).
    Local edits not yet sent keep their base and ETag, so that sending them meets SFS's change
    in the three-way merge instead of overwriting it. Subscriptions follow the new state."""

    if answer_is_older(held=proposal, remote=remote):
        return False
    version_moved = not (
        proposal.etag == remote.etag or same_version(proposal.etag, remote.updated_raw)
    )
    before = (proposal.workflow_status, proposal.decision_status)
    if local_changes(proposal):
        proposal.workflow_status = str(remote.workflow_status or "")
        proposal.decision_status = str(remote.decision_status or "")
        proposal.last_checked_at = timezone.now()
        fields = ["workflow_status", "decision_status", "last_checked_at"]
    else:
        fields = remote_adopt(proposal=proposal, remote=remote)
        fields += parts_take_remote(proposal, remote.raw)
    proposal.save(update_fields=[*set(fields), "updated"])
    after = (proposal.workflow_status, proposal.decision_status)
    if after != before:
        event_record(
            proposal=proposal,
            kind="sfs_changed",
            actor_label=actor_label,
            message=f"SFS: {before[0] or '-'} / {before[1] or '-'} → {after[0]} / {after[1]}",
        )
        if proposal.workflow_status == "ACTIVATED":
            notification_send(
                proposal=proposal, kind="activated", message=activation_message(proposal)
            )
        elif proposal.workflow_status in FINAL_WORKFLOW_STATUSES | {"MORE_INFORMATION"}:
            notification_send(
                proposal=proposal,
                kind="decision",
                message=decision_message(proposal),
            )
    subscriptions_follow(proposal=proposal)
    checklist_follow(proposal=proposal, version_moved=version_moved, lane=lane)
    return True


def _fetch_and_take(proposal: Proposal, lane: str) -> int:
    """Returns the calls made: the read, and the checklist's when it was read too."""

    client = client_for(credential=proposal.credential, lane=lane, proposal_id=proposal.pk)
    try:
        remote = client.get_proposal(proposal.sfs_id)
    except errors.NotFoundError:
        proposal_gone(proposal=proposal, actor_label="refresh")
        return 1
    checklist_read_before = proposal.documents_checked_at
    proposal_take_remote(proposal=proposal, remote=remote, lane=lane)
    return 1 + (proposal.documents_checked_at != checklist_read_before)


def _full_scan_due(credential: Credential) -> bool:
    """Now and then the whole list is read once: the net under every shortcut below."""
    last = cache.get(f"refresh-full:{credential.pk}")
    return last is None or timezone.now() - datetime.fromisoformat(last) > FULL_SCAN_EVERY


def refresh_cycle(*, credential: Credential) -> dict:
    """One sweep of the credential's open proposals. Returns figures for logs and benchmarks.

    Search (newest change first) is read only until it reaches what the last cycle saw, less the
    overlap, so a quiet cycle is one call; ``refresh_search`` covers a server that honours
    neither ``page`` nor ``updated-after``. Only the proposals whose version moved are read.
    """
    open_by_id = {p.sfs_id: p for p in open_proposals(credential).select_related("credential")}
    if not open_by_id:
        return {"calls": 0, "changed": 0, "gone": 0, "read_alone": 0, "caught": 0}
    client = client_for(credential=credential, lane=Lane.BACKGROUND)
    cursor = cache.get(_cursor_key(credential.pk))
    full_scan = cursor is None or _full_scan_due(credential)
    cursor_at = None if full_scan else datetime.fromisoformat(cursor)
    stop_before = None if full_scan else cursor_at - OVERLAP
    checked_at = timezone.now()
    sweep = SearchSweep(client=client, credential_id=credential.pk)
    # Paging stops at the cursor itself; what the pages read back to the cursor less the
    # overlap is compared too. Paging back to the overlap cost every page of a burst on every
    # cycle for two minutes (2,000 changes at once: 20 searches a cycle; freshness p95 221 s).
    covered = sweep.newest_first(cursor_at)
    if not covered:
        covered = _beyond_one_page(sweep, open_by_id, from_start=full_scan)
    read_alone = [] if covered else [p for i, p in open_by_id.items() if i not in sweep.seen]
    if full_scan:
        cache.set(f"refresh-full:{credential.pk}", checked_at.isoformat(), None)
    changed = [
        local
        for sfs_id, local in open_by_id.items()
        if sfs_id in sweep.seen and _moved(local, sweep.seen[sfs_id], stop_before)
    ]
    # Before the reads: a change no notification announced is the safety net's catch.
    caught = safety_net_check(
        credential_id=credential.pk, changed=[(p, sweep.seen[p.sfs_id]) for p in changed]
    )
    known = Proposal.objects.filter(credential=credential, sfs_id__isnull=False).exclude(
        status=Status.GONE
    )
    missing: list[Proposal] = []
    if sweep.total is not None and sweep.total < known.count():
        # Some vanished (a wipe of the test environment): list everything to find which.
        sweep.seen.clear()
        if sweep.list_all():
            refreshable = known.filter(status__in=REFRESHABLE)
            missing = [p for p in refreshable if p.sfs_id not in sweep.seen]
    to_read = list(dict.fromkeys(changed + read_alone + missing))
    reads = sum(_fetch_and_take(proposal, Lane.BACKGROUND) for proposal in to_read)
    reads += checklists_catch_up(credential=credential, skip_ids={p.pk for p in to_read})
    untouched = set(open_by_id) - {p.sfs_id for p in to_read}
    Proposal.objects.filter(credential=credential, sfs_id__in=untouched).update(
        last_checked_at=checked_at
    )
    if sweep.newest is not None:
        cache.set(_cursor_key(credential.pk), sweep.newest.isoformat(), None)
    return {
        "calls": sweep.calls + reads,
        "changed": len(changed),
        "gone": len(missing),
        "read_alone": len(read_alone),
        "caught": caught,
    }


def _moved(local: Proposal, summary, stop_before: datetime | None) -> bool:
    """A version other than the stored one, among what changed since the cursor (less the
    overlap); older differences wait for the full scan, as before."""
    if same_version(local.etag, summary.updated_raw):
        return False
    return stop_before is None or summary.updated is None or summary.updated > stop_before


def _beyond_one_page(sweep: SearchSweep, open_by_id: dict, *, from_start: bool) -> bool:
    """More changed than a page holds and the server does not page. The few proposals still
    expected are read one by one; more than that, the list is walked by creation from the oldest
    of them (from the start on a full scan, the net that trusts no local timestamp)."""
    unseen = {sfs_id: p for sfs_id, p in open_by_id.items() if sfs_id not in sweep.seen}
    if not unseen:
        return True
    if len(unseen) <= READ_ALONE_AT_MOST and not from_start:
        return False
    start = None if from_start else min(created_at_sfs(p) for p in unseen.values()) - ONE_MS
    return sweep.by_creation(start, set(unseen))


def refresh_due(*, credential: Credential, now=None) -> bool:
    """More often while a decision is pending: every 10 s then, every 60 s otherwise; only
    every SFS_SAFETY_NET_SECONDS while SFS's notifications arrive (refresh_cadence)."""
    now = now or timezone.now()
    last = cache.get(f"refresh-last:{credential.pk}")
    pending = open_proposals(credential).filter(decision_status="PENDING").exists()
    interval = cycle_interval(credential_id=credential.pk, usual=10 if pending else 60, now=now)
    return last is None or (now - datetime.fromisoformat(last)).total_seconds() >= interval - 1


def refresh_all_due() -> dict:
    """Every credential whose cycle is due, one process at a time per credential."""
    figures = {}
    for credential in Credential.objects.filter(proposals__isnull=False).distinct():
        if not refresh_due(credential=credential):
            continue
        lock = f"refresh-running:{credential.pk}"
        if not cache.add(lock, 1, timeout=300):
            continue  # another worker is on it
        try:
            figures[credential.pk] = refresh_cycle(credential=credential)
            cache.set(f"refresh-last:{credential.pk}", timezone.now().isoformat(), None)
        finally:
            cache.delete(lock)
    return figures


def proposal_refresh_request(*, proposal: Proposal, user: User, lane: str = Lane.INTERACTIVE):
    """A person asks: read this proposal from SFS now (interactive lane)."""
    if not proposal.sfs_id or proposal.status not in (Status.SENT, Status.CONFLICT):
        raise PortalError("Only a proposal that SFS has can be refreshed.")

    event_record(proposal=proposal, kind="refresh_requested", actor=user, message="Refresh asked.")
    jobs.job_enqueue(jobs.REFRESH, proposal.pk)


def proposal_refresh_now(*, proposal: Proposal) -> None:
    _fetch_and_take(proposal, Lane.INTERACTIVE)
