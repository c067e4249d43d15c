"""The config mirror: SFS's offices, contacts, asset codes, pricelists and lookups, stored locally.

Refreshed by beat (hourly) and by an admin's button. Forms and pages read only the mirror, through
``office_config`` below, so no page ever waits on SFS.
"""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from proposals import jobs
from proposals.models import Credential, MirroredLookups, MirroredOffice
from proposals.services.siesmart_access import client_for
from proposals.siesmart import errors
from proposals.siesmart.config_types import DocumentType, JobTitle, LoanPurpose
from proposals.siesmart.enums import DocumentTypeCode, Lane
from proposals.siesmart.types import (
    CalculationConfig,
    FeeType,
    IacCode,
    LegalForm,
    MarketProduct,
    PaymentMethod,
    Pricelist,
    SalesContact,
    SpecialPaymentType,
    Title,
)


def to_plain(value: Any) -> Any:
    """A dataclass (or list of them) as JSON-ready data; money as strings, never floats."""
    if dataclasses.is_dataclass(value):
        return {
            f.name: to_plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "raw"
        }
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    return value


def _v2_lookup(fetch, *args) -> list | None:
    """A lookup of contract v2 at an [ASSUME] path: where SFS has no such path (404), the mirror
    keeps what it had, and the rest of the configuration is still refreshed."""
    try:
        return to_plain(fetch(*args))
    except errors.NotFoundError:
        return None


def _present(**values) -> dict:
    return {name: value for name, value in values.items() if value is not None}


def config_refresh(*, credential: Credential, lane: str = Lane.BACKGROUND) -> int:
    """Fetch the whole configuration and replace the mirror; returns the number of offices.

    Everything is fetched first and stored in one transaction, so a failure half-way leaves the
    previous mirror whole.
    """
    client = client_for(credential=credential, lane=lane)
    offices = client.list_offices()
    per_office = {
        office.id: (
            client.list_sales_contacts(office.id),
            client.list_iac_codes(office.id),
            client.get_calculation_config(office.id),
            _v2_lookup(client.loan_purposes, office.id),
            _v2_lookup(client.document_types, office.id),
        )
        for office in offices
    }
    legal_forms, titles = client.list_legal_forms(), client.list_titles()
    job_titles = _v2_lookup(client.job_titles)
    now = timezone.now()
    with transaction.atomic():
        for office in offices:
            contacts, codes, calculation, loan_purposes, document_types = per_office[office.id]
            MirroredOffice.objects.update_or_create(
                credential=credential,
                office_id=office.id,
                defaults={
                    "name": office.name,
                    "country_code": office.country_code or "",
                    "postal_address": to_plain(office.postal_address) or {},
                    "sales_contacts": to_plain(contacts),
                    "iac_codes": to_plain(codes),
                    "calculation_config": to_plain(calculation),
                    "refreshed_at": now,
                    **_present(loan_purposes=loan_purposes, document_types=document_types),
                },
            )
        MirroredOffice.objects.filter(credential=credential).exclude(
            office_id__in=[office.id for office in offices]
        ).delete()
        MirroredLookups.objects.update_or_create(
            credential=credential,
            defaults={
                "legal_forms": to_plain(legal_forms),
                "titles": to_plain(titles),
                "refreshed_at": now,
                **_present(job_titles=job_titles),
            },
        )
    return len(offices)


# -- reading the mirror back as the client's typed values --------------------------------------

_MONEY = {"min_amount_financed", "max_amount_financed", "max_down_payment_percent"}


def _pricelist(data: dict) -> Pricelist:
    values = {
        key: (Decimal(value) if key in _MONEY and value is not None else value)
        for key, value in data.items()
    }
    for key in ("payment_periods", "payment_modes", "iac_codes"):
        values[key] = tuple(values.get(key) or ())
    return Pricelist(**values)


def _contact(data: dict) -> SalesContact:
    values = dict(data)
    values["title"] = Title(**values["title"]) if values.get("title") else None
    values["office_ids"] = tuple(values.get("office_ids") or ())
    return SalesContact(**values)


def _document_type(data: dict) -> DocumentType:
    return DocumentType(**{**data, "code": DocumentTypeCode.parse(data.get("code"))})


@dataclass(frozen=True)
class OfficeConfig:
    """One office's configuration as the forms need it."""

    office: MirroredOffice
    sales_contacts: tuple[SalesContact, ...]
    iac_codes: tuple[IacCode, ...]
    calculation: CalculationConfig
    loan_purposes: tuple[LoanPurpose, ...] = ()
    document_types: tuple[DocumentType, ...] = ()

    @property
    def usable_sales_contacts(self) -> tuple[SalesContact, ...]:
        return tuple(contact for contact in self.sales_contacts if not contact.blocked)

    @property
    def leaf_codes(self) -> tuple[IacCode, ...]:
        return tuple(code for code in self.iac_codes if not code.is_top_level)


def office_config(office: MirroredOffice) -> OfficeConfig:
    calc = office.calculation_config or {}
    calculation = CalculationConfig(
        office_id=calc.get("office_id", office.office_id),
        currency=calc.get("currency"),
        market_products=tuple(MarketProduct(**m) for m in calc.get("market_products", [])),
        payment_methods=tuple(PaymentMethod(**m) for m in calc.get("payment_methods", [])),
        special_payment_types=tuple(
            SpecialPaymentType(**m) for m in calc.get("special_payment_types", [])
        ),
        fee_types=tuple(FeeType(**m) for m in calc.get("fee_types", [])),
        pricelists=tuple(_pricelist(m) for m in calc.get("pricelists", [])),
    )
    return OfficeConfig(
        office=office,
        sales_contacts=tuple(_contact(c) for c in office.sales_contacts),
        iac_codes=tuple(IacCode(**c) for c in office.iac_codes),
        calculation=calculation,
        loan_purposes=tuple(LoanPurpose(**item) for item in office.loan_purposes),
        document_types=tuple(_document_type(item) for item in office.document_types),
    )


def lookups_for(credential: Credential) -> tuple[tuple[LegalForm, ...], tuple[Title, ...]]:
    lookups = MirroredLookups.objects.filter(credential=credential).first()
    if lookups is None:
        return (), ()
    return (
        tuple(LegalForm(**item) for item in lookups.legal_forms),
        tuple(Title(**item) for item in lookups.titles),
    )


def job_titles_for(credential: Credential) -> tuple[JobTitle, ...]:
    """The job titles a signatory may take (contract v2), from the mirror."""
    lookups = MirroredLookups.objects.filter(credential=credential).first()
    if lookups is None:
        return ()
    return tuple(JobTitle(**item) for item in lookups.job_titles)


def config_refresh_request(*, credential: Credential) -> None:
    """An admin's "Refresh configuration": queued, never done while a page renders."""

    jobs.job_enqueue(jobs.CONFIG_REFRESH, credential.pk)


def config_refresh_all() -> int:
    """Beat's hourly refresh: every credential that is active or has a mirror."""
    count = 0
    for credential in Credential.objects.filter(is_active=True):
        config_refresh(credential=credential)
        count += 1
    return count
