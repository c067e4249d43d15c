"""Staff review: the dashboard, a proposal's timeline, actions, the CSV export, the health panel.

Thin: parse the request, call a selector or a staff action, render. Staff and admins only; any
proposal id outside the user's organisation answers 404 (``proposal_get_for_user``).
"""

import csv
import json
from datetime import UTC
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from proposals.forms.staff import BulkRefreshForm, DashboardFilterForm
from proposals.models import Status
from proposals.selectors import proposal_get_for_user, proposals_for_user
from proposals.selectors_staff import (
    PAGE_SIZE,
    dashboard_query,
    health_summary,
    known_count,
    office_names,
    proposal_is_stuck,
    proposal_timeline,
    status_counts,
)
from proposals.services import PortalError
from proposals.services.drafts import draft_context
from proposals.services.staff_actions import staff_refresh, staff_requeue, staff_retry_send
from proposals.views.access import STAFF, role_required
from proposals.views.proposal_summary import parts_summary

COLUMNS = [
    ("reference", "Reference"),
    ("customer", "Customer"),
    ("broker", "Broker"),
    ("office", "Office"),
    ("amount", "Amount"),
    ("status", "Portal status"),
    ("workflow", "SFS workflow"),
    ("decision", "Decision"),
    ("checked", "Last check"),
]


def _filters(request, offices=None) -> tuple[DashboardFilterForm, dict]:
    form = DashboardFilterForm(request.GET or None, user=request.user, offices=offices)
    return form, (form.filters() if form.is_bound else {})


def _query(request, **changes) -> str:
    """The current query string with ``changes`` applied (None drops a key); page restarts."""
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return params.urlencode()


def _sort_headers(request, current: str) -> list[dict]:
    headers = []
    for key, label in COLUMNS:
        direction = "none"
        if current.lstrip("-") == key:
            direction = "descending" if current.startswith("-") else "ascending"
        # A click sorts ascending; a second click on the same column turns it round.
        target = f"-{key}" if direction == "ascending" else key
        headers.append(
            {
                "key": key,
                "label": label,
                "aria_sort": direction,
                "url": "?" + _query(request, sort=target),
            }
        )
    return headers


@role_required(STAFF)
@require_GET
def staff_home(request):
    offices = office_names(user=request.user)
    form, filters = _filters(request, offices)
    counts = status_counts(user=request.user)
    paginator = Paginator(dashboard_query(user=request.user, filters=filters), PAGE_SIZE)
    known = known_count(filters=filters, counts=counts)
    if known is not None:
        paginator.count = known  # the status counts already say it: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    for proposal in page.object_list:
        proposal.office_name = offices.get(proposal.office_id, "")
    status_links = [
        {
            "value": value,
            "label": label,
            "count": counts[value],
            "url": "?" + urlencode({"status": value}),
            "current": filters.get("status") == value,
        }
        for value, label in Status.choices
    ]
    return render(
        request,
        "staff/home.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "total": sum(n for status, n in counts.items() if status != "STUCK"),
            "status_links": status_links,
            "stuck_current": bool(filters.get("stuck")),
            "filtered": bool({k for k in filters if k != "sort"}),
            "headers": _sort_headers(request, filters.get("sort", "-updated")),
            "page_query": _query(request),
            "export_query": _query(request),
        },
    )


# ------------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------------
EXPORT_COLUMNS = [
    ("Reference", "reference"),
    ("SFS id", "sfs_id"),
    ("Customer", "customer_name"),
    ("Broker", "broker_name"),
    ("Office id", "office_id"),
    ("Office", "office_name"),
    ("Amount financed", "amount_financed"),
    ("Currency", "amount_currency"),
    ("Portal status", "status"),
    ("Stuck", "is_stuck"),
    ("SFS workflow", "workflow_status"),
    ("Decision", "decision_status"),
    ("Created", "created"),
    ("Last check", "last_checked_at"),
    ("Last error code", "last_error_code"),
    ("Last error", "last_error_message"),
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading quote (CSV injection).

    Numbers pass as they are: a negative amount is a number, never a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


# Computed per row below, not read from the database.
DERIVED = {"office_name", "broker_name"}
BROKER_FIELDS = ["broker__first_name", "broker__last_name", "broker__username"]


# Excel reads a CSV as the local code page unless it starts with a UTF-8 byte order mark.
UTF8_BOM = "\ufeff"


def _export_rows(queryset, offices):
    writer = csv.writer(_Echo())
    yield UTF8_BOM + writer.writerow([title for title, _ in EXPORT_COLUMNS])
    fields = [field for _, field in EXPORT_COLUMNS if field not in DERIVED] + BROKER_FIELDS
    for values in queryset.values_list(*fields).iterator(chunk_size=2000):
        row = dict(zip(fields, values, strict=True))
        first, last, username = (row[f] for f in BROKER_FIELDS)
        row["broker_name"] = f"{first} {last}".strip() or username
        row["office_name"] = offices.get(row["office_id"], "")
        cells = []
        for _, field in EXPORT_COLUMNS:
            value = row[field]
            if isinstance(value, Decimal | int) and not isinstance(value, bool):
                cells.append(value)
            elif hasattr(value, "isoformat"):
                cells.append(value.isoformat())
            else:
                cells.append(csv_safe("" if value is None else str(value)))
        yield writer.writerow(cells)


@role_required(STAFF)
@require_GET
def staff_export(request):
    offices = office_names(user=request.user)
    form, filters = _filters(request, offices)
    if form.is_bound and set(form.errors) - {"sort"}:  # an unknown sort falls back quietly
        # Never export more than was asked for: the dashboard shows each error by its field.
        messages.error(request, "Fix the filters marked below, then export again.")
        return redirect(reverse("staff_home") + "?" + request.GET.urlencode())
    queryset = dashboard_query(user=request.user, filters=filters)
    rows = _export_rows(queryset, offices)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="proposals.csv"'
    return response


# ------------------------------------------------------------------------------------------------
# Timeline and actions
# ------------------------------------------------------------------------------------------------
def conflict_url(pk: int) -> str:
    # The conflict page is the lead's; until its URL exists the path it will have is used.
    try:
        return reverse("proposal_conflict", args=[pk])
    except NoReverseMatch:
        return f"/proposals/{pk}/conflict"


def _pretty(body) -> str:
    return "" if body is None else json.dumps(body, indent=2, sort_keys=True, default=str)


def _cursor(value: str):
    """The timeline's ``before`` cursor; anything unparsable means "from the newest"."""
    try:
        when = parse_datetime(value) if value else None
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when)
        if when is not None:
            when.astimezone(UTC)  # year 1 at +05:00 has no UTC instant: OverflowError
    except (ValueError, OverflowError):
        return None
    return when


@role_required(STAFF)
@require_GET
def staff_proposal(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    before = _cursor(request.GET.get("before", ""))
    timeline = proposal_timeline(proposal=proposal, before=before)
    for entry in timeline.entries:
        if entry.kind == "call":
            entry.item.request_json = _pretty(entry.item.request_body)
            entry.item.response_json = _pretty(entry.item.response_body)
    older_url = None
    if timeline.older_before:
        older_url = "?" + urlencode({"before": timeline.older_before.isoformat()})
    return render(
        request,
        "staff/proposal.html",
        {
            "p": proposal,
            "office_name": office_names(user=request.user).get(proposal.office_id, ""),
            "timeline": timeline,
            "older_url": older_url,
            "is_stuck": proposal_is_stuck(proposal=proposal),
            # The customer, assets and calculation as the broker's page shows them (no SFS call).
            "summary": parts_summary(proposal, draft_context(proposal=proposal)),
            "conflict_url": conflict_url(proposal.pk),
        },
    )


def _act(request, pk, action, done: str):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    try:
        action(proposal=proposal, user=request.user)
    except PortalError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done.format(proposal=proposal))
    return redirect("staff_proposal", pk=proposal.pk)


@role_required(STAFF)
@require_POST
def staff_retry(request, pk):
    return _act(request, pk, staff_retry_send, "{proposal}: the send will be tried again.")


@role_required(STAFF)
@require_POST
def staff_requeue_view(request, pk):
    return _act(request, pk, staff_requeue, "{proposal} is back in the send queue.")


def _refresh_one(*, proposal, user):
    outcome = staff_refresh(proposals=[proposal], user=user)
    if outcome.refused:
        raise PortalError(outcome.refused[0][1])


@role_required(STAFF)
@require_POST
def staff_refresh_view(request, pk):
    return _act(request, pk, _refresh_one, "{proposal}: a refresh from SFS was requested.")


@role_required(STAFF)
@require_POST
def staff_bulk_refresh(request):
    form = BulkRefreshForm(request.POST)
    valid = form.is_valid()
    back = form.cleaned_data.get("next") or ""
    # A path of this site only: not off-site, no control character a Location header cannot
    # carry, and never a bare word that redirect() would take for a view name.
    safe = (
        back.startswith("/")
        and back.isprintable()
        and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    )
    if not safe:
        back = reverse("staff_home")
    if not valid:
        for error in form.errors.get("selected", []) or ["The request could not be read."]:
            messages.warning(request, error)
        return HttpResponseRedirect(back)
    ids = form.cleaned_data["selected"]
    proposals = list(proposals_for_user(user=request.user).filter(pk__in=ids).order_by("pk"))
    if len(proposals) != len(ids):  # someone else's id: answer as if it did not exist
        raise Http404("No such proposal.")
    outcome = staff_refresh(proposals=proposals, user=request.user)
    if outcome.requested:
        messages.success(request, f"Refresh requested for {len(outcome.requested)} proposal(s).")
    for proposal, reason in outcome.refused:
        messages.error(request, f"{proposal}: {reason}")
    return HttpResponseRedirect(back)


@role_required(STAFF)
@require_GET
def staff_health(request):
    return render(request, "staff/health.html", {"health": health_summary(user=request.user)})
