"""The broker's pages: the list, a new draft, each step of the form, the proposal's page.

Thin: parse, call a service or selector, render. Every proposal is read through
``proposal_get_for_user``, so anyone else's answers 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from proposals.forms.proposal_filters import ProposalFilterForm
from proposals.forms.proposal_steps import STEP_LABELS, step_build
from proposals.middleware import kept_post_pop
from proposals.models import ProposalEvent
from proposals.selectors import (
    BROKER_LIST_ORDER,
    proposal_get_for_user,
    proposals_for_user,
)
from proposals.services import PortalError
from proposals.services.drafts import (
    draft_context,
    office_locked,
    proposal_create_draft,
    proposal_editable,
    proposal_problems,
    proposal_save_step,
    proposal_step_problems,
)
from proposals.services.validation import STEPS, problem_step
from proposals.views.access import ANYONE, BROKER, role_required
from proposals.views.proposal_actions import send_now
from proposals.views.proposal_status import (
    ACTION_LABELS,
    allowed_actions,
    decision_words,
    progress,
    violations_for_page,
    words,
)
from proposals.views.proposal_summary import parts_summary

PAGE_SIZE = 25
# The actions the proposal's page offers as buttons (each a POST to ``proposal_<key>``).
ACTION_FORMS = (
    "submit",
    "send_changes",
    "request_decision",
    "precheck",
    "refresh",
    "copy",
)


@role_required(BROKER)
def broker_home(request):
    form = ProposalFilterForm(request.GET or None)
    queryset = form.apply(proposals_for_user(user=request.user)).order_by(*BROKER_LIST_ORDER)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    proposals = list(page.object_list)
    for proposal in proposals:
        proposal.can_delete = "delete" in allowed_actions(proposal, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "broker/home.html",
        {"form": form, "page": page, "proposals": proposals, "query": query.urlencode()},
    )


@role_required(BROKER)
@require_http_methods(["GET", "POST"])
def proposal_new(request):
    if request.method == "POST":
        try:
            proposal = proposal_create_draft(user=request.user)
        except PortalError as error:
            messages.error(request, str(error))
            return redirect("proposal_new")
        return redirect("proposal_step", pk=proposal.pk, step=STEPS[0])
    return render(request, "broker/new.html")


def _stepper(proposal, current: str) -> list[dict]:
    return [
        {"step": step, "label": STEP_LABELS[step], "current": step == current, "number": i}
        for i, step in enumerate(STEPS, start=1)
    ]


def _render_step(request, proposal, step, problems, *, add_row=False, status=200):
    context = draft_context(proposal=proposal)
    page = step_build(
        step=step,
        proposal=proposal,
        context=context,
        problems=problems,
        add_row=add_row,
        locked_office=office_locked(proposal),
    )
    extra = {}
    if step in ("calculation", "review", "assets"):
        extra["summary"] = parts_summary(proposal, context)
    if step == "review":
        extra["all_problems"] = [
            {
                "message": p.message,
                "step": problem_step(p.field, p.code),
                "step_label": STEP_LABELS[problem_step(p.field, p.code)],
            }
            for p in proposal_problems(proposal=proposal)
        ]
        extra["violations"] = violations_for_page(proposal)
    index = STEPS.index(step)
    return render(
        request,
        "broker/step.html",
        {
            "proposal": proposal,
            "step": step,
            "page": page,
            "steps": _stepper(proposal, step),
            "previous_step": STEPS[index - 1] if index else None,
            "next_step": STEPS[index + 1] if index + 1 < len(STEPS) else None,
            "config": context.config,
            "no_config": context.credential is None or not context.offices,
            "actions": allowed_actions(proposal, request.user),
            "quote": proposal.quote or {},
            **extra,
        },
        status=status,
    )


def _apply_kept(request, proposal, step) -> None:
    """Input typed while the session had expired: saved now, through the same service."""
    kept = kept_post_pop(request)
    if kept is None:
        return
    if not proposal_editable(proposal):
        messages.warning(
            request, "What you typed while logged out could not be kept: the proposal has moved on."
        )
        return
    try:
        proposal_save_step(proposal=proposal, user=request.user, step=step, data=kept)
    except PortalError as error:
        messages.error(request, str(error))
        return
    messages.info(request, "We kept what you typed while you were logged out.")


@role_required(BROKER)
@require_http_methods(["GET", "POST"])
def proposal_step(request, pk, step):
    if step not in STEPS:
        raise Http404("No such step.")
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    autosave = request.headers.get("X-Autosave") == "1"
    if request.method == "GET":
        _apply_kept(request, proposal, step)
        if not proposal_editable(proposal):
            messages.info(request, "This proposal cannot be changed in its current state.")
            return redirect("proposal_detail", pk=proposal.pk)
        problems = proposal_step_problems(proposal=proposal, step=step)
        return _render_step(request, proposal, step, problems)
    try:
        problems = proposal_save_step(
            proposal=proposal, user=request.user, step=step, data=request.POST
        )
    except PortalError as error:
        if autosave:
            return JsonResponse({"saved": False, "message": str(error)}, status=409)
        messages.error(request, str(error))
        return redirect("proposal_detail", pk=proposal.pk)
    if autosave:
        return JsonResponse(
            {"saved": True, "savedAt": timezone.now().isoformat(), "problems": len(problems)}
        )
    go = request.POST.get("go", "")
    if request.POST.get("add"):
        return _render_step(request, proposal, step, problems, add_row=request.POST["add"])
    if go == "send" and step == "review":
        return send_now(request, proposal)
    if problems:
        messages.warning(
            request, "Saved. Some answers need fixing: they are marked below, with what to do."
        )
        return _render_step(request, proposal, step, problems)
    index = STEPS.index(step)
    if go == "next" and index + 1 < len(STEPS):
        return redirect("proposal_step", pk=proposal.pk, step=STEPS[index + 1])
    if go == "back" and index:
        return redirect("proposal_step", pk=proposal.pk, step=STEPS[index - 1])
    messages.success(request, "Saved.")
    return redirect("proposal_step", pk=proposal.pk, step=step)


@role_required(ANYONE)
def proposal_detail(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    context = draft_context(proposal=proposal)
    actions = allowed_actions(proposal, request.user)
    request_state = proposal.decision_request or {}
    return render(
        request,
        "broker/detail.html",
        {
            "proposal": proposal,
            "summary": parts_summary(proposal, context),
            "decision": decision_words(proposal),
            "workflow_label": words(proposal.workflow_status),
            "progress": progress(proposal),
            "actions": actions,
            "action_forms": [(key, f"proposal_{key}", ACTION_LABELS[key]) for key in ACTION_FORMS],
            "violations": violations_for_page(proposal),
            "events": ProposalEvent.objects.filter(proposal=proposal)[:20],
            "quote": proposal.quote or {},
            "precheck": request_state.get("precheck") or {},
            "read_only": not actions,
            "steps": _stepper(proposal, ""),
        },
    )
