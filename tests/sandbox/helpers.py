"""Bodies and small helpers shared by the sandbox tests."""

import copy

COMPANY = {
    "registrationNumber": "01234567",
    "sourceCountryCode": "GB",
    "companyType": "LIMITED_COMPANY",
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
