"""Send documents for e-signature: the broker's page (CONTRACT.md 6.11). The job does the call."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from proposals.forms.signing import SignatoryForm, SignatoryFormSet, SigningDocumentsForm
from proposals.selectors import proposal_get_for_user
from proposals.services import PortalError
from proposals.services.config_mirror import job_titles_for
from proposals.services.signing import (
    MAX_SIGNATORIES,
    NOT_ALLOWED_NOW,
    document_key,
    signable_documents,
    signatories_prefill,
    signing_request,
)
from proposals.views.access import BROKER, role_required

PREFIX = "signatories"


def _typed_rows(data) -> list[dict]:
    """The signatory rows as posted, unjudged, so that "Add a signatory" loses nothing."""
    try:
        total = min(int(data.get(f"{PREFIX}-TOTAL_FORMS", "0")), MAX_SIGNATORIES)
    except ValueError:
        total = 0
    names = SignatoryForm.base_fields
    return [
        {name: data.get(f"{PREFIX}-{index}-{name}", "") for name in names} for index in range(total)
    ]


@role_required(BROKER)
@require_http_methods(["GET", "POST"])
def proposal_signing(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    documents = signable_documents(proposal)
    if not documents:
        messages.error(request, f"{NOT_ALLOWED_NOW}: SFS allows no document of it to be signed.")
        return redirect("proposal_detail", pk=proposal.pk)
    titles = job_titles_for(proposal.credential) if proposal.credential else ()
    form_kwargs = {"job_titles": titles}
    if request.method == "GET":
        form = SigningDocumentsForm(
            documents=documents, initial={"documents": [document_key(documents[0])]}
        )
        signatories = SignatoryFormSet(
            prefix=PREFIX, initial=signatories_prefill(proposal), form_kwargs=form_kwargs
        )
        return _page(request, proposal, form, signatories)
    if "add_signatory" in request.POST:
        rows = _typed_rows(request.POST)
        form = SigningDocumentsForm(
            documents=documents,
            initial={"documents": request.POST.getlist("documents"), "cc": request.POST.get("cc")},
        )
        signatories = SignatoryFormSet(
            prefix=PREFIX, initial=[*rows, {}][:MAX_SIGNATORIES], form_kwargs=form_kwargs
        )
        return _page(request, proposal, form, signatories)
    form = SigningDocumentsForm(request.POST, documents=documents)
    signatories = SignatoryFormSet(request.POST, prefix=PREFIX, form_kwargs=form_kwargs)
    if form.is_valid() and signatories.is_valid():
        try:
            signing_request(
                proposal=proposal,
                user=request.user,
                document_keys=form.cleaned_data["documents"],
                signatories=signatories.payload(),
                cc=form.cleaned_data["cc"],
            )
        except PortalError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "Sending the documents for e-signature: each signatory's status shows "
                "below as SFS reports it.",
            )
            return redirect("proposal_detail", pk=proposal.pk)
    return _page(request, proposal, form, signatories, status=400)


def _page(request, proposal, form, signatories, *, status=200):
    return render(
        request,
        "broker/signing.html",
        {
            "proposal": proposal,
            "form": form,
            "signatories": signatories,
            "max_signatories": MAX_SIGNATORIES,
        },
        status=status,
    )
