"""The finance calculation: an annuity on the amount financed (CONTRACT.md section 7).

With
    A   the amount financed (assets total plus loans total less down payments),
    RV  the residual value (0 when none), paid at the end of the term,
    j   the pricelist's nominal annual rate as a fraction (7.90 % -> 0.079),
    m   payments per year: 12 MONTHLY, 4 QUARTERLY, 2 SEMI_ANNUALLY, 1 ANNUALLY,
    r   = j / m, the rate per period,
    n   = term / (12 / m), the number of payments,

the instalment paid in arrears (at the end of each period) is

    P_arrears = (A - RV / (1 + r)^n) * r / (1 - (1 + r)^-n)

and paid in advance (at the start of each period, an annuity-due) it is

    P_advance = P_arrears / (1 + r).

The instalment is rounded half-up to two decimals; `totalPayable` is the rounded instalment times
n (exact). Intermediate values use 40 significant digits, so the same inputs always give the same
result.
"""

from decimal import ROUND_HALF_UP, Context, Decimal

from .seed import PERIOD_MONTHS

CENT = Decimal("0.01")
ZERO = Decimal(0)
_CONTEXT = Context(prec=40)


def instalment(amount_financed, residual, annual_rate_percent, period, term, mode) -> Decimal:
    """The rounded instalment; see the module docstring for the formula."""
    ctx = _CONTEXT
    months = PERIOD_MONTHS[period]
    periods_per_year = 12 // months
    count = term // months
    rate = ctx.divide(ctx.divide(Decimal(annual_rate_percent), 100), periods_per_year)
    growth = ctx.power(ctx.add(1, rate), count)
    present_residual = ctx.divide(Decimal(residual), growth)
    principal = ctx.subtract(Decimal(amount_financed), present_residual)
    payment = ctx.divide(ctx.multiply(principal, rate), ctx.subtract(1, ctx.divide(1, growth)))
    if mode == "ADVANCE":
        payment = ctx.divide(payment, ctx.add(1, rate))
    return payment.quantize(CENT, rounding=ROUND_HALF_UP)


def result(assets_total, down_payment, residual, pricelist, sheet, loans_total=ZERO) -> dict:
    """The `calculation.result` object of CONTRACT.md 6.3 (with 6.7's loans), from validated
    inputs."""
    amount_financed = assets_total + loans_total - down_payment
    term = sheet["term"]
    period = sheet["paymentPeriod"]
    count = term // PERIOD_MONTHS[period]
    payment = instalment(
        amount_financed,
        residual,
        pricelist["nominalAnnualRate"],
        period,
        term,
        sheet["paymentMode"],
    )
    return {
        "assetsTotal": assets_total.quantize(CENT),
        "loansTotal": loans_total.quantize(CENT),
        "downPayment": down_payment.quantize(CENT),
        "amountFinanced": amount_financed.quantize(CENT),
        "numberOfPayments": count,
        "instalment": payment,
        "totalPayable": (payment * count).quantize(CENT),
    }
