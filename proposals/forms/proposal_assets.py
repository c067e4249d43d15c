"""Step 3: the assets, one row each; asset types are the office's detailed codes, by group."""

from django import forms

from proposals.forms.proposal_common import StepForm, money_display, money_input, text_input
from proposals.services.validation_calculation import sheet_pricelist
from proposals.services.validation_values import money_text

CONDITIONS = [("NEW", "New"), ("USED", "Used")]
CURRENCY_WORDS = {"GBP": "pounds (£)", "EUR": "euros (€)", "USD": "dollars ($)"}


def iac_choices(config, current: str = "") -> list:
    """The leaf codes grouped under their parent; a stored code no longer offered stays
    visible (marked) so that nothing typed silently disappears."""
    if config is None:
        groups = []
    else:
        names = {code.code: code.name for code in config.iac_codes}
        by_parent: dict[str, list] = {}
        for code in config.leaf_codes:
            by_parent.setdefault(code.parent_code, []).append(
                (code.code, f"{code.name} ({code.code})")
            )
        groups = [(names.get(parent, parent), items) for parent, items in by_parent.items()]
    known = {value for _group, items in groups for value, _label in items}
    choices = [("", "Choose the asset type")]
    if current and current not in known:
        choices.append((current, f"{current} (not offered by this office)"))
    return choices + groups


class AssetForm(StepForm):
    PATHS = {
        "assetIacCode": "iac_code",
        "condition": "condition",
        "description": "description",
        "quantity": "quantity",
        "valuePerAsset": "value_per_asset",
        "ageInMonth": "age_in_months",
    }
    fallback_field = "iac_code"

    id = forms.CharField(required=False, widget=forms.HiddenInput)
    iac_code = forms.ChoiceField(label="Asset type")
    condition = forms.ChoiceField(label="Condition", choices=CONDITIONS, initial="NEW")
    description = forms.CharField(
        label="Description",
        help_text="What it is, as on the invoice; up to 255 characters.",
        widget=text_input(maxlength=255),
    )
    quantity = forms.CharField(
        label="Quantity", help_text="At least 1.", widget=text_input(inputmode="numeric")
    )
    value_per_asset = forms.CharField(
        label="Value per asset", widget=money_input(), help_text="Above zero, at most 2 decimals."
    )
    age_in_months = forms.CharField(
        label="Age in months (used assets)",
        required=False,
        help_text="For a used asset: 0 or more.",
        widget=text_input(inputmode="numeric"),
    )

    def __init__(self, *args, config=None, pricelist_note="", **kwargs):
        super().__init__(*args, **kwargs)
        current = str(self.initial.get("iac_code") or "")
        self.fields["iac_code"].choices = iac_choices(config, current)
        if pricelist_note:
            self.fields["iac_code"].help_text = pricelist_note
        currency = config.calculation.currency if config else ""
        if currency in CURRENCY_WORDS:
            self.fields[
                "value_per_asset"
            ].help_text = f"In {CURRENCY_WORDS[currency]}, above zero, at most 2 decimals."
        self.style_widgets()


def pricelist_note(proposal, config) -> str:
    pricelist = sheet_pricelist(config, proposal.calculation)
    if pricelist is None:
        return "The pricelist you choose on the calculation step may allow fewer types."
    names = {code.code: code.name for code in config.iac_codes}
    financed = ", ".join(names.get(code, code) for code in pricelist.iac_codes)
    amount = f"{money_text(pricelist.min_amount_financed, pricelist.currency or '')}"
    return f"The pricelist “{pricelist.name}” finances {financed} (from {amount})."


def asset_formset(*, initial, extra, config, note):
    factory = forms.formset_factory(AssetForm, extra=extra, can_delete=True, max_num=100)
    return factory(
        initial=initial, prefix="assets", form_kwargs={"config": config, "pricelist_note": note}
    )


def assets_initial(proposal) -> list[dict]:
    rows = []
    for asset in proposal.assets or []:
        if not isinstance(asset, dict):
            rows.append({})
            continue
        age = asset.get("ageInMonth")
        rows.append(
            {
                "id": "" if asset.get("id") is None else str(asset["id"]),
                "iac_code": asset.get("assetIacCode") or "",
                "condition": asset.get("condition") or "NEW",
                "description": asset.get("description") or "",
                "quantity": "" if asset.get("quantity") is None else str(asset["quantity"]),
                "value_per_asset": money_display(asset.get("valuePerAsset")),
                "age_in_months": "" if age is None else str(age),
            }
        )
    return rows
