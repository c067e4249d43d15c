"""Home: every role lands on its own page (the broker's list is in ``proposals.py``)."""

from django.shortcuts import redirect


def home(request):
    if request.user.is_broker:
        return redirect("broker_home")
    if request.user.is_portal_admin:
        return redirect("admin_home")
    return redirect("staff_home")
