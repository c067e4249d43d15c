"""The calculation (CONTRACT.md section 7) against an independent computation, and the quote
endpoint of 6.4.

The sandbox computes the annuity in closed form; this test sums discount factors instead, so a
slip in either formula shows up as a difference.
"""

import random
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest

from tests.sandbox.helpers import ASSET, SHEET, assert_error, seed, violations

MONTHS = {"MONTHLY": 1, "QUARTERLY": 3, "SEMI_ANNUALLY": 6, "ANNUALLY": 12}
RATES = {p["id"]: Decimal(str(p["nominalAnnualRate"])) for p in seed()["pricelists"]}


def expected_instalment(amount, residual, pricelist, period, term, mode) -> Decimal:
    """Present value of the payments = amount less the present value of the residual."""
    with localcontext() as ctx:
        ctx.prec = 60
        months = MONTHS[period]
        rate = RATES[pricelist] / 100 / (12 // months)
        count = term // months
        discount = 1 / (1 + rate)
        first = 0 if mode == "ADVANCE" else 1  # paid at the start or the end of each period
        factor = sum(discount**k for k in range(first, first + count))
        payment = (Decimal(amount) - Decimal(residual) * discount**count) / factor
        return payment.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def quote(api, office, amount, **sheet):
    response = api.post(
        "/calculation",
        params={"office-id": office, "amount-financed": str(amount)},
        json={"sheet": {**SHEET, "specialPayments": [], **sheet}},
    )
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"result"}
    return response.json()["result"]


CASES = [
    # office, pricelist, product, period, mode, term, residual
    (1001, 501, 10, "MONTHLY", "ADVANCE", 36, None),
    (1001, 501, 10, "MONTHLY", "ARREARS", 36, None),
    (1001, 501, 10, "QUARTERLY", "ARREARS", 60, None),
    (1001, 502, 20, "SEMI_ANNUALLY", "ADVANCE", 36, 2500),
    (1001, 502, 20, "MONTHLY", "ADVANCE", 72, 1000.55),
    (1001, 503, 30, "MONTHLY", "ARREARS", 15, 3000),
    (1002, 511, 10, "ANNUALLY", "ARREARS", 84, None),
    (1002, 512, 20, "QUARTERLY", "ARREARS", 48, 4000),
    (1003, 521, 10, "MONTHLY", "ADVANCE", 13, 750),
    (1003, 522, 30, "MONTHLY", "ADVANCE", 24, 5000),
]
METHODS = {1001: 1, 1002: 3, 1003: 1}


@pytest.mark.parametrize(("office", "pricelist", "product", "period", "mode", "term", "rv"), CASES)
def test_the_annuity_matches_an_independent_computation(
    api, office, pricelist, product, period, mode, term, rv
):
    sheet = {
        "introducerPricelistId": pricelist, "marketProductId": product, "paymentPeriod": period,
        "paymentMode": mode, "term": term, "paymentMethod": {"id": METHODS[office]},
    }  # fmt: skip
    if rv is not None:
        sheet["residualValue"] = {"amount": rv}
    amounts = [Decimal("10000"), Decimal("12345.67"), Decimal("10000.01")]
    rng = random.Random(pricelist * 1000 + term)
    amounts += [Decimal(rng.randint(1_000_000, 5_000_000)) / 100 for _ in range(4)]
    for amount in amounts:
        result = quote(api, office, amount, **sheet)
        count = term // MONTHS[period]
        instalment = expected_instalment(amount, rv or 0, pricelist, period, term, mode)
        assert Decimal(str(result["instalment"])) == instalment, (amount, result)
        assert result["numberOfPayments"] == count
        assert Decimal(str(result["totalPayable"])) == instalment * count
        assert Decimal(str(result["amountFinanced"])) == amount
        assert Decimal(str(result["assetsTotal"])) == amount
        assert result["downPayment"] == 0


def test_advance_is_arrears_discounted_by_one_period(api):
    arrears = quote(api, 1001, 20000, paymentMode="ARREARS")["instalment"]
    advance = quote(api, 1001, 20000, paymentMode="ADVANCE")["instalment"]
    assert advance < arrears
    assert abs(Decimal(str(advance)) * (1 + RATES[501] / 1200) - Decimal(str(arrears))) < 0.01


def test_a_residual_value_lowers_the_instalment(api):
    lease = {"introducerPricelistId": 502, "marketProductId": 20, "term": 48}
    without = quote(api, 1001, 20000, **lease)["instalment"]
    with_rv = quote(api, 1001, 20000, **lease, residualValue={"amount": 5000})["instalment"]
    assert with_rv < without


def test_the_same_inputs_give_the_same_result(api):
    assert quote(api, 1001, 13000) == quote(api, 1001, 13000)


def test_down_payments_are_added_to_the_amount_financed_to_give_the_assets_total(api):
    result = quote(api, 1001, 13000, specialPayments=[{"type": {"id": 1}, "amount": 1500}])
    assert result["assetsTotal"] == 14500 and result["downPayment"] == 1500
    assert result["amountFinanced"] == 13000


def test_fees_are_never_financed(api):
    without = quote(api, 1001, 13000)
    with_fee = quote(api, 1001, 13000, fees=[{"type": {"id": 1}, "amount": 250}])
    assert with_fee == without


def test_a_stored_calculation_equals_the_quote(api):
    proposal, etag = api.create()
    stored = proposal["calculation"]["result"]
    by_amount = api.post(
        "/calculation", params={"office-id": 1001, "amount-financed": "13000.00"},
        json={"sheet": SHEET},
    ).json()["result"]  # fmt: skip
    by_proposal = api.post(
        "/calculation", params={"proposal-id": proposal["id"]}, json={"sheet": SHEET}
    )
    assert by_proposal.status_code == 200
    assert stored == by_amount == by_proposal.json()["result"]
    assert api.fetch(proposal["id"])[1] == etag  # a quote stores nothing


def test_a_quote_by_proposal_reads_its_assets(api):
    proposal, _ = api.create(assets=[ASSET, {**ASSET, "quantity": 2}])
    response = api.post(
        "/calculation", params={"proposal-id": proposal["id"]}, json={"sheet": SHEET}
    )
    assert response.json()["result"]["assetsTotal"] == 14500 + 2 * 1450
    rental = {**SHEET, "introducerPricelistId": 503, "marketProductId": 30}
    rental["paymentMode"] = "ARREARS"
    rental["specialPayments"] = []
    response = api.post(
        "/calculation", params={"proposal-id": proposal["id"]}, json={"sheet": rental}
    )
    assert ("assets[0].assetIacCode", "IAC_CODE_NOT_ALLOWED") in violations(response)


def test_a_quote_for_another_introducer_is_403_and_for_nothing_404(api, other_api):
    proposal, _ = api.create()
    body = {"sheet": SHEET}
    response = other_api.post("/calculation", params={"proposal-id": proposal["id"]}, json=body)
    assert_error(response, 403, "FORBIDDEN")
    response = api.post("/calculation", params={"office-id": 2001, "amount-financed": 1}, json=body)
    assert_error(response, 403, "FORBIDDEN")
    response = api.post("/calculation", params={"proposal-id": 1}, json=body)
    assert_error(response, 404, "NOT_FOUND")
    response = api.post("/calculation", params={"office-id": 5, "amount-financed": 1}, json=body)
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("params", "sheet", "expected"),
    [
        ({}, SHEET, ("office-id", "REQUIRED")),
        ({"office-id": 1001}, SHEET, ("amount-financed", "REQUIRED")),
        ({"office-id": 1001, "amount-financed": "abc"}, SHEET, ("amount-financed", "WRONG_TYPE")),
        ({"office-id": 1001, "amount-financed": "-5"}, SHEET,
         ("amount-financed", "MUST_BE_POSITIVE")),
        ({"office-id": 1001, "amount-financed": "1.001"}, SHEET,
         ("amount-financed", "TOO_MANY_DECIMALS")),
        ({"office-id": 1001, "amount-financed": "999999"}, SHEET,
         (None, "AMOUNT_FINANCED_OUT_OF_RANGE")),
        ({"office-id": 1001, "amount-financed": "13000"}, {**SHEET, "term": 37},
         ("sheet.term", "TERM_STEP")),
        ({"office-id": 1001, "amount-financed": "13000", "x": 1}, SHEET, ("x", "UNKNOWN_FIELD")),
    ],
)  # fmt: skip
def test_quote_parameters_and_sheet_are_validated(api, params, sheet, expected):
    response = api.post("/calculation", params=params, json={"sheet": sheet})
    assert expected in violations(response)


def test_a_quote_by_proposal_takes_no_amount_and_no_office(api):
    proposal, _ = api.create()
    params = {"proposal-id": proposal["id"], "amount-financed": "5"}
    response = api.post("/calculation", params=params, json={"sheet": SHEET})
    assert violations(response) == [("amount-financed", "INVALID_VALUE")]
    params = {"proposal-id": proposal["id"], "office-id": 1001, "amount-financed": "5"}
    response = api.post("/calculation", params=params, json={"sheet": SHEET})
    assert violations(response) == [("proposal-id", "INVALID_VALUE")]
