"""Reads for the staff review pages: the dashboard, the timeline, the health panel.

Every proposal query starts from ``proposals_for_user``, so a staff member only ever reads their
own organisation's rows. Each function runs a fixed number of queries whatever the row count.
"""

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Min, Q, QuerySet, Value, When
from django.utils import timezone

from proposals.models import (
    IN_FLIGHT,
    MirroredOffice,
    Proposal,
    ProposalEvent,
    Role,
    SieSmartCall,
    Status,
    User,
)
from proposals.selectors import proposals_for_user
from proposals.selectors_currency import currency_book
from proposals.services.credentials import credential_active_for, credential_health
from proposals.services.refresh_cadence import PushFigures, push_figures
from proposals.siesmart.enums import DecisionStatus

PAGE_SIZE = 50
TIMELINE_LIMIT = 200
ATTENTION_STATUSES = (Status.FAILED, Status.CONFLICT)
DECISION_STATUSES = [value.value for value in DecisionStatus]

# Whitelisted sort keys: what the page may ask for -> the model fields it orders by. Anything
# else falls back to the default, so a query string can never order by an arbitrary column.
SORT_KEYS = {
    "reference": ("reference",),
    "customer": ("customer_name",),
    "broker": ("broker__last_name", "broker__first_name", "broker__username"),
    "office": ("office_id",),
    # Currency first, so that amounts in different currencies are never interleaved.
    "amount": ("amount_currency", "amount_financed"),
    "status": ("status",),
    "workflow": ("workflow_status",),
    "decision": ("decision_status",),
    "checked": ("last_checked_at",),
    "created": ("created",),
    "updated": ("updated",),
}
DEFAULT_SORT = "-updated"
# Keys that keep their direction when a column is turned round: a descending amount sort lists
# the biggest first within each currency, the currencies in the same order both ways.
FIXED_DIRECTION = {"amount_currency"}

# The dashboard and the export read these columns only: the JSON parts (customer, assets,
# snapshots) can be large and no list shows them.
LIST_FIELDS = (
    "id",
    "organisation_id",
    "broker_id",
    "credential_id",
    "reference",
    "status",
    "office_id",
    "customer_name",
    "amount_financed",
    "sfs_id",
    "workflow_status",
    "decision_status",
    "last_checked_at",
    "queued_at",
    "last_error_code",
    "last_error_message",
    "created",
    "updated",
    "broker__username",
    "broker__first_name",
    "broker__last_name",
)


def stuck_before(now: datetime | None = None) -> datetime:
    """In flight since before this moment = stuck (two leases: the sweeper had its chances)."""
    return (now or timezone.now()) - timedelta(seconds=settings.SEND_LEASE_SECONDS * 2)


def stuck_q(now: datetime | None = None) -> Q:
    threshold = stuck_before(now)
    return (
        Q(status__in=IN_FLIGHT)
        & Q(updated__lt=threshold)
        & (Q(queued_at__isnull=True) | Q(queued_at__lt=threshold))
    )


def proposal_is_stuck(*, proposal: Proposal, now: datetime | None = None) -> bool:
    threshold = stuck_before(now)
    return (
        proposal.status in IN_FLIGHT
        and proposal.updated < threshold
        and (proposal.queued_at is None or proposal.queued_at < threshold)
    )


def sort_fields(sort: str | None) -> list[str]:
    if not sort or sort.lstrip("-") not in SORT_KEYS:
        sort = DEFAULT_SORT
    prefix, key = ("-", sort[1:]) if sort.startswith("-") else ("", sort)
    # The id breaks ties so that pages never repeat or skip a row.
    fields = [field if field in FIXED_DIRECTION else f"{prefix}{field}" for field in SORT_KEYS[key]]
    return fields + [f"{prefix}id"]


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _search_q(text: str) -> Q:
    text = text.strip()
    q = Q(reference__icontains=text) | Q(customer_name__icontains=text)
    if text.isdigit() and len(text) < 19:  # fits a bigint
        q |= Q(sfs_id=int(text))
    return q


def dashboard_query(*, user: User, filters: Mapping | None = None) -> QuerySet[Proposal]:
    """The organisation's proposals filtered, searched and sorted as the dashboard asks.

    ``filters`` holds the filter form's cleaned data: status, decision, broker (a User or id),
    office, created_from, created_to (dates, inclusive), stuck, q and sort; blanks are ignored.
    Each row carries ``amount_currency``, the ISO currency of its amounts (selectors_currency).
    """
    filters = filters or {}
    qs = proposals_for_user(user=user)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("decision"):
        qs = qs.filter(decision_status=filters["decision"])
    if filters.get("broker"):
        broker = filters["broker"]
        qs = qs.filter(broker_id=getattr(broker, "pk", broker))
    if filters.get("office") not in (None, ""):
        qs = qs.filter(office_id=filters["office"])
    # Day bounds as instants (not created__date), so the range can use an index on created.
    if filters.get("created_from"):
        qs = qs.filter(created__gte=_day_start(filters["created_from"]))
    if filters.get("created_to"):
        qs = qs.filter(created__lt=_day_start(filters["created_to"] + timedelta(days=1)))
    stuck = stuck_q()
    if filters.get("stuck"):
        qs = qs.filter(stuck)
    if filters.get("q", "").strip():
        qs = qs.filter(_search_q(filters["q"]))
    currencies = currency_book(organisation_id=user.organisation_id)
    return (
        qs.select_related("broker")
        .only(*LIST_FIELDS)
        .annotate(
            amount_currency=currencies.expression(),
            is_stuck=Case(
                When(stuck, then=Value(True)), default=False, output_field=BooleanField()
            ),
            needs_attention=Case(
                When(status__in=ATTENTION_STATUSES, then=Value(True)),
                default=False,
                output_field=BooleanField(),
            ),
        )
        .order_by(*sort_fields(filters.get("sort")))
    )


def status_counts(*, user: User) -> dict[str, int]:
    """{status: count} for every portal status (zeros included), plus "STUCK".

    Two queries on purpose: COUNT(*) grouped by status is an index-only scan of
    (organisation, status), and the stuck count reads only the few rows in flight; one query
    with a FILTER clause would read every row of the table instead (5x slower at 100k rows).
    """
    qs = proposals_for_user(user=user).order_by()
    counts = {value: 0 for value in Status.values}
    for row in qs.values("status").annotate(n=Count("*")):
        counts[row["status"]] = row["n"]
    counts["STUCK"] = qs.filter(stuck_q()).count()
    return counts


def known_count(*, filters: Mapping, counts: Mapping[str, int]) -> int | None:
    """The number of rows ``filters`` select when the status counts already say it, else None.

    Spares the dashboard a second COUNT over the organisation's rows on the common pages.
    """
    active = {k for k, v in filters.items() if v not in (None, "", False) and k != "sort"}
    if not active:
        return sum(v for k, v in counts.items() if k != "STUCK")
    if active == {"status"}:
        return counts.get(filters["status"], 0)
    if active == {"stuck"}:
        return counts["STUCK"]
    return None


def office_names(*, user: User) -> dict[int, str]:
    """office_id -> name from the organisation's config mirror (one query for a whole page).

    Newest refresh wins when two credentials mirror the same office id.
    """
    rows = (
        MirroredOffice.objects.filter(credential__organisation_id=user.organisation_id)
        .order_by("refreshed_at")
        .values_list("office_id", "name")
    )
    return dict(rows)


def office_choices(*, user: User, offices: dict[int, str] | None = None) -> list[tuple[int, str]]:
    offices = office_names(user=user) if offices is None else offices
    return sorted(offices.items(), key=lambda item: item[1].lower())


def broker_choices(*, user: User) -> QuerySet[User]:
    """The organisation's brokers, and anyone else who owns one of its proposals (staff who
    tested); staff and admins who never wrote a proposal are not offered."""
    return (
        User.objects.filter(organisation_id=user.organisation_id)
        .filter(Q(role=Role.BROKER) | Q(proposals__isnull=False))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# ------------------------------------------------------------------------------------------------
# Timeline
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "event" | "call"
    item: object


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    older_before: datetime | None  # the cursor of the next (older) slice, None at the end
    event_count: int
    call_count: int


def proposal_timeline(
    *, proposal: Proposal, before: datetime | None = None, limit: int = TIMELINE_LIMIT
) -> Timeline:
    """Events and calls of ``proposal``, merged newest first, ``limit`` entries at most.

    A proposal polled for months has thousands of calls, so the page shows one slice and a cursor
    (``before``: the entries at or before that instant not shown yet) for the next one.
    """
    events = ProposalEvent.objects.filter(proposal=proposal).select_related("actor")
    calls = SieSmartCall.objects.filter(proposal=proposal)
    event_count, call_count = events.count(), calls.count()
    if before is not None:
        events, calls = events.filter(at__lte=before), calls.filter(at__lte=before)
    # One more than the limit of each says whether anything older remains.
    merged = sorted(
        [TimelineEntry(e.at, "event", e) for e in events.order_by("-at", "-id")[: limit + 1]]
        + [TimelineEntry(c.at, "call", c) for c in calls.order_by("-at", "-id")[: limit + 1]],
        key=lambda entry: entry.at,
        reverse=True,
    )
    if len(merged) <= limit:
        return Timeline(merged, None, event_count, call_count)
    # The next slice starts at the first entry not shown, inclusively; entries sharing that
    # instant move to the next slice whole so none is skipped or shown twice.
    cursor = merged[limit].at
    shown = [entry for entry in merged[:limit] if entry.at > cursor]
    if not shown:  # more than ``limit`` entries at one instant: show them, step past it
        shown = merged[:limit]
        cursor = cursor - timedelta(microseconds=1)
    return Timeline(shown, cursor, event_count, call_count)


# ------------------------------------------------------------------------------------------------
# Health
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Health:
    sends_today: int
    failures_today: int
    top_error_codes: list[tuple[str, int]]
    median_decision_seconds: float | None
    decisions_counted: int
    queue_depth: int
    stuck: int
    credential: object
    calls_last_hour: int | None
    budget_last_hour: int
    token_expires_at: datetime | None
    config_refreshed_at: datetime | None
    # issue 14: SFS's notifications and the search as their safety net (None: no credential).
    push: PushFigures | None = None

    @property
    def median_decision_text(self) -> str:
        seconds = self.median_decision_seconds
        if seconds is None:
            return "no decisions"
        minutes, hours = int(seconds // 60), int(seconds // 3600)
        if hours:
            return f"{hours} h {minutes % 60} min"
        return f"{minutes} min" if minutes else f"{int(seconds)} s"


MEDIAN_SAMPLE = 20_000


def health_summary(*, user: User, now: datetime | None = None) -> Health:

    now = now or timezone.now()
    today = _day_start(timezone.localdate(now))
    qs = proposals_for_user(user=user).order_by()
    failed_today = qs.filter(status=Status.FAILED, updated__gte=today)
    codes = (
        failed_today.values("last_error_code")
        .annotate(n=Count("id"))
        .order_by("-n", "last_error_code")[:5]
    )
    # The median over a bounded sample of the newest decisions: exact enough, bounded in cost.
    pairs = qs.filter(
        decided_at__gte=now - timedelta(days=30), queued_at__isnull=False
    ).values_list("queued_at", "decided_at")
    durations = [
        (decided - queued).total_seconds()
        for queued, decided in pairs.order_by("-decided_at")[:MEDIAN_SAMPLE]
    ]
    credential = credential_active_for(organisation_id=user.organisation_id)
    calls = expires = refreshed = push = None
    if credential is not None:
        health = credential_health(credential=credential)
        calls = health.calls_last_hour
        if health.token_expires_at:
            expires = datetime.fromtimestamp(
                health.token_expires_at, tz=timezone.get_current_timezone()
            )
        refreshed = MirroredOffice.objects.filter(credential=credential).aggregate(
            oldest=Min("refreshed_at")
        )["oldest"]
        push = push_figures(credential_id=credential.pk, now=now)
    return Health(
        sends_today=qs.filter(sent_at__gte=today).count(),
        failures_today=failed_today.count(),
        top_error_codes=[(row["last_error_code"] or "(none)", row["n"]) for row in codes],
        median_decision_seconds=statistics.median(durations) if durations else None,
        decisions_counted=len(durations),
        queue_depth=qs.filter(status__in=IN_FLIGHT).count(),
        stuck=qs.filter(stuck_q(now)).count(),
        credential=credential,
        calls_last_hour=calls,
        budget_last_hour=settings.SIESMART_BUDGET_PER_MINUTE * 60,
        token_expires_at=expires,
        config_refreshed_at=refreshed,
        push=push,
    )
