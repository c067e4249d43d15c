"""Admins ask the workers to check in, and see when they last did."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from proposals.services.workers import worker_heartbeat_get, worker_heartbeat_request
from proposals.views.access import ADMIN, role_required


@role_required(ADMIN)
@require_POST
def workers_check(request):
    worker_heartbeat_request()
    messages.info(request, "Asked the workers to check in; the time below updates when one does.")
    return redirect("admin_home")


@role_required(ADMIN)
@require_GET
def workers_status(request):
    beat = worker_heartbeat_get()
    return JsonResponse({"last_seen": beat["at"].isoformat() if beat else None})
