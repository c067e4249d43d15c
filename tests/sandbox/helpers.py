"""Bodies and a small HTTP client shared by the sandbox tests."""

import copy
import json
import time
import uuid
from decimal import Decimal
from pathlib import Path

import requests

SEED_FILE = Path(__file__).resolve().parents[2] / "sandbox" / "seed.json"
TRACE = "X-B2B-TRACE-ID"

COMPANY = {
    "registrationNumber": "01234567",
    "sourceCountryCode": "GB",
    "companyType": "LIMITED_COMPANY",
}

ADDRESS = {
    "address1": "12 Chapel Street",
    "city": "Leeds",
    "postalCode": "LS6 3BW",
    "country": {"code": "GB"},
}

PARTNER = {
    "title": {"id": 1},
    "firstName": "Alan",
    "lastName": "Turner",
    "dateOfBirth": "1975-04-12",
    "address": ADDRESS,
}

MANUAL = {
    "companyName": "Turner Joinery",
    "legalForm": {"id": 5},  # SOLE_TRADER
    "address": ADDRESS,
    "partners": [PARTNER],
}

ASSET = {
    "assetIacCode": "ITE2201",
    "condition": "NEW",
    "description": "Workstations",
    "quantity": 10,
    "valuePerAsset": 1450.00,
}

SHEET = {
    "introducerPricelistId": 501,
    "marketProductId": 10,
    "paymentMethod": {"id": 1},
    "paymentMode": "ADVANCE",
    "paymentPeriod": "MONTHLY",
    "term": 36,
    "specialPayments": [{"type": {"id": 1}, "amount": 1500.00}],
}

DECISION = {
    "siemensMayContactCustomer": True,
    "siemensMayRequestCreditData": False,
    "prelease": False,
}


def unique_label(prefix="IP") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def full_proposal(**overrides) -> dict:
    """A GB proposal (office 1001) complete enough for a decision: 13,000.00 financed."""
    body = {
        "officeId": 1001,
        "label": "IP-TEST-1",
        "customer": copy.deepcopy(COMPANY),
        "assets": [copy.deepcopy(ASSET)],
        "calculation": {"sheet": copy.deepcopy(SHEET), "operation": "CALCULATE_INSTALMENT"},
    }
    body.update(overrides)
    return body


def financing(amount, **sheet) -> dict:
    """Overrides for `full_proposal` that finance `amount` (one asset, no deposit)."""
    return {
        "assets": [{**ASSET, "quantity": 1, "valuePerAsset": amount}],
        "calculation": {"sheet": {**SHEET, "specialPayments": [], **sheet}},
    }


def seed() -> dict:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"), parse_float=Decimal)


def violations(response) -> list[tuple]:
    """The (field, code) pairs of a 400, in order."""
    assert response.status_code == 400, response.text
    return [(v["field"], v["code"]) for v in response.json()["violations"]]


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["traceId"] == response.headers[TRACE]
    assert response.headers["Content-Type"] == "application/json"
    return body


def wait_for(predicate, timeout=5.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("the condition did not come true in time")


class Api:
    """requests, bound to the sandbox's API URL and one introducer's token."""

    def __init__(self, sandbox, token):
        self.sandbox = sandbox
        self.token = token
        self.url = sandbox.api_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.session.close()

    def request(self, method, path, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url + path, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def change(self, method, path, etag, **kwargs):
        """A change call with If-Match."""
        headers = {"If-Match": etag, **kwargs.pop("headers", {})}
        return self.request(method, path, headers=headers, **kwargs)

    def create(self, **overrides) -> tuple[dict, str]:
        """Create `full_proposal(**overrides)`; answer (proposal, ETag)."""
        response = self.post("/proposals", json=full_proposal(**overrides))
        assert response.status_code == 201, response.text
        return response.json(), response.headers["ETag"]

    def fetch(self, proposal_id) -> tuple[dict, str]:
        response = self.get(f"/proposals/{proposal_id}")
        assert response.status_code == 200, response.text
        return response.json(), response.headers["ETag"]

    def request_decision(self, proposal_id, etag, **body):
        return self.change(
            "POST", f"/proposals/{proposal_id}/decision", etag, json={**DECISION, **body}
        )

    def search(self, **params) -> dict:
        response = self.get("/proposals/search", params=params)
        assert response.status_code == 200, response.text
        return response.json()
