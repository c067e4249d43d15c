"""Admins: SieSmart credentials, connection tests and the config mirror."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from proposals.forms.credentials import CredentialForm, ProductionActivationForm
from proposals.models import ConnectionTest, Credential, CredentialAudit, MirroredOffice
from proposals.services import PortalError
from proposals.services.config_mirror import config_refresh_request
from proposals.services.credentials import (
    connection_test_request,
    credential_activate,
    credential_health,
    credential_save,
)
from proposals.services.workers import worker_heartbeat_get
from proposals.views.access import ADMIN, role_required


def _credential(request, pk) -> Credential:
    return get_object_or_404(Credential, pk=pk, organisation_id=request.user.organisation_id)


@role_required(ADMIN)
@require_GET
def admin_home(request):
    credentials = list(
        Credential.objects.filter(organisation_id=request.user.organisation_id).order_by(
            "environment"
        )
    )
    rows = [(c, credential_health(credential=c)) for c in credentials]
    offices = MirroredOffice.objects.filter(credential__in=credentials).order_by("name")
    tests = {
        t.credential_id: t
        for t in ConnectionTest.objects.filter(credential__in=credentials).order_by("created")
    }
    audit = CredentialAudit.objects.filter(organisation_id=request.user.organisation_id)
    return render(
        request,
        "admin_area/home.html",
        {
            "rows": [(c, h, tests.get(c.pk)) for c, h in rows],
            "offices": offices,
            "audit": audit.select_related("user", "credential")[:20],
            "heartbeat": worker_heartbeat_get(),
        },
    )


def _form_page(request, form, credential=None):
    return render(
        request, "admin_area/credential_form.html", {"form": form, "credential": credential}
    )


@role_required(ADMIN)
@sensitive_post_parameters("client_secret")
@sensitive_variables()  # the cleaned data holds the typed secret
def credential_edit(request, pk=None):
    credential = _credential(request, pk) if pk else None
    organisation = request.user.organisation
    initial = {}
    if credential:
        initial = {
            "environment": credential.environment,
            "api_url": credential.api_url,
            "token_url": credential.token_url,
            "client_id": credential.client_id,
            "make_active": credential.is_active,
        }
    if request.method != "POST":
        form = CredentialForm(initial=initial, organisation=organisation, credential=credential)
        return _form_page(request, form, credential)
    form = CredentialForm(request.POST, organisation=organisation, credential=credential)
    if not form.is_valid():
        return _form_page(request, form, credential)
    data = form.cleaned_data
    try:
        saved = credential_save(
            organisation=organisation,
            user=request.user,
            credential=credential,
            environment=data["environment"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            api_url=data["api_url"],
            token_url=data["token_url"],
            make_active=data["make_active"],
        )
    except PortalError as error:
        form.add_error(None, str(error))
        return _form_page(request, form, credential)
    messages.success(request, f"Saved the {saved.get_environment_display()} credential.")
    return redirect("admin_home")


@role_required(ADMIN)
@require_POST
def credential_make_active(request, pk):
    credential = _credential(request, pk)
    form = ProductionActivationForm(request.POST)
    confirmed = form.is_valid() and form.cleaned_data["confirm_production"]
    try:
        credential = credential_activate(
            credential=credential, user=request.user, confirmed=confirmed
        )
    except PortalError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('admin_home')}#credential-{credential.pk}")
    messages.success(request, f"New submissions now go to {credential.get_environment_display()}.")
    return redirect("admin_home")


@role_required(ADMIN)
@require_POST
def credential_test(request, pk):
    test = connection_test_request(credential=_credential(request, pk), user=request.user)
    messages.info(request, "Testing the connection; the result appears below.")
    return redirect(f"{request.build_absolute_uri('/manage/')}?test={test.pk}#credential-{pk}")


@role_required(ADMIN)
@require_GET
def connection_test_status(request, pk):
    test = get_object_or_404(
        ConnectionTest, pk=pk, credential__organisation_id=request.user.organisation_id
    )
    return JsonResponse(
        {
            "state": test.state,
            "label": test.get_state_display(),
            "message": test.message,
            "trace_id": test.trace_id,
            "offices": test.offices,
            "done": test.state in (ConnectionTest.State.OK, ConnectionTest.State.FAILED),
        }
    )


@role_required(ADMIN)
@require_POST
def credential_refresh_config(request, pk):
    config_refresh_request(credential=_credential(request, pk))
    messages.info(request, "Refreshing the configuration from SFS; reload in a moment.")
    return redirect("admin_home")
