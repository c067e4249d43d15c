"""Step 4: the calculation sheet; every limit of the chosen pricelist is shown up front."""

from django import forms

from proposals.forms.proposal_common import (
    OptionSelect,
    StepForm,
    money_display,
    money_input,
    ref_id,
    text_input,
)
from proposals.services.validation_calculation import (
    MODE_WORDS,
    PERIOD_WORDS,
    amount_rule,
    mode_words,
    period_words,
    sheet_pricelist,
    term_rule,
)
from proposals.siesmart.enums import MONTHS_PER_PERIOD

SHEET = "calculation.sheet"
PERIOD_CHOICES = [
    (value, words.capitalize() if months == 1 else f"{words.capitalize()} (every {months} months)")
    for value, words in PERIOD_WORDS.items()
    for months in [MONTHS_PER_PERIOD[value]]
]
MODE_CHOICES = [(value, words.capitalize()) for value, words in MODE_WORDS.items()]


def pricelist_label(pricelist, products: dict, currency: str) -> str:
    product = products.get(pricelist.market_product_id, "")
    product = f" ({product})" if product else ""
    return (
        f"{pricelist.name}{product}: {pricelist.min_term}–{pricelist.max_term} months "
        f"(steps of {pricelist.term_step}), {amount_rule(pricelist, currency)}"
    )


def pricelist_attrs(pricelist, currency: str) -> dict:
    limit = pricelist.max_down_payment_percent
    return {
        "data-term-rule": f"{term_rule(pricelist)}.",
        "data-amount-rule": amount_rule(pricelist, currency),
        "data-periods": " ".join(pricelist.payment_periods),
        "data-modes": " ".join(pricelist.payment_modes),
        "data-residual": "yes" if pricelist.residual_value_allowed else "no",
        "data-down-max": f"{limit.normalize():f}" if limit is not None else "",
    }


class CalculationForm(StepForm):
    path_prefix = SHEET
    PATHS = {
        "introducerPricelistId": "pricelist",
        "marketProductId": "pricelist",
        "paymentMethod": "payment_method",
        "paymentPeriod": "payment_period",
        "paymentMode": "payment_mode",
        "term": "term",
        "residualValue": "residual_value",
        "": "pricelist",
    }

    pricelist = forms.ChoiceField(label="Pricelist")
    payment_method = forms.ChoiceField(label="Payment method")
    payment_period = forms.ChoiceField(
        label="Payment period", choices=[("", "Choose how often")] + PERIOD_CHOICES
    )
    payment_mode = forms.ChoiceField(
        label="Payments made", choices=[("", "Choose when")] + MODE_CHOICES
    )
    term = forms.CharField(
        label="Term in months", widget=text_input(inputmode="numeric", autocomplete="off")
    )
    residual_value = forms.CharField(label="Residual value", required=False, widget=money_input())

    def __init__(self, *args, context, sheet=None, **kwargs):
        super().__init__(*args, **kwargs)
        config = context.config
        calc = config.calculation if config else None
        currency = (calc.currency if calc else "") or ""
        products = {p.id: p.name for p in calc.market_products} if calc else {}
        pricelists = calc.pricelists if calc else ()
        choices = [("", "Choose a pricelist")] + [
            (str(p.id), pricelist_label(p, products, currency)) for p in pricelists
        ]
        self.fields["pricelist"].choices = choices
        self.fields["pricelist"].widget = OptionSelect(
            choices=choices,
            attrs={"class": "form-select", "data-pricelist-select": ""},
            option_attrs={str(p.id): pricelist_attrs(p, currency) for p in pricelists},
        )
        self.fields[
            "pricelist"
        ].help_text = "The pricelist sets the product, the terms and the amounts allowed."
        self.fields["payment_method"].choices = [("", "Choose a payment method")] + [
            (str(m.id), m.name) for m in (calc.payment_methods if calc else ())
        ]
        chosen = sheet_pricelist(config, {"sheet": sheet or {}})
        self._help(chosen, pricelists, currency)
        self.payment_fields = {"special": [], "fee": []}
        for kind, types in (
            ("special", calc.special_payment_types if calc else ()),
            ("fee", calc.fee_types if calc else ()),
        ):
            for item in types:
                name = f"{kind}_{item.id}"
                help_text = "Paid upfront; never financed." if kind == "fee" else ""
                if kind == "special" and item.down_payment_type:
                    help_text = "A down payment: it lowers the amount financed."
                self.fields[name] = forms.CharField(
                    label=f"{item.name} (optional)",
                    required=False,
                    help_text=help_text,
                    widget=money_input(),
                )
                self.payment_fields[kind].append(name)
                key = "specialPayments" if kind == "special" else "fees"
                self.PATHS = {**self.PATHS, f"{key}#{item.id}": name}
        self._payment_paths(sheet or {})
        self.fields["residual_value"] = self.fields.pop("residual_value")  # last, as on the page
        self.style_widgets()

    def special_fields(self):
        return [self[name] for name in self.payment_fields["special"]]

    def fee_fields(self):
        return [self[name] for name in self.payment_fields["fee"]]

    def _help(self, chosen, pricelists, currency):
        fields = self.fields
        if chosen is not None:
            fields["term"].help_text = f"{term_rule(chosen).capitalize()}."
            fields["payment_period"].help_text = (
                f"This pricelist allows {period_words(chosen.payment_periods)} payments; the "
                "term must be a whole number of periods."
            )
            fields[
                "payment_mode"
            ].help_text = f"This pricelist takes payments {mode_words(chosen.payment_modes)}."
        else:
            fields["term"].help_text = "Choose a pricelist first: each shows its terms."
            fields["payment_period"].help_text = "The term must be a whole number of periods."
        allowing = [p.name for p in pricelists if p.residual_value_allowed]
        if chosen is not None and not chosen.residual_value_allowed:
            fields["residual_value"].help_text = "This pricelist takes no residual value."
        else:
            where = f" Allowed by: {', '.join(allowing)}." if allowing else ""
            fields["residual_value"].help_text = (
                f"Optional; below the amount financed.{where}"
                if allowing
                else "No pricelist of this office takes a residual value."
            )
        down = (
            f"Down payments may be at most {chosen.max_down_payment_percent.normalize():f}% "
            "of the assets total."
            if chosen is not None and chosen.max_down_payment_percent is not None
            else "Down payments are limited to a share of the assets total, set by the pricelist."
        )
        self.down_payment_rule = down
        self.amount_rule = amount_rule(chosen, currency) if chosen is not None else ""

    def _payment_paths(self, sheet: dict):
        """Stored payments are a list; each index answers to the field of its type."""
        for kind, key in (("special", "specialPayments"), ("fee", "fees")):
            payments = sheet.get(key) if isinstance(sheet.get(key), list) else []
            for index, payment in enumerate(payments):
                type_id = ref_id(payment.get("type")) if isinstance(payment, dict) else None
                name = f"{kind}_{type_id}"
                if name in self.fields:
                    self.PATHS = {**self.PATHS, f"{key}[{index}]": name}
            if self.payment_fields[kind]:
                first = self.payment_fields[kind][0]
                self.PATHS = {**self.PATHS, key: first}


def calculation_initial(proposal) -> tuple[dict, dict]:
    """(the form's initial, the stored sheet) from the stored calculation."""
    calculation = proposal.calculation if isinstance(proposal.calculation, dict) else {}
    sheet = calculation.get("sheet") if isinstance(calculation.get("sheet"), dict) else {}
    initial = {
        "pricelist": str(sheet.get("introducerPricelistId") or ""),
        "payment_method": str(ref_id(sheet.get("paymentMethod")) or ""),
        "payment_period": sheet.get("paymentPeriod") or "",
        "payment_mode": sheet.get("paymentMode") or "",
        "term": "" if sheet.get("term") is None else str(sheet["term"]),
        "residual_value": money_display((sheet.get("residualValue") or {}).get("amount"))
        if isinstance(sheet.get("residualValue"), dict)
        else "",
    }
    for kind, key in (("special", "specialPayments"), ("fee", "fees")):
        for payment in sheet.get(key) or []:
            if isinstance(payment, dict) and ref_id(payment.get("type")) is not None:
                initial[f"{kind}_{ref_id(payment['type'])}"] = money_display(payment.get("amount"))
    return initial, sheet
