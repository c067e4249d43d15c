"""Constants and answer bodies for the client's unit tests (shaped as in CONTRACT.md)."""

from __future__ import annotations

import copy
from typing import Any

import responses

from proposals.siesmart import MemoryLimiter

API = "https://api.sfs.example/siesmart/b2b/v1"
TOKEN_URL = "https://auth.sfs.example/oauth/token"
CLIENT_ID = "demo-introducer"
SECRET = "cs-9f8e7d6c5b4a-super-secret-value"
ACCESS_TOKEN = "at-0123456789abcdef-access"
TRACE = "5b0f8c1e-0f6e-4d58-9c57-0c1a8a3b2f10"
ETAG = "2026-11-28T06:05:21.123Z"
CREDENTIAL_KEY = "credential:1"


def api(path: str) -> str:
    return API + path


class FakeClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def add_token(
    rsps: responses.RequestsMock,
    access_token: str = ACCESS_TOKEN,
    *,
    expires_in: int = 86400,
    status: int = 200,
    body: Any = None,
) -> None:
    if body is None:
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in}
    rsps.add(responses.POST, TOKEN_URL, json=body, status=status)


def error_body(
    status: int, code: str, message: str = "Refused.", violations: list | None = None
) -> dict:
    body: dict[str, Any] = {"traceId": TRACE, "status": status, "code": code, "message": message}
    if violations is not None:
        body["violations"] = violations
    return body


def headers(etag: str | None = ETAG, trace_id: str = TRACE) -> dict[str, str]:
    result = {"X-B2B-TRACE-ID": trace_id}
    if etag is not None:
        result["ETag"] = etag
    return result


PROPOSAL: dict[str, Any] = {
    "id": 7000123,
    "label": "IP-2026-000042",
    "officeId": 1001,
    "salesContactId": 23076571,
    "specialConditionText": None,
    "scheduleAssetsDescription": None,
    "workflowStatus": "DRAFT",
    "customer": {
        "registrationNumber": "01234567",
        "sourceCountryCode": "GB",
        "companyType": "LIMITED_COMPANY",
        "companyName": "Example Tools Ltd",
        "address": {"address1": "1 High Street", "city": "Leeds", "postalCode": "LS1 1AA"},
    },
    "customerManual": None,
    "assets": [
        {
            "id": 1,
            "assetIacCode": "ITE2201",
            "condition": "NEW",
            "description": "Workstations",
            "quantity": 10,
            "valuePerAsset": 1450.00,
        }
    ],
    "calculation": {
        "sheet": {"introducerPricelistId": 501, "term": 36},
        "result": {
            "assetsTotal": 14500.00,
            "downPayment": 1500.00,
            "amountFinanced": 13000.00,
            "numberOfPayments": 36,
            "instalment": 405.12,
            "totalPayable": 14584.32,
        },
    },
    "decision": {
        "decisionStatus": "NOT_AVAILABLE",
        "decisionRequestedDate": None,
        "decisionDate": None,
        "decisionValidUntilDate": None,
        "comment": None,
        "condition": None,
        "reason": None,
        "commentToRiskAnalyst": None,
        "siemensMayContactCustomer": None,
    },
    "created": "2026-11-28T06:05:21.123Z",
    "updated": "2026-11-28T06:05:21.123Z",
}


def proposal_json(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(PROPOSAL)
    body.update(changes)
    return body


CALCULATION_CONFIG: dict[str, Any] = {
    "officeId": 1001,
    "currency": "GBP",
    "marketProducts": [{"id": 10, "code": "HP", "name": "Hire Purchase", "assetProduct": True}],
    "paymentMethods": [{"id": 1, "name": "Direct Debit"}],
    "specialPaymentTypes": [{"id": 1, "code": "DEP", "name": "Deposit", "downPaymentType": True}],
    "feeTypes": [{"id": 1, "code": "DOC", "name": "Documentation fee"}],
    "introducerPricelists": [
        {
            "id": 501,
            "name": "Standard IT",
            "marketProductId": 10,
            "currency": "GBP",
            "minTerm": 12,
            "maxTerm": 60,
            "termStep": 12,
            "minAmountFinanced": 1000.00,
            "maxAmountFinanced": 250000,
            "paymentPeriods": ["MONTHLY", "QUARTERLY"],
            "paymentModes": ["ADVANCE", "ARREARS"],
            "iacCodes": ["ITE", "OFF"],
            "maxDownPaymentPercent": 30,
            "residualValueAllowed": False,
        }
    ],
}

SUMMARY: dict[str, Any] = {
    "id": 7000123,
    "label": "IP-2026-000042",
    "officeId": 1001,
    "workflowStatus": "DECISION_REQUESTED",
    "decisionStatus": "PENDING",
    "customerName": "Example Tools Ltd",
    "amountFinanced": 13000.00,
    "created": "2026-11-28T06:05:21.123Z",
    "updated": "2026-11-28T06:07:00.001Z",
}


def api_calls(mock: responses.RequestsMock) -> list:
    """The calls that went to the API (the token calls left out)."""
    return [call for call in mock.calls if call.request.url.startswith(API)]


def token_calls(mock: responses.RequestsMock) -> list:
    return [call for call in mock.calls if call.request.url.startswith(TOKEN_URL)]


class SpyLimiter(MemoryLimiter):
    """A real limiter that also remembers what the client asked of it; `waits` are answered
    first, in order, before the real window is consulted."""

    def __init__(self, *args, waits: list[float] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.acquired: list[str] = []
        self.pauses: list[float] = []
        self.scripted_waits = list(waits or [])

    def acquire(self, lane: str) -> float:
        self.acquired.append(lane)
        if self.scripted_waits:
            return self.scripted_waits.pop(0)
        return super().acquire(lane)

    def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        super().pause(seconds)
