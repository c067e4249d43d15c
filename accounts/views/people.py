"""An organisation admin's people page: users and open invitations, inviting, re-sending and
withdrawing, disabling and re-enabling; and the public page an invitation link opens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import InvitationAcceptForm, InvitationForm
from accounts.models import Invitation, InvitationState
from accounts.services.invitations import (
    InvitationRefused,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_withdraw,
)
from accounts.services.people import (
    account_audit_recent,
    invitations_open,
    people_list,
    person_disable,
    person_enable,
)
from proposals.models import User
from proposals.services import PortalError
from proposals.views.access import ADMIN, role_required


def _people_page(request, form, status=200):
    organisation = request.user.organisation
    context = {
        "people": people_list(organisation=organisation),
        "invitations": invitations_open(organisation=organisation),
        "audit": account_audit_recent(organisation=organisation),
        "form": form,
    }
    return render(request, "accounts/people.html", context, status=status)


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


def _invitation(request, pk) -> Invitation:
    return get_object_or_404(Invitation, pk=pk, organisation_id=request.user.organisation_id)


def _person(request, pk) -> User:
    return get_object_or_404(User, pk=pk, organisation_id=request.user.organisation_id)


@role_required(ADMIN)
@require_GET
def people(request):
    return _people_page(request, InvitationForm())


def _done(request, action, success: str):
    """Runs an admin's action on the People page and goes back there with its outcome."""
    try:
        action()
    except PortalError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, success)
    return redirect("people")


@role_required(ADMIN)
@require_POST
def invitation_new(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_create(
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                site_url=_site_url(request),
            )
        except InvitationRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, f"An invitation was emailed to {invitation.email}.")
            return redirect("people")
    return _people_page(request, form)


@role_required(ADMIN)
@require_POST
def invitation_resend_view(request, pk):
    invitation = _invitation(request, pk)
    return _done(
        request,
        lambda: invitation_resend(
            actor=request.user, invitation=invitation, site_url=_site_url(request)
        ),
        f"A new invitation was emailed to {invitation.email}; the old link is dead.",
    )


@role_required(ADMIN)
@require_POST
def invitation_withdraw_view(request, pk):
    invitation = _invitation(request, pk)
    return _done(
        request,
        lambda: invitation_withdraw(actor=request.user, invitation=invitation),
        f"The invitation to {invitation.email} was withdrawn.",
    )


@role_required(ADMIN)
@require_POST
def person_disable_view(request, pk):
    person = _person(request, pk)
    return _done(
        request,
        lambda: person_disable(actor=request.user, person=person),
        f"{person} is disabled and was signed out everywhere.",
    )


@role_required(ADMIN)
@require_POST
def person_enable_view(request, pk):
    person = _person(request, pk)
    return _done(
        request,
        lambda: person_enable(actor=request.user, person=person),
        f"{person} can log in again.",
    )


# A link whose token is unknown (never issued, or replaced by a re-send) says no more than that.
UNUSABLE = {
    None: "This invitation link is not valid. It may have been replaced by a newer email.",
    InvitationState.EXPIRED: "This invitation has expired.",
    InvitationState.ACCEPTED: "This invitation was already used to create an account.",
    InvitationState.WITHDRAWN: "This invitation was withdrawn.",
}


def _unusable(request, state):
    return render(request, "accounts/invite_unusable.html", {"reason": UNUSABLE[state]})


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept_view(request, token):
    if request.user.is_authenticated:
        return render(request, "accounts/invite_logged_in.html")
    invitation = invitation_for_token(token=token)
    state = invitation.state if invitation else None
    if state != InvitationState.PENDING:
        return _unusable(request, state)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except InvitationRefused as refused:
            if refused.field is None:
                return render(request, "accounts/invite_unusable.html", {"reason": str(refused)})
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, "Your account is ready: log in with your new password.")
            return redirect("login")
    return render(request, "accounts/invite_accept.html", {"form": form, "invitation": invitation})
