"""Freshness: one search call tells which of up to 100 proposals changed; only those are read.

Paging by ``updated`` descending stops once it reaches what the last cycle saw (less a safety
overlap), so a quiet cycle costs one call whatever the number of open proposals.
"""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from proposals import jobs
from proposals.models import Credential, Proposal, Status, User
from proposals.services import PortalError
from proposals.services.events import event_record
from proposals.services.parts import local_changes, parts_take_remote
from proposals.services.remote import remote_adopt
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.enums import FINAL_WORKFLOW_STATUSES, Lane
from proposals.siesmart.types import same_version

OVERLAP = timedelta(minutes=2)
FULL_SCAN_EVERY = timedelta(minutes=30)
PAGE_SIZE = 100
REFRESHABLE = (Status.SENT,)


def _cursor_key(credential_id: int) -> str:
    return f"refresh-cursor:{credential_id}"


def open_proposals(credential: Credential):
    return Proposal.objects.filter(
        credential=credential, status__in=REFRESHABLE, sfs_id__isnull=False
    ).exclude(workflow_status__in=FINAL_WORKFLOW_STATUSES)


def proposal_take_remote(*, proposal: Proposal, remote, actor_label: str = "refresh") -> None:
    """SFS's current answer into the mirror. Local edits not yet sent keep their base and ETag,
    so that sending them meets SFS's change in the three-way merge instead of overwriting it."""
    from proposals.services.notifications import notification_send

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
        if proposal.workflow_status in FINAL_WORKFLOW_STATUSES | {"MORE_INFORMATION"}:
            notification_send(
                proposal=proposal,
                kind="decision",
                message=f"{proposal.reference}: SFS decided {proposal.decision_status}.",
            )


def _fetch_and_take(proposal: Proposal, lane: str) -> None:
    from proposals.services.decisions import proposal_gone

    client = client_for(credential=proposal.credential, lane=lane, proposal_id=proposal.pk)
    try:
        remote = client.get_proposal(proposal.sfs_id)
    except errors.NotFoundError:
        proposal_gone(proposal=proposal, actor_label="refresh")
        return
    proposal_take_remote(proposal=proposal, remote=remote)


def _full_scan_due(credential: Credential) -> bool:
    """Now and then the whole list is read once: the net under every shortcut below."""
    last = cache.get(f"refresh-full:{credential.pk}")
    return last is None or timezone.now() - datetime.fromisoformat(last) > FULL_SCAN_EVERY


def refresh_cycle(*, credential: Credential) -> dict:
    """One sweep of the credential's open proposals. Returns figures for logs and benchmarks.

    Pages (newest change first) go on only while a page still ends in changes newer than what
    the last cycle saw, less the overlap; a quiet cycle is one call.
    """
    open_by_id = {p.sfs_id: p for p in open_proposals(credential).select_related("credential")}
    if not open_by_id:
        return {"calls": 0, "changed": 0, "gone": 0}
    client = client_for(credential=credential, lane=Lane.BACKGROUND)
    cursor = cache.get(_cursor_key(credential.pk))
    full_scan = cursor is None or _full_scan_due(credential)
    cursor_at = datetime.fromisoformat(cursor) if cursor else None
    stop_before = cursor_at - OVERLAP if cursor_at else None
    calls, page, newest, changed, seen = 0, 0, None, [], set()
    checked_at = timezone.now()
    total = None
    while True:
        result = client.search_proposals(
            sort_by="UPDATED", sort_order="DESC", page=page, size=PAGE_SIZE
        )
        calls += 1
        total = result.total_elements if total is None else total
        last = None
        for summary in result.content:
            seen.add(summary.id)
            last = summary.updated
            if summary.updated and (newest is None or summary.updated > newest):
                newest = summary.updated
            if not full_scan and summary.updated and summary.updated < stop_before:
                break
            local = open_by_id.get(summary.id)
            if local and not same_version(local.etag, summary.updated_raw):
                changed.append(local)
        if result.is_last or last is None:
            break
        if not full_scan and last <= cursor_at:
            break
        page += 1
    if full_scan:
        cache.set(f"refresh-full:{credential.pk}", checked_at.isoformat(), None)
    known = Proposal.objects.filter(credential=credential, sfs_id__isnull=False).exclude(
        status=Status.GONE
    )
    missing: list[Proposal] = []
    if total is not None and total < known.count():
        # Some vanished (a wipe of the test environment): list everything to find which.
        seen, page = set(), 0
        while True:
            result = client.search_proposals(
                sort_by="UPDATED", sort_order="DESC", page=page, size=PAGE_SIZE
            )
            calls += 1
            seen.update(summary.id for summary in result.content)
            if result.is_last or not result.content:
                break
            page += 1
        missing = [p for p in known.filter(status__in=REFRESHABLE) if p.sfs_id not in seen]
    for proposal in changed + [m for m in missing if m not in changed]:
        _fetch_and_take(proposal, Lane.BACKGROUND)
        calls += 1
    untouched = set(open_by_id) - {p.sfs_id for p in changed} - {p.sfs_id for p in missing}
    Proposal.objects.filter(credential=credential, sfs_id__in=untouched).update(
        last_checked_at=checked_at
    )
    if newest is not None:
        cache.set(_cursor_key(credential.pk), newest.isoformat(), None)
    return {"calls": calls, "changed": len(changed), "gone": len(missing)}


def refresh_due(*, credential: Credential, now=None) -> bool:
    """More often while a decision is pending: every 10 s then, every 60 s otherwise."""
    now = now or timezone.now()
    last = cache.get(f"refresh-last:{credential.pk}")
    pending = open_proposals(credential).filter(decision_status="PENDING").exists()
    interval = 10 if pending else 60
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
