"""A broker's file for SFS's checklist (issue 13, Upload): checked by content, stored, sent by
the upload job once, against a real sandbox process. The job runs in-process (the service the
task calls); a worker is not needed to show what it does."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from proposals.models import DocumentUpload, Proposal, UploadState
from proposals.services.refresh import refresh_cycle
from proposals.services.siesmart_access import client_for
from proposals.services.uploads import (
    ALREADY_ON_ITS_WAY,
    UploadRefused,
    document_upload_run,
    document_upload_start,
    upload_file_name_clean,
)
from proposals.siesmart import errors
from tests.documents.conftest import NEVER, document_of
from tests.support.two_factor import login_verified

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UPLOAD_ENDPOINT = "POST /proposals/{id}/documents"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def sandbox(documents_sandbox):
    documents_sandbox.set_faults()
    documents_sandbox.reset_stats()
    yield documents_sandbox
    documents_sandbox.set_faults()


def pdf(name="invoice.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def start(proposal, broker, file, code="SUPPLIER_INVOICE"):
    item = document_of(proposal, code)["id"]
    return document_upload_start(
        proposal=proposal,
        user=broker,
        uploaded=file,
        id_type=item["type"],
        id_value=str(item["value"]),
    )


def sfs_item(credential, proposal, code="SUPPLIER_INVOICE"):
    checklist = client_for(credential=credential).list_documents(proposal.sfs_id)
    return next(doc for doc in checklist if doc.type_code == code), checklist


def uploads_at_sfs(sandbox) -> int:
    return sandbox.stats()["requests"]["byEndpoint"].get(UPLOAD_ENDPOINT, 0)


# -- bad input --------------------------------------------------------------------------------


def test_a_20_mb_file_is_refused_and_nothing_is_kept(accepted, broker):
    big = pdf(content=PDF + b"\0" * (20 * 1024 * 1024))
    with pytest.raises(UploadRefused, match="up to 10 MiB"):
        start(accepted, broker, big)
    assert not DocumentUpload.objects.exists()


def test_an_executable_renamed_pdf_is_refused(accepted, broker):
    program = pdf(name="invoice.pdf", content=b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200)
    with pytest.raises(UploadRefused, match="not a PDF, PNG or JPEG"):
        start(accepted, broker, program)
    assert not DocumentUpload.objects.exists()


def test_an_empty_file_is_refused(accepted, broker):
    with pytest.raises(UploadRefused, match="empty"):
        start(accepted, broker, pdf(content=b""))


def test_a_file_name_is_cleaned_of_path_parts_control_characters_and_length():
    assert upload_file_name_clean("../../etc/passwd.pdf") == "passwd.pdf"
    assert upload_file_name_clean("C:\\Users\\me\\invoice.pdf") == "invoice.pdf"
    assert upload_file_name_clean("in\x00vo\r\nice\x1b.pdf") == "invoice.pdf"
    long = upload_file_name_clean("a" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
    assert upload_file_name_clean("\x00/", extension="png") == "document.png"


def test_the_stored_row_keeps_the_clean_name_and_the_type_by_content(accepted, broker):
    upload = start(accepted, broker, pdf(name="../" + "b" * 300 + "\n.jpg"))
    assert upload.content_type == "application/pdf"  # by its bytes, not by ".jpg"
    assert len(upload.file_name) == 200 and upload.file_name.endswith(".jpg")
    assert "/" not in upload.file_name and "\n" not in upload.file_name
    with upload.file.open("rb") as handle:
        assert handle.read() == PDF
    assert "b" * 20 not in upload.file.name  # stored under a name of our own


# -- the job ----------------------------------------------------------------------------------


def test_an_upload_is_sent_and_the_checklist_mirrored(accepted, broker, credential, sandbox):
    upload = start(accepted, broker, pdf())
    assert document_upload_run(upload_id=upload.pk) == "sent"
    upload.refresh_from_db()
    assert upload.state == UploadState.SENT and upload.attempts == 1
    item, checklist = sfs_item(credential, accepted)
    assert item.received and not item.valid
    accepted.refresh_from_db()
    assert document_of(accepted, "SUPPLIER_INVOICE")["received"] is True
    assert accepted.etag == checklist.etag  # the upload's new version is the one held
    assert uploads_at_sfs(sandbox) == 1


def test_while_sfs_answers_503_it_stays_queued_and_is_sent_once_sfs_is_back(
    accepted, broker, credential, sandbox
):
    upload = start(accepted, broker, pdf())
    sandbox.set_faults(serverErrorRate=1, serverErrorStatus=503, endpoints=[UPLOAD_ENDPOINT])
    with pytest.raises(errors.ServerError) as raised:
        document_upload_run(upload_id=upload.pk)
    assert raised.value.retryable  # the task's policy comes back later
    upload.refresh_from_db()
    assert upload.state == UploadState.QUEUED
    assert not sfs_item(credential, accepted)[0].received

    sandbox.set_faults()
    sandbox.reset_stats()
    assert document_upload_run(upload_id=upload.pk) == "sent"
    assert document_upload_run(upload_id=upload.pk) == "skipped"  # a duplicate delivery
    upload.refresh_from_db()
    assert upload.state == UploadState.SENT and upload.attempts == 2
    assert sfs_item(credential, accepted)[0].received
    assert uploads_at_sfs(sandbox) == 1


def test_the_same_item_from_two_tabs_one_file_at_sfs_the_other_told(
    accepted, broker, credential, sandbox
):
    first = start(accepted, broker, pdf(name="first.pdf"))
    with pytest.raises(UploadRefused) as refused:
        start(accepted, broker, pdf(name="second.pdf"))
    assert str(refused.value) == ALREADY_ON_ITS_WAY
    # Both tabs past the check at once: the constraint lets one row in.
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentUpload.objects.create(
            proposal=accepted,
            item_type=first.item_type,
            item_value=first.item_value,
            document_type_id=first.document_type_id,
            file="documents/x",
            file_name="second.pdf",
            size=len(PDF),
            content_type="application/pdf",
        )
    assert document_upload_run(upload_id=first.pk) == "sent"
    assert DocumentUpload.objects.filter(proposal=accepted).count() == 1
    assert uploads_at_sfs(sandbox) == 1
    item, _ = sfs_item(credential, accepted)
    download = client_for(credential=credential).download_document(
        accepted.sfs_id, item.id, variant="uploaded"
    )
    download.close()
    assert download.file_name == "first.pdf"


def test_a_lost_answer_is_checked_against_the_checklist_and_not_sent_twice(
    accepted, broker, credential, sandbox
):
    upload = start(accepted, broker, pdf())
    sandbox.set_faults(dropRate=1, endpoints=[UPLOAD_ENDPOINT])
    with pytest.raises(errors.SieSmartError) as raised:
        document_upload_run(upload_id=upload.pk)
    assert raised.value.outcome_unknown
    upload.refresh_from_db()
    assert upload.state == UploadState.VERIFYING

    sandbox.set_faults()
    assert document_upload_run(upload_id=upload.pk) == "adopted"
    upload.refresh_from_db()
    assert upload.state == UploadState.SENT
    assert uploads_at_sfs(sandbox) == 1  # the dropped one, which SFS had stored
    accepted.refresh_from_db()
    assert document_of(accepted, "SUPPLIER_INVOICE")["received"] is True


def test_a_version_moved_at_sfs_is_read_and_the_upload_sent_once_more(
    accepted, broker, credential, sandbox
):
    upload = start(accepted, broker, pdf())
    sandbox.control("POST", f"/__sandbox__/proposals/{accepted.sfs_id}/underwriter-edit", {})
    assert document_upload_run(upload_id=upload.pk) == "sent"
    assert uploads_at_sfs(sandbox) == 2  # the 412, then the upload
    assert sfs_item(credential, accepted)[0].received


def test_a_rejected_upload_can_be_replaced_by_a_good_one(accepted, broker, credential, sandbox):
    sandbox.set_settings(documentReviewDelaySeconds=0.2)
    try:
        bad = start(accepted, broker, pdf(name="invalid-scan.pdf"))
        assert document_upload_run(upload_id=bad.pk) == "sent"
        _wait_for_review(credential, accepted)
        refresh_cycle(credential=credential)
        accepted.refresh_from_db()
        rejected = document_of(accepted, "SUPPLIER_INVOICE")
        assert rejected["received"] and not rejected["valid"] and rejected["reason"]

        good = start(accepted, broker, pdf(name="invoice.pdf"))
        assert document_upload_run(upload_id=good.pk) == "sent"
        bad.refresh_from_db()
        assert bad.state == UploadState.SUPERSEDED
        item = _wait_for_review(credential, accepted)
        assert item.valid and not item.reason
    finally:
        sandbox.set_settings(documentReviewDelaySeconds=NEVER)


def _wait_for_review(credential, proposal, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        item, _ = sfs_item(credential, proposal)
        if item.valid or item.reason:
            return item
        time.sleep(0.1)
    raise AssertionError("SFS did not review the document")


# -- the page ---------------------------------------------------------------------------------


def _broker_client(broker) -> Client:
    client = Client()
    login_verified(client, broker)
    return client


def test_the_page_offers_an_upload_for_each_uploaded_item_not_yet_valid(accepted, broker):
    page = _broker_client(broker).get(reverse("proposal_detail", args=[accepted.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("data-upload-form") == 1  # the supplier invoice; the agreements are signed
    assert 'accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"' in html
    assert "js/uploads.js" in html


def test_a_post_from_the_page_queues_the_file_and_the_state_is_polled(accepted, broker, sandbox):
    client = _broker_client(broker)
    url = reverse("proposal_document_upload", args=[accepted.pk])
    item = document_of(accepted, "SUPPLIER_INVOICE")["id"]
    form = {"id_type": item["type"], "id_value": str(item["value"])}
    answer = client.post(url, {**form, "file": pdf()}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 201
    assert answer.json()["upload"]["state"] == UploadState.QUEUED
    again = client.post(url, {**form, "file": pdf()}, HTTP_ACCEPT="application/json")
    assert again.status_code == 400 and again.json()["error"] == ALREADY_ON_ITS_WAY

    document_upload_run(upload_id=answer.json()["upload"]["id"])
    key = f"{item['type']}-{item['value']}"
    polled = client.get(url, HTTP_ACCEPT="application/json").json()["uploads"][key]
    assert polled["state"] == UploadState.SENT and polled["words"] == "Sent: SFS is checking it."


def test_a_refused_file_is_told_on_the_page_without_script(accepted, broker):
    client = _broker_client(broker)
    item = document_of(accepted, "SUPPLIER_INVOICE")["id"]
    answer = client.post(
        reverse("proposal_document_upload", args=[accepted.pk]),
        {"id_type": item["type"], "id_value": str(item["value"]), "file": pdf(content=b"")},
        follow=True,
    )
    assert "The file is empty" in answer.content.decode()
    assert Proposal.objects.get(pk=accepted.pk).uploads.count() == 0


def test_the_sweeper_asks_again_for_an_upload_whose_worker_died(
    accepted, broker, credential, sandbox, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from proposals.services.uploads import uploads_sweep

    upload = start(accepted, broker, pdf())
    assert uploads_sweep() == 0  # fresh and queued: its own job is on its way
    DocumentUpload.objects.filter(pk=upload.pk).update(
        state=UploadState.SENDING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        assert uploads_sweep() == 1
    assert len(enqueued) == 1
    sandbox.reset_stats()
    assert document_upload_run(upload_id=upload.pk) == "sent"  # the expired lease is claimable
    assert uploads_at_sfs(sandbox) == 1
