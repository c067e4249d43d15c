"""Home: every role lands on its own page (the broker's list is in ``proposals.py``)."""

from django.shortcuts import redirect, render

from proposals.selectors import proposals_for_user
from proposals.views.access import STAFF, role_required


def home(request):
    if request.user.is_broker:
        return redirect("broker_home")
    if request.user.is_portal_admin:
        return redirect("admin_home")
    return redirect("staff_home")


@role_required(STAFF)
def staff_home(request):
    proposals = (
        proposals_for_user(user=request.user).select_related("broker").order_by("-updated")[:50]
    )
    return render(request, "staff/home.html", {"proposals": proposals})
