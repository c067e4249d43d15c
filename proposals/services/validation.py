"""Every rule of CONTRACT.md 6.1, checked against the local config mirror (no page waits on SFS).

``proposal_validate`` reads the stored parts (shaped as the request body) and answers a
``Problem`` per violation, with SFS's code and field path, so a problem found here and a violation
answered by SFS are pinned to the same form field. ``COMPANY_NOT_FOUND`` cannot be checked here:
only SFS has the register.
"""

from decimal import Decimal

from proposals.models import Proposal
from proposals.services.config_mirror import OfficeConfig
from proposals.services.validation_calculation import (
    check_assets,
    check_calculation,
    down_payment_ids,
    sheet_pricelist,
)
from proposals.services.validation_customer import check_customer
from proposals.services.validation_loans import check_delivery_address, check_loans, loans_total
from proposals.services.validation_values import MAX_NOTE, Checker, Problem, to_decimal

__all__ = ["STEPS", "Problem", "problem_step", "proposal_amounts", "proposal_validate"]

STEPS = ("office", "customer", "assets", "calculation", "review")
# A whole-proposal problem (field null) is fixed on one step.
_CODE_STEPS = {
    "OFFICE_NOT_FOUND": "office",
    "SALES_CONTACT_MISSING": "office",
    "CUSTOMER_MISSING": "customer",
    "COMPANY_NOT_FOUND": "customer",
    "ASSET_MISSING": "assets",
    "CALCULATION_MISSING": "calculation",
    "CALCULATION_OUTDATED": "calculation",
    "AMOUNT_FINANCED_OUT_OF_RANGE": "calculation",
    "LOANS_NOT_ALLOWED": "assets",
    "LOANS_TOO_HIGH": "assets",
}
_PATH_STEPS = (
    ("officeId", "office"),
    ("salesContactId", "office"),
    ("customerManual", "customer"),
    ("customer", "customer"),
    ("deliveryAddress", "customer"),
    ("assets", "assets"),
    ("loans", "assets"),
    ("calculation", "calculation"),
)


def problem_step(field: str | None, code: str = "") -> str:
    """The step of the form where a problem (or an SFS violation) is fixed."""
    if field:
        for prefix, step in _PATH_STEPS:
            if field == prefix or field.startswith((f"{prefix}.", f"{prefix}[")):
                return step
        return "review"
    return _CODE_STEPS.get(code, "review")


def _office(c: Checker, proposal: Proposal, config: OfficeConfig | None) -> None:
    office_id = proposal.office_id
    if office_id is None:
        c.add("officeId", "REQUIRED", "Choose the office.")
        return
    if config is None or config.office.office_id != office_id:
        c.add("officeId", "OFFICE_NOT_FOUND", "That office is not one of your firm's offices.")
        return
    contact_id = proposal.sales_contact_id
    if contact_id is None:
        if not config.office.is_gb:
            c.add(
                "salesContactId",
                "SALES_CONTACT_MISSING",
                f"Choose the sales contact: SFS needs one for offices outside GB "
                f"({config.office.name} is in {config.office.country_code}).",
            )
        return
    contact = next((item for item in config.sales_contacts if item.id == contact_id), None)
    if contact is None or (contact.office_ids and office_id not in contact.office_ids):
        c.add(
            "salesContactId",
            "SALES_CONTACT_NOT_FOUND",
            "That sales contact is not one of this office.",
        )
    elif contact.blocked:
        reason = f" ({contact.blocked_reason})" if contact.blocked_reason else ""
        c.add(
            "salesContactId",
            "SALES_CONTACT_BLOCKED",
            f"{contact.full_name} is blocked{reason}: choose another sales contact.",
        )


def _notes(c: Checker, proposal: Proposal) -> None:
    notes = proposal.notes if isinstance(proposal.notes, dict) else {}
    c.text(
        notes, "specialConditionText", "specialConditionText", "Special conditions",
        required=False, max_length=MAX_NOTE,
    )  # fmt: skip
    c.text(
        notes, "scheduleAssetsDescription", "scheduleAssetsDescription", "Schedule of assets",
        required=False, max_length=MAX_NOTE,
    )  # fmt: skip
    request = proposal.decision_request if isinstance(proposal.decision_request, dict) else {}
    c.text(
        request, "commentToRiskAnalyst", "commentToRiskAnalyst", "Comment to the risk analyst",
        required=False, max_length=MAX_NOTE,
    )  # fmt: skip
    for key, label in (
        ("siemensMayContactCustomer", "SFS may contact the customer"),
        ("siemensMayRequestCreditData", "SFS may request credit data"),
        ("prelease", "Pre-lease"),
    ):
        c.boolean(request, key, key, label)


def _complete(c: Checker, proposal: Proposal, config: OfficeConfig | None) -> None:
    """What a decision needs besides the office (the pre-check's codes, found before sending)."""
    if not proposal.customer:
        c.add(None, "CUSTOMER_MISSING", "Add the customer: a registered company or typed in.")
    sheet = (
        (proposal.calculation or {}).get("sheet")
        if isinstance(proposal.calculation, dict)
        else None
    )
    if not sheet:
        c.add(None, "CALCULATION_MISSING", "Fill in the calculation: pricelist, term, payments.")
    if not proposal.assets and not proposal.loans:
        pricelist = sheet_pricelist(config, proposal.calculation)
        product = None
        if pricelist is not None and config is not None:
            product = next(
                (
                    p
                    for p in config.calculation.market_products
                    if p.id == pricelist.market_product_id
                ),
                None,
            )
        if product is None or product.asset_product:
            c.add(
                None,
                "ASSET_MISSING",
                "Add at least one asset or loan: this product finances assets.",
            )


def proposal_validate(
    *,
    proposal: Proposal,
    config: OfficeConfig | None,
    legal_forms,
    titles,
    complete: bool,
) -> list[Problem]:
    """Every problem of ``proposal``'s stored parts under the office's configuration.

    ``complete`` adds what a decision needs (customer, assets, calculation); without it a draft
    is checked as SFS checks a create: each part that is there, in full.
    """
    c = Checker()
    _office(c, proposal, config)
    _notes(c, proposal)
    check_customer(
        c,
        kind=proposal.customer_kind,
        customer=proposal.customer,
        legal_forms=legal_forms,
        titles=titles,
    )
    check_delivery_address(c, proposal.delivery_address)
    pricelist = sheet_pricelist(config, proposal.calculation)
    total = check_assets(c, proposal.assets, config, pricelist)
    loans = check_loans(c, proposal.loans, config, proposal.calculation, total)
    check_calculation(c, proposal.calculation, config, total, loans)
    if complete:
        _complete(c, proposal, config)
    return c.problems


def proposal_amounts(
    proposal: Proposal, config: OfficeConfig | None
) -> tuple[Decimal | None, Decimal | None]:
    """(assets total, amount financed) of the stored parts; None where a figure is incomplete.

    Amount financed = assets total + loans total - down payments (CONTRACT.md 6.7)."""
    total = Decimal(0)
    for asset in proposal.assets if isinstance(proposal.assets, list) else ():
        quantity = asset.get("quantity") if isinstance(asset, dict) else None
        value = to_decimal(asset.get("valuePerAsset")) if isinstance(asset, dict) else None
        if isinstance(quantity, bool) or not isinstance(quantity, int) or value is None:
            return None, None
        total += quantity * value
    loans = loans_total(proposal.loans)
    if loans is None or (not proposal.assets and not proposal.loans):
        return None, None
    sheet = (
        (proposal.calculation or {}).get("sheet")
        if isinstance(proposal.calculation, dict)
        else None
    )
    down_ids = down_payment_ids(config)
    down = Decimal(0)
    for payment in (sheet or {}).get("specialPayments") or () if isinstance(sheet, dict) else ():
        if not isinstance(payment, dict):
            continue
        type_id = (
            (payment.get("type") or {}).get("id") if isinstance(payment.get("type"), dict) else None
        )
        amount = to_decimal(payment.get("amount"))
        if amount is not None and (down_ids is None or type_id in down_ids):
            down += amount
    return total, total + loans - down
