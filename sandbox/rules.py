"""The business rules of CONTRACT.md 6.1, run on bodies the specs of `schemas` have cleaned.

Each check adds violations and carries on, so one answer lists every problem. A rule only looks at
fields that passed their own spec: a field that failed has its violation already.
"""

from datetime import date
from decimal import Decimal

from . import calculation
from .schemas import CUSTOMER_MANUAL
from .seed import PERIOD_MONTHS, Seed
from .validation import INVALID, Obj, Violations, join

COMPANY_FORMS = ("LIMITED_COMPANY", "PLC", "LLP")


def normalize(spec, value):
    """Fill the optional fields that were left out with null, so every answer has one shape."""
    if isinstance(spec, Obj) and isinstance(value, dict):
        return {
            key: normalize(child, value[key]) if value.get(key) is not None else None
            for key, (child, _required) in spec.fields.items()
        }
    item_spec = getattr(spec, "item", None)
    if item_spec is not None and isinstance(value, list):
        return [normalize(item_spec, item) for item in value]
    return value


def adult_on(birth: date, today: date) -> bool:
    try:
        eighteenth = birth.replace(year=birth.year + 18)
    except ValueError:  # born on 29 February: the birthday falls on 1 March
        eighteenth = date(birth.year + 18, 3, 1)
    return eighteenth <= today


def assets_total(assets) -> Decimal | None:
    """The sum of quantity times value; None while any asset is incomplete or invalid."""
    total = Decimal(0)
    for asset in assets or ():
        if not isinstance(asset, dict) or "quantity" not in asset or "valuePerAsset" not in asset:
            return None
        total += asset["quantity"] * asset["valuePerAsset"]
    return total


def loans_total(loans) -> Decimal | None:
    """The sum of the loans' values; None while any loan is incomplete or invalid."""
    total = Decimal(0)
    for loan in loans or ():
        if not isinstance(loan, dict) or "value" not in loan:
            return None
        total += loan["value"]
    return total


class Rules:
    def __init__(self, seed: Seed):
        self.seed = seed

    # ---- who ----------------------------------------------------------------------------------

    def sales_contact(self, contact_id, office_id, path, v: Violations):
        contact = self.seed.contacts.get(contact_id)
        if contact is None or office_id not in contact["officeIds"]:
            v.add(path, "SALES_CONTACT_NOT_FOUND", "The sales contact is not one of this office.")
        elif contact["blocked"]:
            reason = contact["blockedReason"] or "blocked"
            v.add(path, "SALES_CONTACT_BLOCKED", f"The sales contact is blocked ({reason}).")

    def company(self, reference, path, v: Violations) -> dict | None:
        """Resolve a company reference through the register: name and address are added."""
        number = reference.get("registrationNumber")
        country = reference.get("sourceCountryCode")
        if number is None or country is None or "companyType" not in reference:
            return None
        found = self.seed.company(number, country)
        if found is None:
            field = join(path, "registrationNumber")
            v.add(field, "COMPANY_NOT_FOUND", f"No company {number} is registered in {country}.")
            return None
        return {
            "registrationNumber": number,
            "sourceCountryCode": country,
            "companyType": reference["companyType"],
            "companyName": found["companyName"],
            "address": found["address"],
        }

    def customer_manual(self, manual, raw, path, v: Violations):
        """The rules of a hand-typed customer; `raw` is the body as sent (for partner counts)."""
        legal_form = None
        form_id = manual.get("legalForm", {}).get("id")
        if form_id is not None:
            legal_form = self.seed.legal_forms.get(form_id)
            if legal_form is None:
                field = join(path, "legalForm.id")
                v.add(field, "LEGAL_FORM_NOT_FOUND", "The legal form is not known.")
        # Partners are counted as sent, the invalid ones too; a non-list has its own violation.
        partners = raw.get("partners") if isinstance(raw, dict) else None
        countable = partners is None or isinstance(partners, list)
        for index, partner in enumerate(manual.get("partners") or ()):
            if isinstance(partner, dict):
                self._partner(partner, f"{join(path, 'partners')}[{index}]", v)
        if legal_form is None:
            return
        code = legal_form["code"]
        number_path = join(path, "registrationNumber")
        already = any(item["field"] == number_path for item in v.items)
        if code in COMPANY_FORMS and not manual.get("registrationNumber") and not already:
            msg = f"A registration number is required for a {legal_form['name']}."
            v.add(number_path, "REGISTRATION_NUMBER_REQUIRED", msg)
        if not countable:
            return
        count = len(partners or ())
        if code == "SOLE_TRADER" and count != 1:
            msg = "A sole trader has exactly one proprietor."
        elif code == "PARTNERSHIP" and count < 2:
            msg = "A partnership has at least two partners."
        elif code in COMPANY_FORMS and count < 1:
            msg = "A company has at least one director."
        else:
            return
        v.add(join(path, "partners"), "PARTNER_COUNT", msg)

    def _partner(self, partner, path, v: Violations):
        title_id = partner.get("title", {}).get("id")
        if title_id is not None and title_id not in self.seed.titles:
            v.add(join(path, "title.id"), "INVALID_VALUE", "The title is not known.")
        born = partner.get("dateOfBirth")
        if born and not adult_on(date.fromisoformat(born), date.today()):
            v.add(join(path, "dateOfBirth"), "PARTNER_UNDER_18", "A partner must be 18 or older.")

    def customers(self, body, raw, prefix, v: Violations):
        """Check `customer` / `customerManual` (one of them at most); answer the stored pair."""
        customer = manual = None
        if "customer" in body and "customerManual" in body:
            msg = "Give one of customer or customerManual, not both."
            v.add(join(prefix, "customer"), "REQUIRED", msg)
        if "customer" in body:
            customer = self.company(body["customer"], join(prefix, "customer"), v)
        if "customerManual" in body:
            path = join(prefix, "customerManual")
            raw_manual = raw.get("customerManual") if isinstance(raw, dict) else None
            self.customer_manual(body["customerManual"], raw_manual, path, v)
            manual = normalize(CUSTOMER_MANUAL, body["customerManual"])
            for partner in manual.get("partners") or ():
                # An invalid partner stays a placeholder; the request is refused anyway.
                if isinstance(partner, dict) and partner.get("guarantor") is None:
                    partner["guarantor"] = False
        return customer, manual

    # ---- what ---------------------------------------------------------------------------------

    def assets(self, assets, path, office_id, v: Violations) -> list:
        """Check each asset's code and supplier; answer `(field path, parent code)` per leaf."""
        codes = []
        for index, asset in enumerate(assets or ()):
            if not isinstance(asset, dict):
                continue
            self.asset(asset, f"{path}[{index}]", office_id, v, codes)
        return codes

    def asset(self, asset, path, office_id, v: Violations, codes: list):
        code = asset.get("assetIacCode")
        if code is not None:
            parent = self.seed.leaf_parent(office_id, code)
            field = join(path, "assetIacCode")
            if parent is None:
                msg = f"{code} is not an asset code of this office (a leaf code is needed)."
                v.add(field, "IAC_CODE_NOT_ALLOWED", msg)
            else:
                codes.append((field, code, parent))
        supplier = asset.get("equipmentSupplier")
        if supplier is not None:
            resolved = self.company(supplier, join(path, "equipmentSupplier"), v)
            if resolved is not None:
                asset["equipmentSupplier"] = resolved

    def loans(self, loans, path, office_id, v: Violations) -> list:
        """Check each loan's purpose against the office; answer the loans as stored (with the
        purpose's name), or placeholders for the ones that failed."""
        stored = []
        for index, loan in enumerate(loans or ()):
            stored.append(self.loan(loan, f"{path}[{index}]", office_id, v))
        return stored

    def loan(self, loan, path, office_id, v: Violations) -> dict | None:
        if not isinstance(loan, dict):
            return None
        purpose_id = loan.get("loanPurpose", {}).get("id")
        purpose = None
        if purpose_id is not None:
            if purpose_id in self.seed.offices[office_id]["loanPurposeIds"]:
                purpose = self.seed.loan_purposes[purpose_id]
            else:
                msg = "The loan purpose is not one of this office."
                v.add(join(path, "loanPurpose.id"), "INVALID_VALUE", msg)
        if purpose is None or "value" not in loan:
            return None
        return {"loanPurpose": dict(purpose), "value": loan["value"]}

    def loans_for_product(
        self, product_id, office_id, assets, loans, v: Violations, *, field, too_high_field=None
    ):
        """CONTRACT.md 6.7: a product takes loans or not, and loans are at most `maxLoanPercent`
        of assets and loans together (before down payments).

        `loans` is `(count, total)`; a total or `assets` of None (an invalid part, reported
        already) skips the share.
        """
        count, total = loans
        if not count or product_id not in self.seed.office_product_ids(office_id):
            return
        product = self.seed.products[product_id]
        if not product["loansAllowed"]:
            msg = f"{product['name']} takes no loans."
            v.add(field, "LOANS_NOT_ALLOWED", msg)
        elif total is not None and assets is not None:
            percent = product["maxLoanPercent"]
            if total * 100 > (assets + total) * percent:
                msg = f"Loans may be at most {percent}% of the assets and loans together."
                v.add(too_high_field or field, "LOANS_TOO_HIGH", msg)

    # ---- how ----------------------------------------------------------------------------------

    def calculation(
        self,
        sheet,
        path,
        office_id,
        v: Violations,
        *,
        total=None,
        financed=None,
        codes=(),
        loans=Decimal(0),
    ) -> dict | None:
        """Check a sheet against the office's config; answer the result when all is well.

        Give `total` (the assets total) or `financed` (the amount after down payments, for a
        quote); `codes` are the assets' `(field path, code, parent code)` to hold against the
        pricelist; `loans` is the loans total (None while a loan is invalid), financed with the
        assets (CONTRACT.md 6.7).
        """
        seed = self.seed
        pricelist = seed.pricelists.get(sheet.get("introducerPricelistId"))
        if "introducerPricelistId" in sheet and (
            pricelist is None or pricelist["officeId"] != office_id
        ):
            msg = "The pricelist is not one of this office."
            v.add(join(path, "introducerPricelistId"), "PRICELIST_NOT_ALLOWED", msg)
            pricelist = None
        product = sheet.get("marketProductId")
        if product is not None:
            if product not in seed.office_product_ids(office_id):
                msg = "The market product is not one of this office."
                v.add(join(path, "marketProductId"), "INVALID_VALUE", msg)
            elif pricelist is not None and pricelist["marketProductId"] != product:
                msg = "The pricelist does not belong to this market product."
                v.add(join(path, "marketProductId"), "MARKET_PRODUCT_MISMATCH", msg)
        method = sheet.get("paymentMethod", {}).get("id")
        if method is not None and method not in seed.offices[office_id]["paymentMethodIds"]:
            msg = "The payment method is not one of this office."
            v.add(join(path, "paymentMethod.id"), "PAYMENT_METHOD_NOT_FOUND", msg)
        self._terms(sheet, path, pricelist, v)
        down = self._special_payments(sheet, path, office_id, v)
        residual = sheet.get("residualValue", {}).get("amount")
        if "residualValue" in sheet and pricelist and not pricelist["residualValueAllowed"]:
            msg = "This pricelist takes no residual value."
            v.add(join(path, "residualValue"), "RESIDUAL_VALUE_NOT_ALLOWED", msg)
        for field, code, parent in codes:
            if pricelist is not None and parent not in pricelist["iacCodes"]:
                v.add(field, "IAC_CODE_NOT_ALLOWED", f"The pricelist does not finance {code}.")
        if pricelist is None or down is None or loans is None:
            return None
        if total is None and financed is None:
            return None
        if total is None:
            total = financed + down
        amount = total + loans - down
        if down * 100 > total * pricelist["maxDownPaymentPercent"]:
            percent = pricelist["maxDownPaymentPercent"]
            msg = f"Down payments may be at most {percent}% of the assets total."
            v.add(join(path, "specialPayments"), "DOWN_PAYMENT_TOO_HIGH", msg)
        low, high = pricelist["minAmountFinanced"], pricelist["maxAmountFinanced"]
        if not low <= amount <= high:
            msg = f"The amount financed must be {low:,.2f} to {high:,.2f}."
            v.add(None, "AMOUNT_FINANCED_OUT_OF_RANGE", msg)
        elif residual is not None and residual >= amount:
            msg = "The residual value must be below the amount financed."
            v.add(join(path, "residualValue.amount"), "RESIDUAL_VALUE_TOO_HIGH", msg)
        if len(v):  # a result only for a request that is valid as a whole
            return None
        return calculation.result(total, down, residual or Decimal(0), pricelist, sheet, loans)

    def _terms(self, sheet, path, pricelist, v: Violations):
        term, period, mode = sheet.get("term"), sheet.get("paymentPeriod"), sheet.get("paymentMode")
        if pricelist is not None:
            if period is not None and period not in pricelist["paymentPeriods"]:
                msg = f"The pricelist allows {', '.join(pricelist['paymentPeriods'])}."
                v.add(join(path, "paymentPeriod"), "PAYMENT_PERIOD_NOT_ALLOWED", msg)
            if mode is not None and mode not in pricelist["paymentModes"]:
                msg = f"The pricelist allows {', '.join(pricelist['paymentModes'])}."
                v.add(join(path, "paymentMode"), "PAYMENT_MODE_NOT_ALLOWED", msg)
        if term is None:
            return
        field = join(path, "term")
        if pricelist is not None:
            low, high, step = pricelist["minTerm"], pricelist["maxTerm"], pricelist["termStep"]
            rule = f"Term must be {low} to {high} months in steps of {step}."
            if not low <= term <= high:
                v.add(field, "TERM_OUT_OF_RANGE", rule)
            elif (term - low) % step:
                v.add(field, "TERM_STEP", rule)
        if period is not None and term % PERIOD_MONTHS[period]:
            msg = f"Term must be a whole number of {period.lower().replace('_', '-')} payments."
            v.add(field, "TERM_NOT_WHOLE_PERIODS", msg)

    def _special_payments(self, sheet, path, office_id, v: Violations) -> Decimal | None:
        """Check the payment types; answer the down payments' sum (None when unknown)."""
        office = self.seed.offices[office_id]
        down = Decimal(0)
        known = True
        for key, allowed, types in (
            ("specialPayments", office["specialPaymentTypeIds"], self.seed.special_types),
            ("fees", office["feeTypeIds"], self.seed.fee_types),
        ):
            for index, payment in enumerate(sheet.get(key) or ()):
                if payment is INVALID or "amount" not in payment:
                    known = False
                    continue
                type_id = payment.get("type", {}).get("id")
                if type_id is None:
                    known = False
                elif type_id not in allowed:
                    field = f"{join(path, key)}[{index}].type.id"
                    v.add(field, "INVALID_VALUE", "The payment type is not one of this office.")
                    known = False
                elif key == "specialPayments" and types[type_id]["downPaymentType"]:
                    down += payment["amount"]
        return down if known else None
