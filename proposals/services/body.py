"""The SieSmart request bodies built from a proposal's stored parts (CONTRACT.md 6.1)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from proposals.models import Proposal

# Fields that hold money and go out as JSON numbers (stored as strings so drafts stay exact).
MONEY_KEYS = {"valuePerAsset", "amount", "value"}


def _with_money(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: (_money(item) if key in MONEY_KEYS else _with_money(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_with_money(item) for item in value]
    return value


def _money(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value  # SFS answers WRONG_TYPE, pinned to the field like any violation
    return value


def customer_body(proposal: Proposal) -> dict:
    if not proposal.customer:
        return {}
    key = "customerManual" if proposal.customer_kind == "manual" else "customer"
    return {key: _with_money(proposal.customer)}


def calculation_body(proposal: Proposal) -> dict | None:
    sheet = (proposal.calculation or {}).get("sheet")
    if not sheet:
        return None
    return {"sheet": _with_money(sheet), "operation": "CALCULATE_INSTALMENT"}


def assets_body(proposal: Proposal) -> list[dict]:
    return [_with_money(asset) for asset in proposal.assets or []]


def loan_body(loan: dict) -> dict:
    """A loan as a request carries it (CONTRACT.md 6.7): the purpose's id and the value."""
    purpose = loan.get("loanPurpose") if isinstance(loan.get("loanPurpose"), dict) else {}
    body = {"loanPurpose": {"id": purpose.get("id")}, "value": loan.get("value")}
    return _with_money(body)


def loans_body(proposal: Proposal) -> list[dict]:
    """The loans with the ids SFS gave them (a change replaces a loan by its id)."""
    loans = []
    for loan in proposal.loans or []:
        if isinstance(loan, dict):
            body = loan_body(loan)
            if loan.get("id") is not None:
                body["id"] = loan["id"]
            loans.append(body)
    return loans


def delivery_address_body(proposal: Proposal) -> dict | None:
    """Null: the assets go to the customer's address (CONTRACT.md 6.8)."""
    address = proposal.delivery_address
    return dict(address) if isinstance(address, dict) else None


def notes_body(proposal: Proposal) -> dict:
    notes = proposal.notes or {}
    return {
        key: notes[key]
        for key in ("specialConditionText", "scheduleAssetsDescription")
        if notes.get(key)
    }


def proposal_create_body(proposal: Proposal) -> dict:
    """The whole proposal in one call, the common route; ``label`` is the portal's reference."""
    body: dict[str, Any] = {"officeId": proposal.office_id, "label": proposal.reference}
    if proposal.sales_contact_id:
        body["salesContactId"] = proposal.sales_contact_id
    body.update(notes_body(proposal))
    body.update(customer_body(proposal))
    assets = assets_body(proposal)
    if assets:
        body["assets"] = assets
    loans = [loan_body(loan) for loan in proposal.loans or [] if isinstance(loan, dict)]
    if loans:
        body["loans"] = loans
    delivery = delivery_address_body(proposal)
    if delivery is not None:
        body["deliveryAddress"] = delivery
    calculation = calculation_body(proposal)
    if calculation:
        body["calculation"] = calculation
    return body
