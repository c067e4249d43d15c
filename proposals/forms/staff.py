"""The staff dashboard's filter form (GET) and the bulk action's form (POST): what they accept
is all the selectors and actions ever see, so malformed input is a message, never a 500."""

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from proposals.models import Status
from proposals.selectors_staff import (
    DECISION_STATUSES,
    SORT_KEYS,
    broker_choices,
    office_choices,
)

ANY = [("", "Any")]
# Dates outside these bounds would overflow the day arithmetic and the database's timestamps.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DATE_RANGE_MESSAGE = "Enter a date between 01/01/2000 and 31/12/2999."
# Proposal ids are positive 64-bit integers; anything else names no proposal.
LARGEST_ID = 2**63 - 1
BULK_LIMIT = 200


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[
            MinValueValidator(EARLIEST_DATE, message=DATE_RANGE_MESSAGE),
            MaxValueValidator(LATEST_DATE, message=DATE_RANGE_MESSAGE),
        ],
    )


def _sort_choices():
    return [(key, key) for key in SORT_KEYS] + [(f"-{key}", f"-{key}") for key in SORT_KEYS]


class DashboardFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Reference, SFS id or customer name",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label="Portal status", required=False, choices=ANY + Status.choices)
    decision = forms.ChoiceField(
        label="Decision status",
        required=False,
        choices=ANY + [(v, v.replace("_", " ").capitalize()) for v in DECISION_STATUSES],
    )
    broker = forms.ModelChoiceField(
        label="Broker", required=False, queryset=None, empty_label="Any"
    )
    office = forms.TypedChoiceField(
        label="Office", required=False, coerce=int, empty_value=None, choices=ANY
    )
    created_from = _date_field("Created from")
    created_to = _date_field("Created to")
    stuck = forms.BooleanField(label="Stuck only", required=False)
    sort = forms.ChoiceField(required=False, choices=[], widget=forms.HiddenInput)

    def __init__(self, *args, user, offices=None, **kwargs):
        """``offices``: {office_id: name} when the caller has it already (saves a query)."""
        super().__init__(*args, **kwargs)
        self.fields["broker"].queryset = broker_choices(user=user)
        self.fields["office"].choices = ANY + office_choices(user=user, offices=offices)
        self.fields["sort"].choices = [("", "")] + _sort_choices()
        for name, field in self.fields.items():
            if name in ("stuck", "sort"):
                continue
            select = isinstance(field, forms.ChoiceField)
            css = "form-select form-select-sm" if select else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "The end date is before the start date.")
        return data

    def filters(self) -> dict:
        """The valid filters only: one bad field is reported, the others still apply."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class BulkRefreshForm(forms.Form):
    """The ids ticked on the dashboard: whole numbers in range, at most ``BULK_LIMIT``."""

    selected = forms.CharField(required=False)  # read with getlist in clean_selected
    next = forms.CharField(required=False, max_length=2000)

    def clean_selected(self) -> set[int]:
        values = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        ids = set()
        for value in values:
            text = str(value).strip()
            # ASCII digits, 19 at most, before int(): "²" or a 5,000-digit number would raise.
            digits = text.isascii() and text.isdigit() and len(text) <= 19
            if not digits or not 0 < int(text) <= LARGEST_ID:
                raise forms.ValidationError("A selected proposal is not a valid proposal number.")
            ids.add(int(text))
        if not ids:
            raise forms.ValidationError("Select at least one proposal to refresh.")
        if len(ids) > BULK_LIMIT:
            raise forms.ValidationError(f"Select at most {BULK_LIMIT} proposals at a time.")
        return ids
