"""CONTRACT.md 6.1's customer rules: a company reference, or a customer typed in by hand."""

from datetime import date

from proposals.services.validation_values import Checker, adult_on, join
from proposals.siesmart.enums import REGISTERED_COMPANY_TYPES, CompanyType
from proposals.siesmart.types import LegalForm, Title

COMPANY_TYPES = tuple(member.value for member in CompanyType)


def check_address(c: Checker, address: dict, path: str) -> None:
    c.text(address, "address1", join(path, "address1"), "Address line 1", required=True)
    c.text(address, "address2", join(path, "address2"), "Address line 2", required=False)
    for key in ("houseNumber", "houseName", "flatName", "phoneNumber", "mobilePhoneNumber"):
        c.text(address, key, join(path, key), key, required=False)
    c.text(address, "email", join(path, "email"), "Email", required=False)
    c.text(address, "city", join(path, "city"), "Town or city", required=True)
    c.text(address, "postalCode", join(path, "postalCode"), "Postcode", required=True)
    country = c.obj(address, "country", join(path, "country"), "Country", required=True)
    if country is not None:
        c.country(country, "code", join(path, "country.code"), "Country", required=True)


def check_company(c: Checker, customer: dict, path: str = "customer") -> None:
    """The three fields SFS looks the company up by; whether it exists only SFS can tell."""
    c.text(
        customer,
        "registrationNumber",
        join(path, "registrationNumber"),
        "Registration number",
        required=True,
    )
    c.country(
        customer,
        "sourceCountryCode",
        join(path, "sourceCountryCode"),
        "Country of registration",
        required=True,
    )
    c.choice(
        customer,
        "companyType",
        join(path, "companyType"),
        "Company type",
        COMPANY_TYPES,
        required=True,
    )


def _partner(c: Checker, partner, path: str, titles: tuple[Title, ...], today: date) -> None:
    if not isinstance(partner, dict):
        c.add(path, "WRONG_TYPE", "This partner is not in the expected form.")
        return
    title_id = c.ref(partner, "title", join(path, "title"), "Title", required=True)
    if title_id is not None and title_id not in {title.id for title in titles}:
        c.add(join(path, "title.id"), "INVALID_VALUE", "Choose a title from the list.")
    c.text(partner, "firstName", join(path, "firstName"), "First name", required=True)
    c.text(partner, "lastName", join(path, "lastName"), "Last name", required=True)
    born = c.date(partner, "dateOfBirth", join(path, "dateOfBirth"), "Date of birth", required=True)
    if born is not None and not adult_on(born, today):
        c.add(join(path, "dateOfBirth"), "PARTNER_UNDER_18", "A partner must be 18 or older.")
    address = c.obj(partner, "address", join(path, "address"), "Home address", required=True)
    if address is not None:
        check_address(c, address, join(path, "address"))
    c.integer(
        partner, "monthAtAddress", join(path, "monthAtAddress"), "Months at address",
        required=False, minimum=0,
    )  # fmt: skip
    c.boolean(partner, "guarantor", join(path, "guarantor"), "Guarantor")


def _partner_count_rule(code: str, count: int) -> str | None:
    if code == CompanyType.SOLE_TRADER and count != 1:
        return "A sole trader has exactly one proprietor: add one, and only one."
    if code == CompanyType.PARTNERSHIP and count < 2:
        return "A partnership has at least two partners."
    if code in REGISTERED_COMPANY_TYPES and count < 1:
        return "A company has at least one director: add the directors."
    return None


def check_manual(
    c: Checker,
    manual: dict,
    legal_forms: tuple[LegalForm, ...],
    titles: tuple[Title, ...],
    path: str = "customerManual",
) -> None:
    c.text(manual, "companyName", join(path, "companyName"), "Company name", required=True)
    legal_form = None
    form_id = c.ref(manual, "legalForm", join(path, "legalForm"), "Legal form", required=True)
    if form_id is not None:
        legal_form = next((form for form in legal_forms if form.id == form_id), None)
        if legal_form is None:
            c.add(
                join(path, "legalForm.id"),
                "LEGAL_FORM_NOT_FOUND",
                "That legal form is not one SFS knows: choose one from the list.",
            )
    address = c.obj(manual, "address", join(path, "address"), "Business address", required=True)
    if address is not None:
        check_address(c, address, join(path, "address"))
    c.date(
        manual,
        "dateOfIncorporation",
        join(path, "dateOfIncorporation"),
        "Date of incorporation",
        required=False,
    )
    number_path = join(path, "registrationNumber")
    number = c.text(
        manual, "registrationNumber", number_path, "Registration number", required=False
    )
    c.ref(manual, "professionType", join(path, "professionType"), "Profession", required=False)
    partners_path = join(path, "partners")
    partners = c.items(manual, "partners", partners_path, "Partners")
    today = date.today()
    for index, partner in enumerate(partners or ()):
        _partner(c, partner, f"{partners_path}[{index}]", titles, today)
    if legal_form is None:
        return
    if legal_form.code in REGISTERED_COMPANY_TYPES and number is None and not c.has(number_path):
        c.add(
            number_path,
            "REGISTRATION_NUMBER_REQUIRED",
            f"A registration number is required for a {legal_form.name or legal_form.code}.",
        )
    if partners is None and "partners" in manual and manual["partners"] is not None:
        return  # not a list: that has its own problem
    message = _partner_count_rule(legal_form.code, len(partners or ()))
    if message:
        c.add(partners_path, "PARTNER_COUNT", message)


def check_customer(c: Checker, *, kind: str, customer, legal_forms, titles) -> None:
    """Check the stored customer part; an empty one is absent (the pre-check reports that)."""
    path = "customerManual" if kind == "manual" else "customer"
    if customer in (None, {}, ""):
        return
    if not isinstance(customer, dict):
        c.add(path, "WRONG_TYPE", "The customer is not in the expected form.")
        return
    if kind == "manual":
        check_manual(c, customer, legal_forms, titles, path)
    else:
        check_company(c, customer, path)
