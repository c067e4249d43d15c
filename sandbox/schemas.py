"""The shapes of the request bodies of CONTRACT.md section 6, as specs of `validation`."""

from .seed import PERIOD_MONTHS
from .validation import MAX_NOTE, Bool, Date, Enum, Int, ListOf, Money, Obj, Str, ref

COMPANY_TYPES = ("LIMITED_COMPANY", "PLC", "LLP", "PARTNERSHIP", "SOLE_TRADER", "OTHER")
CONDITIONS = ("NEW", "USED")
PAYMENT_MODES = ("ADVANCE", "ARREARS")
PAYMENT_PERIODS = tuple(PERIOD_MONTHS)
OPERATIONS = ("CALCULATE_INSTALMENT",)

COUNTRY_CODE = Str(pattern=r"[A-Z]{2}", hint="a two-letter country code such as GB")

COMPANY_REF = Obj(
    {
        "registrationNumber": (Str(), True),
        "sourceCountryCode": (COUNTRY_CODE, True),
        "companyType": (Enum(COMPANY_TYPES), True),
    }
)

ADDRESS = Obj(
    {
        "address1": (Str(), True),
        "address2": (Str(), False),
        "houseNumber": (Str(), False),
        "houseName": (Str(), False),
        "flatName": (Str(), False),
        "city": (Str(), True),
        "postalCode": (Str(), True),
        "region": (ref(), False),
        "country": (Obj({"code": (COUNTRY_CODE, True)}), True),
        "phoneNumber": (Str(), False),
        "mobilePhoneNumber": (Str(), False),
        "email": (Str(), False),
    }
)

PARTNER = Obj(
    {
        "title": (ref(), True),
        "firstName": (Str(), True),
        "lastName": (Str(), True),
        "dateOfBirth": (Date(), True),
        "address": (ADDRESS, True),
        "monthAtAddress": (Int(minimum=0), False),
        "guarantor": (Bool(), False),
    }
)

CUSTOMER_MANUAL = Obj(
    {
        "companyName": (Str(), True),
        "legalForm": (ref(), True),
        "address": (ADDRESS, True),
        "dateOfIncorporation": (Date(), False),
        "registrationNumber": (Str(), False),
        "professionType": (ref(), False),
        "partners": (ListOf(PARTNER), False),
    }
)

ASSET = Obj(
    {
        "assetIacCode": (Str(), True),
        "condition": (Enum(CONDITIONS), True),
        "description": (Str(), True),
        "quantity": (Int(minimum=1), True),
        "valuePerAsset": (Money(), True),
        "ageInMonth": (Int(minimum=0), False),
        "location": (Str(), False),
        "equipmentSupplier": (COMPANY_REF, False),
    }
)

# On a request a loan purpose needs only its id; a `name` sent back as answered is ignored.
LOAN = Obj(
    {
        "loanPurpose": (Obj({"id": (Int(), True), "name": (Str(), False)}), True),
        "value": (Money(), True),
    }
)

PAYMENT = Obj({"type": (ref(), True), "amount": (Money(), True)})

SHEET = Obj(
    {
        "introducerPricelistId": (Int(), True),
        "marketProductId": (Int(), True),
        "paymentMethod": (ref(), True),
        "paymentMode": (Enum(PAYMENT_MODES), True),
        "paymentPeriod": (Enum(PAYMENT_PERIODS), True),
        "term": (Int(minimum=1), True),
        "specialPayments": (ListOf(PAYMENT), False),
        "fees": (ListOf(PAYMENT), False),
        "residualValue": (Obj({"amount": (Money(), True)}), False),
    }
)

CALCULATION_REQUEST = Obj({"sheet": (SHEET, True), "operation": (Enum(OPERATIONS), False)})

NOTES = {
    "label": (Str(), False),
    "specialConditionText": (Str(MAX_NOTE), False),
    "scheduleAssetsDescription": (Str(MAX_NOTE), False),
}

CREATE = Obj(
    {
        "officeId": (Int(), True),
        "salesContactId": (Int(), False),
        **NOTES,
        "customer": (COMPANY_REF, False),
        "customerManual": (CUSTOMER_MANUAL, False),
        "assets": (ListOf(ASSET), False),
        "loans": (ListOf(LOAN), False),
        "deliveryAddress": (ADDRESS, False),
        "calculation": (CALCULATION_REQUEST, False),
    }
)

# PATCH keeps explicit nulls: `{"salesContactId": null}` clears the field.
PATCH = Obj({**NOTES, "salesContactId": (Int(), False)}, keep_null=True)

CUSTOMER_PUT = Obj({"customer": (COMPANY_REF, False), "customerManual": (CUSTOMER_MANUAL, False)})

DECISION_REQUEST = Obj(
    {
        "commentToRiskAnalyst": (Str(MAX_NOTE), False),
        "siemensMayContactCustomer": (Bool(), True),
        "siemensMayRequestCreditData": (Bool(), True),
        "prelease": (Bool(), True),
    }
)

EMPTY = Obj({})
