"""What the API answers, as frozen dataclasses. Money is Decimal; an unknown enum value is kept as
a plain string; a missing required field or a wrong type raises MalformedResponseError.

Each type keeps what the portal reads; `raw` (where present) holds the whole answer for the rest.
The configuration types live in `config_types` and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from . import parsing as p
from .config_types import (
    CalculationConfig,
    DocumentType,
    FeeType,
    IacCode,
    JobTitle,
    LegalForm,
    LoanPurpose,
    MarketProduct,
    Office,
    PaymentMethod,
    Pricelist,
    SalesContact,
    SpecialPaymentType,
    Title,
)
from .enums import DecisionStatus, WorkflowStatus
from .errors import Violation, parse_violations
from .loan_types import Loan
from .versions import same_version, version_is_older  # noqa: F401 - also read from here

__all__ = [
    "AssetResult",
    "CalculationConfig",
    "CalculationResult",
    "Decision",
    "DocumentType",
    "FeeType",
    "IacCode",
    "JobTitle",
    "LegalForm",
    "Loan",
    "LoanPurpose",
    "MarketProduct",
    "Office",
    "PaymentMethod",
    "Precheck",
    "Pricelist",
    "Proposal",
    "ProposalSummary",
    "Quote",
    "SalesContact",
    "SearchPage",
    "SpecialPaymentType",
    "Title",
    "Token",
    "same_version",
]

# [DOC] a token lives 24 hours; used only if the token answer leaves out `expires_in`.
DEFAULT_TOKEN_LIFETIME = 86400.0


@dataclass(frozen=True)
class Token:
    """A bearer token. `issued_at` lets the client renew a short-lived token at half its life
    rather than on every call; a store that cannot keep it may leave it None."""

    access_token: str = field(repr=False)  # never in a repr, so never in a log line
    token_type: str
    expires_at: float  # epoch seconds
    issued_at: float | None = None

    @classmethod
    def from_token_response(cls, data: object, *, now: float) -> Token:
        what = "token answer"
        data = p.require_object(data, what)
        access_token = p.text(data, "access_token", what)
        if not access_token:
            raise p.malformed(what, "has an empty access_token")
        expires_in = p.money(data, "expires_in", what, required=False)
        lifetime = float(expires_in) if expires_in is not None else DEFAULT_TOKEN_LIFETIME
        return cls(
            access_token=access_token,
            token_type=p.text(data, "token_type", what, required=False) or "Bearer",
            expires_at=now + lifetime,
            issued_at=now,
        )

    @property
    def authorization(self) -> str:
        """The Authorization header value. The scheme is case-insensitive; we send `Bearer`."""
        scheme = "Bearer" if self.token_type.lower() == "bearer" else self.token_type
        return f"{scheme} {self.access_token}"

    def seconds_left(self, now: float) -> float:
        return self.expires_at - now

    def renewal_margin(self, renew_before: float) -> float:
        """Renew this long before expiry: `renew_before`, or half the lifetime if shorter."""
        if self.issued_at is None:
            return renew_before
        return min(renew_before, (self.expires_at - self.issued_at) / 2)

    def to_dict(self) -> dict[str, Any]:
        """For a shared store (Redis, the database). Holds the token: store it encrypted."""
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_at": self.expires_at,
            "issued_at": self.issued_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Token:
        return cls(
            access_token=data["access_token"],
            token_type=data.get("token_type") or "Bearer",
            expires_at=float(data["expires_at"]),
            issued_at=None if data.get("issued_at") is None else float(data["issued_at"]),
        )


@dataclass(frozen=True)
class CalculationResult:
    amount_financed: Decimal
    instalment: Decimal
    number_of_payments: int
    assets_total: Decimal | None = None
    down_payment: Decimal | None = None
    total_payable: Decimal | None = None
    loans_total: Decimal | None = None  # v2 (6.7)

    @classmethod
    def from_json(cls, data: object, what: str = "calculation result") -> CalculationResult:
        data = p.require_object(data, what)
        return cls(
            amount_financed=p.money(data, "amountFinanced", what),
            instalment=p.money(data, "instalment", what),
            number_of_payments=p.integer(data, "numberOfPayments", what),
            assets_total=p.money(data, "assetsTotal", what, required=False),
            down_payment=p.money(data, "downPayment", what, required=False),
            total_payable=p.money(data, "totalPayable", what, required=False),
            loans_total=p.money(data, "loansTotal", what, required=False),
        )


# A quote (`POST /calculation`) answers the bare result object of a stored calculation.
Quote = CalculationResult


@dataclass(frozen=True)
class Decision:
    decision_status: str  # a DecisionStatus, or the unknown value as it came
    requested_date: datetime | None = None
    decision_date: datetime | None = None
    valid_until_date: datetime | None = None
    comment: str | None = None
    condition: str | None = None
    reason: str | None = None
    comment_to_risk_analyst: str | None = None
    may_contact_customer: bool | None = None

    @classmethod
    def from_json(cls, data: object, what: str = "proposal.decision") -> Decision:
        # Tolerant: a proposal without a decision object has no decision yet.
        if data is None:
            return cls(decision_status=DecisionStatus.NOT_AVAILABLE)
        data = p.require_object(data, what)
        status = p.text(data, "decisionStatus", what, required=False)
        return cls(
            decision_status=DecisionStatus.parse(status) or DecisionStatus.NOT_AVAILABLE,
            requested_date=p.timestamp(data, "decisionRequestedDate", what),
            decision_date=p.timestamp(data, "decisionDate", what),
            valid_until_date=p.timestamp(data, "decisionValidUntilDate", what),
            comment=p.text(data, "comment", what, required=False),
            condition=p.text(data, "condition", what, required=False),
            reason=p.text(data, "reason", what, required=False),
            comment_to_risk_analyst=p.text(data, "commentToRiskAnalyst", what, required=False),
            may_contact_customer=p.optional_boolean(data, "siemensMayContactCustomer", what),
        )


def _customer_name(data: dict[str, Any], what: str) -> str | None:
    for key in ("customer", "customerManual"):
        customer = p.obj(data, key, what)
        if customer is not None:
            return p.text(customer, "companyName", f"{what}.{key}", required=False)
    return None


@dataclass(frozen=True)
class Proposal:
    """A whole proposal as answered. `etag` is the ETag header exactly as received (opaque)."""

    id: int
    label: str | None
    office_id: int
    sales_contact_id: int | None
    workflow_status: str  # a WorkflowStatus, or the unknown value as it came
    decision: Decision
    amount_financed: Decimal | None
    created: datetime | None
    updated: datetime | None
    customer_name: str | None
    etag: str | None
    calculation_result: CalculationResult | None = None
    asset_ids: tuple[int, ...] = ()
    updated_raw: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    loans: tuple[Loan, ...] = ()  # v2 (6.7)
    delivery_address: dict[str, Any] | None = field(default=None, compare=False)  # v2 (6.8)
    contract_no: str | None = None  # v2: set on activation (6.9)

    @classmethod
    def from_json(cls, data: object, *, etag: str | None = None) -> Proposal:
        what = "proposal"
        data = p.require_object(data, what)
        calculation = p.obj(data, "calculation", what)
        result = None
        if calculation is not None and calculation.get("result") is not None:
            result = CalculationResult.from_json(
                calculation["result"], f"{what}.calculation.result"
            )
        assets = [p.require_object(a, f"{what}.assets[]") for a in p.items(data, "assets", what)]
        return cls(
            id=p.integer(data, "id", what),
            label=p.text(data, "label", what, required=False),
            office_id=p.integer(data, "officeId", what),
            sales_contact_id=p.integer(data, "salesContactId", what, required=False),
            workflow_status=WorkflowStatus.parse(p.text(data, "workflowStatus", what)),
            decision=Decision.from_json(data.get("decision")),
            amount_financed=result.amount_financed if result else None,
            created=p.timestamp(data, "created", what),
            updated=p.timestamp(data, "updated", what),
            customer_name=_customer_name(data, what),
            etag=etag,
            calculation_result=result,
            asset_ids=tuple(
                asset_id
                for asset in assets
                if (asset_id := p.integer(asset, "id", f"{what}.assets[]", required=False))
                is not None
            ),
            updated_raw=p.text(data, "updated", what, required=False),
            raw=data,
            loans=tuple(
                Loan.from_json(loan, f"{what}.loans[]") for loan in p.items(data, "loans", what)
            ),
            delivery_address=p.obj(data, "deliveryAddress", what),
            contract_no=p.text(data, "contractNo", what, required=False),
        )

    @property
    def decision_status(self) -> str:
        return self.decision.decision_status


@dataclass(frozen=True)
class ProposalSummary:
    """One search hit. `updated_raw` is the version as SFS wrote it: compare it with a stored
    ETag through `same_version`, never by parsing the ETag."""

    id: int
    label: str | None
    office_id: int | None
    workflow_status: str
    decision_status: str | None
    customer_name: str | None
    amount_financed: Decimal | None
    created: datetime | None
    updated: datetime | None
    updated_raw: str
    contract_no: str | None = None  # v2

    @classmethod
    def from_json(cls, data: object) -> ProposalSummary:
        what = "search result"
        data = p.require_object(data, what)
        return cls(
            id=p.integer(data, "id", what),
            label=p.text(data, "label", what, required=False),
            office_id=p.integer(data, "officeId", what, required=False),
            workflow_status=WorkflowStatus.parse(p.text(data, "workflowStatus", what)),
            decision_status=DecisionStatus.parse(
                p.text(data, "decisionStatus", what, required=False)
            ),
            customer_name=p.text(data, "customerName", what, required=False),
            amount_financed=p.money(data, "amountFinanced", what, required=False),
            created=p.timestamp(data, "created", what),
            updated=p.timestamp(data, "updated", what),
            updated_raw=p.text(data, "updated", what),
            contract_no=p.text(data, "contractNo", what, required=False),
        )

    def is_newer_than(self, etag: str | None) -> bool:
        """True when this summary shows a version other than the stored ETag."""
        return not same_version(etag, self.updated_raw)


@dataclass(frozen=True)
class SearchPage:
    content: tuple[ProposalSummary, ...]
    page: int
    size: int
    total_elements: int

    @classmethod
    def from_json(cls, data: object, *, page: int = 0, size: int = 20) -> SearchPage:
        what = "search answer"
        data = p.require_object(data, what)
        content = tuple(
            ProposalSummary.from_json(item)
            for item in p.items(data, "content", what, required=True)
        )
        page_number = p.integer(data, "page", what, required=False)
        page_size = p.integer(data, "size", what, required=False)
        return cls(
            content=content,
            page=page if page_number is None else page_number,
            size=size if page_size is None else page_size,
            total_elements=p.integer(data, "totalElements", what),
        )

    @property
    def is_last(self) -> bool:
        return len(self.content) < self.size or (self.page + 1) * self.size >= self.total_elements


@dataclass(frozen=True)
class Precheck:
    request_allowed: bool
    cancel_allowed: bool
    violations: tuple[Violation, ...]

    @classmethod
    def from_json(cls, data: object) -> Precheck:
        what = "pre-check answer"
        data = p.require_object(data, what)
        return cls(
            request_allowed=p.boolean(data, "requestAllowed", what),
            cancel_allowed=p.boolean(data, "cancelAllowed", what),
            violations=tuple(parse_violations(p.items(data, "preconditionViolations", what))),
        )


@dataclass(frozen=True)
class AssetResult:
    """The answer to an asset call: the proposal's new ETag, and the asset unless it was deleted."""

    etag: str | None
    asset_id: int | None = None
    asset: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_json(cls, data: object, *, etag: str | None) -> AssetResult:
        if data is None:  # 204 No Content
            return cls(etag=etag)
        what = "asset"
        data = p.require_object(data, what)
        return cls(etag=etag, asset_id=p.integer(data, "id", what, required=False), asset=data)
