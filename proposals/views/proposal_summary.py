"""A proposal's parts in words, for its page and the review step (names from the mirror)."""

from proposals.forms.proposal_common import date_display, ref_id
from proposals.forms.proposal_customer import COMPANY_TYPE_WORDS
from proposals.services.validation import proposal_amounts
from proposals.services.validation_calculation import MODE_WORDS, PERIOD_WORDS, sheet_pricelist
from proposals.services.validation_loans import loans_total
from proposals.services.validation_values import money_text, to_decimal


def _money(value, currency: str) -> str:
    number = to_decimal(value)
    return money_text(number, currency) if number is not None else str(value or "")


def _capital(value) -> str:
    value = str(value or "")
    return value[:1].upper() + value[1:]


def _address(address) -> str:
    if not isinstance(address, dict):
        return ""
    country = address.get("country") if isinstance(address.get("country"), dict) else {}
    parts = [address.get(k) for k in ("address1", "address2", "city", "postalCode")]
    return ", ".join(str(p) for p in [*parts, country.get("code")] if p)


def _office(proposal, context) -> list:
    office = next((o for o in context.offices if o.office_id == proposal.office_id), None)
    contact = None
    if context.config and proposal.sales_contact_id:
        contact = next(
            (c for c in context.config.sales_contacts if c.id == proposal.sales_contact_id), None
        )
    if proposal.sales_contact_id is None:
        contact_text = "None: SFS assigns one"
    else:
        contact_text = contact.full_name if contact else f"#{proposal.sales_contact_id}"
    return [
        ("Office", f"{office.name} ({office.country_code})" if office else proposal.office_id),
        ("Sales contact", contact_text),
    ]


def _customer(proposal, context) -> list:
    customer = proposal.customer if isinstance(proposal.customer, dict) else {}
    if not customer:
        return [("Customer", "Not given yet")]
    if proposal.customer_kind != "manual":
        return [
            ("Customer", "A registered company, looked up by SFS"),
            ("Name", proposal.customer_name or "Known once SFS has looked it up"),
            ("Registration number", customer.get("registrationNumber") or ""),
            ("Country", customer.get("sourceCountryCode") or ""),
            ("Company type", COMPANY_TYPE_WORDS.get(customer.get("companyType"), "")),
        ]
    forms = {f.id: f.name for f in context.legal_forms}
    titles = {t.id: t.name for t in context.titles}
    rows = [
        ("Company name", customer.get("companyName") or ""),
        ("Legal form", forms.get(ref_id(customer.get("legalForm")), "")),
        ("Registration number", customer.get("registrationNumber") or ""),
        ("Incorporated", date_display(customer.get("dateOfIncorporation"))),
        ("Address", _address(customer.get("address"))),
    ]
    for index, partner in enumerate(customer.get("partners") or [], start=1):
        if not isinstance(partner, dict):
            continue
        name = " ".join(
            str(p)
            for p in (
                titles.get(ref_id(partner.get("title")), ""),
                partner.get("firstName"),
                partner.get("lastName"),
            )
            if p
        )
        born = date_display(partner.get("dateOfBirth"))
        guarantor = ", guarantor" if partner.get("guarantor") else ""
        rows.append((f"Partner {index}", f"{name}, born {born}{guarantor}"))
    return rows


def _assets(proposal, context, currency) -> list:
    names = {c.code: c.name for c in context.config.iac_codes} if context.config else {}
    rows = []
    for asset in proposal.assets or []:
        if not isinstance(asset, dict):
            continue
        quantity, value = asset.get("quantity"), to_decimal(asset.get("valuePerAsset"))
        line = (
            money_text(quantity * value, currency)
            if isinstance(quantity, int) and value is not None
            else ""
        )
        code = asset.get("assetIacCode") or ""
        rows.append(
            {
                "type": f"{names.get(code, code)} ({code})" if code else "",
                "condition": (asset.get("condition") or "").capitalize(),
                "description": asset.get("description") or "",
                "quantity": quantity if quantity is not None else "",
                "value": _money(asset.get("valuePerAsset"), currency),
                "total": line,
            }
        )
    return rows


def _loans(proposal, context, currency) -> list:
    names = {p.id: p.name for p in context.config.loan_purposes} if context.config else {}
    rows = []
    for loan in proposal.loans or []:
        if isinstance(loan, dict):
            purpose = ref_id(loan.get("loanPurpose"))
            name = names.get(purpose) or (loan.get("loanPurpose") or {}).get("name")
            rows.append(
                {
                    "purpose": name or (f"Purpose {purpose}" if purpose else ""),
                    "value": _money(loan.get("value"), currency),
                }
            )
    return rows


def _calculation(proposal, context, currency) -> list:
    calculation = proposal.calculation if isinstance(proposal.calculation, dict) else {}
    sheet = calculation.get("sheet") if isinstance(calculation.get("sheet"), dict) else {}
    if not sheet:
        return [("Calculation", "Not given yet")]
    calc = context.config.calculation if context.config else None
    pricelist = sheet_pricelist(context.config, calculation)
    products = {p.id: p.name for p in calc.market_products} if calc else {}
    methods = {m.id: m.name for m in calc.payment_methods} if calc else {}
    types = {
        "specialPayments": {t.id: t.name for t in calc.special_payment_types} if calc else {},
        "fees": {t.id: t.name for t in calc.fee_types} if calc else {},
    }
    rows = [
        ("Pricelist", pricelist.name if pricelist else sheet.get("introducerPricelistId", "")),
        ("Product", products.get(sheet.get("marketProductId"), "")),
        ("Payment method", methods.get(ref_id(sheet.get("paymentMethod")), "")),
        (
            "Payments",
            _capital(PERIOD_WORDS.get(sheet.get("paymentPeriod"), sheet.get("paymentPeriod"))),
        ),
        ("Paid", _capital(MODE_WORDS.get(sheet.get("paymentMode"), sheet.get("paymentMode")))),
        ("Term", f"{sheet['term']} months" if sheet.get("term") is not None else ""),
    ]
    for key, label in (("specialPayments", "Special payment"), ("fees", "Fee")):
        for payment in sheet.get(key) or []:
            if isinstance(payment, dict):
                name = types[key].get(ref_id(payment.get("type")), label)
                rows.append((name, _money(payment.get("amount"), currency)))
    residual = sheet.get("residualValue")
    if isinstance(residual, dict):
        rows.append(("Residual value", _money(residual.get("amount"), currency)))
    return rows


def parts_summary(proposal, context) -> dict:
    currency = (context.config.calculation.currency if context.config else "") or ""
    total, amount = proposal_amounts(proposal, context.config)
    notes = proposal.notes if isinstance(proposal.notes, dict) else {}
    return {
        "office": [(k, v) for k, v in _office(proposal, context) if v not in (None, "")],
        "customer": [(k, v) for k, v in _customer(proposal, context) if v],
        "assets": _assets(proposal, context, currency),
        "assets_total": money_text(total, currency) if total is not None else "",
        "loans": _loans(proposal, context, currency),
        "loans_total": (
            money_text(loans_total(proposal.loans), currency)
            if proposal.loans and loans_total(proposal.loans) is not None
            else ""
        ),
        "delivery_address": (
            _address(proposal.delivery_address)
            if proposal.delivery_address is not None
            else "The customer's address"
        ),
        "amount_financed": money_text(amount, currency) if amount is not None else "",
        "calculation": [(k, v) for k, v in _calculation(proposal, context, currency) if v],
        "notes": [
            (label, notes.get(key))
            for key, label in (
                ("specialConditionText", "Special conditions"),
                ("scheduleAssetsDescription", "Schedule of assets"),
            )
            if notes.get(key)
        ],
        "currency": currency,
    }
