"""A step's page: its form (and the formset of its rows), filled from the stored parts or from
the input kept as typed, with every problem pinned to its field."""

from dataclasses import dataclass, field

from django import forms

from proposals.forms.proposal_assets import asset_formset, assets_initial, pricelist_note
from proposals.forms.proposal_calculation import CalculationForm, calculation_initial
from proposals.forms.proposal_common import Pinned, StepForm, pin_problems
from proposals.forms.proposal_customer import CustomerForm, customer_initial, partner_formset
from proposals.forms.proposal_loans import LoanSection, loan_section
from proposals.forms.proposal_office import OfficeForm, office_initial
from proposals.forms.proposal_review import ReviewForm, review_initial
from proposals.services.validation import problem_step
from proposals.services.validation_input import CHECKED, ROW_KEY

STEP_LABELS = {
    "office": "Office",
    "customer": "Customer",
    "assets": "Assets",
    "calculation": "Calculation",
    "review": "Review and send",
}
FORMSETS = {"customer": ("partners", "customerManual.partners"), "assets": ("assets", "assets")}


@dataclass
class StepPage:
    step: str
    form: StepForm
    formset: forms.BaseFormSet | None = None
    pinned: Pinned = field(default_factory=Pinned)
    loans: LoanSection | None = None

    @property
    def label(self) -> str:
        return STEP_LABELS[self.step]


def _checked(raw: dict, name: str) -> bool:
    return str(raw.get(name, "")).strip().lower() in CHECKED


def _from_raw(raw: dict, prefix: str | None) -> tuple[dict, list[dict]]:
    """(the form's initial, the rows) from the input kept as typed."""
    initial, rows = {}, {}
    for key, value in raw.items():
        match = ROW_KEY.match(key)
        if match:
            if match.group(1) == prefix:
                rows.setdefault(int(match.group(2)), {})[match.group(3)] = value
        elif "-" not in key:
            initial[key] = value
    return initial, [rows[index] for index in sorted(rows)]


def _booleans(form_class, initial: dict, raw: dict) -> dict:
    for name, bound in form_class.base_fields.items():
        if isinstance(bound, forms.BooleanField):
            initial[name] = _checked(raw, name)
    return initial


def _stored(step: str, proposal, context) -> tuple[dict, list[dict]]:
    if step == "office":
        return office_initial(proposal), []
    if step == "customer":
        return customer_initial(proposal)
    if step == "assets":
        return {}, assets_initial(proposal)
    if step == "calculation":
        return calculation_initial(proposal)[0], []
    return review_initial(proposal), []


def step_build(*, step, proposal, context, problems=(), add_row=False, locked_office=False):
    """The forms of ``step`` for ``proposal`` with ``problems`` and SFS's violations pinned.

    ``add_row``: True, or the rows to add one to (``"loans"``; the step's own rows otherwise).
    """
    add_loan = add_row == "loans"
    add_row = bool(add_row) and not add_loan
    raw = (proposal.draft_input or {}).get(step)
    prefix = FORMSETS.get(step, (None, None))[0]
    if isinstance(raw, dict):
        initial, rows = _from_raw(raw, prefix)
    else:
        initial, rows = _stored(step, proposal, context)
    country = context.config.office.country_code if context.config else "GB"
    form, formset, loans = None, None, None
    if step == "office":
        form = OfficeForm(initial=initial, context=context, locked=locked_office)
    elif step == "customer":
        form = CustomerForm(initial=initial, context=context, country=country)
        if isinstance(raw, dict):
            for row in rows:
                row["guarantor"] = _checked(row, "guarantor")
        extra = 1 if add_row or not rows else 0
        formset = partner_formset(initial=rows, extra=extra, context=context, country=country)
    elif step == "assets":
        note = pricelist_note(proposal, context.config) if context.config else ""
        extra = 1 if add_row or not rows else 0
        formset = asset_formset(initial=rows, extra=extra, config=context.config, note=note)
        loans = loan_section(
            proposal=proposal,
            config=context.config,
            raw=raw if isinstance(raw, dict) else None,
            add_row=add_loan,
        )
    elif step == "calculation":
        sheet = calculation_initial(proposal)[1]
        form = CalculationForm(initial=initial, context=context, sheet=sheet)
    else:
        if isinstance(raw, dict):
            initial = _booleans(ReviewForm, initial, raw)
        form = ReviewForm(initial=initial)
    if form is None:  # the assets step is its rows only
        form = StepForm()
    page = StepPage(step=step, form=form, formset=formset, loans=loans)
    violations = [
        v
        for v in proposal.violations or []
        if isinstance(v, dict) and problem_step(v.get("field"), v.get("code", "")) == step
    ]
    formsets = {FORMSETS[step][1]: formset} if formset is not None else {}
    if loans is not None:
        formsets["loans"] = loans.formset
    page.pinned = pin_problems([*problems, *violations], form=form, formsets=formsets)
    return page
