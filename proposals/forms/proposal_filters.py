"""The broker's list: filter by status and decision, search by reference or customer."""

from django import forms
from django.db.models import Q, QuerySet

from proposals.models import Status
from proposals.selectors import proposals_matching
from proposals.siesmart.enums import DecisionStatus

DECISION_CHOICES = [
    ("", "Any decision"),
    ("NONE", "Not requested yet"),
    (DecisionStatus.PENDING, "Pending"),
    (DecisionStatus.ACCEPTED, "Accepted"),
    (DecisionStatus.DECLINED, "Declined"),
    (DecisionStatus.MORE_INFORMATION, "More information needed"),
]


class ProposalFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="A reference (IP-2026-…) or part of the customer's name or number.",
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    decision = forms.ChoiceField(
        label="Decision",
        required=False,
        choices=DECISION_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def apply(self, queryset: QuerySet) -> QuerySet:
        """The queryset narrowed by the valid filters; an invalid one is ignored, never a 500."""
        if not self.is_bound:
            return queryset
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        queryset = proposals_matching(queryset, query=(data.get("q") or "").strip())
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        decision = data.get("decision")
        if decision == "NONE":
            queryset = queryset.filter(Q(decision_status="") | Q(decision_status="NOT_AVAILABLE"))
        elif decision:
            queryset = queryset.filter(decision_status=decision)
        return queryset
