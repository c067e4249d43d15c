"""A proposal's parts as comparable groups: the unit of the three-way merge.

The same group read from the local parts, from the base snapshot (SFS's last answer) and from
SFS's current answer compares equal when it means the same, whatever SFS added (ids, resolved
names) or however it wrote a number.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from proposals.models import Proposal
from proposals.services.config_mirror import to_plain

GROUPS = ("notes", "sales_contact", "customer", "assets", "calculation")
GROUP_LABELS = {
    "notes": "Notes",
    "sales_contact": "Sales contact",
    "customer": "Customer",
    "assets": "Assets",
    "calculation": "Calculation",
}
_MONEY = {"valuePerAsset", "amount"}
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
        "assets": _canonical(_assets(proposal.assets)),
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
        "assets": _canonical(_assets(raw.get("assets"))),
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
    if "calculation" in groups:
        sheet = (raw.get("calculation") or {}).get("sheet")
        proposal.calculation = {"sheet": sheet} if sheet else {}
        changed.append("calculation")
    return changed
