"""A credential and its config mirror built straight in the database (no SFS, no sandbox).

Values follow the sandbox's seed (``sandbox/seed.json``): a GB office (1001, IT & office) and an
Irish one (1002, healthcare), shaped as ``config_mirror.to_plain`` stores them.
"""

from django.utils import timezone

from proposals.models import MirroredLookups, MirroredOffice
from proposals.services.credentials import credential_save

GB_OFFICE, IE_OFFICE = 1001, 1002
SARAH, JAMES, GARETH_BLOCKED = 23076571, 23076572, 23076574
AOIFE, NIAMH_BLOCKED = 23077001, 23077003
STANDARD_IT, IT_LEASE_PLUS, OFFICE_RENTAL = 501, 502, 503
MEDICAL_HP = 511


def _contact(contact_id, first, last, offices, *, blocked_reason=None, title=(4, "Ms")):
    return {
        "id": contact_id,
        "first_name": first,
        "last_name": last,
        "title": {"id": title[0], "name": title[1]},
        "email": f"{first.lower()}@demo-brokers.example",
        "phone": "0117 496 0101",
        "role_alias": "SALES",
        "role_name": "Sales representative",
        "blocked": blocked_reason is not None,
        "blocked_reason": blocked_reason,
        "office_ids": list(offices),
    }


def _code(code, name, parent=None):
    return {"code": code, "name": name, "parent_code": parent}


IT_CODES = [
    _code("ITE", "IT equipment"),
    _code("ITE2201", "Desktop standalone PC", "ITE"),
    _code("ITE2202", "Laptop and notebook", "ITE"),
    _code("ITE2203", "Server and storage", "ITE"),
    _code("OFF", "Office equipment"),
    _code("OFF1101", "Multifunction printer and copier", "OFF"),
    _code("OFF1102", "Office furniture", "OFF"),
]
MED_CODES = [
    _code("MED", "Medical equipment"),
    _code("MED3101", "Ultrasound scanner", "MED"),
    _code("MED3103", "Digital X-ray system", "MED"),
    _code("ITE", "IT equipment"),
    _code("ITE2201", "Desktop standalone PC", "ITE"),
]
PRODUCTS = [
    {"id": 10, "code": "HP", "name": "Hire Purchase", "asset_product": True},
    {"id": 20, "code": "FL", "name": "Finance Lease", "asset_product": True},
    {"id": 30, "code": "OL", "name": "Operating Lease", "asset_product": True},
]


def pricelist(
    pricelist_id, name, product, *, terms, amounts, periods, modes, codes, down, residual
):
    return {
        "id": pricelist_id,
        "name": name,
        "market_product_id": product,
        "currency": "GBP" if pricelist_id < 510 else "EUR",
        "min_term": terms[0],
        "max_term": terms[1],
        "term_step": terms[2],
        "min_amount_financed": amounts[0],
        "max_amount_financed": amounts[1],
        "payment_periods": periods,
        "payment_modes": modes,
        "iac_codes": codes,
        "max_down_payment_percent": down,
        "residual_value_allowed": residual,
    }


GB_PRICELISTS = [
    pricelist(
        STANDARD_IT, "Standard IT", 10, terms=(12, 60, 12), amounts=("1000.00", "250000.00"),
        periods=["MONTHLY", "QUARTERLY"], modes=["ADVANCE", "ARREARS"], codes=["ITE", "OFF"],
        down="30", residual=False,
    ),
    pricelist(
        IT_LEASE_PLUS, "IT Finance Lease Plus", 20, terms=(24, 72, 6),
        amounts=("5000.00", "500000.00"), periods=["MONTHLY", "QUARTERLY", "SEMI_ANNUALLY"],
        modes=["ADVANCE"], codes=["ITE"], down="20", residual=True,
    ),
    pricelist(
        OFFICE_RENTAL, "Office Equipment Rental", 30, terms=(12, 36, 3),
        amounts=("500.00", "50000.00"), periods=["MONTHLY"], modes=["ARREARS"], codes=["OFF"],
        down="10", residual=True,
    ),
]  # fmt: skip
IE_PRICELISTS = [
    pricelist(
        MEDICAL_HP, "Medical Hire Purchase", 10, terms=(12, 84, 12),
        amounts=("2000.00", "1000000.00"),
        periods=["MONTHLY", "QUARTERLY", "SEMI_ANNUALLY", "ANNUALLY"],
        modes=["ADVANCE", "ARREARS"], codes=["MED", "ITE"], down="40", residual=False,
    ),
]  # fmt: skip


def _calculation(office_id, currency, pricelists, methods, special, fees):
    return {
        "office_id": office_id,
        "currency": currency,
        "market_products": PRODUCTS,
        "payment_methods": methods,
        "special_payment_types": special,
        "fee_types": fees,
        "pricelists": pricelists,
    }


DEPOSIT = {"id": 1, "code": "DEP", "name": "Deposit", "down_payment_type": True}
PART_EXCHANGE = {"id": 2, "code": "PEX", "name": "Part exchange", "down_payment_type": True}
DOC_FEE = {"id": 1, "code": "DOC", "name": "Documentation fee"}
ARR_FEE = {"id": 3, "code": "ARR", "name": "Arrangement fee"}
LEGAL_FORMS = [
    {"id": i, "code": code, "name": name, "partnership": partnership}
    for i, (code, name, partnership) in enumerate(
        [
            ("LIMITED_COMPANY", "Private limited company (Ltd)", False),
            ("PLC", "Public limited company (PLC)", False),
            ("LLP", "Limited liability partnership (LLP)", True),
            ("PARTNERSHIP", "Partnership", True),
            ("SOLE_TRADER", "Sole trader", False),
            ("OTHER", "Other (charity, club, trust)", False),
        ],
        start=1,
    )
]
TITLES = [{"id": i, "name": n} for i, n in enumerate(["Mr", "Mrs", "Miss", "Ms", "Dr"], start=1)]


def build_mirror(organisation, *, client_id="demo-introducer"):
    """An active sandbox credential for ``organisation`` with both offices and the lookups."""
    credential = credential_save(
        organisation=organisation,
        user=None,
        environment="sandbox",
        client_id=client_id,
        client_secret="demo-secret",
        make_active=True,
    )
    now = timezone.now()
    MirroredOffice.objects.create(
        credential=credential,
        office_id=GB_OFFICE,
        name="Demo Brokers - IT & Office (UK)",
        country_code="GB",
        postal_address={"address1": "Suite 3, 1 Temple Quay", "city": "Bristol"},
        sales_contacts=[
            _contact(SARAH, "Sarah", "Whitfield", [GB_OFFICE]),
            _contact(JAMES, "James", "Okafor", [GB_OFFICE], title=(1, "Mr")),
            _contact(GARETH_BLOCKED, "Gareth", "Llewellyn", [GB_OFFICE], blocked_reason="Left"),
        ],
        iac_codes=IT_CODES,
        calculation_config=_calculation(
            GB_OFFICE,
            "GBP",
            GB_PRICELISTS,
            [{"id": 1, "name": "Direct Debit"}, {"id": 2, "name": "Standing Order"}],
            [DEPOSIT, PART_EXCHANGE],
            [DOC_FEE, ARR_FEE],
        ),
        refreshed_at=now,
    )
    MirroredOffice.objects.create(
        credential=credential,
        office_id=IE_OFFICE,
        name="Demo Brokers - Healthcare (Ireland)",
        country_code="IE",
        postal_address={"address1": "Harcourt Centre", "city": "Dublin 2"},
        sales_contacts=[
            _contact(AOIFE, "Aoife", "Byrne", [IE_OFFICE]),
            _contact(NIAMH_BLOCKED, "Niamh", "Kelly", [IE_OFFICE], blocked_reason="Expired"),
        ],
        iac_codes=MED_CODES,
        calculation_config=_calculation(
            IE_OFFICE,
            "EUR",
            IE_PRICELISTS,
            [{"id": 3, "name": "Bank Transfer"}, {"id": 4, "name": "SEPA Direct Debit"}],
            [DEPOSIT],
            [DOC_FEE],
        ),
        refreshed_at=now,
    )
    MirroredLookups.objects.create(
        credential=credential, legal_forms=LEGAL_FORMS, titles=TITLES, refreshed_at=now
    )
    return credential
