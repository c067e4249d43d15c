"""The assets step's loan rows (CONTRACT.md 6.7): soft costs such as installation, training and
software, financed with the assets where the market product takes them.

The rows are a Django formset. After a POST whose input is kept as typed, the formset is bound to
that input (management form and all), so each row shows exactly what was typed; otherwise it is
filled from the stored loans. The rules themselves live in ``validation_loans`` (the same for a
form, an autosave and the review), and each problem is placed on its row's field with
``add_problem``.
"""

from dataclasses import dataclass

from django import forms

from proposals.forms.proposal_assets import CURRENCY_WORDS
from proposals.forms.proposal_common import StepForm, money_display, money_input, ref_id
from proposals.services.validation_loans import loan_rule, sheet_product
from proposals.services.validation_reader import ROW_KEY

MAX_LOAN_ROWS = 20


def purpose_choices(config, current: str = "") -> list:
    """The office's loan purposes; a stored one no longer offered stays visible (marked)."""
    known = config.loan_purposes if config else ()
    purposes = [(str(p.id), p.name or f"Purpose {p.id}") for p in known]
    choices = [("", "Choose what the loan pays for")]
    if current and current not in {value for value, _label in purposes}:
        choices.append((current, f"Purpose {current} (not offered by this office)"))
    return choices + purposes


class LoanForm(StepForm):
    PATHS = {"loanPurpose": "purpose", "loanPurpose.id": "purpose", "value": "value"}
    fallback_field = "purpose"

    id = forms.CharField(required=False, widget=forms.HiddenInput)
    # Not a ChoiceField: an unknown purpose is the rules' problem (with SFS's code), not Django's.
    purpose = forms.CharField(label="Purpose", required=False, widget=forms.Select)
    value = forms.CharField(
        label="Value",
        required=False,
        widget=money_input(),
        help_text="Above zero, at most 2 decimals.",
    )

    def __init__(self, *args, config=None, **kwargs):
        super().__init__(*args, **kwargs)
        key = self.add_prefix("purpose")
        current = str((self.data.get(key) if self.is_bound else self.initial.get("purpose")) or "")
        self.fields["purpose"].widget.choices = purpose_choices(config, current)
        currency = config.calculation.currency if config else ""
        if currency in CURRENCY_WORDS:
            self.fields["value"].help_text = f"In {CURRENCY_WORDS[currency]}, above zero."


class LoanFormSet(forms.BaseFormSet):
    """Loan rows; ``loans`` problems (the product's rules) go above the rows."""


def _bound_data(raw: dict, add_row: bool) -> dict:
    """The kept input as a formset's data; its rows are numbered 0.. (``renumber``), so the
    management form is rebuilt from them rather than trusted."""
    data = {key: value for key, value in raw.items() if key.startswith("loans-")}
    found = {int(m.group(2)) for key in data if (m := ROW_KEY.match(key))}
    total = max(found, default=-1) + 1 + (1 if add_row else 0)
    data.update({"loans-TOTAL_FORMS": str(total), "loans-INITIAL_FORMS": "0"})
    return data


def loan_formset(*, config, raw=None, initial=None, add_row=False):
    """Bound to ``raw`` (the input kept as typed) when given, else filled from ``initial``."""
    extra = 1 if add_row and raw is None else 0  # a bound formset counts its rows itself
    factory = forms.formset_factory(
        LoanForm, formset=LoanFormSet, extra=extra, can_delete=True, max_num=MAX_LOAN_ROWS
    )
    if raw is not None:
        return factory(_bound_data(raw, add_row), prefix="loans", form_kwargs={"config": config})
    return factory(initial=initial or [], prefix="loans", form_kwargs={"config": config})


def loans_initial(proposal) -> list[dict]:
    rows = []
    for loan in proposal.loans or []:
        if not isinstance(loan, dict):
            rows.append({})
            continue
        rows.append(
            {
                "id": "" if loan.get("id") is None else str(loan["id"]),
                "purpose": str(ref_id(loan.get("loanPurpose")) or ""),
                "value": money_display(loan.get("value")),
            }
        )
    return rows


@dataclass
class LoanSection:
    """The loan rows and what the broker reads above them: whether and how much is financed."""

    formset: forms.BaseFormSet
    shown: bool
    rule: str


def loan_section(*, proposal, config, raw=None, add_row=False) -> LoanSection:
    if raw is not None and "loans-TOTAL_FORMS" not in raw:
        raw = None  # kept before the loan rows were on the form: show the stored loans
    product = sheet_product(config, proposal.calculation)
    if product is not None:
        offered, rule = product.loans_allowed, loan_rule(product)
        if product.loans_allowed:
            rule = f"{product.name} takes loans. {rule}"
    else:
        takers = (
            [p for p in config.calculation.market_products if p.loans_allowed] if config else []
        )
        offered = bool(takers)
        rule = (
            "Loans are financed only by products that take them: "
            + " ".join(f"{p.name}: {loan_rule(p)}" for p in takers)
            + " The pricelist you choose on the next step decides."
            if takers
            else "None of this office's products takes loans."
        )
    formset = loan_formset(
        config=config,
        raw=raw,
        initial=None if raw is not None else loans_initial(proposal),
        add_row=add_row,
    )
    # Loans already there stay in view whatever the product, so nothing saved is hidden.
    shown = offered or bool(proposal.loans) or bool(formset.forms)
    return LoanSection(formset=formset, shown=shown, rule=rule)
