"""CONTRACT.md 6.10: what an upload accepts (its violation codes) and in which states (6.6, v2)."""

import pytest

from tests.sandbox.helpers import COMPANY, assert_error, unique_label, violations
from tests.sandbox.v2_flow import (
    JPEG,
    LEASE,
    PDF,
    PNG,
    TYPE_IDS,
    b64,
    checklist,
    control,
    decided,
    etag_of,
    item,
    upload,
    upload_body,
    wait_item,
    wait_status,
)

CONTENT = "uploadedDocument.fileContent"
MIB = 1024 * 1024


@pytest.fixture
def pid(api):
    return api.create(label=unique_label())[0]["id"]


def _post(api, pid, body):
    return api.change("POST", f"/proposals/{pid}/documents", etag_of(api, pid), json=body)


@pytest.mark.parametrize("content", [PDF, PNG, JPEG], ids=["pdf", "png", "jpeg"])
def test_pdf_png_and_jpeg_are_accepted(api, pid, content):
    response = upload(api, pid, "OTHER", content=content, file_name="anything.bin")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "text",
    ["not base64!", b64(PDF)[:-1], b64(PDF) + b64(PDF), b64(PDF)[:8] + "\n" + b64(PDF)[8:],
     b64(b"\xfb\xff" + PDF).replace("+", "-").replace("/", "_"), "JVBERi0x€"],
    ids=["symbols", "bad-padding", "after-padding", "newline", "url-safe", "non-ascii"],
)  # fmt: skip
def test_content_that_is_not_standard_base64_is_invalid_value(api, pid, text):
    body = upload_body("OTHER")
    body["uploadedDocument"]["fileContent"] = text
    assert violations(_post(api, pid, body)) == [(CONTENT, "INVALID_VALUE")]


@pytest.mark.parametrize(
    "content",
    [b"Hello, this is text", b"GIF89a" + b"\x00" * 20, b"%PD", b"\x89PNG"],
    ids=["text", "gif", "short-pdf", "short-png"],
)
def test_the_type_is_judged_by_the_first_bytes_not_the_name(api, pid, content):
    body = upload_body("OTHER", content=content, file_name="invoice.pdf")
    assert violations(_post(api, pid, body)) == [(CONTENT, "FILE_TYPE_NOT_ALLOWED")]


def test_a_file_over_10_mib_is_too_large_and_10_mib_is_not(api, pid):
    body = upload_body("OTHER", content=PDF + b"\x00" * (10 * MIB + 1 - len(PDF)))
    assert violations(_post(api, pid, body)) == [(CONTENT, "FILE_TOO_LARGE")]
    body = upload_body("OTHER", content=PDF + b"\x00" * (10 * MIB - len(PDF)))
    assert _post(api, pid, body).status_code == 200
    assert checklist(api, pid)[0]["received"] is True


def test_an_unknown_type_or_document_is_invalid_value(api, pid):
    body = upload_body("OTHER", document_id={"type": "UPLOADED", "value": 4242})
    body["uploadedDocument"]["type"]["id"] = 9999
    assert violations(_post(api, pid, body)) == [
        ("documentId", "INVALID_VALUE"),
        ("uploadedDocument.type.id", "INVALID_VALUE"),
    ]


def test_the_document_type_must_match_the_item(api, pid):
    [statement] = upload(api, pid, "BANK_STATEMENT").json()
    body = upload_body("OTHER", document_id=statement["id"])
    assert violations(_post(api, pid, body)) == [("uploadedDocument.type.id", "INVALID_VALUE")]
    body = upload_body("BANK_STATEMENT", document_id=statement["id"])
    assert _post(api, pid, body).status_code == 200


def test_every_problem_of_the_body_is_listed_at_once(api, pid):
    body = {
        "documentId": {"type": "SCANNED", "value": "one"},
        "fileName": "x" * 256,
        "uploadedDocument": {"type": {}},
        "colour": "blue",
    }
    assert sorted(violations(_post(api, pid, body))) == sorted([
        ("colour", "UNKNOWN_FIELD"),
        ("documentId.type", "INVALID_VALUE"),
        ("documentId.value", "WRONG_TYPE"),
        ("fileName", "TOO_LONG"),
        ("uploadedDocument.fileContent", "REQUIRED"),
        ("uploadedDocument.type.id", "REQUIRED"),
    ])  # fmt: skip
    assert violations(_post(api, pid, {})) == [("uploadedDocument", "REQUIRED")]
    response = api.change(
        "POST", f"/proposals/{pid}/documents", etag_of(api, pid), data=b"{nope",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert violations(response) == [(None, "MALFORMED_JSON")]
    assert checklist(api, pid) == []


def test_a_rejected_upload_changes_nothing(api, pid):
    before = etag_of(api, pid)
    _post(api, pid, upload_body("OTHER", content=b"plain text"))
    assert etag_of(api, pid) == before


# ---- by state (CONTRACT.md 6.6, v2 paragraph) ----------------------------------------------------


def test_uploads_are_allowed_while_a_decision_is_pending(api):
    customer = {**COMPANY, "registrationNumber": "20345677"}  # pending ten times the delay
    proposal, etag = api.create(label=unique_label(), customer=customer)
    requested = api.request_decision(proposal["id"], etag)
    assert requested.json()["workflowStatus"] == "DECISION_REQUESTED"
    assert upload(api, proposal["id"], "OTHER").status_code == 200


def test_uploads_are_allowed_in_more_information_and_accepted(api):
    cases = ((decided(api, 300_000, **LEASE), "MORE_INFORMATION"), (decided(api), "ACCEPTED"))
    for pid, expected in cases:
        assert api.fetch(pid)[0]["workflowStatus"] == expected
        assert upload(api, pid, "INSURANCE_CERTIFICATE").status_code == 200


def test_uploads_are_409_when_declined(api):
    pid = decided(api, registration="18123499")
    assert api.fetch(pid)[0]["workflowStatus"] == "DECLINED"
    assert_error(upload(api, pid, "OTHER"), 409, "INVALID_STATE")


def test_uploads_are_409_when_cancelled(api, pid):
    cancelled = api.change("POST", f"/proposals/{pid}/cancel", etag_of(api, pid))
    assert cancelled.json()["workflowStatus"] == "CANCELLED"
    assert_error(upload(api, pid, "OTHER"), 409, "INVALID_STATE")


def test_uploads_are_409_when_activated(api, sandbox):
    pid = decided(api)
    assert control(sandbox, f"/proposals/{pid}/activate").status_code == 200
    wait_status(api, pid, "ACTIVATED")
    invoice = item(checklist(api, pid), "SUPPLIER_INVOICE")
    response = upload(api, pid, "SUPPLIER_INVOICE", document_id=invoice["id"])
    assert_error(response, 409, "INVALID_STATE")


def test_the_state_is_checked_before_the_body(api, pid):
    api.change("POST", f"/proposals/{pid}/cancel", etag_of(api, pid))
    assert_error(_post(api, pid, {"nonsense": 1}), 409, "INVALID_STATE")


def test_a_replacement_is_reviewed_again(api, pid):
    [first] = upload(api, pid, "OTHER", file_name="Invalid scan.pdf").json()
    wait_item(api, pid, "OTHER", lambda d: d["validationDate"] is not None)
    assert item(checklist(api, pid), "OTHER")["valid"] is False
    upload(api, pid, "OTHER", file_name="good.pdf", document_id=first["id"])
    assert wait_item(api, pid, "OTHER", lambda d: d["valid"])["id"] == first["id"]
    assert TYPE_IDS["OTHER"] == item(checklist(api, pid), "OTHER")["documentType"]["id"]
