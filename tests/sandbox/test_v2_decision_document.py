"""CONTRACT.md 6.11: `GET /proposals/{id}/decision/decision-document/download` gives a PDF once a
decision has been made, and 409 before that."""

from tests.sandbox.helpers import COMPANY, assert_error, unique_label
from tests.sandbox.v2_flow import LEASE, control, decided, pdf_text


def _document(api, pid):
    return api.get(f"/proposals/{pid}/decision/decision-document/download")


def test_before_a_decision_there_is_no_document(api):
    proposal, etag = api.create(label=unique_label())
    assert_error(_document(api, proposal["id"]), 409, "INVALID_STATE")
    pending = {**COMPANY, "registrationNumber": "20345677"}  # pending ten times the delay
    proposal, etag = api.create(label=unique_label(), customer=pending)
    assert api.request_decision(proposal["id"], etag).status_code == 200
    assert_error(_document(api, proposal["id"]), 409, "INVALID_STATE")


def test_an_accepted_proposal_has_a_pdf_with_its_decision(api):
    pid = decided(api)
    proposal = api.fetch(pid)[0]
    response = _document(api, pid)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="decision-{pid}.pdf"'
    text = pdf_text(response.content)
    assert "ACCEPTED" in text and proposal["label"] in text
    assert proposal["decision"]["decisionValidUntilDate"] in text


def test_declined_and_more_information_have_one_too_with_the_reason(api):
    declined = decided(api, registration="18123499")
    text = pdf_text(_document(api, declined).content)
    assert "DECLINED" in text and "lending criteria" in text
    more = decided(api, 300_000, **LEASE)
    text = pdf_text(_document(api, more).content)
    assert "MORE_INFORMATION" in text and "audited accounts" in text


def test_a_new_request_after_more_information_withdraws_it(api):
    pid = decided(api, 300_000, **LEASE)
    assert _document(api, pid).status_code == 200
    proposal, etag = api.fetch(pid)
    assert api.request_decision(pid, etag).status_code == 200
    assert_error(_document(api, pid), 409, "INVALID_STATE")


def test_a_decision_by_the_control_endpoint_counts(api, sandbox):
    proposal, etag = api.create(label=unique_label())
    body = {"decisionStatus": "DECLINED", "reason": "Sector exposure limit reached."}
    assert control(sandbox, f"/proposals/{proposal['id']}/decide", body).status_code == 200
    assert "Sector exposure limit reached." in pdf_text(_document(api, proposal["id"]).content)


def test_unknown_and_foreign_proposals(api, other_api):
    assert_error(_document(api, 9999999), 404, "NOT_FOUND")
    pid = decided(api)
    assert_error(_document(other_api, pid), 403, "FORBIDDEN")
