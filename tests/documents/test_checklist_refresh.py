"""The refresh follows an accepted proposal to its activation and mirrors SFS's checklist."""

import re

from django.core import mail
from django.urls import reverse

from proposals.lifecycle import Stage, stage_of
from proposals.models import Notification, Proposal
from proposals.services.refresh import open_proposals, refresh_cycle
from proposals.services.siesmart_access import client_for
from tests.documents.conftest import checklist_reads, decide, document_of

TYPE_CODES = ("AGREEMENT", "DD_MANDATE", "SUPPLIER_INVOICE", "GENERATED", "UPLOADED")


def test_the_refresh_of_an_accepted_proposal_stores_its_checklist(
    accepted, credential, documents_sandbox
):
    codes = [item["documentType"]["code"] for item in accepted.documents]
    assert codes[:3] == ["AGREEMENT", "DD_MANDATE", "SUPPLIER_INVOICE"]
    assert accepted.documents_checked_at is not None
    assert accepted.documents_outstanding
    assert stage_of(accepted) == Stage.DOCUMENTS
    # Accepted is not the end: the proposal stays open until SFS activates it.
    assert open_proposals(credential).filter(pk=accepted.pk).exists()


def test_a_quiet_cycle_reads_no_checklist(accepted, credential, documents_sandbox):
    reads = checklist_reads(documents_sandbox)
    figures = refresh_cycle(credential=credential)
    assert figures["changed"] == 0 and figures["calls"] <= 2
    assert checklist_reads(documents_sandbox) == reads


def test_a_moved_version_reads_the_checklist_again_and_a_review_shows(
    accepted, credential, documents_sandbox
):
    invoice = document_of(accepted, "SUPPLIER_INVOICE")
    client = client_for(credential=credential)
    client.upload_document(
        accepted.sfs_id,
        etag=accepted.etag,
        file=b"%PDF-1.4\n% an invoice\n",
        document_type_id=invoice["documentType"]["id"],
        file_name="invoice.pdf",
        document_id=invoice["id"],
    )
    kind, value = invoice["id"]["type"], invoice["id"]["value"]
    documents_sandbox.control(
        "POST",
        f"/__sandbox__/proposals/{accepted.sfs_id}/documents/{kind}/{value}/review",
        {"valid": False, "reason": "Unreadable document", "reasonNote": "The scan is blank."},
    )
    reads = checklist_reads(documents_sandbox)
    refresh_cycle(credential=credential)
    assert checklist_reads(documents_sandbox) == reads + 1
    accepted.refresh_from_db()
    mirrored = document_of(accepted, "SUPPLIER_INVOICE")
    assert mirrored["received"] is True and mirrored["valid"] is False
    assert mirrored["reason"] == "Unreadable document"
    assert stage_of(accepted) == Stage.DOCUMENTS


def test_all_received_and_valid_reads_accepted_not_documents(accepted):
    for item in accepted.documents:
        item["received"] = item["valid"] = True
    assert not accepted.documents_outstanding
    assert stage_of(accepted) == Stage.DECIDED


def test_activation_shows_the_contract_and_closes_the_proposal(
    accepted, credential, documents_sandbox, login, broker, django_capture_on_commit_callbacks
):
    documents_sandbox.control("POST", f"/__sandbox__/proposals/{accepted.sfs_id}/activate")
    with django_capture_on_commit_callbacks(execute=True):  # the email goes after commit
        refresh_cycle(credential=credential)
    accepted.refresh_from_db()
    assert accepted.workflow_status == "ACTIVATED"
    assert re.fullmatch(r"C\d{8}", accepted.contract_no)
    assert stage_of(accepted) == Stage.ACTIVE
    assert not open_proposals(credential).filter(pk=accepted.pk).exists()
    page = login(broker).get(reverse("proposal_detail", args=[accepted.pk])).content.decode()
    assert f"Contract {accepted.contract_no} is active" in page
    # The broker is told, on the page's bell and by email, with a link to the proposal.
    told = Notification.objects.get(proposal=accepted, kind="activated")
    assert f"Contract {accepted.contract_no} is active" in told.message
    email = next(m for m in mail.outbox if accepted.contract_no in m.body)
    assert reverse("proposal_detail", args=[accepted.pk]) in email.body


def _visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_lists_the_documents_in_words(accepted, credential, documents_sandbox, login,
                                               broker, staff):  # fmt: skip
    invoice = document_of(accepted, "SUPPLIER_INVOICE")
    invoice.update(received=True, valid=False, reason="Unreadable document", reasonNote="Blank.")
    Proposal.objects.filter(pk=accepted.pk).update(documents=accepted.documents)
    for user, url_name in ((broker, "proposal_detail"), (staff, "staff_proposal")):
        page = login(user).get(reverse(url_name, args=[accepted.pk])).content.decode()
        start = page.index("data-checklist")
        section = page[start : page.index("</section>", start)]
        text = _visible_text(section)
        agreement = document_of(accepted, "AGREEMENT")["documentType"]["name"]
        assert agreement in text and invoice["documentType"]["name"] in text
        assert "Required" in text and "Not yet" in text
        assert "Sign the " in text  # the agreement: send it for e-signature
        assert "SFS rejected it: upload the supplier invoice again." in text
        assert "Why: Unreadable document: Blank." in text
        assert not any(code in text for code in TYPE_CODES), text
        assert "The decision document" in text


def test_a_more_information_decision_is_followed_too(sent, credential, documents_sandbox):
    decide(documents_sandbox, sent, "MORE_INFORMATION")
    refresh_cycle(credential=credential)
    sent.refresh_from_db()
    assert sent.workflow_status == "MORE_INFORMATION"
    assert sent.documents_checked_at is not None
    assert open_proposals(credential).filter(pk=sent.pk).exists()
    assert stage_of(sent) == Stage.DOCUMENTS
