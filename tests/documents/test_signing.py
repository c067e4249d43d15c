"""E-signature: the broker's page, its bad inputs, and the job against the real sandbox."""

import json
import time

import pytest
from django.urls import reverse

from proposals import jobs
from proposals.models import Notification, Proposal, ProposalEvent
from proposals.services.refresh import refresh_cycle
from proposals.services.signing import signing_send
from tests.documents.conftest import NEVER, document_of

SIGNING_DELAY = 0.3  # seconds: SENT after one delay, signed or declined after another


@pytest.fixture
def enqueued(monkeypatch):
    """The signing jobs the service asked for, as Celery would carry them (through JSON)."""
    asked = []

    def record(task_name, *args, countdown=None):
        asked.append((task_name, json.loads(json.dumps(args))))

    monkeypatch.setattr(jobs, "job_enqueue", record)
    return asked


@pytest.fixture
def quick_signing(documents_sandbox):
    documents_sandbox.set_settings(signingDelaySeconds=SIGNING_DELAY)
    yield
    documents_sandbox.set_settings(signingDelaySeconds=NEVER)


def _key(item) -> str:
    return f"{item['id']['type']}:{item['id']['value']}"


def _post(proposal, *codes, people=(("Ann", "Archer", "ann@example.com"),), cc="", keys=()):
    data = {
        "documents": [_key(document_of(proposal, code)) for code in codes] + list(keys),
        "cc": cc,
        "signatories-TOTAL_FORMS": str(len(people)),
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "1",
        "signatories-MAX_NUM_FORMS": "10",
    }
    for index, (first, last, email) in enumerate(people):
        data[f"signatories-{index}-first_name"] = first
        data[f"signatories-{index}-last_name"] = last
        data[f"signatories-{index}-email"] = email
        data[f"signatories-{index}-job_title"] = ""
    return data


def _url(proposal):
    return reverse("proposal_signing", args=[proposal.pk])


def _mirror_until(proposal, credential, wanted, seconds=15.0):
    """Refresh cycles until ``wanted(proposal)`` holds for the mirror."""
    deadline = time.monotonic() + seconds
    while True:
        refresh_cycle(credential=credential)
        proposal.refresh_from_db()
        if wanted(proposal) or time.monotonic() > deadline:
            return proposal
        time.sleep(0.2)


def _request_status(proposal, code):
    return (document_of(proposal, code).get("signingRequest") or {}).get("status")


# -- the page ------------------------------------------------------------------------------------


def test_the_page_offers_only_what_sfs_allows_and_one_empty_row(accepted, login, broker):
    page = login(broker).get(_url(accepted)).content.decode()
    assert _key(document_of(accepted, "AGREEMENT")) in page
    assert _key(document_of(accepted, "DD_MANDATE")) in page
    assert document_of(accepted, "SUPPLIER_INVOICE")["sendSigningRequestAllowed"] is False
    assert _key(document_of(accepted, "SUPPLIER_INVOICE")) not in page
    assert 'name="signatories-TOTAL_FORMS" value="1"' in page
    assert 'name="signatories-0-email"' in page and 'name="signatories-1-email"' not in page


def test_a_typed_in_customers_partners_are_prefilled(accepted, login, broker):
    accepted.customer_kind = "manual"
    accepted.customer = {
        "companyName": "Archer & Bow",
        "partners": [
            {"firstName": "Ann", "lastName": "Archer"},
            {"firstName": "Bo", "lastName": "Bow"},
        ],
    }
    accepted.save(update_fields=["customer_kind", "customer"])
    page = login(broker).get(_url(accepted)).content.decode()
    assert 'value="Archer"' in page and 'value="Bow"' in page
    assert 'name="signatories-TOTAL_FORMS" value="2"' in page


def test_the_checklist_links_to_the_page_for_the_broker_only(accepted, login, broker, staff):
    detail = reverse("proposal_detail", args=[accepted.pk])
    assert "data-send-for-signing" in login(broker).get(detail).content.decode()
    staff_page = login(staff).get(reverse("staff_proposal", args=[accepted.pk])).content.decode()
    assert "data-send-for-signing" not in staff_page
    assert login(staff).get(_url(accepted)).status_code == 403


# -- bad inputs ----------------------------------------------------------------------------------


def test_a_signatory_without_email_is_told_next_to_the_field_and_keeps_what_was_typed(
    accepted, login, broker, enqueued
):
    data = _post(accepted, "AGREEMENT", people=[("Ann", "Archer", "")], cc="boss@example.com")
    response = login(broker).post(_url(accepted), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_signatories-0-email_error"' in page
    assert "Enter the signatory&#x27;s email" in page
    assert 'value="Ann"' in page and 'value="Archer"' in page
    assert 'value="boss@example.com"' in page
    assert enqueued == []


def test_a_forged_document_sfs_does_not_allow_is_refused(accepted, login, broker, enqueued):
    invoice = _key(document_of(accepted, "SUPPLIER_INVOICE"))
    response = login(broker).post(_url(accepted), _post(accepted, keys=[invoice]))
    page = response.content.decode()
    assert response.status_code == 400
    assert "SFS does not allow signing this document now" in page
    assert 'id="id_documents_error"' in page
    assert enqueued == []


def test_documents_that_cannot_be_combined_are_refused_together(accepted, login, broker, enqueued):
    documents = accepted.documents
    next(d for d in documents if d["documentType"]["code"] == "DD_MANDATE")[
        "canBeSignedCombined"
    ] = False
    Proposal.objects.filter(pk=accepted.pk).update(documents=documents)
    response = login(broker).post(_url(accepted), _post(accepted, "AGREEMENT", "DD_MANDATE"))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_documents_error"' in page and "on its own" in page
    assert enqueued == []


def test_a_wrong_cc_address_is_told(accepted, login, broker, enqueued):
    data = _post(accepted, "AGREEMENT", cc="ok@example.com, not-an-address")
    page = login(broker).post(_url(accepted), data).content.decode()
    assert 'id="id_cc_error"' in page and "not-an-address" in page
    assert enqueued == []


def test_adding_a_signatory_keeps_every_row_typed(accepted, login, broker, enqueued):
    data = _post(accepted, "AGREEMENT", people=[("Ann", "Archer", "ann@")])
    data["add_signatory"] = "1"
    page = login(broker).post(_url(accepted), data).content.decode()
    assert 'value="ann@"' in page and 'name="signatories-1-email"' in page
    assert 'name="signatories-TOTAL_FORMS" value="2"' in page
    assert enqueued == []


# -- the job, against the sandbox ----------------------------------------------------------------


def _send_through_the_page(client, proposal, enqueued, *codes, people):
    response = client.post(_url(proposal), _post(proposal, *codes, people=people))
    assert response.status_code == 302, response.content.decode()[:2000]
    task_name, (proposal_id, payload) = enqueued.pop()
    assert task_name == jobs.SIGNING and proposal_id == proposal.pk
    return signing_send(proposal_id=proposal_id, payload=payload)


def test_agreement_and_mandate_signed_by_one_signatory(
    accepted, credential, login, broker, enqueued, quick_signing
):
    client = login(broker)
    people = [("Ann", "Archer", "ann@example.com")]
    assert _send_through_the_page(client, accepted, enqueued, "AGREEMENT", "DD_MANDATE",
                                  people=people) == "sent"  # fmt: skip
    accepted.refresh_from_db()
    assert _request_status(accepted, "AGREEMENT") in ("AUTHORING", "SENT")
    event = ProposalEvent.objects.filter(proposal=accepted, kind="signing_sent").get()
    assert event.message.startswith("Sent for e-signature to Ann Archer <ann@example.com>")
    proposal = _mirror_until(
        accepted,
        credential,
        lambda p: {_request_status(p, c) for c in ("AGREEMENT", "DD_MANDATE")} == {"COMPLETED"},
    )
    assert _request_status(proposal, "AGREEMENT") == "COMPLETED"
    assert _request_status(proposal, "DD_MANDATE") == "COMPLETED"
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "Ann Archer: " in page and ">signed</span>" in page


def test_a_decline_shows_and_a_new_request_can_be_sent(
    accepted, credential, login, broker, enqueued, quick_signing
):
    client = login(broker)
    people = [("Dee", "Clyne", "dee.decline@example.com")]
    assert _send_through_the_page(client, accepted, enqueued, "AGREEMENT", people=people) == "sent"
    proposal = _mirror_until(
        accepted, credential, lambda p: _request_status(p, "AGREEMENT") == "DECLINED"
    )
    assert _request_status(proposal, "AGREEMENT") == "DECLINED"
    detail = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "Dee Clyne: " in detail and ">declined</span>" in detail
    assert "data-send-for-signing" in detail
    again = [("Ann", "Archer", "ann@example.com")]
    assert _send_through_the_page(client, proposal, enqueued, "AGREEMENT", people=again) == "sent"
    proposal.refresh_from_db()
    people_now = document_of(proposal, "AGREEMENT")["signingRequest"]["signatories"]
    assert [p["email"] for p in people_now] == ["ann@example.com"]


def test_a_stale_etag_is_read_again_and_the_request_goes_once(accepted, documents_sandbox):
    Proposal.objects.filter(pk=accepted.pk).update(etag='"stale"')
    payload = {
        "documentIds": [document_of(accepted, "AGREEMENT")["id"]],
        "signatories": [{"firstName": "Ann", "lastName": "Archer", "email": "ann@example.com"}],
        "emailsInCC": "",
    }
    assert signing_send(proposal_id=accepted.pk, payload=payload) == "sent"
    accepted.refresh_from_db()
    assert accepted.etag != '"stale"'
    assert _request_status(accepted, "AGREEMENT") == "AUTHORING"
    by_endpoint = documents_sandbox.stats()["requests"]["byEndpoint"]
    assert by_endpoint.get("POST /proposals/{id}/documents/signing", 0) >= 2


def test_sfs_refusing_the_document_is_recorded_and_told(accepted, broker):
    payload = {
        "documentIds": [document_of(accepted, "SUPPLIER_INVOICE")["id"]],
        "signatories": [{"firstName": "Ann", "lastName": "Archer", "email": "ann@example.com"}],
        "emailsInCC": "",
    }
    assert signing_send(proposal_id=accepted.pk, payload=payload) == "refused"
    event = ProposalEvent.objects.filter(proposal=accepted, kind="signing_refused").get()
    assert "SFS does not allow signing this document now" in event.message
    note = Notification.objects.get(user=broker, proposal=accepted, kind="signing_refused")
    assert "SFS does not allow signing this document now" in note.message
