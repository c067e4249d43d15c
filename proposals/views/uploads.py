"""A broker's file for a checklist item (POST), and the state of the proposal's uploads (GET,
polled by static/js/uploads.js). The service checks the file again by its content, whatever the
browser already said."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from proposals.models import DocumentUpload
from proposals.selectors import proposal_get_for_user
from proposals.services.uploads import (
    UploadRefused,
    document_upload_start,
    upload_words,
    uploads_latest_by_item,
)
from proposals.views.access import BROKER, role_required


def _payload(upload: DocumentUpload) -> dict:
    return {
        "id": upload.pk,
        "state": upload.state,
        "open": upload.is_open,
        "fileName": upload.file_name,
        "words": upload_words(upload),
    }


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@role_required(BROKER)
@require_http_methods(["GET", "POST"])
def proposal_document_upload(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        latest = uploads_latest_by_item(proposal)
        return JsonResponse({"uploads": {key: _payload(up) for key, up in latest.items()}})
    item = f"{request.POST.get('id_type', '')}-{request.POST.get('id_value', '')}"
    try:
        upload = document_upload_start(
            proposal=proposal,
            user=request.user,
            uploaded=request.FILES.get("file"),
            id_type=request.POST.get("id_type", ""),
            id_value=request.POST.get("id_value", ""),
            document_type_id=request.POST.get("document_type_id") or None,
        )
    except UploadRefused as refused:
        if _wants_json(request):
            return JsonResponse({"item": item, "error": str(refused)}, status=400)
        messages.error(request, str(refused))
        return redirect("proposal_detail", pk=proposal.pk)
    if _wants_json(request):
        return JsonResponse({"item": item, "upload": _payload(upload)}, status=201)
    messages.success(request, f"{upload.file_name} is on its way to SFS.")
    return redirect("proposal_detail", pk=proposal.pk)
