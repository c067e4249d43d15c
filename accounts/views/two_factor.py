"""Two-factor pages: enrol, verify at login, recovery codes, the person's own settings and an
admin's reset of someone else's. Thin: the rules are in ``accounts.services.two_factor``."""

import django_otp
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.services.two_factor import (
    TwoFactorError,
    recovery_codes_left,
    recovery_codes_regenerate,
    two_factor_enrol_confirm,
    two_factor_enrolled,
    two_factor_enrolment_device,
    two_factor_may_turn_off,
    two_factor_qr_svg,
    two_factor_required,
    two_factor_reset,
    two_factor_secret_text,
    two_factor_turn_off,
    two_factor_verify,
)
from accounts.two_factor_forms import EnrolForm, TurnOffForm, VerifyForm
from proposals.views.access import ADMIN, ANYONE, role_required

# The codes just issued, shown once on the next page and then gone from the session.
FRESH_CODES_KEY = "two_factor_fresh_codes"


def _next_url(request) -> str:
    """Where to go after verifying: ``next`` when it is this site's, else home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _mark_verified(request, device) -> None:
    """This session has passed the second factor; a new session key, as at any login."""
    request.session.cycle_key()
    django_otp.login(request, device)


def _show_codes_once(request, codes: list[str], *, then: str):
    request.session[FRESH_CODES_KEY] = {"codes": codes, "then": then}
    return redirect("two_factor_recovery_codes")


@never_cache
@sensitive_post_parameters("code")
@role_required(ANYONE)
def two_factor_enrol(request):
    user = request.user
    if two_factor_enrolled(user):
        # A second app only through the settings page of a verified session (never as a way
        # round verifying).
        return redirect("two_factor_settings" if user.is_verified() else "two_factor_verify")
    device = two_factor_enrolment_device(user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_enrol_confirm(user=user, code=form.cleaned_data["code"])
        except TwoFactorError as error:
            form.refuse(str(error))
        else:
            device.refresh_from_db()
            _mark_verified(request, device)
            return _show_codes_once(request, codes, then=_next_url(request))
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": two_factor_qr_svg(device),
            "secret": two_factor_secret_text(device),
            "required": two_factor_required(user) and not two_factor_may_turn_off(user),
            "next": _next_url(request),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@role_required(ANYONE)
def two_factor_verify_view(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not two_factor_enrolled(user):
        return redirect("two_factor_enrol")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, left = two_factor_verify(user=user, code=form.cleaned_data["code"])
        except TwoFactorError as error:
            form.refuse(str(error))
        else:
            _mark_verified(request, device)
            if left is not None:
                level = messages.WARNING if left <= 2 else messages.INFO
                messages.add_message(
                    request,
                    level,
                    f"You used a recovery code; {left} left. "
                    "Make new ones on the Two-factor page if you are running low.",
                )
            return redirect(_next_url(request))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@role_required(ANYONE)
def two_factor_recovery_codes(request):
    fresh = request.session.pop(FRESH_CODES_KEY, None)
    if not isinstance(fresh, dict) or not fresh.get("codes"):
        return redirect("two_factor_settings")
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": fresh["codes"], "then": fresh.get("then") or reverse("home")},
    )


@never_cache
@role_required(ANYONE)
def two_factor_settings(request):
    user = request.user
    return render(
        request,
        "accounts/two_factor_settings.html",
        {
            "enrolled": two_factor_enrolled(user),
            "codes_left": recovery_codes_left(user),
            "may_turn_off": two_factor_may_turn_off(user),
            "turn_off_form": TurnOffForm(),
        },
    )


@require_POST
@role_required(ANYONE)
def two_factor_regenerate(request):
    try:
        codes = recovery_codes_regenerate(user=request.user)
    except TwoFactorError as error:
        messages.error(request, str(error))
        return redirect("two_factor_settings")
    return _show_codes_once(request, codes, then=reverse("two_factor_settings"))


@never_cache
@require_POST
@sensitive_post_parameters("code")
@role_required(ANYONE)
def two_factor_turn_off_view(request):
    user = request.user
    if not two_factor_may_turn_off(user):
        raise PermissionDenied("Two-factor authentication is required for your role.")
    form = TurnOffForm(request.POST)
    if form.is_valid():
        try:
            two_factor_turn_off(user=user, code=form.cleaned_data["code"])
        except TwoFactorError as error:
            form.refuse(str(error))
        else:
            messages.success(request, "Two-factor authentication is off.")
            return redirect("two_factor_settings")
    return render(
        request,
        "accounts/two_factor_settings.html",
        {
            "enrolled": two_factor_enrolled(user),
            "codes_left": recovery_codes_left(user),
            "may_turn_off": two_factor_may_turn_off(user),
            "turn_off_form": form,
        },
        status=400,
    )


@require_POST
@role_required(ADMIN)
def two_factor_reset_view(request, pk):
    """An admin clears a person's two-factor devices; another organisation's person is 404."""
    person = get_object_or_404(
        get_user_model(), pk=pk, organisation_id=request.user.organisation_id
    )
    try:
        two_factor_reset(actor=request.user, subject=person)
    except TwoFactorError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Two-factor authentication of {person} was reset: "
            "they set it up again at their next page.",
        )
    return redirect(_next_url(request))
