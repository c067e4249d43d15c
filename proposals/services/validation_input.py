"""What a broker typed on a step (a form POST, as strings) turned into the stored parts.

A value that cannot become its stored type ("abc" for a quantity, 31/02/2020 for a date) is a
``Problem`` here and stays out of the parts; the raw input is kept in ``draft_input`` so the form
shows it again. Anything else is stored as typed and judged by ``proposal_validate``.
"""

import re

from proposals.services.validation_loans import parse_delivery, parse_loans
from proposals.services.validation_reader import (
    CHECKED,
    INVALID,
    MAX_ID,
    MAX_PAYMENT_TYPES,
    ROW_KEY,
    Reader,
    blank_row,
    put,
    raw_input,
    renumber,
)
from proposals.services.validation_values import MAX_NOTE, Problem, join

__all__ = ["CHECKED", "INVALID", "ROW_KEY", "Reader", "put", "step_parse"]


# -- the steps ---------------------------------------------------------------------------------


def parse_office(read: Reader, config_for) -> dict:
    return put_fields(
        office_id=read.choice_id("office", "officeId", "Office"),
        sales_contact_id=read.choice_id("sales_contact", "salesContactId", "Sales contact"),
    )


def put_fields(**values) -> dict:
    """Model fields: None clears a field, an unreadable value keeps what was stored."""
    return {key: value for key, value in values.items() if value is not INVALID}


def _partner(read: Reader, index: int, path: str) -> dict:
    key = f"partners-{index}-"
    here = f"{path}.partners[{index}]"
    partner = put(
        {},
        title=read.choice_id(f"{key}title", join(here, "title"), "Title"),
        firstName=read.text(f"{key}first_name", join(here, "firstName"), "First name"),
        lastName=read.text(f"{key}last_name", join(here, "lastName"), "Last name"),
        dateOfBirth=read.date(f"{key}date_of_birth", join(here, "dateOfBirth"), "Date of birth"),
        address=read.address(key, join(here, "address")),
    )
    if "title" in partner:
        partner["title"] = {"id": partner["title"]}
    partner["guarantor"] = read.checked(f"{key}guarantor")
    return partner


PARTNER_FIELDS = (
    "title", "first_name", "last_name", "date_of_birth", "address1", "address2", "city",
    "postal_code",
)  # fmt: skip
ASSET_FIELDS = ("iac_code", "description", "quantity", "value_per_asset", "age_in_months")


def parse_customer(read: Reader, config_for) -> dict:
    kind = read.get("customer_kind") or "company"
    if kind not in ("company", "manual"):
        read.problems.append(
            Problem("customer", "INVALID_VALUE", "Choose a registered company or typed in.")
        )
        return {}
    if kind == "company":
        customer = put(
            {},
            registrationNumber=read.text(
                "registration_number", "customer.registrationNumber", "Registration number"
            ),
            sourceCountryCode=read.text(
                "source_country_code", "customer.sourceCountryCode", "Country", upper=True
            ),
            companyType=read.text("company_type", "customer.companyType", "Company type"),
        )
        if set(customer) == {"sourceCountryCode"}:
            customer = {}  # the country comes filled in: alone it is no customer
        return {"customer_kind": kind, "customer": customer, **parse_delivery(read)}
    path = "customerManual"
    rows = [i for i in read.rows("partners") if not blank_row(read, "partners", i, PARTNER_FIELDS)]
    read.raw = renumber(read.raw, "partners", rows)
    manual = put(
        {},
        companyName=read.text("company_name", join(path, "companyName"), "Company name"),
        legalForm=read.choice_id("legal_form", join(path, "legalForm"), "Legal form"),
        registrationNumber=read.text(
            "manual_registration_number", join(path, "registrationNumber"), "Registration number"
        ),
        dateOfIncorporation=read.date(
            "date_of_incorporation", join(path, "dateOfIncorporation"), "Date of incorporation"
        ),
        address=read.address("", join(path, "address")),
    )
    if "legalForm" in manual:
        manual["legalForm"] = {"id": manual["legalForm"]}
    partners = [_partner(read, i, path) for i in range(len(rows))]
    if partners:
        manual["partners"] = partners
    return {"customer_kind": kind, "customer": manual, **parse_delivery(read)}


def parse_assets(read: Reader, config_for) -> dict:
    rows = [i for i in read.rows("assets") if not blank_row(read, "assets", i, ASSET_FIELDS)]
    read.raw = renumber(read.raw, "assets", rows)
    assets = []
    for index in range(len(rows)):
        key, here = f"assets-{index}-", f"assets[{index}]"
        asset = put(
            {},
            id=read.integer(f"{key}id", join(here, "id"), "Asset id", maximum=MAX_ID),
            assetIacCode=read.text(f"{key}iac_code", join(here, "assetIacCode"), "Asset type"),
            condition=read.text(f"{key}condition", join(here, "condition"), "Condition"),
            description=read.text(f"{key}description", join(here, "description"), "Description"),
            quantity=read.integer(
                f"{key}quantity", join(here, "quantity"), "Quantity", hint="such as 3"
            ),
            valuePerAsset=read.money(
                f"{key}value_per_asset", join(here, "valuePerAsset"), "Value per asset"
            ),
            ageInMonth=read.integer(
                f"{key}age_in_months", join(here, "ageInMonth"), "Age in months", hint="such as 18"
            ),
        )
        assets.append(asset)
    return {"assets": assets, **parse_loans(read)}


def _payment_ids(read: Reader, kind: str, known: list[int]) -> list[int]:
    pattern = re.compile(rf"^{kind}_(\d{{1,15}})$")
    posted = {int(m.group(1)) for key in read.raw if (m := pattern.match(key))}
    ordered = [i for i in known if i in posted] + sorted(posted - set(known))
    return ordered[:MAX_PAYMENT_TYPES]


def parse_calculation(read: Reader, config_for) -> dict:
    path = "calculation.sheet"
    config = config_for()
    calc = config.calculation if config else None
    pricelist_id = read.choice_id("pricelist", join(path, "introducerPricelistId"), "Pricelist")
    sheet = put(
        {},
        introducerPricelistId=pricelist_id,
        paymentMethod=read.choice_id(
            "payment_method", join(path, "paymentMethod"), "Payment method"
        ),
        paymentMode=read.text("payment_mode", join(path, "paymentMode"), "Payment timing"),
        paymentPeriod=read.text("payment_period", join(path, "paymentPeriod"), "Payment period"),
        term=read.integer("term", join(path, "term"), "Term", hint="in months, such as 36"),
    )
    if "paymentMethod" in sheet:
        sheet["paymentMethod"] = {"id": sheet["paymentMethod"]}
    pricelist = calc.pricelist(pricelist_id) if calc and isinstance(pricelist_id, int) else None
    if pricelist is not None:
        sheet["marketProductId"] = pricelist.market_product_id
    for kind, key, types in (
        ("special", "specialPayments", calc.special_payment_types if calc else ()),
        ("fee", "fees", calc.fee_types if calc else ()),
    ):
        payments, names = [], {t.id: t.name for t in types}
        for type_id in _payment_ids(read, kind, list(names)):
            # Not a list index yet: the form finds the field by the type (``fees#3``).
            label = names.get(type_id) or "The amount"
            amount = read.money(f"{kind}_{type_id}", f"{path}.{key}#{type_id}", label)
            if amount not in (None, INVALID):
                payments.append({"type": {"id": type_id}, "amount": amount})
        if payments:
            sheet[key] = payments
    residual = read.money("residual_value", join(path, "residualValue.amount"), "Residual value")
    put(sheet, residualValue={"amount": residual} if residual not in (None, INVALID) else None)
    return {"calculation": {"sheet": sheet} if sheet else {}}


def parse_review(read: Reader, config_for) -> dict:
    notes = {
        "specialConditionText": read.text(
            "special_condition_text", "specialConditionText", "Special conditions", MAX_NOTE
        ),
        "scheduleAssetsDescription": read.text(
            "schedule_assets_description", "scheduleAssetsDescription", "Schedule of assets",
            MAX_NOTE,
        ),
    }  # fmt: skip
    request = {
        "commentToRiskAnalyst": read.text(
            "comment_to_risk_analyst", "commentToRiskAnalyst", "Comment", MAX_NOTE
        ),
        "siemensMayContactCustomer": read.checked("siemens_may_contact_customer"),
        "siemensMayRequestCreditData": read.checked("siemens_may_request_credit_data"),
        "prelease": read.checked("prelease"),
    }
    return {
        "notes": notes,
        "decision_request": request,
        "request_decision": read.checked("request_decision"),
    }


PARSERS = {
    "office": parse_office,
    "customer": parse_customer,
    "assets": parse_assets,
    "calculation": parse_calculation,
    "review": parse_review,
}


def step_parse(step: str, data, config_for) -> tuple[dict, list[Problem], dict[str, str]]:
    """(model fields, problems, the raw input as kept) of a step's POST.

    ``config_for`` answers the office's config when asked (only the calculation needs it).
    """
    read = Reader(raw_input(data))
    fields = PARSERS[step](read, config_for)
    return fields, read.problems, read.raw
