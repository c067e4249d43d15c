"""SFS's notifications reach the portal here (CONTRACT.md 6.12), and admins rotate the key.

The receiver is the portal's only CSRF-exempt view: SFS has no session and no CSRF token, so
the `X-API-KEY` header is the whole of its authentication. Nothing is read or written before
the key matched; the body is read up to 16 KB (one byte more tells a body that is too large).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from proposals.models import Credential
from proposals.services.sfs_notifications import credential_for_key, endpoint_key_rotate
from proposals.services.sfs_receiver import (
    MAX_BODY_BYTES,
    NotificationMalformed,
    notification_receive,
)
from proposals.views.access import ADMIN, role_required


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


@csrf_exempt
@login_not_required
@require_POST
def sfs_notification(request):
    credential_id = credential_for_key(request.headers.get("X-API-KEY", ""))
    if credential_id is None:
        return HttpResponse(status=401)
    declared = _declared_length(request)
    if declared is None:
        return HttpResponse(status=400)
    if declared > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    try:
        notification_receive(credential_id=credential_id, body=body)
    except NotificationMalformed as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    return HttpResponse(status=204)


@role_required(ADMIN)
@require_POST
def notification_key_rotate(request, pk):
    credential = get_object_or_404(Credential, pk=pk, organisation_id=request.user.organisation_id)
    endpoint_key_rotate(credential=credential, user=request.user)
    messages.info(request, "A new notification key is made; SFS is being told.")
    return redirect(f"{reverse('admin_home')}#credential-{credential.pk}")
