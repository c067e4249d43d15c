"""The SieSmart request bodies built from a proposal's stored parts (CONTRACT.md 6.1)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from proposals.models import Proposal

# Fields that hold money and go out as JSON numbers (stored as strings so drafts stay exact).
MONEY_KEYS = {"valuePerAsset", "amount"}


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
    calculation = calculation_body(proposal)
    if calculation:
        body["calculation"] = calculation
    return body
