"""What a broker asks of a proposal (POST only), its live status (JSON), and the conflict page.

Each action calls one service; a ``PortalError`` (the state forbids it) is shown as a message.
The SFS side runs in the workers: the page follows it by polling ``proposal_status``.
"""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from proposals.models import Status
from proposals.selectors import proposal_get_for_user
from proposals.services import PortalError, changes, decisions, quotes, refresh, sending
from proposals.services.drafts import proposal_copy, proposal_typed_problems
from proposals.services.parts import GROUP_LABELS
from proposals.views.access import ANYONE, BROKER, role_required
from proposals.views.proposal_status import allowed_actions, status_payload


def _back(request, proposal):
    """Back where the button was (a step's page), else the proposal's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("proposal_detail", pk=proposal.pk)


def send_now(request, proposal):
    """Send to SFS what the state calls for: a draft or failed one, a gone one again, or the
    changes of a sent one."""
    typed = proposal_typed_problems(proposal=proposal)
    if typed:
        messages.error(
            request,
            f"Not sent: {len(typed)} answer(s) you typed could not be read yet, and sending "
            "would leave them out. Each is listed below with a link to its step.",
        )
        return redirect("proposal_step", pk=proposal.pk, step="review")
    try:
        if proposal.status == Status.GONE:
            sending.proposal_resend_gone(proposal=proposal, user=request.user)
        elif proposal.status == Status.SENT:
            changes.proposal_send_changes(proposal=proposal, user=request.user)
        else:
            sending.proposal_submit(proposal=proposal, user=request.user)
    except sending.ProposalInvalid as invalid:
        messages.error(
            request,
            f"Not sent yet: {len(invalid.problems)} thing(s) to fix first. Each is listed "
            "below with a link to its step.",
        )
        return redirect("proposal_step", pk=proposal.pk, step="review")
    except PortalError as error:
        messages.error(request, str(error))
        return redirect("proposal_detail", pk=proposal.pk)
    messages.success(request, "Sent to the queue: this page follows it to SFS.")
    return redirect("proposal_detail", pk=proposal.pk)


def _action(module, name: str, done: str):
    """A POST view that calls one service of the SFS side and goes back with its outcome.

    The service is looked up when called, so a test can stand in for it."""

    @role_required(BROKER)
    @require_POST
    def view(request, pk):
        proposal = proposal_get_for_user(user=request.user, pk=pk)
        try:
            getattr(module, name)(proposal=proposal, user=request.user)
        except PortalError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return _back(request, proposal)

    view.__name__ = name
    return view


proposal_refresh = _action(
    refresh, "proposal_refresh_request", "Asked SFS for the latest: the page follows."
)
proposal_request_decision = _action(
    decisions, "proposal_request_decision", "The credit decision is being asked for."
)
proposal_precheck = _action(
    decisions, "proposal_precheck_request", "SFS's pre-check is running: its answer follows."
)
_cancel = _action(sending, "proposal_cancel", "Cancelling at SFS: the status follows.")


@role_required(BROKER)
@require_http_methods(["GET", "POST"])
def proposal_cancel(request, pk):
    """GET asks "Cancel X at SFS?" (it cannot be undone); the POST from that page cancels."""
    if request.method == "POST":
        return _cancel(request, pk)
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if "cancel" not in allowed_actions(proposal, request.user):
        messages.info(request, "SFS no longer takes a cancel for this proposal.")
        return redirect("proposal_detail", pk=proposal.pk)
    return render(request, "broker/cancel_confirm.html", {"proposal": proposal})


@role_required(BROKER)
@require_POST
def proposal_submit(request, pk):
    return send_now(request, proposal_get_for_user(user=request.user, pk=pk))


@role_required(BROKER)
@require_POST
def proposal_send_changes(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if proposal.status != Status.SENT:
        messages.error(request, "Only changes to a proposal SFS has can be sent.")
        return redirect("proposal_detail", pk=proposal.pk)
    return send_now(request, proposal)


@role_required(BROKER)
@require_POST
def proposal_quote(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    try:
        quote = quotes.quote_request(proposal=proposal, user=request.user)
    except PortalError as error:
        messages.error(request, str(error))
    else:
        if quote.get("state") == "ok":
            messages.success(request, "Quote ready (the same inputs were asked before).")
        else:
            messages.info(request, "Asking SFS for a quote: it appears here in a moment.")
    return _back(request, proposal)


@role_required(BROKER)
@require_POST
def proposal_copy_view(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    try:
        copied = proposal_copy(proposal=proposal, user=request.user)
    except PortalError as error:
        messages.error(request, str(error))
        return _back(request, proposal)
    problems = getattr(copied, "problems", [])
    if problems:
        messages.warning(
            request,
            f"Copied as a new draft. Under today's configuration {len(problems)} thing(s) need "
            "attention: each is listed below.",
        )
    else:
        messages.success(request, "Copied as a new draft; check it and send it.")
    return redirect("proposal_step", pk=copied.pk, step="review")


@role_required(ANYONE)
@require_GET
def proposal_status(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    return JsonResponse(status_payload(proposal, request.user))


@role_required(BROKER)
@require_http_methods(["GET", "POST"])
def proposal_conflict(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    groups = (proposal.conflict or {}).get("groups") or {}
    if proposal.status != Status.CONFLICT or not isinstance(groups, dict) or not groups:
        messages.info(request, "There is no conflict to settle on this proposal.")
        return redirect("proposal_detail", pk=proposal.pk)
    choices = {}
    missing = set()
    if request.method == "POST":
        for group in groups:
            choice = request.POST.get(f"choice_{group}", "")
            if choice in ("mine", "theirs"):
                choices[group] = choice
            else:
                missing.add(group)
        if not missing:
            try:
                changes.proposal_resolve_conflict(
                    proposal=proposal, user=request.user, choices=choices
                )
            except PortalError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Settled: your choices go to SFS now.")
            return redirect("proposal_detail", pk=proposal.pk)
    rows = [
        {
            "group": group,
            "label": GROUP_LABELS.get(group, group.replace("_", " ").capitalize()),
            "mine": describe(values.get("mine") if isinstance(values, dict) else None),
            "theirs": describe(values.get("theirs") if isinstance(values, dict) else None),
            "choice": choices.get(group, ""),
            "missing": group in missing,
        }
        for group, values in groups.items()
    ]
    return render(
        request,
        "broker/conflict.html",
        {"proposal": proposal, "rows": rows, "missing": bool(missing)},
        status=400 if missing else 200,
    )


def describe(value, path: str = "") -> list[tuple[str, str]]:
    """A part as readable lines: ``address.city: Leeds``; an empty part says so."""
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            lines += describe(item, f"{path}.{key}" if path else str(key))
        return lines or [(path, "(empty)")]
    if isinstance(value, list):
        lines = []
        for index, item in enumerate(value, start=1):
            lines += describe(item, f"{path} {index}" if path else f"#{index}")
        return lines or [(path, "(none)")]
    if value in (None, ""):
        return [(path, "(empty)")]
    return [(path, str(value))]
