"""How often the search runs for a credential now that SFS notifies (issue 14).

While SFS's notifications arrive, the search is only the safety net: it runs every
``SFS_SAFETY_NET_SECONDS``. A change the search finds that no notification announced means
notifications may be getting lost (an endpoint SFS can no longer reach, a delivery given up), so
the credential goes back to the usual cadence for a while. Those catches are counted for the
staff health panel. The figures live in the cache (no table holds them): the lost flag expires
by itself, and the catches are a short list of times pruned to the last day.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from proposals.models import Proposal, SfsNotification, SfsSubscription, Status
from proposals.services.sfs_notifications import endpoint_registered

# A credential counts as pushed while some notification came within this time: decisions are
# rarer than polls, so a quiet hour is not yet a sign of loss (a catch is).
NOTIFICATIONS_ALIVE = timedelta(hours=1)
LOST_FOR = timedelta(minutes=30)
FIGURES_WINDOW = timedelta(hours=24)
CATCHES_KEPT_AT_MOST = 1000  # beyond that the day is plainly unwell; older times are dropped


def _lost_key(credential_id: int) -> str:
    return f"sfs-safety-net:lost-until:{credential_id}"


def _catches_key(credential_id: int) -> str:
    return f"sfs-safety-net:catches:{credential_id}"


def safety_net_seconds() -> float:
    return float(getattr(settings, "SFS_SAFETY_NET_SECONDS", 300))


def notifications_seem_lost_until(*, credential_id: int, now: datetime | None = None):
    """Until when the credential is back on the usual cadence after a catch (None: it is not)."""
    text = cache.get(_lost_key(credential_id))
    if not text:
        return None
    until = datetime.fromisoformat(text)
    return until if until > (now or timezone.now()) else None


def credential_pushed(*, credential_id: int, now: datetime | None = None) -> bool:
    """Notifications are on, SFS holds the endpoint, one came lately and none seems lost."""
    now = now or timezone.now()
    if not settings.SFS_NOTIFICATIONS:
        return False
    if notifications_seem_lost_until(credential_id=credential_id, now=now):
        return False
    if not endpoint_registered(credential_id):
        return False
    if _decisions_unwatched(credential_id):
        return False
    return SfsNotification.objects.filter(
        credential_id=credential_id, received_at__gte=now - NOTIFICATIONS_ALIVE
    ).exists()


def _decisions_unwatched(credential_id: int) -> bool:
    """A proposal awaiting its decision without an active DECISION_RECEIVED subscription: SFS
    sends it no notification (under a backlog the subscription waits for budget, and the
    decision can come first), so the search must keep its usual pace for it."""
    watched = SfsSubscription.objects.filter(
        event_type="DECISION_RECEIVED", state=SfsSubscription.State.ACTIVE
    ).values("proposal_id")
    return (
        Proposal.objects.filter(
            credential_id=credential_id,
            status=Status.SENT,
            workflow_status="DECISION_REQUESTED",
        )
        .exclude(pk__in=watched)
        .exists()
    )


def cycle_interval(*, credential_id: int, usual: float, now: datetime | None = None) -> float:
    """Seconds between two searches: the safety net's period while pushed, else ``usual``."""
    if credential_pushed(credential_id=credential_id, now=now):
        return max(usual, safety_net_seconds())
    return usual


def _status_moved(local, summary) -> bool:
    return (local.workflow_status, local.decision_status) != (
        str(summary.workflow_status or ""),
        str(summary.decision_status or ""),
    )


def unannounced_changes(*, credential_id: int, changed: list) -> list:
    """Among ``changed`` ((proposal, search summary) pairs whose version moved), the proposals a
    notification should have announced and none did: the status or decision moved, a
    subscription was active, and nothing arrived for it since the portal last looked.

    Other changes (an underwriter's edit, a proposal whose subscription still waits for budget)
    have no notification to miss. Three queries at most, whatever the number of proposals.
    """
    if not changed or not settings.SFS_NOTIFICATIONS or not endpoint_registered(credential_id):
        return []
    candidates = [local for local, summary in changed if _status_moved(local, summary)]
    if not candidates:
        return []
    subscribed = set(
        SfsSubscription.objects.filter(
            proposal__in=candidates, state=SfsSubscription.State.ACTIVE
        ).values_list("proposal_id", flat=True)
    )
    candidates = [local for local in candidates if local.pk in subscribed]
    if not candidates:
        return []
    latest = dict(
        SfsNotification.objects.filter(
            credential_id=credential_id, sfs_proposal_id__in=[p.sfs_id for p in candidates]
        )
        .values("sfs_proposal_id")
        .annotate(last=Max("received_at"))
        .values_list("sfs_proposal_id", "last")
    )
    return [
        local
        for local in candidates
        if latest.get(local.sfs_id) is None
        or (local.last_checked_at is not None and latest[local.sfs_id] < local.last_checked_at)
    ]


def _catches(credential_id: int, since: datetime) -> list[datetime]:
    moments = (datetime.fromisoformat(t) for t in cache.get(_catches_key(credential_id), []))
    return [moment for moment in moments if moment >= since]


def catches_record(*, credential_id: int, count: int, now: datetime | None = None) -> None:
    """The safety net caught ``count`` changes: counted, and the usual cadence for a while."""
    if count <= 0:
        return
    now = now or timezone.now()
    kept = [t.isoformat() for t in _catches(credential_id, now - FIGURES_WINDOW)]
    kept = (kept + [now.isoformat()] * count)[-CATCHES_KEPT_AT_MOST:]
    cache.set(_catches_key(credential_id), kept, int(FIGURES_WINDOW.total_seconds()))
    until = now + LOST_FOR
    cache.set(_lost_key(credential_id), until.isoformat(), int(LOST_FOR.total_seconds()))


def safety_net_check(*, credential_id: int, changed: list, now: datetime | None = None) -> int:
    """Called by the refresh cycle before it reads what changed; the number caught."""
    caught = unannounced_changes(credential_id=credential_id, changed=changed)
    catches_record(credential_id=credential_id, count=len(caught), now=now)
    return len(caught)


@dataclass(frozen=True)
class PushFigures:
    """What the staff health panel shows of notifications and of the safety net."""

    registered: bool
    received_last_day: int
    last_received_at: datetime | None
    caught_last_day: int
    last_caught_at: datetime | None
    seem_lost_until: datetime | None
    pushed: bool
    safety_net_seconds: float

    @property
    def safety_net_text(self) -> str:
        minutes, seconds = divmod(int(self.safety_net_seconds), 60)
        if not minutes:
            return f"{seconds} s"
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


def push_figures(*, credential_id: int, now: datetime | None = None) -> PushFigures:
    now = now or timezone.now()
    since = now - FIGURES_WINDOW
    received = SfsNotification.objects.filter(credential_id=credential_id)
    catches = _catches(credential_id, since)
    return PushFigures(
        registered=endpoint_registered(credential_id),
        received_last_day=received.filter(received_at__gte=since).count(),
        last_received_at=received.aggregate(last=Max("received_at"))["last"],
        caught_last_day=len(catches),
        last_caught_at=max(catches) if catches else None,
        seem_lost_until=notifications_seem_lost_until(credential_id=credential_id, now=now),
        pushed=credential_pushed(credential_id=credential_id, now=now),
        safety_net_seconds=safety_net_seconds(),
    )
