"""Staff see the accepted deals still waiting for documents, oldest decision first, with the
days since the decision and what is still needed; only their own organisation's."""

import pytest
from django.urls import reverse

from proposals.models import Status
from tests.support.proposals import make_proposal

pytestmark = pytest.mark.django_db


def _item(name, *, required=True, received=False, valid=False):
    return {
        "id": {"type": "UPLOADED", "value": abs(hash(name)) % 10_000},
        "documentType": {"id": 1, "code": "OTHER", "name": name},
        "required": required,
        "received": received,
        "valid": valid,
    }


def _accepted(broker, reference, decided, documents, workflow="ACCEPTED"):
    return make_proposal(
        broker=broker,
        status=Status.SENT,
        reference=reference,
        sfs_id=abs(hash(reference)) % 10**9,
        workflow_status=workflow,
        decision_status=workflow,
        decision={"decisionStatus": workflow, "decisionDate": decided},
        documents=documents,
    )


def test_accepted_deals_missing_documents_oldest_first(login, broker, staff, other_broker):
    invoice = [_item("Supplier invoice")]
    newer = _accepted(broker, "IP-DOCS-NEW", "2026-11-30T09:00:00.000Z", invoice)
    needed = [
        _item("Finance agreement"),
        _item("Proof of ID", received=True),
        _item("Leaflet", required=False),
    ]
    older = _accepted(broker, "IP-DOCS-OLD", "2026-11-20T09:00:00.000Z", needed)
    _accepted(broker, "IP-DOCS-DONE", "2026-11-10T09:00:00.000Z",
              [_item("Finance agreement", received=True, valid=True)])  # fmt: skip
    _accepted(other_broker, "IP-DOCS-FOREIGN", "2026-11-01T09:00:00.000Z", [_item("Invoice")])

    response = login(staff).get(reverse("staff_documents"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(older.reference) < page.index(newer.reference)
    assert "IP-DOCS-DONE" not in page and "IP-DOCS-FOREIGN" not in page
    row = page[page.index(older.reference) : page.index(newer.reference)]
    assert "Finance agreement, Proof of ID" in row and "Leaflet" not in row
    assert 'data-stage="documents"' in row


def test_brokers_do_not_get_the_staff_page(login, broker):
    assert login(broker).get(reverse("staff_documents")).status_code == 403
