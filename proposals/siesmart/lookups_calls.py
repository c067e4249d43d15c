"""The configuration calls (CONTRACT.md section 5), the v2 lookups among them: loan purposes,
document types, job titles. A mixin of `SieSmartClient`; every call goes through its `_request`."""

from __future__ import annotations

from typing import Any

from . import answers, endpoints
from .config_types import (
    CalculationConfig,
    DocumentType,
    IacCode,
    JobTitle,
    LegalForm,
    LoanPurpose,
    Office,
    SalesContact,
    Title,
)


class LookupCalls:
    _request: Any  # SieSmartClient._request

    def _office_params(self, office_id: int) -> dict[str, Any]:
        return {endpoints.OFFICE_ID_PARAM: office_id}

    def list_offices(self) -> list[Office]:
        return self._request("GET", endpoints.OFFICES, parse=answers.list_of(Office, "offices"))

    def list_sales_contacts(self, office_id: int) -> list[SalesContact]:
        return self._request(
            "GET",
            endpoints.SALES_CONTACTS,
            params=self._office_params(office_id),
            parse=answers.list_of(SalesContact, "sales contacts"),
        )

    def list_iac_codes(self, office_id: int) -> list[IacCode]:
        return self._request(
            "GET",
            endpoints.IAC_CODES,
            params=self._office_params(office_id),
            parse=answers.list_of(IacCode, "IAC codes"),
        )

    def get_calculation_config(self, office_id: int) -> CalculationConfig:
        return self._request(
            "GET",
            endpoints.CALCULATION_CONFIG,
            params=self._office_params(office_id),
            parse=lambda answer: CalculationConfig.from_json(answer.body, office_id=office_id),
        )

    def list_legal_forms(self) -> list[LegalForm]:
        return self._request(
            "GET", endpoints.LEGAL_FORMS, parse=answers.list_of(LegalForm, "legal forms")
        )

    def list_titles(self) -> list[Title]:
        return self._request("GET", endpoints.TITLES, parse=answers.list_of(Title, "titles"))

    # -- v2 lookups ----------------------------------------------------------------------------

    def loan_purposes(self, office_id: int) -> list[LoanPurpose]:
        return self._request(
            "GET",
            endpoints.LOAN_PURPOSES,
            params=self._office_params(office_id),
            parse=answers.list_of(LoanPurpose, "loan purposes"),
        )

    def document_types(self, office_id: int) -> list[DocumentType]:
        return self._request(
            "GET",
            endpoints.DOCUMENT_TYPES,
            params=self._office_params(office_id),
            parse=answers.list_of(DocumentType, "document types"),
        )

    def job_titles(self) -> list[JobTitle]:
        return self._request(
            "GET", endpoints.JOB_TITLES, parse=answers.list_of(JobTitle, "job titles")
        )
