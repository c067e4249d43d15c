"""CONTRACT.md 6.10 (the checklist, uploads, reviews, downloads) and section 7 (the checklist after
an acceptance, reviews by timer and by the control endpoint), over HTTP to a real sandbox."""

import re
import time

from tests.sandbox.helpers import assert_error, unique_label
from tests.sandbox.v2_flow import (
    DOCUMENT_KEYS,
    JPEG,
    LEASE,
    PNG,
    TYPE_IDS,
    checklist,
    control,
    decided,
    download,
    etag_of,
    item,
    pdf_text,
    upload,
    upload_body,
    wait_item,
    wait_status,
)


def _fresh(api):
    proposal, _ = api.create(label=unique_label())
    return proposal["id"]


def test_before_a_decision_the_checklist_holds_only_uploads(api):
    pid = _fresh(api)
    response = api.get(f"/proposals/{pid}/documents")
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["ETag"] == etag_of(api, pid)


def test_an_upload_without_a_document_id_adds_an_uploaded_item(api):
    pid = _fresh(api)
    before = etag_of(api, pid)
    response = upload(api, pid, "BANK_STATEMENT", content=PNG, file_name="May statement.png")
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] > before
    [document] = response.json()
    assert set(document) == DOCUMENT_KEYS
    assert document["id"]["type"] == "UPLOADED" and isinstance(document["id"]["value"], int)
    assert document["documentType"] == {
        "id": TYPE_IDS["BANK_STATEMENT"], "code": "BANK_STATEMENT", "name": "Bank statement",
    }  # fmt: skip
    assert document["required"] is False
    assert document["received"] is True and document["receivedDate"] == response.headers["ETag"]
    assert document["valid"] is False and document["validationDate"] is None
    assert document["downloadUploadedAllowed"] is True
    assert document["downloadAllowed"] is False and document["downloadSignedAllowed"] is False
    assert document["eligibleForSigning"] is False
    assert document["sendSigningRequestAllowed"] is False
    assert document["signingRequest"] is None and document["printOptions"] == []
    assert checklist(api, pid) == [document]


def test_a_review_by_timer_makes_it_valid_and_bumps_the_etag(api):
    pid = _fresh(api)
    uploaded = upload(api, pid, "OTHER", file_name="contract.pdf")
    reviewed = wait_item(api, pid, "OTHER", lambda d: d["validationDate"] is not None)
    assert reviewed["valid"] is True and reviewed["reason"] is None
    assert etag_of(api, pid) > uploaded.headers["ETag"]
    assert reviewed["validationDate"] == etag_of(api, pid)


def test_a_file_named_invalid_is_reviewed_not_valid(api):
    pid = _fresh(api)
    upload(api, pid, "OTHER", file_name="scan-INVALID.pdf")
    reviewed = wait_item(api, pid, "OTHER", lambda d: d["validationDate"] is not None)
    assert reviewed["valid"] is False and reviewed["received"] is True
    assert reviewed["reason"] == "Unreadable document"
    assert reviewed["reasonNote"]


def test_uploading_again_replaces_a_file_not_yet_valid(api):
    pid = _fresh(api)
    first = upload(api, pid, "OTHER", file_name="invalid.pdf").json()[0]
    wait_item(api, pid, "OTHER", lambda d: d["reason"] == "Unreadable document")
    again = upload(api, pid, "OTHER", content=JPEG, file_name="clear.jpg", document_id=first["id"])
    assert again.status_code == 200, again.text
    [document] = again.json()
    assert document["id"] == first["id"]
    assert document["receivedDate"] > first["receivedDate"]
    assert document["valid"] is False and document["reason"] is None
    replaced = download(api, pid, document)
    assert replaced.content == JPEG and replaced.headers["Content-Type"] == "image/jpeg"
    wait_item(api, pid, "OTHER", lambda d: d["valid"])


def test_uploading_to_a_valid_item_is_409(api):
    pid = _fresh(api)
    first = upload(api, pid, "OTHER").json()[0]
    wait_item(api, pid, "OTHER", lambda d: d["valid"])
    response = upload(api, pid, "OTHER", document_id=first["id"])
    assert_error(response, 409, "INVALID_STATE")


def test_download_gives_the_bytes_type_and_file_name(api):
    pid = _fresh(api)
    [document] = upload(api, pid, "OTHER", content=PNG, file_name="site photo.png").json()
    for variant in (None, "uploaded"):
        response = download(api, pid, document, variant)
        assert response.status_code == 200
        assert response.content == PNG
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Content-Disposition"] == 'attachment; filename="site photo.png"'
    for variant in ("original", "signed"):
        assert_error(download(api, pid, document, variant), 409, "INVALID_STATE")
    assert_error(download(api, pid, document, "scanned"), 400, "VALIDATION_FAILED")


def test_a_file_name_is_made_safe_for_the_header_and_defaults_to_the_type(api):
    pid = _fresh(api)
    docs = upload(api, pid, "OTHER", file_name='a"b\r\nX-Evil: 1.pdf').json()
    response = download(api, pid, docs[0])
    assert response.headers["Content-Disposition"] == 'attachment; filename="a_b__X-Evil_ 1.pdf"'
    assert "X-Evil" not in response.headers
    docs = api.change(
        "POST", f"/proposals/{pid}/documents", etag_of(api, pid),
        json=upload_body("OTHER", content=JPEG, file_name=None),
    ).json()  # fmt: skip
    name = download(api, pid, docs[1]).headers["Content-Disposition"]
    assert name == f'attachment; filename="other-{docs[1]["id"]["value"]}.jpg"'


def test_unknown_documents_are_404_and_other_introducers_403(api, other_api):
    pid = _fresh(api)
    [document] = upload(api, pid, "OTHER").json()
    missing = {"id": {"type": "UPLOADED", "value": 999}}
    assert_error(download(api, pid, missing), 404, "NOT_FOUND")
    assert_error(download(api, pid, {"id": {"type": "SCANNED", "value": 1}}), 404, "NOT_FOUND")
    assert_error(api.get("/proposals/9999999/documents"), 404, "NOT_FOUND")
    assert_error(other_api.get(f"/proposals/{pid}/documents"), 403, "FORBIDDEN")
    assert_error(download(other_api, pid, document), 403, "FORBIDDEN")


def test_an_upload_needs_a_current_if_match(api):
    pid = _fresh(api)
    body = upload_body("OTHER")
    response = api.post(f"/proposals/{pid}/documents", json=body)
    assert_error(response, 412, "IF_MATCH_MISSING")
    stale = api.fetch(pid)[1]
    upload(api, pid, "OTHER")
    response = api.change("POST", f"/proposals/{pid}/documents", stale, json=body)
    assert_error(response, 412, "ETAG_MISMATCH")


def test_an_acceptance_brings_the_agreement_mandate_and_invoice(api):
    pid = decided(api)
    documents = checklist(api, pid)
    codes = [(d["id"]["type"], d["documentType"]["code"]) for d in documents]
    assert codes == [
        ("GENERATED", "AGREEMENT"), ("GENERATED", "DD_MANDATE"), ("UPLOADED", "SUPPLIER_INVOICE"),
    ]  # fmt: skip
    for document in documents:
        assert set(document) == DOCUMENT_KEYS
        assert document["required"] is True and document["received"] is False
    agreement, mandate, invoice = documents
    for signable in (agreement, mandate):
        assert signable["eligibleForSigning"] and signable["signingEnabled"]
        assert signable["sendSigningRequestAllowed"] and signable["canBeSignedCombined"]
        assert signable["downloadAllowed"] is True
    assert invoice["eligibleForSigning"] is False and invoice["downloadAllowed"] is False
    assert invoice["canBeSignedCombined"] is False


def test_the_agreement_is_a_pdf_with_the_proposals_figures(api):
    pid = decided(api)
    proposal = api.fetch(pid)[0]
    response = download(api, pid, item(checklist(api, pid), "AGREEMENT"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="agreement-{pid}.pdf"'
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    result = proposal["calculation"]["result"]
    assert f"{result['amountFinanced']:,.2f}" in text
    assert f"{result['instalment']:,.2f}" in text
    assert proposal["label"] in text and "Example Tools Ltd" in text
    mandate = download(api, pid, item(checklist(api, pid), "DD_MANDATE"))
    assert f"{result['instalment']:,.2f}" in pdf_text(mandate.content)


def test_above_100000_proof_of_id_is_required_too(api):
    pid = decided(api, 150_000)
    codes = [d["documentType"]["code"] for d in checklist(api, pid) if d["required"]]
    assert codes == ["AGREEMENT", "DD_MANDATE", "SUPPLIER_INVOICE", "PROOF_OF_ID"]


def test_an_invoice_uploaded_before_the_acceptance_becomes_the_required_one(api):
    proposal, etag = api.create(label=unique_label())
    pid = proposal["id"]
    [invoice] = upload(api, pid, "SUPPLIER_INVOICE").json()
    response = api.request_decision(pid, etag_of(api, pid))
    assert response.status_code == 200
    wait_item(api, pid, "AGREEMENT", lambda d: True)
    found = [d for d in checklist(api, pid) if d["documentType"]["code"] == "SUPPLIER_INVOICE"]
    assert [d["id"] for d in found] == [invoice["id"]] and found[0]["required"] is True


def test_the_control_review_decides_now_and_bumps_the_etag(api, sandbox):
    pid = _fresh(api)
    [document] = upload(api, pid, "OTHER").json()
    before = etag_of(api, pid)
    path = f"/proposals/{pid}/documents/UPLOADED/{document['id']['value']}/review"
    body = {"valid": False, "reason": "Expired", "reasonNote": "Dated 2019."}
    response = control(sandbox, path, body)
    assert response.status_code == 200, response.text
    assert response.json()["valid"] is False and response.json()["reason"] == "Expired"
    assert response.json()["reasonNote"] == "Dated 2019."
    assert response.headers["ETag"] == etag_of(api, pid) > before
    # The pending review by timer no longer acts.
    time.sleep(0.6)
    assert item(checklist(api, pid), "OTHER")["reason"] == "Expired"
    response = control(sandbox, path, {"valid": True})
    assert response.json()["valid"] is True and response.json()["reason"] is None


def test_the_control_review_rejects_bad_requests(api, sandbox):
    pid = decided(api)
    invoice = item(checklist(api, pid), "SUPPLIER_INVOICE")
    path = f"/proposals/{pid}/documents/UPLOADED/{invoice['id']['value']}/review"
    assert control(sandbox, path, {"valid": True}).status_code == 409  # nothing received yet
    bad = control(sandbox, path, {"valid": "yes"})
    assert bad.status_code == 400 and bad.json()["violations"][0]["code"] == "WRONG_TYPE"
    assert control(sandbox, f"/proposals/{pid}/documents/UPLOADED/999/review").status_code == 404
    assert control(sandbox, "/proposals/9999999/documents/UPLOADED/1/review").status_code == 404


def test_audited_accounts_turn_more_information_into_an_acceptance(api):
    pid = decided(api, 300_000, **LEASE)
    proposal = api.fetch(pid)[0]
    assert proposal["workflowStatus"] == "MORE_INFORMATION"
    assert "audited accounts" in proposal["decision"]["reason"]
    [accounts] = checklist(api, pid)
    assert accounts["documentType"]["code"] == "AUDITED_ACCOUNTS"
    assert accounts["required"] is True and accounts["received"] is False
    upload(api, pid, "AUDITED_ACCOUNTS", document_id=accounts["id"])
    wait_item(api, pid, "AUDITED_ACCOUNTS", lambda d: d["valid"])
    response = api.request_decision(pid, etag_of(api, pid))
    assert response.status_code == 200, response.text
    accepted = wait_status(api, pid, "ACCEPTED", "MORE_INFORMATION")
    assert accepted["workflowStatus"] == "ACCEPTED"
    assert re.search("guarantee", accepted["decision"]["condition"], re.I)
    codes = [d["documentType"]["code"] for d in checklist(api, pid)]
    assert codes[0] == "AUDITED_ACCOUNTS" and "AGREEMENT" in codes and "PROOF_OF_ID" in codes
