"""The staff dashboard's filter form (GET): what it accepts is all the selector ever sees."""

from django import forms

from proposals.models import Status
from proposals.selectors_staff import (
    DECISION_STATUSES,
    SORT_KEYS,
    broker_choices,
    office_choices,
)

ANY = [("", "Any")]


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
    created_from = forms.DateField(
        label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label="Created to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
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
