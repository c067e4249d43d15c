"""E-signature (CONTRACT.md 6.11 and section 7).

A signing request covers one or more documents; each document keeps its own copy of the request
and the request's ticket, so the timers and the control endpoint find every document of one request.
Timers: `signingDelaySeconds` after the request it is `SENT`; as long again later each pending
signatory signs, unless the email contains "decline" (any case).
"""

import itertools
import re

from . import activation, papers
from .access import owned_proposal, require_if_match
from .calls import Reply
from .documents import DOCUMENT_ID, StoredFile, find, render_list
from .errors import ApiError, validation_failed
from .timeutil import iso_ms
from .validation import MAX_NOTE, Bool, Int, ListOf, Obj, Spec, Str, Violations, ref

# A plain address: the usual local-part characters, a domain of dotted labels with a dot in it.
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{LABEL}(?:\.{LABEL})+")
OPEN = ("AUTHORING", "SENT")
_tickets = itertools.count(1)


class IdText(Spec):
    """`boardmemberId`: an identifier SFS does not describe; a string or a whole number."""

    def clean(self, value, path, v):
        # A string keeps the 255-character rule (TOO_LONG) and a number the int64 one.
        if isinstance(value, str):
            return Str().clean(value, path, v)
        if isinstance(value, int) and not isinstance(value, bool):
            return Int().clean(value, path, v)
        return self.wrong_type(value, path, v, "a string or a whole number")


SIGNATORY_FIELDS = {
    "firstName": (Str(), True),
    "lastName": (Str(), True),
    "email": (Str(pattern=EMAIL.pattern, hint="a valid email address"), True),
    "phone": (Str(), False),
    "registrationNumber": (Str(), False),
    "jobTitle": (ref(), False),
    "jobTitleCustom": (Str(), False),
    "boardmember": (Bool(), False),
    "boardmemberId": (IdText(), False),
    "type": (Str(), False),
}
SIGNING = Obj(
    {
        "documentIds": (ListOf(DOCUMENT_ID), True),
        "signatories": (ListOf(Obj(SIGNATORY_FIELDS)), True),
        "emailsInCC": (Str(MAX_NOTE), False),
    }
)
SIGN_ACTION = Obj(
    {"email": (Str(), True), "action": (Str(pattern="SIGN|DECLINE", hint="SIGN or DECLINE"), True)}
)


def _signatories(sb, clean, v) -> list[dict]:
    titles = sb.seed.job_titles
    people = []
    for index, person in enumerate(clean.get("signatories") or []):
        job = person.get("jobTitle")
        if job is not None and "id" in job:
            if job["id"] not in titles:
                v.add(f"signatories[{index}].jobTitle.id", "INVALID_VALUE", "Unknown job title.")
            else:
                job = {"id": job["id"], "name": titles[job["id"]]["name"]}
        people.append(
            {key: person.get(key) for key in SIGNATORY_FIELDS}
            | {"jobTitle": job}
            | {"status": "PENDING"}
        )
    return people


def _named_items(proposal, clean, v) -> list:
    items = []
    for index, document_id in enumerate(clean.get("documentIds") or []):
        if "type" not in document_id or "value" not in document_id:
            continue
        item = find(proposal, document_id["type"], document_id["value"])
        field = f"documentIds[{index}]"
        if item is None:
            v.add(field, "INVALID_VALUE", "This names no item of the checklist.")
        elif item in items:
            v.add(field, "INVALID_VALUE", "This document is named twice.")
        else:
            items.append(item)
    return items


def _check_body(body, clean, v):
    for key in ("documentIds", "signatories"):
        if isinstance(body.get(key), list) and not body[key]:
            v.add(key, "REQUIRED", f"{key} needs at least one entry.")
    cc = clean.get("emailsInCC")
    if cc is not None and cc.strip():
        for address in cc.split(","):
            if not EMAIL.fullmatch(address.strip()):
                msg = "emailsInCC must be email addresses separated by commas."
                v.add("emailsInCC", "INVALID_VALUE", msg)
                break


def _sender(sb, proposal) -> tuple:
    contact = sb.seed.contacts.get(proposal.sales_contact_id)
    if contact is None:
        return "API", "User"  # SFS's generic API user, as for a GB proposal without a contact
    return contact["firstName"], contact["lastName"]


def request(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        require_if_match(call, proposal)
        body = call.json()
        v = Violations()
        clean = SIGNING.clean(body, "", v)
        _check_body(body, clean, v)
        items = _named_items(proposal, clean, v)
        # The documents' state comes before the rest of the body (CONTRACT.md section 3).
        for item in items:
            if not item.send_signing_allowed(proposal):
                msg = f"Document {item.value} cannot be sent for signing now."
                raise ApiError(409, message=msg)
        if len(items) > 1 and not all(item.eligible_for_signing for item in items):
            raise ApiError(409, message="These documents cannot be signed together.")
        people = _signatories(sb, clean, v)
        if len(v):
            raise validation_failed(v.items)
        proposal.touch()
        ticket = next(_tickets)
        first, last = _sender(sb, proposal)
        for item in items:
            version = (item.signing_request or {}).get("documentVersion", 0) + 1
            item.signing_ticket = ticket
            item.signing_request = {
                "status": "AUTHORING",
                "sendDate": None,
                "documentVersion": version,
                "refreshAllowed": True,
                "deleteAllowed": False,
                "downloadAllowed": False,
                "sendReminderAllowed": False,
                "senderFirstName": first,
                "senderLastName": last,
                "signatories": [dict(person) for person in people],
            }
        delay = sb.settings.delay("signing_delay")
        sb.scheduler.call_later(delay, _sent_due, sb, proposal.id, ticket)
        return Reply(200, render_list(proposal), proposal.etag)


def items_of_ticket(proposal, ticket) -> list:
    return [
        item
        for item in proposal.documents
        if item.signing_ticket == ticket and item.signing_request is not None
    ]


def _live(sb, proposal_id, ticket) -> tuple:
    proposal = sb.store.get(proposal_id)
    if proposal is None or proposal.workflow_status == "CANCELLED":
        return None, []
    items = [i for i in items_of_ticket(proposal, ticket) if i.signing_request["status"] in OPEN]
    return proposal, items


def _send(proposal, items):
    """The request leaves SFS: `SENT`. The caller has bumped the ETag."""
    for item in items:
        if item.signing_request["status"] == "AUTHORING":
            item.signing_request = {
                **item.signing_request,
                "status": "SENT",
                "sendDate": iso_ms(proposal.updated),
                "sendReminderAllowed": True,
            }


def _sent_due(sb, proposal_id, ticket):
    with sb.store.lock:
        proposal, items = _live(sb, proposal_id, ticket)
        if not items or items[0].signing_request["status"] != "AUTHORING":
            return
        proposal.touch()
        _send(proposal, items)
        delay = sb.settings.delay("signing_delay")
        sb.scheduler.call_later(delay, _signatories_due, sb, proposal_id, ticket)


def _signatories_due(sb, proposal_id, ticket):
    with sb.store.lock:
        proposal, items = _live(sb, proposal_id, ticket)
        if not items:
            return
        actions = {
            person["email"]: "DECLINE" if "decline" in person["email"].lower() else "SIGN"
            for person in items[0].signing_request["signatories"]
            if person["status"] == "PENDING"
        }
        proposal.touch()
        _act(sb, proposal, items, actions)


def _act(sb, proposal, items, actions: dict):
    """Signatories act ({email: SIGN or DECLINE}); then the request settles if it can."""
    _send(proposal, items)
    stamp = iso_ms(proposal.updated)
    for item in items:
        request = item.signing_request
        people = [
            {**p, "status": "SIGNED" if actions[p["email"]] == "SIGN" else "DECLINED"}
            if p["status"] == "PENDING" and p["email"] in actions
            else p
            for p in request["signatories"]
        ]
        statuses = {p["status"] for p in people}
        status = request["status"]
        if "DECLINED" in statuses:
            status = "DECLINED"
        elif statuses == {"SIGNED"}:
            status = "COMPLETED"
        item.signing_request = {**request, "signatories": people, "status": status}
        if status != "SENT":
            item.signing_request["sendReminderAllowed"] = False
        if status == "COMPLETED":
            item.signing_request["downloadAllowed"] = True
            content = papers.signed_copy(item.document_type["name"], proposal, people, stamp)
            name = f"{item.code.lower()}-{proposal.id}-signed.pdf"
            item.signed = StoredFile(content, name, "application/pdf")
            item.received_date = stamp
            item.valid, item.validation_date = True, stamp
            item.reason = item.reason_note = None
    activation.check(sb, proposal)


def sign_now(sb, proposal, item, body):
    """The control endpoint: one signatory signs or declines now."""
    v = Violations()
    clean = SIGN_ACTION.clean(body, "", v)
    if len(v):
        raise validation_failed(v.items)
    request = item.signing_request
    if request is None or request["status"] not in OPEN:
        raise ApiError(409, message="The document has no signing request in progress.")
    person = next((p for p in request["signatories"] if p["email"] == clean["email"]), None)
    if person is None:
        v.add("email", "INVALID_VALUE", "No signatory of this request has that email.")
        raise validation_failed(v.items)
    if person["status"] != "PENDING":
        raise ApiError(409, message="This signatory has already acted.")
    items = items_of_ticket(proposal, item.signing_ticket)
    proposal.touch()
    _act(sb, proposal, items, {clean["email"]: clean["action"]})


def refresh(sb, call) -> Reply:
    """SFS asks the signing service; the timers already did, so the ETag stays unless changed."""
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        require_if_match(call, proposal)
        v = Violations()
        clean = DOCUMENT_ID.clean(call.json(), "", v)
        item = None
        if not len(v):
            item = find(proposal, clean["type"], clean["value"])
            if item is None:
                v.add(None, "INVALID_VALUE", "This names no item of the checklist.")
        if len(v):
            raise validation_failed(v.items)
        if item.signing_request is None:
            raise ApiError(409, message="The document has no signing request to refresh.")
        return Reply(200, item.render(proposal), proposal.etag)
