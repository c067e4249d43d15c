"""Staff: the accepted deals still waiting for documents (issue 13)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from proposals.selectors_documents import documents_outstanding
from proposals.views.access import STAFF, role_required


@role_required(STAFF)
@require_GET
def staff_documents(request):
    rows = documents_outstanding(user=request.user)
    return render(request, "staff/documents.html", {"rows": rows})
