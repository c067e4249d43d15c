"""The read-only configuration of an office (CONTRACT.md section 5), as frozen dataclasses.
Import them from `types`; they live here only to keep each module small."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import parsing as p
from .enums import CompanyType, DocumentTypeCode, PaymentMode, PaymentPeriod


@dataclass(frozen=True)
class Title:
    id: int
    name: str

    @classmethod
    def from_json(cls, data: object, what: str = "title") -> Title:
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what), name=p.text(data, "name", what, required=False) or ""
        )


@dataclass(frozen=True)
class LoanPurpose:
    """What a loan finances (installation, training, ...); CONTRACT.md 6.7."""

    id: int
    name: str

    @classmethod
    def from_json(cls, data: object, what: str = "loan purpose") -> LoanPurpose:
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what), name=p.text(data, "name", what, required=False) or ""
        )


@dataclass(frozen=True)
class DocumentType:
    """A kind of document in the checklist (CONTRACT.md 6.10). `code` is a DocumentTypeCode, or
    the unknown value as it came; None when SFS sends none."""

    id: int
    code: str | None
    name: str

    @classmethod
    def from_json(cls, data: object, what: str = "document type") -> DocumentType:
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            code=DocumentTypeCode.parse(p.text(data, "code", what, required=False)),
            name=p.text(data, "name", what, required=False) or "",
        )


@dataclass(frozen=True)
class JobTitle:
    """A signatory's job title (CONTRACT.md 6.11); `is_custom`: the signatory types it in
    (`jobTitleCustom`)."""

    id: int
    name: str
    is_custom: bool

    @classmethod
    def from_json(cls, data: object, what: str = "job title") -> JobTitle:
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            name=p.text(data, "name", what, required=False) or "",
            is_custom=p.boolean(data, "isCustom", what, required=False),
        )


@dataclass(frozen=True)
class Office:
    id: int
    name: str
    country_code: str | None
    postal_address: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_json(cls, data: object) -> Office:
        what = "office"
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            name=p.text(data, "name", what),
            country_code=p.text(data, "countryCode", what, required=False),
            postal_address=p.obj(data, "postalAddress", what),
        )


@dataclass(frozen=True)
class SalesContact:
    id: int
    first_name: str
    last_name: str
    title: Title | None
    email: str | None
    phone: str | None
    role_alias: str | None
    role_name: str | None
    blocked: bool
    blocked_reason: str | None
    office_ids: tuple[int, ...]

    @classmethod
    def from_json(cls, data: object) -> SalesContact:
        what = "sales contact"
        data = p.require_object(data, what)
        title = p.obj(data, "title", what)
        role = p.obj(data, "role", what) or {}
        return cls(
            id=p.integer(data, "id", what),
            first_name=p.text(data, "firstName", what, required=False) or "",
            last_name=p.text(data, "lastName", what, required=False) or "",
            title=Title.from_json(title, f"{what}.title") if title is not None else None,
            email=p.text(data, "email", what, required=False),
            phone=p.text(data, "phone", what, required=False),
            role_alias=p.text(role, "alias", f"{what}.role", required=False),
            role_name=p.text(role, "name", f"{what}.role", required=False),
            blocked=p.boolean(data, "blocked", what, required=False),
            blocked_reason=p.text(data, "blockedReason", what, required=False),
            office_ids=p.integers(data, "officeIds", what),
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class IacCode:
    """An asset code. Two levels: a top-level code has no parent; an asset takes a leaf only."""

    code: str
    name: str
    parent_code: str | None

    @classmethod
    def from_json(cls, data: object) -> IacCode:
        what = "IAC code"
        data = p.require_object(data, what)
        return cls(
            code=p.text(data, "iacCode", what),
            name=p.text(data, "name", what, required=False) or "",
            parent_code=p.text(data, "parentCode", what, required=False),
        )

    @property
    def is_top_level(self) -> bool:
        return self.parent_code is None


@dataclass(frozen=True)
class LegalForm:
    id: int
    code: str  # a CompanyType, or the unknown value as it came
    name: str
    partnership: bool

    @classmethod
    def from_json(cls, data: object) -> LegalForm:
        what = "legal form"
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            code=CompanyType.parse(p.text(data, "code", what)),
            name=p.text(data, "name", what, required=False) or "",
            partnership=p.boolean(data, "partnership", what, required=False),
        )


@dataclass(frozen=True)
class MarketProduct:
    id: int
    code: str | None
    name: str
    asset_product: bool  # needs at least one asset (v2: or loan) before a decision
    loans_allowed: bool = False  # v2, CONTRACT.md 6.7
    max_loan_percent: Decimal | None = None  # v2: loans / (assets + loans), in percent

    @classmethod
    def from_json(cls, data: object) -> MarketProduct:
        what = "market product"
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            code=p.text(data, "code", what, required=False),
            name=p.text(data, "name", what, required=False) or "",
            # Absent: assume assets are needed, the stricter reading.
            asset_product=p.boolean(data, "assetProduct", what, required=False, default=True),
            # Absent (a v1 answer): no loans, the stricter reading.
            loans_allowed=p.boolean(data, "loansAllowed", what, required=False),
            max_loan_percent=p.money(data, "maxLoanPercent", what, required=False),
        )


@dataclass(frozen=True)
class PaymentMethod:
    id: int
    name: str

    @classmethod
    def from_json(cls, data: object) -> PaymentMethod:
        what = "payment method"
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what), name=p.text(data, "name", what, required=False) or ""
        )


@dataclass(frozen=True)
class SpecialPaymentType:
    id: int
    code: str | None
    name: str
    down_payment_type: bool  # a deposit: it lowers the amount financed

    @classmethod
    def from_json(cls, data: object) -> SpecialPaymentType:
        what = "special payment type"
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            code=p.text(data, "code", what, required=False),
            name=p.text(data, "name", what, required=False) or "",
            down_payment_type=p.boolean(data, "downPaymentType", what, required=False),
        )


@dataclass(frozen=True)
class FeeType:
    id: int
    code: str | None
    name: str

    @classmethod
    def from_json(cls, data: object) -> FeeType:
        what = "fee type"
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            code=p.text(data, "code", what, required=False),
            name=p.text(data, "name", what, required=False) or "",
        )


@dataclass(frozen=True)
class Pricelist:
    id: int
    name: str
    market_product_id: int
    currency: str | None
    min_term: int
    max_term: int
    term_step: int
    min_amount_financed: Decimal
    max_amount_financed: Decimal
    payment_periods: tuple[str, ...]  # PaymentPeriod values, unknown ones kept
    payment_modes: tuple[str, ...]  # PaymentMode values, unknown ones kept
    iac_codes: tuple[str, ...]  # top-level codes; a leaf is allowed when its parent is listed
    max_down_payment_percent: Decimal | None
    residual_value_allowed: bool

    @classmethod
    def from_json(cls, data: object) -> Pricelist:
        what = "pricelist"
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            name=p.text(data, "name", what, required=False) or "",
            market_product_id=p.integer(data, "marketProductId", what),
            currency=p.text(data, "currency", what, required=False),
            min_term=p.integer(data, "minTerm", what),
            max_term=p.integer(data, "maxTerm", what),
            term_step=p.integer(data, "termStep", what, required=False) or 1,
            min_amount_financed=p.money(data, "minAmountFinanced", what),
            max_amount_financed=p.money(data, "maxAmountFinanced", what),
            payment_periods=tuple(
                PaymentPeriod.parse(v)
                for v in p.strings(data, "paymentPeriods", what, required=True)
            ),
            payment_modes=tuple(
                PaymentMode.parse(v) for v in p.strings(data, "paymentModes", what, required=True)
            ),
            iac_codes=p.strings(data, "iacCodes", what, required=True),
            max_down_payment_percent=p.money(data, "maxDownPaymentPercent", what, required=False),
            residual_value_allowed=p.boolean(data, "residualValueAllowed", what, required=False),
        )


def _list_of(kind: Any, data: dict[str, Any], key: str, what: str) -> tuple[Any, ...]:
    return tuple(kind.from_json(item) for item in p.items(data, key, what))


@dataclass(frozen=True)
class CalculationConfig:
    office_id: int
    currency: str | None
    market_products: tuple[MarketProduct, ...]
    payment_methods: tuple[PaymentMethod, ...]
    special_payment_types: tuple[SpecialPaymentType, ...]
    fee_types: tuple[FeeType, ...]
    pricelists: tuple[Pricelist, ...]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: object, *, office_id: int | None = None) -> CalculationConfig:
        what = "calculation config"
        data = p.require_object(data, what)
        answered_office_id = p.integer(data, "officeId", what, required=office_id is None)
        return cls(
            office_id=answered_office_id if answered_office_id is not None else office_id,
            currency=p.text(data, "currency", what, required=False),
            market_products=_list_of(MarketProduct, data, "marketProducts", what),
            payment_methods=_list_of(PaymentMethod, data, "paymentMethods", what),
            special_payment_types=_list_of(SpecialPaymentType, data, "specialPaymentTypes", what),
            fee_types=_list_of(FeeType, data, "feeTypes", what),
            pricelists=_list_of(Pricelist, data, "introducerPricelists", what),
            raw=data,
        )

    def pricelist(self, pricelist_id: int) -> Pricelist | None:
        return next((item for item in self.pricelists if item.id == pricelist_id), None)
