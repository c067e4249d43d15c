"""The seed data (a JSON file, CONTRACT.md section 7) and the read-only configuration from it."""

import json
from decimal import Decimal
from pathlib import Path

DEFAULT_SEED = Path(__file__).with_name("seed.json")

# Months per payment, by `paymentPeriod`.
PERIOD_MONTHS = {"MONTHLY": 1, "QUARTERLY": 3, "SEMI_ANNUALLY": 6, "ANNUALLY": 12}

# Fields of a pricelist that stay inside the sandbox: never answered by the API.
PRIVATE_PRICELIST_FIELDS = ("officeId", "nominalAnnualRate")


class SeedError(ValueError):
    pass


def _by_id(items, key="id"):
    return {item[key]: item for item in items}


class Seed:
    """Indexes over the seed; every lookup the API needs is a dictionary access."""

    def __init__(self, data: dict):
        self.data = data
        self.clients = {c["clientId"]: c for c in data["introducers"]}
        self.offices = _by_id(data["offices"])
        self.contacts = _by_id(data["salesContacts"])
        self.roles = {r["alias"]: r for r in data["roles"]}
        self.iac = {c["iacCode"]: c for c in data["iacCodes"]}
        self.products = _by_id(data["marketProducts"])
        self.payment_methods = _by_id(data["paymentMethods"])
        self.special_types = _by_id(data["specialPaymentTypes"])
        self.fee_types = _by_id(data["feeTypes"])
        self.pricelists = _by_id(data["pricelists"])
        self.legal_forms = _by_id(data["legalForms"])
        self.titles = _by_id(data["titles"])
        self.loan_purposes = _by_id(data["loanPurposes"])
        self.document_types = _by_id(data["documentTypes"])
        self.job_titles = _by_id(data["jobTitles"])
        self.companies = {
            (c["registrationNumber"], c["sourceCountryCode"]): c for c in data["companies"]
        }
        for pricelist in self.pricelists.values():
            pricelist["nominalAnnualRate"] = Decimal(str(pricelist["nominalAnnualRate"]))
        self._check()
        self._configs = {oid: self._build_config(oid) for oid in self.offices}

    @classmethod
    def load(cls, path=None) -> "Seed":
        with open(path or DEFAULT_SEED, encoding="utf-8") as handle:
            # Decimal keeps amounts exact; the server renders them back as JSON numbers.
            return cls(json.load(handle, parse_float=Decimal))

    def _check(self):
        """Fail at start-up, not on a request, when the seed contradicts itself."""
        for office in self.offices.values():
            if office["clientId"] not in self.clients:
                raise SeedError(f"office {office['id']}: unknown client {office['clientId']}")
            for code in office["iacCodes"]:
                if self.iac.get(code, {}).get("parentCode", "x") is not None:
                    raise SeedError(f"office {office['id']}: {code} is not a top-level IAC code")
        for pricelist in self.pricelists.values():
            if pricelist["officeId"] not in self.offices:
                raise SeedError(f"pricelist {pricelist['id']}: unknown office")
            if pricelist["marketProductId"] not in self.products:
                raise SeedError(f"pricelist {pricelist['id']}: unknown market product")
            if pricelist["nominalAnnualRate"] <= 0:
                raise SeedError(f"pricelist {pricelist['id']}: the rate must be above zero")
        for contact in self.contacts.values():
            if contact["titleId"] not in self.titles or contact["role"] not in self.roles:
                raise SeedError(f"sales contact {contact['id']}: unknown title or role")
        for office in self.offices.values():
            if not set(office["loanPurposeIds"]) <= set(self.loan_purposes):
                raise SeedError(f"office {office['id']}: unknown loan purpose")
        for product in self.products.values():
            if not isinstance(product.get("loansAllowed"), bool):
                raise SeedError(f"market product {product['id']}: loansAllowed must be a bool")
            if not 0 <= product.get("maxLoanPercent", -1) <= 100:
                raise SeedError(f"market product {product['id']}: maxLoanPercent is 0 to 100")
        codes = [kind["code"] for kind in self.document_types.values()]
        if len(set(codes)) != len(codes):
            raise SeedError("document types: a code is given twice")

    # ---- offices -------------------------------------------------------------------------------

    def office_owner(self, office_id) -> str | None:
        office = self.offices.get(office_id)
        return office["clientId"] if office else None

    def offices_of(self, client_id) -> list[dict]:
        keys = ("id", "name", "countryCode", "postalAddress")
        return [
            {key: office[key] for key in keys}
            for office in self.offices.values()
            if office["clientId"] == client_id
        ]

    def sales_contacts(self, office_id) -> list[dict]:
        return [
            self._public_contact(c) for c in self.contacts.values() if office_id in c["officeIds"]
        ]

    def _public_contact(self, contact) -> dict:
        keys = ("id", "firstName", "lastName")
        answer = {key: contact[key] for key in keys}
        answer["title"] = self.titles[contact["titleId"]]
        answer["email"] = contact["email"]
        answer["phone"] = contact["phone"]
        answer["role"] = self.roles[contact["role"]]
        answer["blocked"] = contact["blocked"]
        answer["blockedReason"] = contact["blockedReason"]
        answer["officeIds"] = contact["officeIds"]
        return answer

    # ---- asset codes ---------------------------------------------------------------------------

    def iac_codes(self, office_id) -> list[dict]:
        """Both levels of the tree, restricted to the office's top-level codes."""
        tops = set(self.offices[office_id]["iacCodes"])
        return [
            entry
            for entry in self.iac.values()
            if entry["iacCode"] in tops or entry["parentCode"] in tops
        ]

    def leaf_parent(self, office_id, code) -> str | None:
        """The top-level code of a leaf of the office; None for anything else."""
        entry = self.iac.get(code)
        if entry is None or entry["parentCode"] is None:
            return None
        parent = entry["parentCode"]
        return parent if parent in self.offices[office_id]["iacCodes"] else None

    # ---- calculation config --------------------------------------------------------------------

    def pricelists_of(self, office_id) -> list[dict]:
        return [p for p in self.pricelists.values() if p["officeId"] == office_id]

    def calculation_config(self, office_id) -> dict:
        return self._configs[office_id]

    def _build_config(self, office_id) -> dict:
        office = self.offices[office_id]
        pricelists = self.pricelists_of(office_id)
        product_ids = sorted({p["marketProductId"] for p in pricelists})
        return {
            "officeId": office_id,
            "currency": office["currency"],
            "marketProducts": [self.products[i] for i in product_ids],
            "paymentMethods": [self.payment_methods[i] for i in office["paymentMethodIds"]],
            "specialPaymentTypes": [self.special_types[i] for i in office["specialPaymentTypeIds"]],
            "feeTypes": [self.fee_types[i] for i in office["feeTypeIds"]],
            "introducerPricelists": [
                {k: v for k, v in p.items() if k not in PRIVATE_PRICELIST_FIELDS}
                for p in pricelists
            ],
        }

    def office_product_ids(self, office_id) -> set:
        return {p["marketProductId"] for p in self.pricelists_of(office_id)}

    # ---- lookups -------------------------------------------------------------------------------

    def legal_forms_list(self) -> list[dict]:
        return list(self.legal_forms.values())

    def titles_list(self) -> list[dict]:
        return list(self.titles.values())

    def loan_purposes_of(self, office_id) -> list[dict]:
        return [self.loan_purposes[i] for i in self.offices[office_id]["loanPurposeIds"]]

    def document_types_list(self) -> list[dict]:
        return list(self.document_types.values())

    def document_type(self, code) -> dict | None:
        """A document type `{"id", "code", "name"}` by its code (AGREEMENT, DD_MANDATE, ...)."""
        for kind in self.document_types.values():
            if kind["code"] == code:
                return kind
        return None

    def job_titles_list(self) -> list[dict]:
        return list(self.job_titles.values())

    def company(self, registration_number, country) -> dict | None:
        return self.companies.get((registration_number, country))
