"""The currency of a proposal's amounts, read from the config mirror.

A proposal stores no currency: its amounts are in its pricelist's currency when the pricelist
names one, else in its office's (the calculation config's). Both come from the organisation's
mirror, read once per page, so a list costs one query whatever its length.
"""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, Q, Value, When

from proposals.models import MirroredOffice, Proposal

PRICELIST_KEY = "calculation__sheet__introducerPricelistId"


def _pricelist_id(calculation) -> int | None:
    sheet = calculation.get("sheet") if isinstance(calculation, dict) else None
    value = sheet.get("introducerPricelistId") if isinstance(sheet, dict) else None
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class CurrencyBook:
    """The organisation's currencies: per office, and per pricelist where one differs."""

    offices: dict[int, str] = field(default_factory=dict)
    # Only pricelists whose currency is not their office's: in practice none, so the
    # database expression below stays one WHEN per office.
    pricelists: dict[tuple[int, int], str] = field(default_factory=dict)

    def for_proposal(self, proposal: Proposal) -> str:
        annotated = getattr(proposal, "amount_currency", None)  # dashboard_query's annotation
        if annotated is not None:
            return annotated
        office = self.offices.get(proposal.office_id, "")
        # A list that deferred the JSON parts would pay one query per row to read them.
        if not self.pricelists or "calculation" in proposal.get_deferred_fields():
            return office
        key = (proposal.office_id, _pricelist_id(proposal.calculation))
        return self.pricelists.get(key, office)

    def expression(self) -> Case:
        """The same answer as ``for_proposal`` computed by the database (to sort and export)."""
        # The form stores the id as a number; a body saved by other means may hold it as text.
        whens = [
            When(
                Q(office_id=office_id) & (Q(**{PRICELIST_KEY: pl}) | Q(**{PRICELIST_KEY: str(pl)})),
                then=Value(currency),
            )
            for (office_id, pl), currency in self.pricelists.items()
        ]
        whens += [
            When(office_id=office_id, then=Value(currency))
            for office_id, currency in self.offices.items()
        ]
        if not whens:
            return Value("", output_field=CharField())
        return Case(*whens, default=Value(""), output_field=CharField())


def currency_book(*, organisation_id: int | None) -> CurrencyBook:
    """One query; the newest refresh wins when two credentials mirror the same office."""
    rows = (
        MirroredOffice.objects.filter(credential__organisation_id=organisation_id)
        .order_by("refreshed_at")
        .values_list("office_id", "calculation_config")
    )
    offices, pricelists = {}, {}
    for office_id, config in rows:
        config = config if isinstance(config, dict) else {}
        office_currency = str(config.get("currency") or "")
        offices[office_id] = office_currency
        for pricelist in config.get("pricelists") or []:
            own = pricelist.get("currency") if isinstance(pricelist, dict) else None
            if own and own != office_currency and pricelist.get("id") is not None:
                pricelists[(office_id, int(pricelist["id"]))] = str(own)
    return CurrencyBook(offices, pricelists)
