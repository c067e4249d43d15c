"""Tolerance of the v2 answers (CONTRACT.md: the client accepts every plausible form): unknown
values are kept as they came, unknown fields ignored, absent flags read as "not allowed"."""

from __future__ import annotations

import io
import logging

import pytest
import responses

from proposals.siesmart import MalformedResponseError, WorkflowStatus
from proposals.siesmart.checklist import Document, file_name_of
from proposals.siesmart.config_types import DocumentType, JobTitle, MarketProduct
from proposals.siesmart.enums import FINAL_WORKFLOW_STATUSES, SigningStatus, is_open
from proposals.siesmart.loan_types import Loan

from .helpers import add_token, api, headers, proposal_json

NEW_THINGS = {
    "id": {"type": "EXTERNAL", "value": "abc-42", "issuer": "portal"},
    "documentType": {"id": 99, "code": "VAT_CERTIFICATE", "name": "VAT", "group": "TAX"},
    "required": True,
    "someFutureFlag": True,
    "signingRequest": {
        "status": "PARTIALLY_SIGNED",
        "signatories": [{"firstName": "Al", "status": "DELEGATED", "futureField": 1}],
        "futureField": {"nested": True},
    },
}


def test_unknown_values_are_kept_as_plain_strings(caplog):
    caplog.set_level(logging.WARNING)
    document = Document.from_json(NEW_THINGS)
    assert (document.id.type, document.id.value) == ("EXTERNAL", "abc-42")
    assert type(document.id.type) is str
    assert document.type_code == "VAT_CERTIFICATE"
    assert document.signing_request.status == "PARTIALLY_SIGNED"
    assert document.signing_request.signatories[0].status == "DELEGATED"
    assert "PARTIALLY_SIGNED" in caplog.text  # logged, so someone adds it to enums.py


def test_absent_flags_read_as_not_allowed():
    document = Document.from_json({"id": {"type": "UPLOADED", "value": 1}})
    assert not (document.required or document.received or document.valid)
    assert not (document.download_allowed or document.send_signing_request_allowed)
    assert document.document_type is None and document.signing_request is None
    assert not document.outstanding


def test_a_document_without_an_id_is_malformed():
    with pytest.raises(MalformedResponseError):
        Document.from_json({"documentType": {"id": 1}})
    with pytest.raises(MalformedResponseError):
        Document.from_json({"id": {"type": "GENERATED", "value": None}})


def test_known_signing_status_is_the_enum():
    document = Document.from_json(
        {"id": {"type": "GENERATED", "value": 1}, "signingRequest": {"status": "COMPLETED"}}
    )
    assert document.signing_request.status is SigningStatus.COMPLETED
    assert document.signing_request.signatories == ()


def test_an_unknown_workflow_status_is_kept_and_stays_open(rsps, client):
    add_token(rsps)
    rsps.add(
        responses.GET,
        api("/proposals/7000123"),
        headers=headers(),
        json=proposal_json(workflowStatus="IN_ARREARS", futureField={"x": 1}),
    )
    proposal = client.get_proposal(7000123)
    assert proposal.workflow_status == "IN_ARREARS"
    assert is_open(proposal.workflow_status)
    assert proposal.loans == () and proposal.contract_no is None  # a v1 answer reads as before


def test_activated_is_final():
    assert WorkflowStatus.ACTIVATED in FINAL_WORKFLOW_STATUSES
    assert not is_open("ACTIVATED")


def test_lookups_tolerate_missing_names_and_unknown_codes():
    assert DocumentType.from_json({"id": 5}) == DocumentType(id=5, code=None, name="")
    assert JobTitle.from_json({"id": 1, "name": "CEO"}).is_custom is False
    product = MarketProduct.from_json({"id": 10})  # a v1 answer: no loan fields
    assert (product.loans_allowed, product.max_loan_percent) == (False, None)


def test_loan_tolerates_a_bare_purpose_and_a_numeric_string():
    loan = Loan.from_json({"id": 3, "loanPurpose": {"id": 2}, "value": "99.95"})
    assert (loan.purpose_id, loan.purpose_name, str(loan.value)) == (2, None, "99.95")


def test_refresh_tolerates_a_checklist_of_one(rsps, client):
    add_token(rsps)
    rsps.add(
        responses.POST,
        api("/proposals/7000123/documents/signing/refresh"),
        json=[{"id": {"type": "GENERATED", "value": 501}}],
    )
    refreshed = client.refresh_signing(7000123, etag="v1", document_id=("GENERATED", 501))
    assert refreshed.document.id.value == 501 and refreshed.etag is None


def test_checklist_in_a_paged_wrapper_is_read(rsps, client):
    add_token(rsps)
    rsps.add(
        responses.GET,
        api("/proposals/7000123/documents"),
        json={"content": [{"id": {"type": "UPLOADED", "value": 7}}], "totalElements": 1},
    )
    assert [doc.id.value for doc in client.list_documents(7000123)] == [7]


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="agreement.pdf"', "agreement.pdf"),
        ("attachment; filename=agreement.pdf", "agreement.pdf"),
        ("inline; filename*=UTF-8''n%C3%A9.pdf", "né.pdf"),
        ("attachment", None),
        (None, None),
    ],
)
def test_file_names_from_content_disposition(header, name):
    assert file_name_of(header) == name


def test_an_upload_from_a_stream_that_cannot_rewind_is_refused_before_sending():
    from proposals.siesmart.upload_body import Base64JsonBody

    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

    with pytest.raises(ValueError, match="seekable"):
        Base64JsonBody({"f": Base64JsonBody.FILE_CONTENT}, Pipe())
