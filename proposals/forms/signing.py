"""The e-signature request: which documents, who signs, who is copied (CONTRACT.md 6.11).

Only documents SFS allows now are choices, so a forged value is refused like any unknown choice;
the service checks the same again before the job is enqueued.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from proposals.services.signing import (
    MAX_SIGNATORIES,
    NOT_ALLOWED_NOW,
    combination_refusal,
    document_key,
    document_name,
)


class SigningDocumentsForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label="Documents to sign",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one document to send for signing.",
            "invalid_choice": f"{NOT_ALLOWED_NOW}: choose from the documents offered.",
        },
    )
    cc = forms.CharField(
        label="Send a copy to (optional)",
        required=False,
        max_length=1000,
        help_text="Email addresses separated by commas, e.g. accounts@example.com, "
        "office@example.com",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, documents: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {document_key(item): item for item in documents}
        self.fields["documents"].choices = [
            (key, document_name(item)) for key, item in self.items.items()
        ]
        self.fields["cc"].widget.attrs["class"] = "form-control"

    def clean_documents(self) -> list[str]:
        keys = self.cleaned_data["documents"]
        refusal = combination_refusal([self.items[key] for key in keys])
        if refusal:
            raise ValidationError(refusal, code="not_combinable")
        return keys

    def clean_cc(self) -> str:
        addresses = [part.strip() for part in self.cleaned_data["cc"].split(",")]
        addresses = [address for address in addresses if address]
        wrong = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                wrong.append(address)
        if wrong:
            raise ValidationError(
                "Not an email address: %(wrong)s. Separate addresses with commas.",
                code="invalid",
                params={"wrong": ", ".join(wrong)},
            )
        return ",".join(addresses)


class SignatoryForm(forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the signatory's first name."},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the signatory's last name."},
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages={
            "required": "Enter the signatory's email: SFS sends the documents there.",
            "invalid": "Enter a valid email address, like name@example.com.",
        },
    )
    job_title = forms.TypedChoiceField(
        label="Job title (optional)", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, job_titles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_title"].choices = [("", "—")] + [
            (title.id, title.name) for title in job_titles
        ]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "job_title" else "form-control"
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def payload(self) -> dict:
        data = self.cleaned_data
        signatory = {
            "firstName": data["first_name"],
            "lastName": data["last_name"],
            "email": data["email"],
        }
        if data.get("job_title"):
            signatory["jobTitle"] = {"id": data["job_title"]}
        return signatory


class _SignatoryFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "Name at least one signatory.",
        "too_many_forms": f"Name at most {MAX_SIGNATORIES} signatories.",
    }

    def get_form_kwargs(self, index):
        # Any row but the first may be left blank (a prefilled partner who does not sign).
        return {**super().get_form_kwargs(index), "empty_permitted": bool(index)}

    def filled(self) -> list[SignatoryForm]:
        """The rows typed in (a row left blank beyond the first is no signatory)."""
        return [form for form in self.forms if form.cleaned_data]

    def payload(self) -> list[dict]:
        return [form.payload() for form in self.filled()]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        emails = [form.cleaned_data["email"].lower() for form in self.filled()]
        if len(emails) != len(set(emails)):
            raise ValidationError("Each signatory needs an email of their own.", code="twice")


SignatoryFormSet = forms.formset_factory(
    SignatoryForm,
    formset=_SignatoryFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_SIGNATORIES,
    validate_max=True,
)
