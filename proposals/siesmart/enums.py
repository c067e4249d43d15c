"""Every enum and code of the SieSmart API, in one place.

The client is tolerant: SFS may answer a value we have never seen (its documented lists "may hold
more"). `parse` keeps such a value as a plain string instead of raising; since every enum here is a
`StrEnum`, comparisons like `status == WorkflowStatus.ACCEPTED` work on either form.
Values tagged [ASSUME] are ours (CONTRACT.md) and listed in the README as "to confirm with SFS".
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Self

logger = logging.getLogger(__name__)


class TolerantStrEnum(StrEnum):
    """A StrEnum whose `parse` never raises on a value it does not know."""

    @classmethod
    def parse(cls, value: object) -> Self | str | None:
        if value is None:
            return None
        try:
            return cls(value)
        except ValueError:
            # Kept as it is (and shown as it is), never a crash: SFS may add values at any time.
            logger.warning("Unknown %s value kept as a plain string: %r", cls.__name__, value)
            return str(value)


class WorkflowStatus(TolerantStrEnum):  # [ASSUME] values
    DRAFT = "DRAFT"
    DECISION_REQUESTED = "DECISION_REQUESTED"
    MORE_INFORMATION = "MORE_INFORMATION"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"
    ACTIVATED = "ACTIVATED"  # v2: the contract is active (6.9)


class DecisionStatus(TolerantStrEnum):  # [DOC] the values seen; the list may hold more
    NOT_AVAILABLE = "NOT_AVAILABLE"
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    MORE_INFORMATION = "MORE_INFORMATION"


# The decision is final in these states: decision polling stops. (v2: an ACCEPTED proposal still
# moves on to ACTIVATED; notifications and the checklist follow it from there.)
FINAL_WORKFLOW_STATUSES: frozenset[str] = frozenset(
    {
        WorkflowStatus.ACCEPTED,
        WorkflowStatus.DECLINED,
        WorkflowStatus.CANCELLED,
        WorkflowStatus.ACTIVATED,
    }
)
# v2: an accepted proposal goes on to ACTIVATED once its documents are in (6.9); nothing
# changes after that, nor after a decline or a cancel.
CLOSED_WORKFLOW_STATUSES: frozenset[str] = frozenset(
    {WorkflowStatus.ACTIVATED, WorkflowStatus.DECLINED, WorkflowStatus.CANCELLED}
)
# v2 (6.6): uploads are allowed in every state but these.
NO_UPLOAD_WORKFLOW_STATUSES = CLOSED_WORKFLOW_STATUSES
# CONTRACT.md 6.6 [ASSUME]: what each state allows.
CHANGEABLE_WORKFLOW_STATUSES: frozenset[str] = frozenset(
    {WorkflowStatus.DRAFT, WorkflowStatus.MORE_INFORMATION}
)
DECISION_REQUESTABLE_WORKFLOW_STATUSES = CHANGEABLE_WORKFLOW_STATUSES
CANCELLABLE_WORKFLOW_STATUSES: frozenset[str] = frozenset(
    {
        WorkflowStatus.DRAFT,
        WorkflowStatus.DECISION_REQUESTED,
        WorkflowStatus.MORE_INFORMATION,
        WorkflowStatus.ACCEPTED,
    }
)


def is_final(workflow_status: str | None) -> bool:
    return workflow_status in FINAL_WORKFLOW_STATUSES


def is_open(workflow_status: str | None) -> bool:
    """Open = keep refreshing it. An unknown status counts as open: polling a proposal a little
    too long costs one call a cycle, losing its decision costs a deal."""
    return workflow_status is not None and not is_final(workflow_status)


def awaits_decision(workflow_status: str | None, decision_status: str | None = None) -> bool:
    return (
        workflow_status == WorkflowStatus.DECISION_REQUESTED
        or decision_status == DecisionStatus.PENDING
    )


class ErrorCode(TolerantStrEnum):
    """Top-level `code` of the error object (section 4) [ASSUME the shape and codes]."""

    VALIDATION_FAILED = "VALIDATION_FAILED"
    PRECONDITION_VIOLATIONS = "PRECONDITION_VIOLATIONS"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_STATE = "INVALID_STATE"
    IF_MATCH_MISSING = "IF_MATCH_MISSING"
    ETAG_MISMATCH = "ETAG_MISMATCH"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # v2: 413, the body was not read
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


class ClientErrorCode(StrEnum):
    """Codes the client gives failures that have no answer from SFS (never sent by SFS)."""

    TIMEOUT = "CLIENT_TIMEOUT"
    CONNECTION_ERROR = "CLIENT_CONNECTION_ERROR"
    MALFORMED_RESPONSE = "CLIENT_MALFORMED_RESPONSE"
    BUDGET_EXHAUSTED = "CLIENT_BUDGET_EXHAUSTED"
    TOKEN_ERROR = "CLIENT_TOKEN_ERROR"
    INVALID_REQUEST = "CLIENT_INVALID_REQUEST"


class TokenErrorCode(TolerantStrEnum):
    """`error` of the token endpoint [ASSUME: an Auth0 tenant and its shapes]."""

    ACCESS_DENIED = "access_denied"
    INVALID_REQUEST = "invalid_request"
    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"


class PrecheckCode(TolerantStrEnum):  # [ASSUME] section 6.5
    CUSTOMER_MISSING = "CUSTOMER_MISSING"
    ASSET_MISSING = "ASSET_MISSING"
    CALCULATION_MISSING = "CALCULATION_MISSING"
    CALCULATION_OUTDATED = "CALCULATION_OUTDATED"
    SALES_CONTACT_MISSING = "SALES_CONTACT_MISSING"
    DECISION_ALREADY_REQUESTED = "DECISION_ALREADY_REQUESTED"
    PROPOSAL_CANCELLED = "PROPOSAL_CANCELLED"


class ViolationCode(TolerantStrEnum):
    """`violations[].code` (section 4) [ASSUME]; the pre-check codes appear here as well."""

    MALFORMED_JSON = "MALFORMED_JSON"
    REQUIRED = "REQUIRED"
    WRONG_TYPE = "WRONG_TYPE"
    INVALID_VALUE = "INVALID_VALUE"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    TOO_LONG = "TOO_LONG"
    TOO_MANY_DECIMALS = "TOO_MANY_DECIMALS"
    MUST_BE_POSITIVE = "MUST_BE_POSITIVE"
    INVALID_DATE = "INVALID_DATE"
    OFFICE_NOT_FOUND = "OFFICE_NOT_FOUND"
    SALES_CONTACT_NOT_FOUND = "SALES_CONTACT_NOT_FOUND"
    SALES_CONTACT_BLOCKED = "SALES_CONTACT_BLOCKED"
    COMPANY_NOT_FOUND = "COMPANY_NOT_FOUND"
    LEGAL_FORM_NOT_FOUND = "LEGAL_FORM_NOT_FOUND"
    PARTNER_COUNT = "PARTNER_COUNT"
    PARTNER_UNDER_18 = "PARTNER_UNDER_18"
    REGISTRATION_NUMBER_REQUIRED = "REGISTRATION_NUMBER_REQUIRED"
    IAC_CODE_NOT_ALLOWED = "IAC_CODE_NOT_ALLOWED"
    PRICELIST_NOT_ALLOWED = "PRICELIST_NOT_ALLOWED"
    MARKET_PRODUCT_MISMATCH = "MARKET_PRODUCT_MISMATCH"
    TERM_OUT_OF_RANGE = "TERM_OUT_OF_RANGE"
    TERM_STEP = "TERM_STEP"
    TERM_NOT_WHOLE_PERIODS = "TERM_NOT_WHOLE_PERIODS"
    PAYMENT_PERIOD_NOT_ALLOWED = "PAYMENT_PERIOD_NOT_ALLOWED"
    PAYMENT_MODE_NOT_ALLOWED = "PAYMENT_MODE_NOT_ALLOWED"
    PAYMENT_METHOD_NOT_FOUND = "PAYMENT_METHOD_NOT_FOUND"
    AMOUNT_FINANCED_OUT_OF_RANGE = "AMOUNT_FINANCED_OUT_OF_RANGE"
    DOWN_PAYMENT_TOO_HIGH = "DOWN_PAYMENT_TOO_HIGH"
    RESIDUAL_VALUE_NOT_ALLOWED = "RESIDUAL_VALUE_NOT_ALLOWED"
    RESIDUAL_VALUE_TOO_HIGH = "RESIDUAL_VALUE_TOO_HIGH"
    LOANS_NOT_ALLOWED = "LOANS_NOT_ALLOWED"  # v2
    LOANS_TOO_HIGH = "LOANS_TOO_HIGH"  # v2
    FILE_TOO_LARGE = "FILE_TOO_LARGE"  # v2
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"  # v2
    CUSTOMER_MISSING = PrecheckCode.CUSTOMER_MISSING.value
    ASSET_MISSING = PrecheckCode.ASSET_MISSING.value
    CALCULATION_MISSING = PrecheckCode.CALCULATION_MISSING.value
    CALCULATION_OUTDATED = PrecheckCode.CALCULATION_OUTDATED.value
    SALES_CONTACT_MISSING = PrecheckCode.SALES_CONTACT_MISSING.value
    DECISION_ALREADY_REQUESTED = PrecheckCode.DECISION_ALREADY_REQUESTED.value
    PROPOSAL_CANCELLED = PrecheckCode.PROPOSAL_CANCELLED.value


class PaymentPeriod(TolerantStrEnum):  # [ASSUME] values
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    SEMI_ANNUALLY = "SEMI_ANNUALLY"
    ANNUALLY = "ANNUALLY"

    @property
    def months(self) -> int:
        return MONTHS_PER_PERIOD[self]

    @property
    def payments_per_year(self) -> int:
        return 12 // MONTHS_PER_PERIOD[self]


MONTHS_PER_PERIOD: dict[str, int] = {
    PaymentPeriod.MONTHLY: 1,
    PaymentPeriod.QUARTERLY: 3,
    PaymentPeriod.SEMI_ANNUALLY: 6,
    PaymentPeriod.ANNUALLY: 12,
}


def months_per_period(payment_period: str) -> int | None:
    """Months in one payment period; None for a period we do not know (never a guess)."""
    return MONTHS_PER_PERIOD.get(payment_period)


class PaymentMode(TolerantStrEnum):  # [ASSUME] values
    ADVANCE = "ADVANCE"
    ARREARS = "ARREARS"


class AssetCondition(TolerantStrEnum):  # [ASSUME] values
    NEW = "NEW"
    USED = "USED"


class CompanyType(TolerantStrEnum):  # [ASSUME] values; also a legal form's `code`
    LIMITED_COMPANY = "LIMITED_COMPANY"
    PLC = "PLC"
    LLP = "LLP"
    PARTNERSHIP = "PARTNERSHIP"
    SOLE_TRADER = "SOLE_TRADER"
    OTHER = "OTHER"


# [ASSUME] A manual customer of these types must give its registration number.
REGISTERED_COMPANY_TYPES: frozenset[str] = frozenset(
    {CompanyType.LIMITED_COMPANY, CompanyType.PLC, CompanyType.LLP}
)


class CalculationOperation(TolerantStrEnum):  # [ASSUME] the only operation
    CALCULATE_INSTALMENT = "CALCULATE_INSTALMENT"


class SortBy(TolerantStrEnum):  # [DOC]
    UPDATED = "UPDATED"
    CREATED = "CREATED"


class SortOrder(TolerantStrEnum):  # [DOC]
    ASC = "ASC"
    DESC = "DESC"


# -- v2: documents, signing, notifications (CONTRACT.md 6.10 to 6.12) ------------------------------


class DocumentIdType(TolerantStrEnum):  # [ASSUME] values; the pair is echoed back exactly
    GENERATED = "GENERATED"
    UPLOADED = "UPLOADED"


class DocumentTypeCode(TolerantStrEnum):  # [ASSUME] codes
    AGREEMENT = "AGREEMENT"
    DD_MANDATE = "DD_MANDATE"
    SUPPLIER_INVOICE = "SUPPLIER_INVOICE"
    AUDITED_ACCOUNTS = "AUDITED_ACCOUNTS"
    PROOF_OF_ID = "PROOF_OF_ID"
    BANK_STATEMENT = "BANK_STATEMENT"
    INSURANCE_CERTIFICATE = "INSURANCE_CERTIFICATE"
    OTHER = "OTHER"


class DocumentStatusFilter(TolerantStrEnum):  # [ASSUME] values of the search's document-status
    OUTSTANDING = "OUTSTANDING"
    COMPLETE = "COMPLETE"


class DownloadVariant(TolerantStrEnum):  # [ASSUME] `variant` of a document download
    ORIGINAL = "original"
    SIGNED = "signed"
    UPLOADED = "uploaded"


class SigningStatus(TolerantStrEnum):  # AUTHORING [PM]; the rest [ASSUME]
    AUTHORING = "AUTHORING"
    SENT = "SENT"
    COMPLETED = "COMPLETED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


class SignatoryStatus(TolerantStrEnum):  # [CL 1.2.5] that it exists; [ASSUME] values
    PENDING = "PENDING"
    SIGNED = "SIGNED"
    DECLINED = "DECLINED"


class NotificationEventType(TolerantStrEnum):  # [DOC] event names
    DECISION_RECEIVED = "DECISION_RECEIVED"
    CREDIT_STATUS_CHANGED = "CREDIT_STATUS_CHANGED"


class Lane(StrEnum):
    """The limiter serves the interactive lane (a person waits) before the background lane."""

    INTERACTIVE = "interactive"
    BACKGROUND = "background"
