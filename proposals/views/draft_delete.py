"""Deleting a draft SFS never had: a confirmation page, then the delete itself."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from proposals.selectors import proposal_get_for_user
from proposals.services import PortalError
from proposals.services.drafts import proposal_delete_draft
from proposals.views.access import BROKER, role_required
from proposals.views.proposal_status import allowed_actions


@role_required(BROKER)
@require_http_methods(["GET", "POST"])
def proposal_delete(request, pk):
    # Another broker's proposal answers 404 here, as on every proposal page.
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        if "delete" not in allowed_actions(proposal, request.user):
            messages.info(request, "Only a draft that was never sent to SFS can be deleted.")
            return redirect("proposal_detail", pk=proposal.pk)
        return render(request, "broker/delete_draft.html", {"proposal": proposal})
    label = str(proposal)
    try:
        proposal_delete_draft(proposal=proposal, user=request.user)
    except PortalError as error:
        messages.error(request, str(error))
        return redirect("proposal_detail", pk=proposal.pk)
    messages.success(request, f"{label} deleted.")
    return redirect("broker_home")
