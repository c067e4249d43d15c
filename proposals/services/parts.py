"""A proposal's parts as comparable groups: the unit of the three-way merge.

The same group read from the local parts, from the base snapshot (SFS's last answer) and from
SFS's current answer compares equal when it means the same, whatever SFS added (ids, resolved
names) or however it wrote a number.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from proposals.models import Proposal
from proposals.services.config_mirror import to_plain

GROUPS = ("notes", "sales_contact", "customer", "delivery", "assets", "loans", "calculation")
GROUP_LABELS = {
    "notes": "Notes",
    "sales_contact": "Sales contact",
    "customer": "Customer",
    "delivery": "Delivery address",
    "assets": "Assets",
    "loans": "Loans",
    "calculation": "Calculation",
}
_MONEY = {"valuePerAsset", "amount", "value"}
# What SFS adds to a part it answers, which the request never holds.
_ANSWER_ONLY = {"id", "companyName", "address", "result"}


def _canonical(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {
            k: _canonical(v, k)
            for k, v in sorted(value.items())
            if v not in (None, "", [], {}) and k not in ("result",)
        }
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if key in _MONEY or isinstance(value, float):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value
    return value


def _company(customer: dict) -> dict:
    # A company reference comes back resolved: name and address are SFS's, not ours.
    return {k: v for k, v in customer.items() if k not in ("companyName", "address")}


def _assets(assets: list) -> list:
    return [{k: v for k, v in (a or {}).items() if k != "id"} for a in assets or []]


def _loans(loans: list) -> list:
    """A loan means its purpose and value: SFS's id and the purpose's name are answers only."""
    result = []
    for loan in loans or []:
        loan = loan or {}
        purpose = loan.get("loanPurpose") if isinstance(loan.get("loanPurpose"), dict) else {}
        result.append({"loanPurpose": {"id": purpose.get("id")}, "value": loan.get("value")})
    return result


def _delivery(address, customer_address) -> Any:
    """None means the customer's address; SFS has no call to clear a delivery address, so one
    equal to the customer's address means the same."""
    canonical = _canonical(address) if isinstance(address, dict) else None
    if not canonical or canonical == _canonical(customer_address or {}):
        return None
    return canonical


def _customer_address(proposal: Proposal) -> dict | None:
    if proposal.customer_kind == "manual":
        return (proposal.customer or {}).get("address")
    return ((proposal.base_snapshot or {}).get("customer") or {}).get("address")


def _remote_customer_address(raw: dict) -> dict | None:
    customer = raw.get("customerManual") or raw.get("customer") or {}
    return customer.get("address") if isinstance(customer, dict) else None


def local_groups(proposal: Proposal) -> dict[str, Any]:
    customer = proposal.customer or {}
    return {
        "notes": _canonical(
            {
                k: (proposal.notes or {}).get(k)
                for k in ("specialConditionText", "scheduleAssetsDescription")
            }
        ),
        "sales_contact": proposal.sales_contact_id,
        "customer": _canonical(
            {"manual": customer} if proposal.customer_kind == "manual" else {"company": customer}
        ),
        "delivery": _delivery(proposal.delivery_address, _customer_address(proposal)),
        "assets": _canonical(_assets(proposal.assets)),
        "loans": _canonical(_loans(proposal.loans)),
        "calculation": _canonical((proposal.calculation or {}).get("sheet") or {}),
    }


def remote_groups(raw: dict) -> dict[str, Any]:
    raw = raw or {}
    if raw.get("customerManual"):
        customer = {"manual": raw["customerManual"]}
    elif raw.get("customer"):
        customer = {"company": _company(raw["customer"])}
    else:
        customer = {}
    return {
        "notes": _canonical(
            {k: raw.get(k) for k in ("specialConditionText", "scheduleAssetsDescription")}
        ),
        "sales_contact": raw.get("salesContactId"),
        "customer": _canonical(customer),
        "delivery": _delivery(raw.get("deliveryAddress"), _remote_customer_address(raw)),
        "assets": _canonical(_assets(raw.get("assets"))),
        "loans": _canonical(_loans(raw.get("loans"))),
        "calculation": _canonical((raw.get("calculation") or {}).get("sheet") or {}),
    }


def local_changes(proposal: Proposal) -> set[str]:
    """The groups the broker changed since SFS's last answer (the base snapshot)."""
    if not proposal.base_snapshot:
        return set()
    local, base = local_groups(proposal), remote_groups(proposal.base_snapshot)
    return {group for group in GROUPS if local[group] != base[group]}


def parts_take_remote(proposal: Proposal, raw: dict, groups=GROUPS) -> list[str]:
    """Set the local parts of ``groups`` to SFS's; returns the model fields changed."""

    raw = to_plain(raw or {})
    changed: list[str] = []
    if "notes" in groups:
        proposal.notes = {
            **(proposal.notes or {}),
            **{k: raw.get(k) for k in ("specialConditionText", "scheduleAssetsDescription")},
        }
        changed.append("notes")
    if "sales_contact" in groups:
        proposal.sales_contact_id = raw.get("salesContactId")
        changed.append("sales_contact_id")
    if "customer" in groups:
        if raw.get("customerManual"):
            proposal.customer_kind, proposal.customer = "manual", raw["customerManual"]
        elif raw.get("customer"):
            proposal.customer_kind, proposal.customer = "company", _company(raw["customer"])
        changed += ["customer_kind", "customer"]
    if "assets" in groups:
        # Asset ids are kept: a later change replaces the asset SFS knows by its id.
        proposal.assets = [dict(a) for a in raw.get("assets") or []]
        changed.append("assets")
    if "loans" in groups:
        # As assets: a loan keeps SFS's id, so a later change replaces that loan.
        proposal.loans = [dict(loan) for loan in raw.get("loans") or []]
        changed.append("loans")
    if "delivery" in groups:
        address = raw.get("deliveryAddress")
        if _delivery(address, _remote_customer_address(raw)) is None:
            proposal.delivery_address = None
        else:
            proposal.delivery_address = {k: v for k, v in address.items() if v is not None}
        changed.append("delivery_address")
    if "calculation" in groups:
        sheet = (raw.get("calculation") or {}).get("sheet")
        proposal.calculation = {"sheet": sheet} if sheet else {}
        changed.append("calculation")
    return changed
