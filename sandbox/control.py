"""The control endpoints `/__sandbox__/*` (CONTRACT.md section 7): no token, never faulted, never
counted. They answer JSON objects, always with status 200 on success.
"""

import re

from . import activation, documents, signing
from .calls import Reply
from .decisions import apply_decision
from .errors import ApiError, invalid_state, not_found, validation_failed
from .proposals import apply_patch
from .validation import Bool, Enum, Obj, Str, Violations

PROPOSAL_ACTION = re.compile(
    r"/__sandbox__/proposals/([0-9]{1,30})/(underwriter-edit|decide|activate)"
)
DOCUMENT_ACTION = re.compile(
    r"/__sandbox__/proposals/([0-9]{1,30})/documents/([A-Z]+)/([0-9]{1,30})/(review|sign)"
)
REVIEW = Obj({"valid": (Bool(), True), "reason": (Str(), False), "reasonNote": (Str(2000), False)})

DECIDE = Obj(
    {
        "decisionStatus": (Enum(("ACCEPTED", "DECLINED", "MORE_INFORMATION")), True),
        "reason": (Str(2000), False),
        "condition": (Str(2000), False),
    }
)


def handle(sb, call) -> Reply:
    method, path = call.method, call.path
    if method == "GET" and path == "/__sandbox__/stats":
        return Reply(200, sb.stats.snapshot())
    if method == "GET" and path == "/__sandbox__/settings":
        return Reply(200, sb.settings.public())
    if method == "GET" and path == "/__sandbox__/faults":
        return Reply(200, sb.faults.public())
    if method == "GET" and path == "/__sandbox__/notifications":
        return Reply(200, sb.stats.notifications_listed())
    if method != "POST":
        raise not_found("The control endpoint")
    if path == "/__sandbox__/stats/reset":
        sb.stats.reset()
        sb.window.reset()
        return Reply(200, sb.stats.snapshot())
    if path == "/__sandbox__/settings":
        return Reply(200, sb.settings.update(call.json(empty_is={})))
    if path == "/__sandbox__/faults":
        return Reply(200, sb.faults.replace(call.json(empty_is={})))
    if path == "/__sandbox__/revoke-tokens":
        return Reply(200, {"revoked": sb.tokens.revoke_all()})
    if path == "/__sandbox__/wipe":
        return Reply(200, {"wiped": sb.store.wipe()})
    if DOCUMENT_ACTION.fullmatch(path):
        return document_action(sb, call, *DOCUMENT_ACTION.fullmatch(path).groups())
    match = PROPOSAL_ACTION.fullmatch(path)
    if match is None:
        raise not_found("The control endpoint")
    proposal_id, action = int(match.group(1)), match.group(2)
    body = call.json(empty_is={})
    with sb.store.lock:
        proposal = sb.store.get(proposal_id)
        if proposal is None:
            raise not_found("The proposal")
        if action == "underwriter-edit":
            apply_patch(sb, proposal, body)
        elif action == "activate":
            activation.activate_now(sb, proposal)
        else:
            decide(sb, proposal, body)
        return Reply(200, proposal.render(), proposal.etag)


def decide(sb, proposal, body):
    if proposal.workflow_status in ("CANCELLED", "ACTIVATED"):
        raise invalid_state(proposal.workflow_status)
    v = Violations()
    clean = DECIDE.clean(body, "", v)
    if len(v):
        raise validation_failed(v.items)
    status = clean["decisionStatus"]
    reason = clean.get("reason")
    if reason is None and status == "DECLINED":
        reason = "Declined by an underwriter."
    elif reason is None and status == "MORE_INFORMATION":
        reason = "The underwriter needs more information."
    comment = "Decided by an underwriter."
    apply_decision(sb, proposal, status, reason, clean.get("condition"), comment)


def document_action(sb, call, proposal_id, kind, value, action) -> Reply:
    """Review a document now, or let one signatory of its signing request act now."""
    body = call.json(empty_is={})
    with sb.store.lock:
        proposal = sb.store.get(int(proposal_id))
        if proposal is None:
            raise not_found("The proposal")
        item = documents.find(proposal, kind, int(value))
        if item is None:
            raise not_found("The document")
        if action == "sign":
            signing.sign_now(sb, proposal, item, body)
        else:
            review(sb, proposal, item, body)
        return Reply(200, item.render(proposal), proposal.etag)


def review(sb, proposal, item, body):
    v = Violations()
    clean = REVIEW.clean(body, "", v)
    if len(v):
        raise validation_failed(v.items)
    if item.received_date is None:
        raise ApiError(409, message="The document has not been received: nothing to review.")
    reason, note = clean.get("reason"), clean.get("reasonNote")
    documents.review(sb, proposal, item, clean["valid"], reason, note)
