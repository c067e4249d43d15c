"""Configuration reads (CONTRACT.md section 5, with v2's lookups) and the stored-nowhere quote
(6.4)."""

from .access import office_of, proposal_of
from .calls import Query, Reply
from .errors import validation_failed
from .proposals import calculate_stored
from .schemas import CALCULATION_REQUEST
from .validation import Violations, int64_parameter


def _no_parameters(call):
    v = Violations()
    Query(call.query, set(), v)
    if len(v):
        raise validation_failed(v.items)


def _office_parameter(sb, call) -> int:
    v = Violations()
    q = Query(call.query, {"office-id"}, v)
    office = int64_parameter(q, "office-id")
    if office is not None:
        office_of(sb, call, office)
    elif "office-id" not in q:
        v.add("office-id", "REQUIRED", "office-id is required.")
    if len(v):
        raise validation_failed(v.items)
    return office


def offices(sb, call) -> Reply:
    _no_parameters(call)
    return Reply(200, sb.seed.offices_of(call.client_id))


def sales_contacts(sb, call) -> Reply:
    return Reply(200, sb.seed.sales_contacts(_office_parameter(sb, call)))


def iac_codes(sb, call) -> Reply:
    return Reply(200, sb.seed.iac_codes(_office_parameter(sb, call)))


def calculation_config(sb, call) -> Reply:
    return Reply(200, sb.seed.calculation_config(_office_parameter(sb, call)))


def legal_forms(sb, call) -> Reply:
    _no_parameters(call)
    return Reply(200, sb.seed.legal_forms_list())


def titles(sb, call) -> Reply:
    _no_parameters(call)
    return Reply(200, sb.seed.titles_list())


def loan_purposes(sb, call) -> Reply:
    return Reply(200, sb.seed.loan_purposes_of(_office_parameter(sb, call)))


def document_types(sb, call) -> Reply:
    _office_parameter(sb, call)
    return Reply(200, sb.seed.document_types_list())


def job_titles(sb, call) -> Reply:
    _no_parameters(call)
    return Reply(200, sb.seed.job_titles_list())


def quote(sb, call) -> Reply:
    """`POST /calculation?office-id=N&amount-financed=X` or `?proposal-id=N`: nothing is stored."""
    v = Violations()
    q = Query(call.query, {"office-id", "proposal-id", "amount-financed"}, v)
    office = int64_parameter(q, "office-id")
    proposal_id = int64_parameter(q, "proposal-id")
    financed = q.money("amount-financed")
    with sb.store.lock:
        proposal = None
        if proposal_id is not None:
            proposal = proposal_of(sb, call, proposal_id)
        if office is not None:
            office_of(sb, call, office)
        _quote_parameters(q, v)
        body = call.json()
        clean = CALCULATION_REQUEST.clean(body, "", v)
        sheet = clean.get("sheet")
        result = None
        if sheet is not None and proposal is not None and office is None and financed is None:
            result = calculate_stored(sb, proposal, sheet, v)
        elif sheet is not None and office is not None and proposal_id is None:
            result = sb.rules.calculation(sheet, "sheet", office, v, financed=financed)
    if len(v):
        raise validation_failed(v.items)
    return Reply(200, {"result": result})


def _quote_parameters(q: Query, v: Violations):
    has_office, has_proposal = "office-id" in q, "proposal-id" in q
    if not has_office and not has_proposal:
        v.add("office-id", "REQUIRED", "Give office-id and amount-financed, or proposal-id.")
    elif has_office and has_proposal:
        v.add("proposal-id", "INVALID_VALUE", "Give office-id or proposal-id, not both.")
    elif has_office and "amount-financed" not in q:
        v.add("amount-financed", "REQUIRED", "amount-financed is required with office-id.")
    elif has_proposal and "amount-financed" in q:
        msg = "amount-financed comes from the proposal: leave it out with proposal-id."
        v.add("amount-financed", "INVALID_VALUE", msg)
