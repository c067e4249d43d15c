"""CONTRACT.md 6.7's loans and 6.8's delivery address, held against the local config mirror.

A loan is a financed amount that is not an asset (installation, training, software). The market
product of the chosen pricelist says whether it takes loans and up to what share of the assets
and loans together (before down payments).
"""

from decimal import Decimal

from proposals.services.validation_customer import check_address
from proposals.services.validation_reader import (
    INVALID,
    MAX_ID,
    Reader,
    blank_row,
    put,
    renumber,
)
from proposals.services.validation_values import Checker, Problem, join, to_decimal
from proposals.siesmart.types import MarketProduct

LOANS = "loans"
DELIVERY = "deliveryAddress"
LOAN_FIELDS = ("purpose", "value")
DELIVERY_CHOICES = ("customer", "other")


def sheet_product(config, calculation) -> MarketProduct | None:
    """The market product of the stored calculation sheet (set from its pricelist)."""
    sheet = (calculation or {}).get("sheet") if isinstance(calculation, dict) else None
    product_id = sheet.get("marketProductId") if isinstance(sheet, dict) else None
    if config is None or isinstance(product_id, bool) or not isinstance(product_id, int):
        return None
    return next((p for p in config.calculation.market_products if p.id == product_id), None)


def max_loan_percent(product: MarketProduct) -> Decimal | None:
    # The mirror keeps money as strings (``to_plain``): read it back as a number.
    return to_decimal(product.max_loan_percent)


def percent_text(percent: Decimal) -> str:
    return f"{percent.normalize():f}%"


def loan_rule(product: MarketProduct) -> str:
    """The limit, in the words shown above the loan rows and in the problem."""
    if not product.loans_allowed:
        return f"{product.name} takes no loans."
    percent = max_loan_percent(product)
    if percent is None:
        return f"{product.name} takes loans."
    return f"Loans may be at most {percent_text(percent)} of assets and loans together."


def loans_total(loans) -> Decimal | None:
    """The sum of the loans' values; None while any loan has no readable value."""
    total = Decimal(0)
    for loan in loans if isinstance(loans, list) else ():
        value = to_decimal(loan.get("value")) if isinstance(loan, dict) else None
        if value is None:
            return None
        total += value
    return total


def check_loans(c: Checker, loans, config, calculation, assets_total) -> Decimal | None:
    """Each loan's purpose and value, then the product's rules; answers the loans total (None
    while any loan is incomplete)."""
    if loans in (None, []):
        return Decimal(0)
    if not isinstance(loans, list):
        c.add(LOANS, "WRONG_TYPE", "The loans are not in the expected form.")
        return None
    purposes = {purpose.id for purpose in config.loan_purposes} if config else None
    total: Decimal | None = Decimal(0)
    for index, loan in enumerate(loans):
        path = f"{LOANS}[{index}]"
        if not isinstance(loan, dict):
            c.add(path, "WRONG_TYPE", "This loan is not in the expected form.")
            total = None
            continue
        purpose_id = c.ref(loan, "loanPurpose", join(path, "loanPurpose"), "Purpose", required=True)
        if purpose_id is not None and purposes is not None and purpose_id not in purposes:
            c.add(
                join(path, "loanPurpose.id"),
                "INVALID_VALUE",
                "That loan purpose is not one of this office: choose one from the list.",
            )
        value = c.money(loan, "value", join(path, "value"), "Loan value", required=True)
        total = total + value if total is not None and value is not None else None
    product = sheet_product(config, calculation)
    if product is None:
        return total  # the product is chosen with the pricelist, on the calculation step
    if not product.loans_allowed:
        c.add(
            LOANS,
            "LOANS_NOT_ALLOWED",
            f"{product.name} takes no loans: remove them, or choose a pricelist of a product "
            "that takes them.",
        )
    elif total is not None and assets_total is not None:
        percent = max_loan_percent(product)
        if percent is not None and total * 100 > (assets_total + total) * percent:
            c.add(LOANS, "LOANS_TOO_HIGH", loan_rule(product))
    return total


def check_delivery_address(c: Checker, address) -> None:
    """Null: the customer's address. Otherwise an address, checked like every other."""
    if address is None:
        return
    if not isinstance(address, dict):
        c.add(DELIVERY, "WRONG_TYPE", "The delivery address is not in the expected form.")
        return
    check_address(c, address, DELIVERY)


# -- what the broker typed (a step's POST) into the stored parts -------------------------------


def parse_loans(read: Reader) -> dict:
    """The assets step's loan rows; a form without them (no management form, no row) leaves
    the stored loans as they are."""
    if "loans-TOTAL_FORMS" not in read.raw and not read.rows(LOANS):
        return {}
    rows = [i for i in read.rows(LOANS) if not blank_row(read, LOANS, i, LOAN_FIELDS)]
    read.raw = renumber(read.raw, LOANS, rows)
    loans = []
    for index in range(len(rows)):
        key, here = f"loans-{index}-", f"{LOANS}[{index}]"
        loan = put(
            {},
            id=read.integer(f"{key}id", join(here, "id"), "Loan id", maximum=MAX_ID),
            loanPurpose=read.choice_id(f"{key}purpose", join(here, "loanPurpose"), "Purpose"),
            value=read.money(f"{key}value", join(here, "value"), "Loan value"),
        )
        if "loanPurpose" in loan:
            loan["loanPurpose"] = {"id": loan["loanPurpose"]}
        loans.append(loan)
    return {"loans": loans}


def parse_delivery(read: Reader) -> dict:
    """The customer step's delivery address: none (the customer's address, the default) or one
    typed in."""
    choice = read.get("delivery") or "customer"
    if choice not in DELIVERY_CHOICES:
        read.problems.append(
            Problem(DELIVERY, "INVALID_VALUE", "Choose where the assets are delivered.")
        )
        return {}
    if choice == "customer":
        return {"delivery_address": None}
    address = read.address("delivery_", DELIVERY)
    if address is None:  # chosen but not typed yet: an address to complete, shown as such
        address = {}
        code = read.text("delivery_country", f"{DELIVERY}.country", "Country", upper=True)
        if code not in (None, INVALID):
            address["country"] = {"code": code}
    return {"delivery_address": address}
