"""The v2 calls one by one, HTTP mocked: what each sends and how its answer is typed."""

from __future__ import annotations

import base64
import io
import json
from decimal import Decimal

import pytest
import responses
from responses import matchers

from proposals.siesmart import (
    Checklist,
    DocumentId,
    MalformedResponseError,
    ServerError,
    SieSmartConnectionError,
    WorkflowStatus,
)
from proposals.siesmart.enums import DocumentIdType, SignatoryStatus, SigningStatus
from proposals.siesmart.upload_body import Base64JsonBody, base64_length

from .helpers import ETAG, add_token, api, api_calls, headers, proposal_json

NEW_ETAG = "2026-11-28T06:09:00.000Z"
DOCS = "/proposals/7000123/documents"

SIGNING_REQUEST = {
    "status": "SENT",
    "sendDate": "2026-11-28T07:00:00.000Z",
    "documentVersion": 2,
    "refreshAllowed": True,
    "deleteAllowed": False,
    "downloadAllowed": True,
    "sendReminderAllowed": True,
    "senderFirstName": "Sam",
    "senderLastName": "Broker",
    "signatories": [
        {
            "firstName": "Alan",
            "lastName": "Turner",
            "email": "alan@example.test",
            "jobTitle": {"id": 1},
            "status": "SIGNED",
        },
        {"firstName": "Beth", "lastName": "Ng", "email": "beth@example.test", "status": "PENDING"},
    ],
}

DOCUMENT = {
    "id": {"type": "GENERATED", "value": 501},
    "documentType": {"id": 1, "code": "AGREEMENT", "name": "Hire purchase agreement"},
    "required": True,
    "received": False,
    "receivedDate": None,
    "valid": False,
    "validationDate": None,
    "reason": None,
    "reasonNote": None,
    "downloadAllowed": True,
    "downloadSignedAllowed": False,
    "downloadUploadedAllowed": False,
    "sendByEmailAllowed": False,
    "printOptions": [],
    "eligibleForSigning": True,
    "signingEnabled": True,
    "sendSigningRequestAllowed": True,
    "canBeSignedCombined": True,
    "signingRequest": None,
}
INVOICE = {
    **DOCUMENT,
    "id": {"type": "UPLOADED", "value": 9001},
    "documentType": {"id": 3, "code": "SUPPLIER_INVOICE", "name": "Supplier invoice"},
    "required": False,
    "received": True,
    "receivedDate": "2026-11-28T06:09:00.000Z",
    "eligibleForSigning": False,
    "sendSigningRequestAllowed": False,
    "downloadUploadedAllowed": True,
}


@pytest.fixture(autouse=True)
def _token(rsps):
    add_token(rsps)


def _office(office_id: int = 1001):
    return [matchers.query_param_matcher({"office-id": str(office_id)})]


# -- lookups ---------------------------------------------------------------------------------------


def test_lookups(client, rsps):
    rsps.add(
        responses.GET,
        api("/common/loan-purposes"),
        match=_office(),
        json=[{"id": 1, "name": "Installation"}],
    )
    rsps.add(
        responses.GET,
        api("/common/document-types"),
        match=_office(1002),
        json=[{"id": 3, "code": "SUPPLIER_INVOICE", "name": "Supplier invoice"}],
    )
    rsps.add(
        responses.GET,
        api("/common/job-titles"),
        json=[
            {"id": 1, "name": "Director", "isCustom": False},
            {"id": 7, "name": "Other", "isCustom": True},
        ],
    )
    (purpose,) = client.loan_purposes(1001)
    assert (purpose.id, purpose.name) == (1, "Installation")
    (doc_type,) = client.document_types(1002)
    assert (doc_type.id, doc_type.code, doc_type.name) == (
        3,
        "SUPPLIER_INVOICE",
        "Supplier invoice",
    )
    titles = client.job_titles()
    assert [(t.id, t.is_custom) for t in titles] == [(1, False), (7, True)]


# -- proposal, loans, delivery address -------------------------------------------------------------


def test_proposal_reads_loans_delivery_address_and_contract_number(client, rsps):
    body = proposal_json(
        workflowStatus="ACTIVATED",
        loans=[{"id": 4, "loanPurpose": {"id": 2, "name": "Training"}, "value": 1200.50}],
        deliveryAddress={"address1": "1 Dock Road", "city": "Hull"},
        contractNo="C12345678",
    )
    body["calculation"]["result"]["loansTotal"] = 1200.50
    rsps.add(responses.GET, api("/proposals/7000123"), json=body, headers=headers())
    proposal = client.get_proposal(7000123)
    assert proposal.workflow_status is WorkflowStatus.ACTIVATED
    assert proposal.contract_no == "C12345678"
    (loan,) = proposal.loans
    assert (loan.id, loan.purpose_id, loan.purpose_name, loan.value) == (
        4,
        2,
        "Training",
        Decimal("1200.50"),
    )
    assert proposal.delivery_address["city"] == "Hull"
    assert proposal.calculation_result.loans_total == Decimal("1200.50")


def test_loan_calls_send_if_match_and_answer_the_new_etag(client, rsps):
    loan = {"id": 4, "loanPurpose": {"id": 1, "name": "Installation"}, "value": 500}
    rsps.add(
        responses.POST,
        api("/proposals/7000123/loans"),
        json=loan,
        status=201,
        headers=headers(NEW_ETAG),
    )
    rsps.add(responses.PUT, api("/proposals/7000123/loans/4"), json=loan, headers=headers("v3"))
    rsps.add(responses.DELETE, api("/proposals/7000123/loans/4"), status=204, headers=headers("v4"))
    added = client.add_loan(7000123, etag=ETAG, loan={"loanPurpose": {"id": 1}, "value": 500})
    assert (added.loan_id, added.etag, added.loan.value) == (4, NEW_ETAG, Decimal(500))
    replaced = client.replace_loan(
        7000123, 4, etag=NEW_ETAG, loan={"loanPurpose": {"id": 1}, "value": 500}
    )
    assert replaced.etag == "v3"
    deleted = client.delete_loan(7000123, 4, etag="v3")
    assert (deleted.loan, deleted.etag) == (None, "v4")
    sent = [call.request for call in api_calls(rsps)]
    assert [r.headers["If-Match"] for r in sent] == [ETAG, NEW_ETAG, "v3"]
    assert json.loads(sent[0].body) == {"loanPurpose": {"id": 1}, "value": 500}


def test_delivery_address_answers_the_proposal(client, rsps):
    address = {
        "address1": "1 Dock Road",
        "city": "Hull",
        "postalCode": "HU1 1AA",
        "country": {"code": "GB"},
    }
    rsps.add(
        responses.POST,
        api("/proposals/7000123/customer/delivery-address"),
        json=proposal_json(deliveryAddress=address),
        headers=headers(NEW_ETAG),
    )
    proposal = client.set_delivery_address(7000123, etag=ETAG, address=address)
    assert proposal.delivery_address == address and proposal.etag == NEW_ETAG
    assert json.loads(api_calls(rsps)[-1].request.body) == address


def test_search_takes_contract_number_and_document_status(client, rsps):
    rsps.add(
        responses.GET,
        api("/proposals/search"),
        json={"content": [], "totalElements": 0},
        match=[
            matchers.query_param_matcher(
                {"contract-no": "C1", "document-status": "OUTSTANDING"}, strict_match=False
            )
        ],
    )
    client.search_proposals(contract_no="C1", document_status="OUTSTANDING")


# -- the checklist ---------------------------------------------------------------------------------


def test_checklist_is_typed(client, rsps):
    signed = {**DOCUMENT, "signingRequest": SIGNING_REQUEST}
    rsps.add(responses.GET, api(DOCS), json=[signed, INVOICE])
    checklist = client.list_documents(7000123)
    assert isinstance(checklist, Checklist) and len(checklist) == 2
    agreement = checklist.find(("GENERATED", 501))
    assert agreement.id == DocumentId(DocumentIdType.GENERATED, 501)
    assert agreement.type_code == "AGREEMENT" and agreement.required and agreement.outstanding
    assert agreement.can_be_signed_combined and agreement.send_signing_request_allowed
    request = agreement.signing_request
    assert request.status is SigningStatus.SENT and request.document_version == 2
    assert [s.status for s in request.signatories] == [
        SignatoryStatus.SIGNED,
        SignatoryStatus.PENDING,
    ]
    assert request.signatories[0].job_title_id == 1
    invoice = checklist.find({"type": "UPLOADED", "value": 9001})
    assert invoice.received and invoice.received_date.year == 2026
    assert not invoice.outstanding  # not required
    assert checklist.of_type("SUPPLIER_INVOICE") == (invoice,)


# -- uploads ---------------------------------------------------------------------------------------


def _echo_checklist(received: list):
    def reply(request):
        received.append((dict(request.headers), b"".join(request.body)))
        return 200, {"ETag": NEW_ETAG}, json.dumps([INVOICE])

    return reply


@pytest.mark.parametrize("form", ["bytes", "path", "file"])
def test_upload_streams_a_valid_json_body_with_its_content_length(client, rsps, tmp_path, form):
    content = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF"
    source = {"bytes": content, "path": tmp_path / "invoice.pdf", "file": io.BytesIO(content)}
    (tmp_path / "invoice.pdf").write_bytes(content)
    received: list = []
    rsps.add_callback(responses.POST, api(DOCS), callback=_echo_checklist(received))
    checklist = client.upload_document(
        7000123,
        etag=ETAG,
        file=source[form],
        document_type_id=3,
        file_name="invoice.pdf",
        document_id=("UPLOADED", 9001),
    )
    assert checklist.etag == NEW_ETAG and checklist.documents[0].id.value == 9001
    (sent_headers, body) = received[0]
    assert int(sent_headers["Content-Length"]) == len(body)
    assert sent_headers["If-Match"] == ETAG and sent_headers["Content-Type"] == "application/json"
    sent = json.loads(body)
    assert base64.b64decode(sent["uploadedDocument"]["fileContent"], validate=True) == content
    assert sent["uploadedDocument"]["type"] == {"id": 3}
    assert sent["documentId"] == {"type": "UPLOADED", "value": 9001}
    assert sent["fileName"] == "invoice.pdf"


@pytest.mark.parametrize("size", range(0, 11))
def test_streamed_body_matches_the_whole_encoding_at_every_chunk_boundary(size):
    content = bytes(range(size))
    name = 'Rechnung "März".pdf'  # quotes to escape, and more bytes than characters
    body = Base64JsonBody(
        {"name": name, "file": Base64JsonBody.FILE_CONTENT}, io.BytesIO(content), chunk_bytes=3
    )
    expected = json.dumps(
        {"name": name, "file": base64.b64encode(content).decode()},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    assert b"".join(body) == expected
    assert len(body) == len(expected) and b"".join(body) == expected  # again, for a replay
    assert base64_length(size) == len(base64.b64encode(content))


def test_upload_records_a_placeholder_never_the_file(client, rsps, recorder):
    content = b"%PDF-" + b"x" * 5000
    rsps.add_callback(responses.POST, api(DOCS), callback=_echo_checklist([]))
    client.upload_document(7000123, etag=ETAG, file=content, document_type_id=3)
    record = recorder.calls[-1]
    assert record.request_body == {
        "uploadedDocument": {"fileContent": "<file 5005 bytes>", "type": {"id": 3}}
    }
    assert "xxxx" not in json.dumps(record.request_body)


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503, "json": {"status": 503, "code": "SERVICE_UNAVAILABLE"}},
        {"body": ConnectionResetError("reset by peer")},
    ],
)
def test_an_upload_is_never_repeated_by_the_client(client, rsps, failure):
    import requests as requests_lib

    if "body" in failure:
        failure = {"body": requests_lib.ConnectionError(failure["body"])}
    rsps.add(responses.POST, api(DOCS), **failure)
    with pytest.raises((ServerError, SieSmartConnectionError)) as raised:
        client.upload_document(7000123, etag=ETAG, file=b"%PDF-1", document_type_id=3)
    assert raised.value.outcome_unknown  # the caller reads the checklist before sending again
    assert len(api_calls(rsps)) == 1


# -- downloads, signing, decision document ---------------------------------------------------------


def test_download_is_streamed_with_type_and_file_name(client, rsps, recorder):
    pdf = b"%PDF-1.7 " + b"z" * 300_000
    rsps.add(
        responses.GET,
        api(DOCS + "/GENERATED/501/download"),
        body=pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''Agr%C3%A9ement%20501.pdf",
            "Content-Length": str(len(pdf)),
        },
        match=[matchers.query_param_matcher({"variant": "signed"})],
    )
    download = client.download_document(7000123, ("GENERATED", 501), variant="signed")
    assert not download.response._content_consumed  # the client never read it
    with download:
        assert download.content_type == "application/pdf"
        assert download.file_name == "Agréement 501.pdf"
        assert download.content_length == len(pdf)
        assert b"".join(download.iter_content(65536)) == pdf
    assert recorder.calls[-1].response_body == f"<file {len(pdf)} bytes, application/pdf>"


def test_decision_document_download(client, rsps):
    rsps.add(
        responses.GET,
        api("/proposals/7000123/decision/decision-document/download"),
        body=b"%PDF-1.4 decision",
        content_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="decision-7000123.pdf"'},
    )
    with client.download_decision_document(7000123) as download:
        assert download.file_name == "decision-7000123.pdf"
        assert download.response.content == b"%PDF-1.4 decision"


def test_signing_request_joins_the_cc_emails(client, rsps):
    rsps.add(responses.POST, api(DOCS + "/signing"), json=[DOCUMENT], headers=headers(NEW_ETAG))
    signatory = {"firstName": "Alan", "lastName": "Turner", "email": "alan@example.test"}
    checklist = client.request_signing(
        7000123,
        etag=ETAG,
        document_ids=[("GENERATED", 501), DocumentId("GENERATED", 502)],
        signatories=[signatory],
        cc_emails=["a@x.test", " b@y.test "],
    )
    assert checklist.etag == NEW_ETAG
    request = api_calls(rsps)[-1].request
    assert request.headers["If-Match"] == ETAG
    assert json.loads(request.body) == {
        "documentIds": [{"type": "GENERATED", "value": 501}, {"type": "GENERATED", "value": 502}],
        "signatories": [signatory],
        "emailsInCC": "a@x.test,b@y.test",
    }


def test_signing_refresh_sends_the_id_and_answers_one_document(client, rsps):
    rsps.add(
        responses.POST,
        api(DOCS + "/signing/refresh"),
        json={**DOCUMENT, "signingRequest": SIGNING_REQUEST},
        headers=headers(NEW_ETAG),
    )
    refreshed = client.refresh_signing(7000123, etag=ETAG, document_id=("GENERATED", 501))
    assert refreshed.etag == NEW_ETAG
    assert refreshed.document.signing_request.status == "SENT"
    assert json.loads(api_calls(rsps)[-1].request.body) == {"type": "GENERATED", "value": 501}


# -- notifications ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {"json": "8f14e45f-ceea-467f-a9f1-b0c5e4d3a1b2"},
        {"json": {"id": "8f14e45f-ceea-467f-a9f1-b0c5e4d3a1b2", "eventType": "DECISION_RECEIVED"}},
        {"json": {"subscriptionId": "8f14e45f-ceea-467f-a9f1-b0c5e4d3a1b2"}},
        {"body": "8f14e45f-ceea-467f-a9f1-b0c5e4d3a1b2\n", "content_type": "text/plain"},
    ],
    ids=["json-string", "object", "object-named-otherwise", "text-plain"],
)
def test_subscribe_reads_every_form_of_the_uuid(client, rsps, answer):
    rsps.add(responses.POST, api("/proposals/7000123/subscriptions"), **answer)
    assert client.subscribe(7000123) == "8f14e45f-ceea-467f-a9f1-b0c5e4d3a1b2"
    request = api_calls(rsps)[-1].request
    assert json.loads(request.body) == {"eventType": "DECISION_RECEIVED"}
    assert "If-Match" not in request.headers


def test_subscribe_without_an_id_is_malformed(client, rsps):
    rsps.add(responses.POST, api("/proposals/7000123/subscriptions"), json={"eventType": "X"})
    with pytest.raises(MalformedResponseError):
        client.subscribe(7000123)


def test_notification_endpoint_calls(client, rsps, recorder):
    hook = {"basePath": "https://portal.example/hooks/sfs"}
    rsps.add(responses.POST, api("/notification-endpoints"), json=hook)
    rsps.add(responses.GET, api("/notification-endpoints"), json=hook)
    rsps.add(responses.DELETE, api("/notification-endpoints"), status=204)
    rsps.add(responses.DELETE, api("/proposals/7000123/subscriptions/abc"), status=204)
    registered = client.register_notification_endpoint(hook["basePath"], api_key="k-secret-1")
    assert registered.base_path == hook["basePath"]
    assert json.loads(api_calls(rsps)[0].request.body)["apiKey"] == "k-secret-1"
    assert "k-secret-1" not in json.dumps(recorder.calls[-1].request_body)
    assert client.get_notification_endpoint() == registered
    assert client.delete_notification_endpoint() is None
    assert client.unsubscribe(7000123, "abc") is None


def test_an_upload_refused_for_its_token_is_replayed_whole(client, rsps):
    """A 401 is decided before SFS does anything: the one replay sends the whole file again."""
    content = b"%PDF-" + bytes(range(256)) * 10
    add_token(rsps, "at-second-token")
    received: list = []
    rsps.add(responses.POST, api(DOCS), status=401, json={"status": 401, "code": "UNAUTHORIZED"})
    rsps.add_callback(responses.POST, api(DOCS), callback=_echo_checklist(received))
    client.upload_document(7000123, etag=ETAG, file=io.BytesIO(content), document_type_id=3)
    (sent_headers, body) = received[0]
    assert sent_headers["Authorization"] == "Bearer at-second-token"
    assert base64.b64decode(json.loads(body)["uploadedDocument"]["fileContent"]) == content


def test_version_is_older_reads_versions_as_instants_and_unknown_as_not_older():
    from proposals.siesmart.versions import version_is_older

    assert version_is_older("2026-12-02T10:00:00.000Z", "2026-12-02T10:00:00.001Z")
    assert not version_is_older("2026-12-02T10:00:00.001Z", "2026-12-02T10:00:00.000Z")
    assert not version_is_older('W/"2026-12-02T10:00:00.000Z"', "2026-12-02T10:00:00.000+00:00")
    assert not version_is_older("opaque", "2026-12-02T10:00:00.000Z")
    assert not version_is_older(None, "2026-12-02T10:00:00.000Z")
