"""Notifications: anyone's own, newest first, and "mark all read"."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from proposals.services.notifications import (
    notifications_for_user,
    notifications_mark_all_read,
)
from proposals.views.access import ANYONE, role_required


@role_required(ANYONE)
@require_GET
def notification_list(request):
    page = Paginator(notifications_for_user(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@role_required(ANYONE)
@require_POST
def notifications_read(request):
    marked = notifications_mark_all_read(user=request.user)
    messages.success(
        request, f"{marked} notification(s) marked as read." if marked else "Nothing unread."
    )
    return redirect("notifications")
