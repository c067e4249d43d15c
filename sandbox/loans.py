"""Loans: financed amounts that are not assets (CONTRACT.md 6.7).

They change like assets (6.6's changes column, If-Match, a new ETag) and, like assets, outdate a
stored calculation. The product rules (`loansAllowed`, `maxLoanPercent`) are held against the
stored calculation's market product; without a calculation they wait for the next one.
"""

from .access import for_change, owned_proposal, parse_id, require_changeable, require_if_match
from .calls import Reply
from .errors import not_found, validation_failed
from .proposals import parts_changed, store_loan
from .rules import assets_total
from .schemas import LOAN
from .validation import Violations


def _clean_loan(sb, proposal, body, replacing=None) -> dict:
    """The loan as it will be stored (without its id); `replacing` is the index it replaces."""
    v = Violations()
    clean = LOAN.clean(body, "", v)
    loan = sb.rules.loan(clean, "", proposal.office_id, v)
    if proposal.calculation is not None:
        others = [item for index, item in enumerate(proposal.loans) if index != replacing]
        value = clean.get("value")
        total = None if value is None else value + sum(item["value"] for item in others)
        sb.rules.loans_for_product(
            proposal.calculation["sheet"]["marketProductId"],
            proposal.office_id,
            assets_total(proposal.assets),
            (len(others) + 1, total),
            v,
            field=None,
            too_high_field="value",
        )
    if len(v):
        raise validation_failed(v.items)
    return loan


def _loan_index(call, proposal) -> int:
    loan_id = parse_id(call.params.get("loan-id"))
    for index, loan in enumerate(proposal.loans):
        if loan["id"] == loan_id:
            return index
    raise not_found("The loan")


def add_loan(sb, call) -> Reply:
    with sb.store.lock:
        proposal = for_change(sb, call)
        loan = store_loan(proposal, _clean_loan(sb, proposal, call.json()))
        proposal.loans = [*proposal.loans, loan]
        parts_changed(proposal)
        return Reply(201, loan, proposal.etag)


def replace_loan(sb, call) -> Reply:
    """A full replacement: the loan keeps its id."""
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        index = _loan_index(call, proposal)
        require_if_match(call, proposal)
        require_changeable(proposal)
        clean = _clean_loan(sb, proposal, call.json(), replacing=index)
        loan = store_loan(proposal, clean, proposal.loans[index]["id"])
        loans = list(proposal.loans)
        loans[index] = loan
        proposal.loans = loans
        parts_changed(proposal)
        return Reply(200, loan, proposal.etag)


def delete_loan(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        index = _loan_index(call, proposal)
        require_if_match(call, proposal)
        require_changeable(proposal)
        proposal.loans = [loan for i, loan in enumerate(proposal.loans) if i != index]
        parts_changed(proposal)
        return Reply(204, None, proposal.etag)
