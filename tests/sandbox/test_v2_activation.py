"""CONTRACT.md 6.9, 6.6 (ACTIVATED) and section 7 (activation by timer, the control endpoint
`/activate`), over HTTP to a real sandbox."""

import re
import time

from tests.sandbox.helpers import DECISION, Api, assert_error, unique_label
from tests.sandbox.v2_flow import (
    checklist,
    control,
    decided,
    etag_of,
    item,
    upload,
    wait_item,
    wait_status,
)
from tests.support.sandbox_server import SandboxProcess

ANNA = {"firstName": "Anna", "lastName": "Price", "email": "anna.price@example.co.uk"}


def _sign_all(api, pid):
    docs = checklist(api, pid)
    ids = [item(docs, "AGREEMENT")["id"], item(docs, "DD_MANDATE")["id"]]
    body = {"documentIds": ids, "signatories": [ANNA]}
    response = api.change(
        "POST", f"/proposals/{pid}/documents/signing", etag_of(api, pid), json=body
    )
    assert response.status_code == 200, response.text


def _complete_by_hand(api, sandbox, pid):
    """Every required document received and valid, through the control endpoints."""
    _sign_all(api, pid)
    # One request covers both: signing the agreement signs the mandate too.
    value = item(checklist(api, pid), "AGREEMENT")["id"]["value"]
    path = f"/proposals/{pid}/documents/GENERATED/{value}/sign"
    assert control(sandbox, path, {"email": ANNA["email"], "action": "SIGN"}).status_code == 200
    invoice = item(checklist(api, pid), "SUPPLIER_INVOICE")
    upload(api, pid, "SUPPLIER_INVOICE", document_id=invoice["id"])
    path = f"/proposals/{pid}/documents/UPLOADED/{invoice['id']['value']}/review"
    assert control(sandbox, path, {"valid": True}).status_code == 200


def test_the_last_valid_document_activates_the_proposal(api):
    pid = decided(api)
    _sign_all(api, pid)
    wait_item(api, pid, "DD_MANDATE", lambda d: d["valid"])
    time.sleep(0.5)  # the invoice is still missing: no activation
    assert api.fetch(pid)[0]["workflowStatus"] == "ACCEPTED"
    invoice = item(checklist(api, pid), "SUPPLIER_INVOICE")
    upload(api, pid, "SUPPLIER_INVOICE", document_id=invoice["id"], file_name="invoice.pdf")
    valid = wait_item(api, pid, "SUPPLIER_INVOICE", lambda d: d["valid"])
    activated = wait_status(api, pid, "ACTIVATED")
    assert re.fullmatch(r"C[0-9]{8}", activated["contractNo"])
    assert activated["decision"]["decisionStatus"] == "ACCEPTED"
    assert activated["updated"] > valid["validationDate"]
    [summary] = api.search(**{"proposal-label": activated["label"]})["content"]
    assert summary["workflowStatus"] == "ACTIVATED"
    assert summary["contractNo"] == activated["contractNo"]


def test_a_document_reviewed_not_valid_keeps_it_accepted(api):
    pid = decided(api)
    _sign_all(api, pid)
    invoice = item(checklist(api, pid), "SUPPLIER_INVOICE")
    upload(api, pid, "SUPPLIER_INVOICE", document_id=invoice["id"], file_name="invalid.pdf")
    wait_item(api, pid, "SUPPLIER_INVOICE", lambda d: d["validationDate"] is not None)
    wait_item(api, pid, "AGREEMENT", lambda d: d["valid"])
    time.sleep(0.6)
    proposal = api.fetch(pid)[0]
    assert proposal["workflowStatus"] == "ACCEPTED" and proposal["contractNo"] is None


def test_a_cancel_before_the_activation_timer_wins(api, sandbox, restore_settings):
    sandbox.set_settings(activationDelaySeconds=1.0)
    pid = decided(api)
    _complete_by_hand(api, sandbox, pid)
    wait_item(api, pid, "DD_MANDATE", lambda d: d["valid"])
    cancelled = api.change("POST", f"/proposals/{pid}/cancel", etag_of(api, pid))
    assert cancelled.json()["workflowStatus"] == "CANCELLED"
    time.sleep(1.5)
    assert api.fetch(pid)[0]["workflowStatus"] == "CANCELLED"


def test_activated_forbids_changes_decisions_and_cancel(api, sandbox):
    pid = decided(api)
    assert control(sandbox, f"/proposals/{pid}/activate").status_code == 200
    proposal, etag = api.fetch(pid)
    assert proposal["workflowStatus"] == "ACTIVATED"
    assert_error(
        api.change("PATCH", f"/proposals/{pid}", etag, json={"label": "x"}), 409, "INVALID_STATE"
    )
    assert_error(
        api.change("POST", f"/proposals/{pid}/decision", etag, json=DECISION), 409, "INVALID_STATE"
    )
    assert_error(api.change("POST", f"/proposals/{pid}/cancel", etag), 409, "INVALID_STATE")
    precheck = api.get(f"/proposals/{pid}/decision/precheck").json()
    assert precheck["cancelAllowed"] is False and precheck["requestAllowed"] is False
    assert "DECISION_ALREADY_REQUESTED" in [v["code"] for v in precheck["preconditionViolations"]]
    decide = control(sandbox, f"/proposals/{pid}/decide", {"decisionStatus": "DECLINED"})
    assert decide.status_code == 409 and decide.json()["code"] == "INVALID_STATE"
    for document in checklist(api, pid):
        assert document["sendSigningRequestAllowed"] is False
    assert api.fetch(pid)[1] == etag  # nothing of that changed the proposal


def test_the_control_endpoint_activates_only_an_accepted_proposal(api, sandbox):
    draft, _ = api.create(label=unique_label())
    response = control(sandbox, f"/proposals/{draft['id']}/activate")
    assert response.status_code == 409 and response.json()["code"] == "INVALID_STATE"
    declined = decided(api, registration="18123499")
    assert control(sandbox, f"/proposals/{declined}/activate").status_code == 409
    assert control(sandbox, "/proposals/9999999/activate").status_code == 404
    pid = decided(api)
    before = etag_of(api, pid)
    response = control(sandbox, f"/proposals/{pid}/activate")
    assert response.status_code == 200
    body = response.json()
    assert body["workflowStatus"] == "ACTIVATED" and re.fullmatch(r"C\d{8}", body["contractNo"])
    assert response.headers["ETag"] == body["updated"] == etag_of(api, pid) > before
    assert control(sandbox, f"/proposals/{pid}/activate").status_code == 409


def test_completing_by_hand_activates_by_timer(api, sandbox):
    pid = decided(api)
    _complete_by_hand(api, sandbox, pid)
    assert wait_status(api, pid, "ACTIVATED")["contractNo"]


def test_above_100000_the_proof_of_id_is_needed_too(api, sandbox):
    pid = decided(api, 150_000)
    _complete_by_hand(api, sandbox, pid)
    time.sleep(0.6)
    assert api.fetch(pid)[0]["workflowStatus"] == "ACCEPTED"
    proof = item(checklist(api, pid), "PROOF_OF_ID")
    upload(api, pid, "PROOF_OF_ID", document_id=proof["id"], file_name="passport.pdf")
    assert wait_status(api, pid, "ACTIVATED")["contractNo"]


def test_a_wipe_leaves_pending_reviews_signatures_and_activations_idle():
    with SandboxProcess(rate_limit=0, decision_delay=0.1) as own, Api(own, own.token()) as api:
        own.set_settings(activationDelaySeconds=0.3, signingDelaySeconds=0.2)
        pid = decided(api)
        _sign_all(api, pid)
        invoice = item(checklist(api, pid), "SUPPLIER_INVOICE")
        upload(api, pid, "SUPPLIER_INVOICE", document_id=invoice["id"])
        assert own.wipe() == {"wiped": 1}
        time.sleep(1.0)  # every timer has fired by now, on a proposal that is gone
        assert_error(api.get(f"/proposals/{pid}/documents"), 404, "NOT_FOUND")
        assert api.search()["totalElements"] == 0
        assert own.running and "Traceback" not in "".join(own.output)
