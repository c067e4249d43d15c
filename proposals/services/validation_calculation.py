"""CONTRACT.md 6.1's rules for the assets and the calculation sheet, held against the mirror."""

from decimal import Decimal

from proposals.services.validation_values import Checker, join, money_text
from proposals.siesmart.enums import AssetCondition, PaymentMode, PaymentPeriod, months_per_period
from proposals.siesmart.types import Pricelist

SHEET = "calculation.sheet"
CONDITIONS = tuple(member.value for member in AssetCondition)
PERIODS = tuple(member.value for member in PaymentPeriod)
MODES = tuple(member.value for member in PaymentMode)
PERIOD_WORDS = {
    "MONTHLY": "monthly",
    "QUARTERLY": "quarterly",
    "SEMI_ANNUALLY": "half-yearly",
    "ANNUALLY": "yearly",
}
MODE_WORDS = {"ADVANCE": "in advance", "ARREARS": "in arrears"}


def period_words(values) -> str:
    return ", ".join(PERIOD_WORDS.get(value, str(value)) for value in values)


def mode_words(values) -> str:
    return ", ".join(MODE_WORDS.get(value, str(value)) for value in values)


def term_rule(pricelist: Pricelist) -> str:
    return f"{pricelist.min_term} to {pricelist.max_term} months, in steps of {pricelist.term_step}"


def amount_rule(pricelist: Pricelist, currency: str = "") -> str:
    currency = pricelist.currency or currency
    low = money_text(pricelist.min_amount_financed, currency)
    return f"{low} to {money_text(pricelist.max_amount_financed, currency)}"


def down_payment_ids(config) -> set[int] | None:
    if config is None:
        return None
    return {t.id for t in config.calculation.special_payment_types if t.down_payment_type}


def check_assets(c: Checker, assets, config, pricelist) -> Decimal | None:
    """Every asset's fields and code; answers the assets total (None while any is incomplete)."""
    if assets in (None, []):
        return Decimal(0)
    if not isinstance(assets, list):
        c.add("assets", "WRONG_TYPE", "The assets are not in the expected form.")
        return None
    leaves = {code.code: code.parent_code for code in config.leaf_codes} if config else None
    names = {code.code: code.name for code in config.iac_codes} if config else {}
    total: Decimal | None = Decimal(0)
    for index, asset in enumerate(assets):
        path = f"assets[{index}]"
        if not isinstance(asset, dict):
            c.add(path, "WRONG_TYPE", "This asset is not in the expected form.")
            total = None
            continue
        code_path = join(path, "assetIacCode")
        code = c.text(asset, "assetIacCode", code_path, "Asset type", required=True)
        if code is not None and leaves is not None:
            if code not in leaves:
                c.add(
                    code_path,
                    "IAC_CODE_NOT_ALLOWED",
                    f"{code} is not an asset type of this office: choose a detailed type "
                    "from the list.",
                )
            elif pricelist is not None and leaves[code] not in pricelist.iac_codes:
                financed = ", ".join(names.get(item, item) for item in pricelist.iac_codes)
                c.add(
                    code_path,
                    "IAC_CODE_NOT_ALLOWED",
                    f"The pricelist “{pricelist.name}” does not finance {names.get(code, code)}; "
                    f"it finances {financed}.",
                )
        c.choice(
            asset, "condition", join(path, "condition"), "Condition", CONDITIONS, required=True
        )
        c.text(asset, "description", join(path, "description"), "Description", required=True)
        quantity = c.integer(
            asset, "quantity", join(path, "quantity"), "Quantity", required=True, minimum=1
        )
        value = c.money(
            asset, "valuePerAsset", join(path, "valuePerAsset"), "Value per asset", required=True
        )
        c.integer(
            asset, "ageInMonth", join(path, "ageInMonth"), "Age in months",
            required=False, minimum=0,
        )  # fmt: skip
        if total is not None and quantity is not None and value is not None:
            total += quantity * value
        else:
            total = None
    return total


def _payments(c: Checker, sheet, key, label, allowed, down_ids) -> Decimal | None:
    """Check special payments or fees; answers the down payments' sum (None when unknown)."""
    path = join(SHEET, key)
    payments = c.items(sheet, key, path, label)
    down: Decimal | None = Decimal(0)
    for index, payment in enumerate(payments or ()):
        item = f"{path}[{index}]"
        if not isinstance(payment, dict):
            c.add(item, "WRONG_TYPE", f"{label} are not in the expected form.")
            down = None
            continue
        type_id = c.ref(payment, "type", join(item, "type"), "Type", required=True)
        amount = c.money(payment, "amount", join(item, "amount"), "Amount", required=True)
        if type_id is not None and allowed is not None and type_id not in allowed:
            c.add(
                join(item, "type.id"),
                "INVALID_VALUE",
                "That payment type is not one of this office.",
            )
            down = None
        elif type_id is None or amount is None:
            down = None
        elif down is not None and (down_ids is None or type_id in down_ids):
            down += amount
    return down


def _terms(c: Checker, sheet: dict, pricelist: Pricelist | None) -> None:
    period = c.choice(
        sheet, "paymentPeriod", join(SHEET, "paymentPeriod"), "Payment period", PERIODS,
        required=True,
    )  # fmt: skip
    mode = c.choice(
        sheet, "paymentMode", join(SHEET, "paymentMode"), "Payment timing", MODES, required=True
    )
    term = c.integer(sheet, "term", join(SHEET, "term"), "Term", required=True, minimum=1)
    if pricelist is not None:
        if period is not None and period not in pricelist.payment_periods:
            c.add(
                join(SHEET, "paymentPeriod"),
                "PAYMENT_PERIOD_NOT_ALLOWED",
                f"The pricelist “{pricelist.name}” allows "
                f"{period_words(pricelist.payment_periods)} payments.",
            )
        if mode is not None and mode not in pricelist.payment_modes:
            c.add(
                join(SHEET, "paymentMode"),
                "PAYMENT_MODE_NOT_ALLOWED",
                f"The pricelist “{pricelist.name}” takes payments "
                f"{mode_words(pricelist.payment_modes)}.",
            )
    if term is None:
        return
    if pricelist is not None:
        rule = f"Term must be {term_rule(pricelist)}."
        if not pricelist.min_term <= term <= pricelist.max_term:
            c.add(join(SHEET, "term"), "TERM_OUT_OF_RANGE", rule)
        elif (term - pricelist.min_term) % max(pricelist.term_step, 1):
            c.add(join(SHEET, "term"), "TERM_STEP", rule)
    months = months_per_period(period) if period else None
    if months and term % months:
        c.add(
            join(SHEET, "term"),
            "TERM_NOT_WHOLE_PERIODS",
            f"Term must be a whole number of {PERIOD_WORDS[period]} payments "
            f"(a multiple of {months} months).",
        )


def sheet_pricelist(config, calculation) -> Pricelist | None:
    sheet = (calculation or {}).get("sheet") if isinstance(calculation, dict) else None
    pricelist_id = sheet.get("introducerPricelistId") if isinstance(sheet, dict) else None
    if config is None or isinstance(pricelist_id, bool) or not isinstance(pricelist_id, int):
        return None
    return config.calculation.pricelist(pricelist_id)


def check_calculation(
    c: Checker, calculation, config, total: Decimal | None, loans: Decimal | None = Decimal(0)
) -> None:
    """The sheet's rules; ``total`` is the assets total and ``loans`` the loans total (each None
    while incomplete): both are financed, less the down payments (CONTRACT.md 6.7)."""
    if calculation in (None, {}) or (
        isinstance(calculation, dict) and not calculation.get("sheet")
    ):
        return
    sheet = c.obj(calculation, "sheet", SHEET, "The calculation", required=True)
    if sheet is None:
        return
    calc = config.calculation if config else None
    pricelist = None
    pricelist_path = join(SHEET, "introducerPricelistId")
    pricelist_id = c.integer(
        sheet, "introducerPricelistId", pricelist_path, "Pricelist", required=True
    )
    if pricelist_id is not None and calc is not None:
        pricelist = calc.pricelist(pricelist_id)
        if pricelist is None:
            c.add(
                pricelist_path, "PRICELIST_NOT_ALLOWED", "That pricelist is not one of this office."
            )
    product_path = join(SHEET, "marketProductId")
    product_id = c.integer(
        sheet, "marketProductId", product_path, "Product", required=not c.has(pricelist_path)
    )
    if product_id is not None and calc is not None:
        if product_id not in {product.id for product in calc.market_products}:
            c.add(product_path, "INVALID_VALUE", "That product is not one of this office.")
        elif pricelist is not None and pricelist.market_product_id != product_id:
            c.add(
                product_path,
                "MARKET_PRODUCT_MISMATCH",
                f"The pricelist “{pricelist.name}” belongs to another product: choose the "
                "pricelist again.",
            )
    method_path = join(SHEET, "paymentMethod")
    method_id = c.ref(sheet, "paymentMethod", method_path, "Payment method", required=True)
    if (
        method_id is not None
        and calc is not None
        and method_id not in {method.id for method in calc.payment_methods}
    ):
        c.add(
            join(method_path, "id"),
            "PAYMENT_METHOD_NOT_FOUND",
            "That payment method is not one of this office.",
        )
    _terms(c, sheet, pricelist)
    special_ids = {t.id for t in calc.special_payment_types} if calc else None
    down = _payments(
        c, sheet, "specialPayments", "Special payments", special_ids, down_payment_ids(config)
    )
    fee_ids = {t.id for t in calc.fee_types} if calc else None
    _payments(c, sheet, "fees", "Fees", fee_ids, set())
    residual_path = join(SHEET, "residualValue")
    residual_part = c.obj(sheet, "residualValue", residual_path, "Residual value", required=False)
    residual = None
    if residual_part is not None:
        amount_path = join(residual_path, "amount")
        residual = c.money(residual_part, "amount", amount_path, "Residual value", required=True)
        if pricelist is not None and not pricelist.residual_value_allowed:
            c.add(
                residual_path,
                "RESIDUAL_VALUE_NOT_ALLOWED",
                f"The pricelist “{pricelist.name}” takes no residual value: leave it empty.",
            )
            residual = None
    if pricelist is None or down is None or total is None or loans is None:
        return
    currency = pricelist.currency or (calc.currency if calc else "") or ""
    limit = pricelist.max_down_payment_percent
    if limit is not None and down * 100 > total * limit:
        c.add(
            join(SHEET, "specialPayments"),
            "DOWN_PAYMENT_TOO_HIGH",
            f"Down payments may be at most {limit.normalize():f}% of the assets total "
            f"({money_text(total * limit / 100, currency)} of {money_text(total, currency)}).",
        )
    amount = total + loans - down
    what = "assets and loans" if loans else "assets total"
    if not pricelist.min_amount_financed <= amount <= pricelist.max_amount_financed:
        c.add(
            None,
            "AMOUNT_FINANCED_OUT_OF_RANGE",
            f"The amount financed ({what} less down payments) must be "
            f"{amount_rule(pricelist, currency)}; it is {money_text(amount, currency)}.",
        )
    elif residual is not None and residual >= amount:
        c.add(
            join(residual_path, "amount"),
            "RESIDUAL_VALUE_TOO_HIGH",
            f"The residual value must be below the amount financed "
            f"({money_text(amount, currency)}).",
        )
