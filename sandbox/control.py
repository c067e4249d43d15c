"""The control endpoints `/__sandbox__/*` (CONTRACT.md section 7): no token, never faulted, never
counted. They answer JSON objects, always with status 200 on success.
"""

import re

from .calls import Reply
from .decisions import apply_decision
from .errors import invalid_state, not_found, validation_failed
from .proposals import apply_patch
from .validation import Enum, Obj, Str, Violations

PROPOSAL_ACTION = re.compile(r"/__sandbox__/proposals/([0-9]{1,30})/(underwriter-edit|decide)")

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
        else:
            decide(proposal, body)
        return Reply(200, proposal.render(), proposal.etag)


def decide(proposal, body):
    if proposal.workflow_status == "CANCELLED":
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
    apply_decision(proposal, status, reason, clean.get("condition"), "Decided by an underwriter.")
