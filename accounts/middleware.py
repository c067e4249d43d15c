"""Two-factor enforcement: after the password, the second factor, before any other page.

A logged-in person who must pass a second factor (``two_factor_required``) and has not yet in
this session is sent to enrol (no device yet) or to verify (a device), with ``next`` kept, from
every page except the two-factor pages themselves, logout and public pages (healthz, password
reset, invitations, SFS's notifications: views marked ``login_not_required``). Static files
never reach here (whitenoise answers first).

Django admin's own login form is not used: it would be a second way in beside the portal's
login (with its throttling and two-factor), so it is sent to the portal's login.

Placed after ``OTPMiddleware`` (which sets ``request.user.is_verified``) and after Django's
``LoginRequiredMiddleware`` (anonymous visitors are sent to log in first).
"""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url

from accounts.services.two_factor import two_factor_enrolled, two_factor_required

# The pages an unverified person may still open.
OPEN_BEFORE_VERIFYING = {"logout", "two_factor_enrol", "two_factor_verify", "admin:logout"}


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        view_name = match.view_name if match else ""
        if view_name == "admin:login":
            next_url = request.GET.get("next") or resolve_url("admin:index")
            return redirect_to_login(next_url, resolve_url("login"))
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if not getattr(view_func, "login_required", True) or view_name in OPEN_BEFORE_VERIFYING:
            return None
        if not two_factor_required(user):
            return None
        target = "two_factor_verify" if two_factor_enrolled(user) else "two_factor_enrol"
        return redirect_to_login(request.get_full_path(), resolve_url(target))
