"""The v2 calls of the client against a real sandbox process (CONTRACT.md 6.7 to 6.12)."""

from __future__ import annotations

import contextlib
import copy
import time
import uuid
from decimal import Decimal

import pytest

from proposals.siesmart import (
    ConflictError,
    MemoryLimiter,
    MemoryRecorder,
    MemoryTokenStore,
    NotFoundError,
    PayloadTooLargeError,
    SieSmartClient,
    ValidationError,
    WorkflowStatus,
)
from proposals.siesmart.config_types import DocumentType, JobTitle, LoanPurpose
from proposals.siesmart.enums import SignatoryStatus, SigningStatus
from tests.sandbox.helpers import ADDRESS, full_proposal, unique_label


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


@pytest.fixture
def live(sandbox, recorder) -> SieSmartClient:
    """A client of demo-introducer talking to the session's sandbox process."""
    return SieSmartClient(
        api_url=sandbox.api_url,
        token_url=sandbox.token_url,
        client_id="demo-introducer",
        client_secret="demo-secret",
        credential_key=f"credential:{uuid.uuid4().hex[:8]}",
        token_store=MemoryTokenStore(),
        limiter=MemoryLimiter(1000),
        recorder=recorder,
        max_retries=0,
    )


def _create(live: SieSmartClient, **overrides):
    return live.create_proposal(full_proposal(label=unique_label("V2"), **overrides))


# -- lookups ---------------------------------------------------------------------------------------


def test_loan_purposes_of_an_office(live):
    purposes = live.loan_purposes(1001)
    assert purposes and all(isinstance(item, LoanPurpose) for item in purposes)
    assert [item.id for item in purposes] == [1, 2, 3, 4]  # office 1001's ids in the seed
    assert purposes[0].name == "Installation and commissioning"


def test_document_types_carry_their_codes(live):
    types = live.document_types(1001)
    assert all(isinstance(item, DocumentType) for item in types)
    by_code = {item.code: item for item in types}
    assert by_code["AGREEMENT"].id == 1
    assert "SUPPLIER_INVOICE" in by_code


def test_job_titles_mark_the_custom_one(live):
    titles = live.job_titles()
    assert all(isinstance(item, JobTitle) for item in titles)
    assert [item.name for item in titles if item.is_custom] == ["Other (please state)"]


def test_lookups_of_another_introducers_office_are_refused(live):
    from proposals.siesmart import ForbiddenError

    with pytest.raises(ForbiddenError):
        live.loan_purposes(2001)


def test_market_products_say_whether_they_take_loans(live):
    products = {item.id: item for item in live.get_calculation_config(1001).market_products}
    assert products[10].loans_allowed is True
    assert products[10].max_loan_percent == Decimal(30)
    assert products[30].loans_allowed is False


# -- loans and the delivery address ----------------------------------------------------------------


def test_add_replace_and_delete_a_loan(live):
    proposal = _create(live)
    added = live.add_loan(
        proposal.id, etag=proposal.etag, loan={"loanPurpose": {"id": 1}, "value": Decimal("500")}
    )
    assert added.loan_id is not None and added.etag and added.etag != proposal.etag
    assert added.loan.purpose_id == 1 and added.loan.value == Decimal("500")

    replaced = live.replace_loan(
        proposal.id,
        added.loan_id,
        etag=added.etag,
        loan={"loanPurpose": {"id": 2}, "value": Decimal("750.50")},
    )
    assert replaced.loan.purpose_id == 2 and replaced.loan.value == Decimal("750.50")

    fetched = live.get_proposal(proposal.id)
    assert [(loan.id, loan.value) for loan in fetched.loans] == [(added.loan_id, Decimal("750.50"))]

    deleted = live.delete_loan(proposal.id, added.loan_id, etag=replaced.etag)
    assert deleted.loan is None and deleted.etag != replaced.etag
    assert live.get_proposal(proposal.id).loans == ()


def test_a_loan_with_a_stale_etag_is_refused(live):
    from proposals.siesmart import EtagMismatchError

    proposal = _create(live)
    live.update_proposal(proposal.id, etag=proposal.etag, changes={"label": unique_label()})
    with pytest.raises(EtagMismatchError):
        live.add_loan(
            proposal.id, etag=proposal.etag, loan={"loanPurpose": {"id": 1}, "value": 100}
        )


def test_a_calculation_counts_the_loans(live):
    proposal = _create(live)
    added = live.add_loan(
        proposal.id, etag=proposal.etag, loan={"loanPurpose": {"id": 1}, "value": 1000}
    )
    sheet = copy.deepcopy(full_proposal()["calculation"])
    calculated = live.calculate(proposal.id, etag=added.etag, calculation=sheet)
    result = calculated.calculation_result
    assert result.loans_total == Decimal(1000)
    assert result.amount_financed == result.assets_total + result.loans_total - result.down_payment


def test_delivery_address_is_set_and_replaced(live):
    proposal = _create(live)
    first = live.set_delivery_address(proposal.id, etag=proposal.etag, address=ADDRESS)
    assert first.delivery_address["city"] == ADDRESS["city"]
    moved = {**ADDRESS, "city": "York", "postalCode": "YO1 7HH"}
    second = live.set_delivery_address(proposal.id, etag=first.etag, address=moved)
    assert second.delivery_address["city"] == "York"
    assert second.etag != first.etag


def test_search_by_contract_number_sends_the_documented_parameter(live, recorder):
    page = live.search_proposals(contract_no="C00000000", document_status="OUTSTANDING")
    assert page.content == ()
    assert "contract-no=C00000000" in recorder.calls[-1].url
    assert "document-status=OUTSTANDING" in recorder.calls[-1].url


# -- notifications ---------------------------------------------------------------------------------


@pytest.fixture
def no_endpoint(live):
    """Each notification test starts and ends with no endpoint registered."""
    _forget_endpoint(live)
    yield
    _forget_endpoint(live)


def _forget_endpoint(live):
    with contextlib.suppress(NotFoundError):
        live.delete_notification_endpoint()


def test_register_read_change_and_delete_the_endpoint(live, no_endpoint, recorder):
    registered = live.register_notification_endpoint(
        "http://127.0.0.1:9/hooks/sfs", api_key="k-123-secret"
    )
    assert registered.base_path == "http://127.0.0.1:9/hooks/sfs"
    assert "k-123-secret" not in str(recorder.calls[-1].request_body)  # redacted in the log
    with pytest.raises(ConflictError):
        live.register_notification_endpoint("http://127.0.0.1:9/again")
    changed = live.change_notification_endpoint(base_path="http://localhost:9/hooks/v2")
    assert changed.base_path == "http://localhost:9/hooks/v2"
    assert live.get_notification_endpoint().base_path == "http://localhost:9/hooks/v2"
    live.delete_notification_endpoint()
    with pytest.raises(NotFoundError):
        live.get_notification_endpoint()


def test_an_endpoint_off_the_machine_is_refused(live, no_endpoint):
    with pytest.raises(ValidationError):
        live.register_notification_endpoint("https://portal.example/hooks/sfs")


def test_subscribe_answers_one_uuid_per_pair_and_unsubscribes(live, no_endpoint):
    proposal = _create(live)
    with pytest.raises(ConflictError):  # no endpoint registered yet
        live.subscribe(proposal.id)
    live.register_notification_endpoint("http://127.0.0.1:9/hooks")
    first = live.subscribe(proposal.id, "DECISION_RECEIVED")
    assert str(uuid.UUID(first)) == first.lower()
    assert live.subscribe(proposal.id, "DECISION_RECEIVED") == first
    other = live.subscribe(proposal.id, "CREDIT_STATUS_CHANGED")
    assert other != first
    assert live.get_proposal(proposal.id).etag == proposal.etag  # subscriptions leave it
    live.unsubscribe(proposal.id, first)
    with pytest.raises(NotFoundError):
        live.unsubscribe(proposal.id, first)


def test_an_activated_proposal_reads_its_contract_number(live, sandbox):
    proposal = _create(live)
    sandbox.control(
        "POST", f"/__sandbox__/proposals/{proposal.id}/decide", {"decisionStatus": "ACCEPTED"}
    )
    sandbox.control("POST", f"/__sandbox__/proposals/{proposal.id}/activate", {})
    activated = live.get_proposal(proposal.id)
    assert activated.workflow_status == WorkflowStatus.ACTIVATED
    assert activated.contract_no and activated.contract_no.startswith("C")
    found = live.search_proposals(contract_no=activated.contract_no)
    assert [summary.id for summary in found.content] == [proposal.id]
    assert found.content[0].contract_no == activated.contract_no


# -- documents, signing, the decision document -----------------------------------------------------

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
SUPPLIER_INVOICE = 3  # the seed's document type id


def _accept(sandbox, proposal_id: int) -> None:
    path = f"/__sandbox__/proposals/{proposal_id}/decide"
    sandbox.control("POST", path, {"decisionStatus": "ACCEPTED"})


def _wait(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("not reached in time")


def test_upload_adds_an_item_and_downloads_back_unchanged(live, tmp_path, recorder):
    proposal = _create(live)
    assert len(live.list_documents(proposal.id)) == 0  # before a decision: only uploads
    (tmp_path / "invoice.pdf").write_bytes(PDF)
    checklist = live.upload_document(
        proposal.id,
        etag=proposal.etag,
        file=tmp_path / "invoice.pdf",
        document_type_id=SUPPLIER_INVOICE,
        file_name="invoice.pdf",
    )
    (item,) = checklist.documents
    assert checklist.etag and checklist.etag != proposal.etag
    assert item.id.type == "UPLOADED" and item.type_code == "SUPPLIER_INVOICE"
    assert item.received and not item.required and item.download_uploaded_allowed
    assert recorder.calls[-1].request_body["uploadedDocument"]["fileContent"] == (
        f"<file {len(PDF)} bytes>"
    )
    with live.download_document(proposal.id, item.id) as download:
        assert download.content_type == "application/pdf"
        assert download.file_name == "invoice.pdf"
        assert b"".join(download.iter_content(4096)) == PDF


def test_upload_of_a_file_that_is_not_a_document_is_refused(live):
    proposal = _create(live)
    with pytest.raises(ValidationError) as raised:
        live.upload_document(
            proposal.id, etag=proposal.etag, file=b"plain text", document_type_id=SUPPLIER_INVOICE
        )
    assert "FILE_TYPE_NOT_ALLOWED" in [violation.code for violation in raised.value.violations]


def test_an_upload_above_the_size_limit_is_refused(live):
    proposal = _create(live)
    too_big = PDF + bytes(10 * 1024 * 1024)
    with pytest.raises(ValidationError) as raised:
        live.upload_document(
            proposal.id, etag=proposal.etag, file=too_big, document_type_id=SUPPLIER_INVOICE
        )
    assert "FILE_TOO_LARGE" in [violation.code for violation in raised.value.violations]


def test_upload_fulfils_an_item_of_an_accepted_proposal(live, sandbox):
    proposal = _create(live)
    _accept(sandbox, proposal.id)
    checklist = live.list_documents(proposal.id)
    codes = {document.type_code for document in checklist}
    assert {"AGREEMENT", "DD_MANDATE", "SUPPLIER_INVOICE"} <= codes
    (invoice,) = checklist.of_type("SUPPLIER_INVOICE")
    assert invoice.outstanding
    fresh = live.get_proposal(proposal.id).etag
    after = live.upload_document(
        proposal.id,
        etag=fresh,
        file=PDF,
        document_type_id=SUPPLIER_INVOICE,
        file_name="invoice.pdf",
        document_id=invoice.id,
    )
    assert len(after) == len(checklist)  # fulfilled, not added
    assert after.find(invoice.id).received


def test_signing_request_refresh_and_the_signed_download(live, sandbox):
    proposal = _create(live)
    _accept(sandbox, proposal.id)
    checklist = live.list_documents(proposal.id)
    (agreement,) = checklist.of_type("AGREEMENT")
    (mandate,) = checklist.of_type("DD_MANDATE")
    titles = live.job_titles()
    signatory = {
        "firstName": "Alan",
        "lastName": "Turner",
        "email": "alan@example.test",
        "jobTitle": {"id": titles[0].id},
    }
    sent = live.request_signing(
        proposal.id,
        etag=live.get_proposal(proposal.id).etag,
        document_ids=[agreement.id, mandate.id],
        signatories=[signatory],
        cc_emails=["office@example.test", "boss@example.test"],
    )
    request = sent.find(agreement.id).signing_request
    assert request is not None and request.status in {"AUTHORING", "SENT"}
    assert [s.email for s in request.signatories] == ["alan@example.test"]

    def completed():
        etag = live.get_proposal(proposal.id).etag
        refreshed = live.refresh_signing(proposal.id, etag=etag, document_id=agreement.id)
        status = refreshed.document.signing_request.status
        return refreshed.document if status == SigningStatus.COMPLETED else None

    document = _wait(completed)
    assert document.received and document.valid and document.download_signed_allowed
    assert document.signing_request.signatories[0].status == SignatoryStatus.SIGNED
    with live.download_document(proposal.id, agreement.id, variant="signed") as download:
        assert download.content_type == "application/pdf"
        assert next(download.iter_content(5)) == b"%PDF-"


def test_decision_document_exists_once_decided(live, sandbox):
    proposal = _create(live)
    with pytest.raises(ConflictError):
        live.download_decision_document(proposal.id)
    _accept(sandbox, proposal.id)
    with live.download_decision_document(proposal.id) as download:
        assert download.content_type == "application/pdf"
        assert b"".join(download.iter_content()).startswith(b"%PDF-")


def test_a_body_over_the_request_limit_is_refused_unread(live):
    proposal = _create(live)
    # 12 MiB in base64 is about 16.8 MB, over the 15,000,000 bytes any API call may carry.
    with pytest.raises(PayloadTooLargeError) as raised:
        live.upload_document(
            proposal.id,
            etag=proposal.etag,
            file=PDF + bytes(12 * 1024 * 1024),
            document_type_id=SUPPLIER_INVOICE,
        )
    assert raised.value.status == 413 and raised.value.code == "PAYLOAD_TOO_LARGE"
    assert len(live.list_documents(proposal.id)) == 0
