"""Step 2: the customer, a registered company SFS looks up, or one typed in with its partners."""

from django import forms

from proposals.forms.proposal_common import StepForm, date_display, date_input, ref_id, text_input
from proposals.siesmart.enums import CompanyType

COMPANY_TYPE_WORDS = {
    CompanyType.LIMITED_COMPANY: "Private limited company (Ltd)",
    CompanyType.PLC: "Public limited company (PLC)",
    CompanyType.LLP: "Limited liability partnership (LLP)",
    CompanyType.PARTNERSHIP: "Partnership",
    CompanyType.SOLE_TRADER: "Sole trader",
    CompanyType.OTHER: "Other",
}
KINDS = [
    ("company", "A registered company: SFS looks it up by its registration number"),
    ("manual", "Typed in by hand, with its directors, partners or proprietor"),
]
ADDRESS_PATHS = {
    "address": "address1",
    "address.address1": "address1",
    "address.address2": "address2",
    "address.city": "city",
    "address.postalCode": "postal_code",
    "address.country": "country",
}
COUNTRY_HELP = "Two letters, for example GB or IE."
DELIVERY_CHOICES = [
    ("customer", "Deliver to the customer's address"),
    ("other", "Deliver to another address"),
]
DELIVERY_PREFIX = "delivery_"


def _address_fields(country_default: str) -> dict:
    return {
        "address1": forms.CharField(
            label="Address line 1", widget=text_input(autocomplete="address-line1")
        ),
        "address2": forms.CharField(
            label="Address line 2 (optional)",
            required=False,
            widget=text_input(autocomplete="address-line2"),
        ),
        "city": forms.CharField(
            label="Town or city", widget=text_input(autocomplete="address-level2")
        ),
        "postal_code": forms.CharField(
            label="Postcode", widget=text_input(autocomplete="postal-code")
        ),
        "country": forms.CharField(
            label="Country",
            initial=country_default,
            help_text=COUNTRY_HELP,
            widget=text_input(autocomplete="country", maxlength=2),
        ),
    }


class CustomerForm(StepForm):
    PATHS = {
        "customer": "customer_kind",
        "customer.registrationNumber": "registration_number",
        "customer.sourceCountryCode": "source_country_code",
        "customer.companyType": "company_type",
        "customerManual.companyName": "company_name",
        "customerManual.legalForm": "legal_form",
        "customerManual.registrationNumber": "manual_registration_number",
        "customerManual.dateOfIncorporation": "date_of_incorporation",
        **{f"customerManual.{path}": name for path, name in ADDRESS_PATHS.items()},
        "deliveryAddress": "delivery",
        **{
            f"deliveryAddress{path.removeprefix('address')}": f"{DELIVERY_PREFIX}{name}"
            for path, name in ADDRESS_PATHS.items()
            if path != "address"
        },
    }

    customer_kind = forms.ChoiceField(
        label="Who is the customer?", choices=KINDS, widget=forms.RadioSelect, initial="company"
    )
    registration_number = forms.CharField(
        label="Registration number",
        help_text="As on the register, for example 01234567. SFS fills in the name and address.",
        widget=text_input(autocomplete="off"),
    )
    source_country_code = forms.CharField(
        label="Country of registration", help_text=COUNTRY_HELP, widget=text_input(maxlength=2)
    )
    company_type = forms.ChoiceField(
        label="Company type",
        choices=[("", "Choose the company type")] + list(COMPANY_TYPE_WORDS.items()),
    )
    company_name = forms.CharField(
        label="Company name", widget=text_input(autocomplete="organization")
    )
    legal_form = forms.ChoiceField(label="Legal form")
    manual_registration_number = forms.CharField(
        label="Registration number",
        required=False,
        help_text="Required for a limited company, a PLC and an LLP.",
        widget=text_input(autocomplete="off"),
    )
    date_of_incorporation = forms.CharField(
        label="Date of incorporation (optional)",
        required=False,
        help_text="For example 31/01/2015.",
        widget=date_input(),
    )

    def __init__(self, *args, context, country="GB", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_country_code"].initial = country
        for name, bound in _address_fields(country).items():
            self.fields[name] = bound
        forms_words = []
        for form in context.legal_forms:
            forms_words.append((str(form.id), form.name or form.code))
        self.fields["legal_form"].choices = [("", "Choose the legal form")] + forms_words
        self.fields["legal_form"].help_text = (
            "A sole trader has exactly one proprietor, a partnership at least two partners, "
            "a company at least one director."
        )
        self.fields["delivery"] = forms.ChoiceField(
            label="Where do the assets go?",
            choices=DELIVERY_CHOICES,
            initial="customer",
            widget=forms.RadioSelect,
        )
        for name, bound in _address_fields(country).items():
            bound.label = f"Delivery {bound.label[0].lower()}{bound.label[1:]}"
            self.fields[f"{DELIVERY_PREFIX}{name}"] = bound
        self.style_widgets()


class PartnerForm(StepForm):
    PATHS = {
        "title": "title",
        "firstName": "first_name",
        "lastName": "last_name",
        "dateOfBirth": "date_of_birth",
        "guarantor": "guarantor",
        **ADDRESS_PATHS,
    }
    fallback_field = "first_name"

    title = forms.ChoiceField(label="Title")
    first_name = forms.CharField(
        label="First name", widget=text_input(autocomplete="off", maxlength=255)
    )
    last_name = forms.CharField(
        label="Last name", widget=text_input(autocomplete="off", maxlength=255)
    )
    date_of_birth = forms.CharField(
        label="Date of birth",
        help_text="For example 31/01/1980. Partners are 18 or older.",
        widget=date_input(),
    )
    guarantor = forms.BooleanField(label="Guarantor", required=False)

    def __init__(self, *args, context=None, country="GB", **kwargs):
        super().__init__(*args, **kwargs)
        titles = context.titles if context else ()
        self.fields["title"].choices = [("", "Choose")] + [(str(t.id), t.name) for t in titles]
        guarantor = self.fields.pop("guarantor")
        for name, bound in _address_fields(country).items():
            bound.label = f"Home {bound.label[0].lower()}{bound.label[1:]}"
            self.fields[name] = bound
        self.fields["guarantor"] = guarantor
        self.style_widgets()


def partner_formset(*, initial, extra, context, country):
    factory = forms.formset_factory(PartnerForm, extra=extra, can_delete=True, max_num=20)
    return factory(
        initial=initial,
        prefix="partners",
        form_kwargs={"context": context, "country": country},
    )


def _address_initial(address, prefix="") -> dict:
    address = address if isinstance(address, dict) else {}
    initial = {
        f"{prefix}address1": address.get("address1") or "",
        f"{prefix}address2": address.get("address2") or "",
        f"{prefix}city": address.get("city") or "",
        f"{prefix}postal_code": address.get("postalCode") or "",
    }
    if ref_country(address):  # else the office's country stays filled in
        initial[f"{prefix}country"] = ref_country(address)
    return initial


def ref_country(address) -> str:
    country = address.get("country") if isinstance(address, dict) else None
    return str(country.get("code") or "") if isinstance(country, dict) else ""


def delivery_initial(proposal) -> dict:
    """Null: the customer's address (the default); else the address typed in."""
    address = proposal.delivery_address
    if address is None:
        return {"delivery": "customer"}
    return {"delivery": "other", **_address_initial(address, DELIVERY_PREFIX)}


def customer_initial(proposal) -> tuple[dict, list[dict]]:
    """(the form's initial, the partner rows) from the stored customer."""
    initial, rows = _customer_initial(proposal)
    return {**initial, **delivery_initial(proposal)}, rows


def _customer_initial(proposal) -> tuple[dict, list[dict]]:
    customer = proposal.customer if isinstance(proposal.customer, dict) else {}
    if proposal.customer_kind != "manual":
        initial = {
            "customer_kind": "company",
            "registration_number": customer.get("registrationNumber") or "",
            "company_type": customer.get("companyType") or "",
        }
        if customer.get("sourceCountryCode"):
            initial["source_country_code"] = customer["sourceCountryCode"]
        return initial, []
    initial = {
        "customer_kind": "manual",
        "company_name": customer.get("companyName") or "",
        "legal_form": str(ref_id(customer.get("legalForm")) or ""),
        "manual_registration_number": customer.get("registrationNumber") or "",
        "date_of_incorporation": date_display(customer.get("dateOfIncorporation")),
        **_address_initial(customer.get("address")),
    }
    rows = []
    for partner in customer.get("partners") or []:
        if not isinstance(partner, dict):
            rows.append({})
            continue
        rows.append(
            {
                "title": str(ref_id(partner.get("title")) or ""),
                "first_name": partner.get("firstName") or "",
                "last_name": partner.get("lastName") or "",
                "date_of_birth": date_display(partner.get("dateOfBirth")),
                "guarantor": bool(partner.get("guarantor")),
                **_address_initial(partner.get("address")),
            }
        )
    return initial, rows
