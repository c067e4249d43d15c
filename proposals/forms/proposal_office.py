"""Step 1: the office and the sales contact, from the mirror only."""

from django import forms

from proposals.forms.proposal_common import OptionSelect, StepForm
from proposals.services.config_mirror import office_config


class OfficeForm(StepForm):
    PATHS = {"officeId": "office", "salesContactId": "sales_contact"}

    office = forms.ChoiceField(label="Office", required=True)
    sales_contact = forms.ChoiceField(
        label="Sales contact",
        required=False,
        help_text="Needed for offices outside GB. For a GB office SFS assigns one when you "
        "leave it empty.",
    )

    def __init__(self, *args, context, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        offices = context.offices
        self.fields["office"].choices = [("", "Choose an office")] + [
            (str(o.office_id), f"{o.name} ({o.country_code})") for o in offices
        ]
        self.fields["office"].widget = OptionSelect(
            choices=self.fields["office"].choices,
            attrs={"class": "form-select", "data-office-select": ""},
            option_attrs={str(o.office_id): {"data-country": o.country_code} for o in offices},
        )
        self.fields[
            "office"
        ].help_text = "Each office has its own sales contacts, asset types and pricelists."
        if locked:
            self.fields["office"].disabled = True
            self.fields["office"].help_text = "The office cannot change once SFS has it."
        contacts, offices_of = {}, {}
        for office in offices:
            for contact in office_config(office).usable_sales_contacts:
                contacts.setdefault(contact.id, contact)
                offices_of.setdefault(contact.id, []).append(office)
        choices = [("", "None: SFS assigns one (GB offices only)")]
        option_attrs = {}
        for contact_id, contact in contacts.items():
            role = f", {contact.role_name}" if contact.role_name else ""
            where = ", ".join(o.name for o in offices_of[contact_id])
            label = f"{contact.full_name}{role}"
            choices.append((str(contact_id), f"{label} ({where})" if len(offices) > 1 else label))
            option_attrs[str(contact_id)] = {
                "data-offices": " ".join(str(o.office_id) for o in offices_of[contact_id])
            }
        self.fields["sales_contact"].choices = choices
        self.fields["sales_contact"].widget = OptionSelect(
            choices=choices,
            attrs={"class": "form-select", "data-contact-select": ""},
            option_attrs=option_attrs,
        )
        outside = [o for o in offices if not o.is_gb]
        if outside:
            names = ", ".join(f"{o.name} ({o.country_code})" for o in outside)
            self.fields["sales_contact"].help_text += f" Required for: {names}."


def office_initial(proposal) -> dict:
    contact = proposal.sales_contact_id
    return {
        "office": "" if proposal.office_id is None else str(proposal.office_id),
        "sales_contact": "" if contact is None else str(contact),
    }
