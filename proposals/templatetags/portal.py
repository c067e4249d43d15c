"""Template helpers: relative times, the stage badge, status badges and amounts with currency."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from proposals.lifecycle import STAGE_HELP, STAGE_TONES, stage_of
from proposals.selectors_currency import currency_book
from proposals.services import documents
from proposals.services.validation_values import money_text

register = template.Library()


def ago_text(when, now=None) -> str:
    seconds = max(0, int(((now or timezone.now()) - when).total_seconds()))
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


@register.simple_tag
def relative_time(when, prefix="", never="never"):
    """``<time>`` with a relative text that portal.js keeps current ("checked 20 s ago")."""
    if not when:
        return format_html("<span>{}{}</span>", prefix, never)
    return format_html(
        '<time data-relative datetime="{}" data-prefix="{}" title="{}">{}{}</time>',
        when.isoformat(),
        prefix,
        timezone.localtime(when).strftime("%d %b %Y %H:%M:%S"),
        prefix,
        ago_text(when),
    )


STATUS_STYLES = {
    "DRAFT": "secondary",
    "QUEUED": "info",
    "SENDING": "info",
    "VERIFYING": "warning",
    "SENT": "success",
    "FAILED": "danger",
    "CONFLICT": "danger",
    "GONE": "dark",
    "ACCEPTED": "success",
    "DECLINED": "danger",
    "MORE_INFORMATION": "warning",
    "PENDING": "info",
    "DECISION_REQUESTED": "info",
    "CANCELLED": "secondary",
}


@register.simple_tag
def checklist_rows(proposal):
    """The mirrored checklist in words (`{% checklist_rows proposal as rows %}`); no SFS call."""
    return documents.checklist_rows(proposal)


@register.simple_tag
def stage_badge(proposal):
    """The one badge that says where a deal stands (the lifecycle's stage), the same everywhere."""
    stage = stage_of(proposal)
    return format_html(
        '<span class="badge stage-badge {}" title="{}" data-stage="{}">{}</span>',
        STAGE_TONES[stage],
        STAGE_HELP[stage],
        stage.value,
        stage.label,
    )


@register.simple_tag
def status_badge(value, label=None):
    if not value:
        return ""
    style = STATUS_STYLES.get(value, "light text-dark border")
    text_class = " text-dark" if style in ("warning", "info") else ""
    return format_html(
        '<span class="badge status-badge bg-{}{}">{}</span>',
        style,
        text_class,
        label or value.replace("_", " ").capitalize(),
    )


@register.filter
def epoch_datetime(value):
    """Epoch seconds (as the token store keeps them) as an aware datetime."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(float(value), tz=UTC)


@register.filter
def money(value):
    """1450 or "13000.0" as 13,000.00; anything that is not a number is shown as it is."""
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return value


@register.filter
def money_in(value, currency=""):
    """An amount with its currency: "€84,000.00", "£13,000.00", "84,000.00 XYZ" (unknown sign).

    Anything that is not a number is shown as it is, like ``money``.
    """
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if not number.is_finite():
        return value
    return money_text(number, str(currency or ""))


def _currency_book(context, organisation_id):
    """The organisation's currencies, read once per request however many amounts a page shows."""

    request = context.get("request")
    books = getattr(request, "_currency_books", None) if request is not None else None
    if books is None:
        books = {}
        if request is not None:
            request._currency_books = books
    if organisation_id not in books:
        books[organisation_id] = currency_book(organisation_id=organisation_id)
    return books[organisation_id]


@register.simple_tag(takes_context=True)
def amount(context, proposal, empty="—"):
    """A proposal's amount financed in its own currency, the ISO code in the title."""
    value = getattr(proposal, "amount_financed", None)
    if value is None:
        return empty
    currency = _currency_book(context, proposal.organisation_id).for_proposal(proposal)
    return format_html(
        '<span class="amount" data-currency="{}"{}>{}</span>',
        currency,
        format_html(' title="{}"', currency) if currency else "",
        money_in(value, currency),
    )
