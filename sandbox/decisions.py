"""Credit decisions (CONTRACT.md 6.5, 6.6 and the decision rules of section 7).

A requested decision is scheduled when it is requested and takes effect at its instant, so the
`updated` values of decided proposals appear in time order. The delay read is the one set when
the request arrives: a later change of the setting applies to later requests only.
"""

from decimal import Decimal

from . import documents, papers
from .access import for_change, owned_proposal, require_if_match
from .calls import Reply
from .errors import ApiError, invalid_state, precondition_violations, validation_failed
from .schemas import DECISION_REQUEST, EMPTY
from .store import empty_decision
from .timeutil import add_days_ms, iso_ms
from .validation import Violations

VALID_DAYS = 90
DECIDED = ("DECISION_REQUESTED", "ACCEPTED", "DECLINED", "ACTIVATED")
FINAL = ("DECLINED", "CANCELLED", "ACTIVATED")
AUDITED_ACCOUNTS_RULE = "amount financed above 250,000"
LARGE = Decimal(250_000)
MEDIUM = Decimal(100_000)

MESSAGES = {
    "CUSTOMER_MISSING": "The proposal has no customer.",
    "ASSET_MISSING": "The market product finances assets: add at least one asset or loan.",
    "CALCULATION_MISSING": "The proposal has no calculation.",
    "CALCULATION_OUTDATED": "The assets changed after the calculation: calculate again.",
    "SALES_CONTACT_MISSING": "Outside GB a proposal needs a sales contact.",
    "DECISION_ALREADY_REQUESTED": "A decision has already been requested for this proposal.",
    "PROPOSAL_CANCELLED": "The proposal is cancelled.",
}


def precheck_codes(sb, proposal) -> list[str]:
    codes = []
    if proposal.workflow_status == "CANCELLED":
        codes.append("PROPOSAL_CANCELLED")
    elif proposal.workflow_status in DECIDED:
        codes.append("DECISION_ALREADY_REQUESTED")
    if proposal.customer is None and proposal.customer_manual is None:
        codes.append("CUSTOMER_MISSING")
    calculation = proposal.calculation
    if not proposal.assets and not proposal.loans:
        product = None
        if calculation is not None:
            product = sb.seed.products[calculation["sheet"]["marketProductId"]]
        if product is None or product["assetProduct"]:
            codes.append("ASSET_MISSING")
    if calculation is None:
        codes.append("CALCULATION_MISSING")
    elif proposal.calculation_outdated:
        codes.append("CALCULATION_OUTDATED")
    office = sb.seed.offices[proposal.office_id]
    if office["countryCode"] != "GB" and proposal.sales_contact_id is None:
        codes.append("SALES_CONTACT_MISSING")
    return codes


def precheck(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        codes = precheck_codes(sb, proposal)
        return Reply(
            200,
            {
                "requestAllowed": not codes,
                "cancelAllowed": proposal.workflow_status not in FINAL,
                "preconditionViolations": [
                    {"code": code, "userMessage": MESSAGES[code]} for code in codes
                ],
            },
        )


def outcome(proposal) -> tuple[str, str | None, str | None, int, str]:
    """The first decision rule that matches: (status, reason, condition, delay factor, rule)."""
    key = proposal.registration_number
    if key is None and proposal.customer_manual is not None:
        key = proposal.customer_manual["companyName"]
    ending = (key or "")[-2:]
    amount = proposal.amount_financed or Decimal(0)
    if ending == "99":
        reason = "The customer's credit profile does not meet SFS's lending criteria."
        return "DECLINED", reason, None, 1, "registration number ends in 99"
    if ending == "77":
        return "ACCEPTED", None, None, 10, "registration number ends in 77"
    condition = "A personal guarantee from a director of the customer is required."
    if amount > LARGE and not documents.has_valid(proposal, "AUDITED_ACCOUNTS"):
        reason = "Please send the customer's audited accounts for the last two years."
        return "MORE_INFORMATION", reason, None, 1, AUDITED_ACCOUNTS_RULE
    if amount > LARGE:
        return "ACCEPTED", None, condition, 1, "amount financed above 250,000, audited accounts"
    if amount > MEDIUM:
        return "ACCEPTED", None, condition, 1, "amount financed above 100,000"
    return "ACCEPTED", None, None, 1, "standard acceptance"


def apply_decision(sb, proposal, status, reason=None, condition=None, comment=None, rule=None):
    """Make a decision take effect now: it bumps the ETag; the workflow follows the decision, and
    the checklist follows an acceptance or a request for audited accounts."""
    old_workflow, old_decision = proposal.workflow_status, proposal.decision["decisionStatus"]
    proposal.touch()
    stamp = proposal.updated
    proposal.workflow_status = status
    valid_until = iso_ms(add_days_ms(stamp, VALID_DAYS)) if status == "ACCEPTED" else None
    proposal.set_decision(
        decisionStatus=status,
        decisionDate=iso_ms(stamp),
        decisionValidUntilDate=valid_until,
        reason=reason,
        condition=condition,
        comment=comment,
    )
    proposal.decision_ticket += 1  # a timer still pending for it now does nothing
    if status == "ACCEPTED":
        documents.on_accepted(sb, proposal, MEDIUM)
    elif status == "MORE_INFORMATION" and rule == AUDITED_ACCOUNTS_RULE:
        documents.require(sb, proposal, "AUDITED_ACCOUNTS")
    sb.notifications.status_changed(proposal, old_workflow, old_decision)


def request(sb, call) -> Reply:
    with sb.store.lock:
        proposal = for_change(sb, call)
        v = Violations()
        clean = DECISION_REQUEST.clean(call.json(), "", v)
        if len(v):
            raise validation_failed(v.items)
        codes = precheck_codes(sb, proposal)
        if codes:
            raise precondition_violations(
                [{"field": None, "code": code, "userMessage": MESSAGES[code]} for code in codes]
            )
        old_workflow, old_decision = proposal.workflow_status, proposal.decision["decisionStatus"]
        proposal.touch()
        proposal.workflow_status = "DECISION_REQUESTED"
        proposal.decision = {
            **empty_decision(),
            "decisionStatus": "PENDING",
            "decisionRequestedDate": iso_ms(proposal.updated),
            "commentToRiskAnalyst": clean.get("commentToRiskAnalyst"),
            "siemensMayContactCustomer": clean["siemensMayContactCustomer"],
        }
        proposal.decision_ticket += 1
        status, reason, condition, factor, rule = outcome(proposal)
        delay = sb.settings.decision_delay * factor
        sb.scheduler.call_later(
            delay,
            _take_effect,
            sb,
            proposal.id,
            proposal.decision_ticket,
            (status, reason, condition, f"Automatic decision by the sandbox: {rule}.", rule),
        )
        sb.notifications.status_changed(proposal, old_workflow, old_decision)
        return Reply(200, proposal.render(), proposal.etag)


def _take_effect(sb, proposal_id, ticket, decided):
    with sb.store.lock:
        proposal = sb.store.get(proposal_id)
        if proposal is None or proposal.decision_ticket != ticket:
            return  # wiped, cancelled or decided by hand meanwhile
        apply_decision(sb, proposal, *decided)


def cancel(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        require_if_match(call, proposal)
        if proposal.workflow_status in FINAL:
            raise invalid_state(proposal.workflow_status)
        v = Violations()
        EMPTY.clean(call.json(empty_is={}), "", v)
        if len(v):
            raise validation_failed(v.items)
        old_workflow, old_decision = proposal.workflow_status, proposal.decision["decisionStatus"]
        proposal.touch()
        if proposal.decision["decisionStatus"] == "PENDING":
            proposal.decision = empty_decision()
        proposal.workflow_status = "CANCELLED"
        proposal.decision_ticket += 1
        sb.notifications.status_changed(proposal, old_workflow, old_decision)
        return Reply(200, proposal.render(), proposal.etag)


def decision_document(sb, call) -> Reply:
    """`GET /proposals/{id}/decision/decision-document/download`: a PDF once decided, else 409."""
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        if proposal.decision["decisionDate"] is None:
            raise ApiError(409, message="No decision has been made yet: there is no document.")
        content = papers.decision_document(proposal)
        stored = documents.StoredFile(content, f"decision-{proposal.id}.pdf", "application/pdf")
        return documents.file_reply(stored)
