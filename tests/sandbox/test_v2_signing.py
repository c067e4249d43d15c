"""CONTRACT.md 6.11 (the signing request, refresh) and section 7 (signing by timer, the control
endpoint `.../sign`), over HTTP to a real sandbox."""

import pytest

from tests.sandbox.helpers import assert_error, violations
from tests.sandbox.v2_flow import (
    checklist,
    control,
    decided,
    download,
    etag_of,
    item,
    pdf_text,
    upload,
    wait_item,
)

ANNA = {"firstName": "Anna", "lastName": "Price", "email": "anna.price@example.co.uk"}
BOB = {"firstName": "Bob", "lastName": "Hale", "email": "bob.hale@example.co.uk",
       "phone": "+44 113 496 0000", "jobTitle": {"id": 1}, "boardmember": True}  # fmt: skip
DECLINER = {"firstName": "Dan", "lastName": "Nope", "email": "Dan.DECLINE@example.com"}
SIGNATORY_KEYS = {
    "firstName", "lastName", "email", "phone", "registrationNumber", "jobTitle",
    "jobTitleCustom", "boardmember", "boardmemberId", "type", "status",
}  # fmt: skip
REQUEST_KEYS = {
    "status", "sendDate", "documentVersion", "refreshAllowed", "deleteAllowed", "downloadAllowed",
    "sendReminderAllowed", "senderFirstName", "senderLastName", "signatories",
}  # fmt: skip


@pytest.fixture
def accepted(api):
    pid = decided(api)
    docs = checklist(api, pid)
    return pid, item(docs, "AGREEMENT"), item(docs, "DD_MANDATE"), item(docs, "SUPPLIER_INVOICE")


def sign(api, pid, documents, signatories=(ANNA,), etag=None, **extra):
    body = {"documentIds": [d["id"] for d in documents], "signatories": list(signatories), **extra}
    return api.change(
        "POST", f"/proposals/{pid}/documents/signing", etag or etag_of(api, pid), json=body
    )


def status_of(code):
    return lambda d: d["signingRequest"] and d["signingRequest"]["status"] == code


def test_a_combined_request_is_sent_then_signed(api, accepted):
    pid, agreement, mandate, _ = accepted
    before = etag_of(api, pid)
    response = sign(api, pid, [agreement, mandate], [ANNA, BOB], emailsInCC="a@x.com, b@y.org")
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] > before
    signed = [d for d in response.json() if d["signingRequest"]]
    assert [d["id"] for d in signed] == [agreement["id"], mandate["id"]]
    request = signed[0]["signingRequest"]
    assert set(request) == REQUEST_KEYS
    assert request["status"] == "AUTHORING" and request["sendDate"] is None
    assert request["documentVersion"] == 1 and request["senderLastName"]
    assert [set(p) for p in request["signatories"]] == [SIGNATORY_KEYS] * 2
    assert [p["status"] for p in request["signatories"]] == ["PENDING", "PENDING"]
    assert request["signatories"][1]["jobTitle"] == {"id": 1, "name": "Director"}
    assert signed[0]["sendSigningRequestAllowed"] is False
    sent = wait_item(api, pid, "AGREEMENT", status_of("SENT"))
    assert sent["signingRequest"]["sendDate"] and sent["received"] is False
    done = wait_item(api, pid, "AGREEMENT", status_of("COMPLETED"))
    assert [p["status"] for p in done["signingRequest"]["signatories"]] == ["SIGNED", "SIGNED"]
    assert done["received"] and done["valid"] and done["downloadSignedAllowed"]
    assert done["sendSigningRequestAllowed"] is False
    assert wait_item(api, pid, "DD_MANDATE", status_of("COMPLETED"))["valid"] is True
    copy = download(api, pid, done, "signed")
    assert copy.headers["Content-Type"] == "application/pdf"
    assert f"agreement-{pid}-signed.pdf" in copy.headers["Content-Disposition"]
    assert "Anna Price" in pdf_text(copy.content)


def test_a_decline_reopens_the_document_for_a_new_request(api, accepted):
    pid, agreement, _, _ = accepted
    assert sign(api, pid, [agreement], [ANNA, DECLINER]).status_code == 200
    declined = wait_item(api, pid, "AGREEMENT", status_of("DECLINED"))
    people = {p["email"]: p["status"] for p in declined["signingRequest"]["signatories"]}
    assert people[DECLINER["email"]] == "DECLINED"
    assert declined["valid"] is False and declined["sendSigningRequestAllowed"] is True
    again = sign(api, pid, [agreement], [ANNA])
    assert again.status_code == 200
    assert item(again.json(), "AGREEMENT")["signingRequest"]["documentVersion"] == 2
    assert wait_item(api, pid, "AGREEMENT", status_of("COMPLETED"))["valid"] is True


def test_each_timer_step_bumps_the_etag(api, accepted):
    pid, agreement, _, _ = accepted
    requested = sign(api, pid, [agreement]).headers["ETag"]
    wait_item(api, pid, "AGREEMENT", status_of("SENT"))
    sent = etag_of(api, pid)
    assert sent > requested
    wait_item(api, pid, "AGREEMENT", status_of("COMPLETED"))
    assert etag_of(api, pid) > sent


def test_a_document_not_eligible_or_already_in_signing_is_409(api, accepted):
    pid, agreement, mandate, invoice = accepted
    assert_error(sign(api, pid, [invoice]), 409, "INVALID_STATE")
    assert_error(sign(api, pid, [agreement, invoice]), 409, "INVALID_STATE")
    assert sign(api, pid, [agreement]).status_code == 200
    assert_error(sign(api, pid, [agreement]), 409, "INVALID_STATE")
    assert_error(sign(api, pid, [mandate, agreement]), 409, "INVALID_STATE")
    wait_item(api, pid, "AGREEMENT", status_of("COMPLETED"))
    assert_error(sign(api, pid, [agreement]), 409, "INVALID_STATE")  # valid now


def test_an_uploaded_document_cannot_be_sent_for_signing(api):
    pid = api.create()[0]["id"]
    [other] = upload(api, pid, "OTHER").json()
    assert_error(sign(api, pid, [other]), 409, "INVALID_STATE")


def test_signatories_need_names_and_a_valid_email(api, accepted):
    pid, agreement, _, _ = accepted
    people = [
        {"firstName": "", "lastName": "X", "email": "x@example.com"},
        {"lastName": "Y", "email": "not-an-email"},
        {"firstName": "Z", "email": "z@example.com", "jobTitle": {"id": 99}, "x": 1},
    ]
    assert violations(sign(api, pid, [agreement], people, emailsInCC="ok@x.com;bad")) == [
        ("signatories[0].firstName", "REQUIRED"),
        ("signatories[1].firstName", "REQUIRED"),
        ("signatories[1].email", "INVALID_VALUE"),
        ("signatories[2].x", "UNKNOWN_FIELD"),
        ("signatories[2].lastName", "REQUIRED"),
        ("emailsInCC", "INVALID_VALUE"),
        ("signatories[2].jobTitle.id", "INVALID_VALUE"),
    ]
    assert item(checklist(api, pid), "AGREEMENT")["signingRequest"] is None


def test_the_lists_must_name_something_real(api, accepted):
    pid, agreement, _, _ = accepted
    assert violations(sign(api, pid, [], [])) == [
        ("documentIds", "REQUIRED"),
        ("signatories", "REQUIRED"),
    ]
    missing = {"id": {"type": "GENERATED", "value": 999}}
    assert violations(sign(api, pid, [missing, agreement, agreement])) == [
        ("documentIds[0]", "INVALID_VALUE"),
        ("documentIds[2]", "INVALID_VALUE"),
    ]


def test_signing_needs_a_current_if_match_and_the_callers_proposal(api, other_api, accepted):
    pid, agreement, _, _ = accepted
    body = {"documentIds": [agreement["id"]], "signatories": [ANNA]}
    response = api.post(f"/proposals/{pid}/documents/signing", json=body)
    assert_error(response, 412, "IF_MATCH_MISSING")
    assert_error(sign(api, pid, [agreement], etag="2001-01-01T00:00:00.000Z"), 412, "ETAG_MISMATCH")
    assert_error(sign(other_api, pid, [agreement], etag="x"), 403, "FORBIDDEN")


def test_a_refresh_answers_the_document_and_keeps_the_etag(
    api, sandbox, accepted, restore_settings
):
    sandbox.set_settings(signingDelaySeconds=30)  # nothing changes while the test reads
    pid, agreement, mandate, _ = accepted
    sign(api, pid, [agreement])
    etag = etag_of(api, pid)
    response = api.change(
        "POST", f"/proposals/{pid}/documents/signing/refresh", etag, json=agreement["id"]
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == etag
    assert response.json() == item(checklist(api, pid), "AGREEMENT")
    assert response.json()["signingRequest"]["status"] == "AUTHORING"
    assert etag_of(api, pid) == etag
    no_request = api.change(
        "POST", f"/proposals/{pid}/documents/signing/refresh", etag_of(api, pid), json=mandate["id"]
    )
    assert_error(no_request, 409, "INVALID_STATE")
    unknown = api.change(
        "POST", f"/proposals/{pid}/documents/signing/refresh", etag_of(api, pid),
        json={"type": "GENERATED", "value": 999},
    )  # fmt: skip
    assert violations(unknown) == [(None, "INVALID_VALUE")]
    stale = api.change(
        "POST", f"/proposals/{pid}/documents/signing/refresh", "stale", json=agreement["id"]
    )
    assert_error(stale, 412, "ETAG_MISMATCH")


def test_the_control_endpoint_signs_and_declines_now(api, sandbox, accepted, restore_settings):
    sandbox.set_settings(signingDelaySeconds=30)  # the timers stay out of the way
    pid, agreement, mandate, _ = accepted
    sign(api, pid, [agreement, mandate], [ANNA, BOB])
    path = f"/proposals/{pid}/documents/GENERATED/{agreement['id']['value']}/sign"
    before = etag_of(api, pid)
    response = control(sandbox, path, {"email": ANNA["email"], "action": "SIGN"})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == etag_of(api, pid) > before
    request = response.json()["signingRequest"]
    assert request["status"] == "SENT"
    assert [p["status"] for p in request["signatories"]] == ["SIGNED", "PENDING"]
    again = control(sandbox, path, {"email": ANNA["email"], "action": "SIGN"})
    assert again.status_code == 409
    unknown = control(sandbox, path, {"email": "who@example.com", "action": "SIGN"})
    assert unknown.status_code == 400 and unknown.json()["violations"][0]["field"] == "email"
    assert control(sandbox, path, {"email": BOB["email"], "action": "MAYBE"}).status_code == 400
    response = control(sandbox, path, {"email": BOB["email"], "action": "DECLINE"})
    assert response.json()["signingRequest"]["status"] == "DECLINED"
    # One request covered both documents: the mandate was declined with it.
    assert item(checklist(api, pid), "DD_MANDATE")["signingRequest"]["status"] == "DECLINED"
    assert control(sandbox, path, {"email": BOB["email"], "action": "SIGN"}).status_code == 409


def test_the_control_endpoint_completes_a_request(api, sandbox, accepted, restore_settings):
    sandbox.set_settings(signingDelaySeconds=30)
    pid, agreement, _, invoice = accepted
    path = f"/proposals/{pid}/documents/GENERATED/{agreement['id']['value']}/sign"
    assert control(sandbox, path, {"email": ANNA["email"], "action": "SIGN"}).status_code == 409
    sign(api, pid, [agreement])
    response = control(sandbox, path, {"email": ANNA["email"], "action": "SIGN"})
    document = response.json()
    assert document["signingRequest"]["status"] == "COMPLETED"
    assert document["valid"] and document["downloadSignedAllowed"]
    invoice_path = f"/proposals/{pid}/documents/UPLOADED/{invoice['id']['value']}/sign"
    assert control(sandbox, invoice_path, {"email": "a@b.co", "action": "SIGN"}).status_code == 409
    assert control(sandbox, f"/proposals/{pid}/documents/GENERATED/999/sign").status_code == 404


@pytest.mark.parametrize(
    ("value", "code"), [("x" * 300, "TOO_LONG"), (2**63, "INVALID_VALUE"), (True, "WRONG_TYPE")]
)
def test_a_board_member_id_keeps_the_rules_of_strings_and_numbers(api, accepted, value, code):
    """Found by schemathesis: a 300-character boardmemberId was taken (section 4: TOO_LONG)."""
    pid, agreement, _, _ = accepted
    response = sign(api, pid, [agreement], [{**ANNA, "boardmemberId": value}])
    assert violations(response) == [("signatories[0].boardmemberId", code)]
