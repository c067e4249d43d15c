"""Password reset by email and password change: Django's views, in the portal's design,
throttled and audited. Every reset request answers the same page, whether an address has an
account or not, and whether or not it was throttled."""

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from accounts.forms import PortalPasswordChangeForm, PortalPasswordResetForm, PortalSetPasswordForm
from accounts.services.passwords import (
    password_changed_record,
    password_reset_allowed,
    password_reset_completed_record,
)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        allowed = password_reset_allowed(
            email=form.cleaned_data["email"], client_ip=get_client_ip_address(self.request)
        )
        if allowed:
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reset_hours"] = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600))
        return context


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        password_reset_completed_record(user=form.user)
        # Whoever proved they read the account's email may try to log in again at once.
        axes_reset(username=form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        # Django keeps this session and ends the account's other sessions.
        response = super().form_valid(form)
        password_changed_record(user=form.user)
        messages.success(self.request, "Your password was changed.")
        return response


password_reset = PasswordResetView.as_view()
password_reset_done = PasswordResetDoneView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
password_change = PasswordChangeView.as_view()
