"""The broker mirror with contract v2's loan settings (CONTRACT.md 6.7), as the sandbox seeds them:
Hire Purchase takes loans up to 30 %, Finance Lease up to 20 %, Operating Lease none."""

from proposals.models import MirroredOffice
from tests.broker.mirror_fixture import GB_OFFICE

LOAN_PRODUCTS = {10: (True, "30"), 20: (True, "20"), 30: (False, "0")}
LOAN_PURPOSES = [
    {"id": 1, "name": "Installation and commissioning"},
    {"id": 2, "name": "Training"},
    {"id": 3, "name": "Software licences"},
    {"id": 4, "name": "Service and maintenance plan"},
]
INSTALLATION, TRAINING = 1, 2


def with_loans(credential) -> None:
    office = MirroredOffice.objects.get(credential=credential, office_id=GB_OFFICE)
    config = office.calculation_config
    for product in config["market_products"]:
        allowed, percent = LOAN_PRODUCTS[product["id"]]
        product.update(loans_allowed=allowed, max_loan_percent=percent)
    office.calculation_config = config
    office.loan_purposes = LOAN_PURPOSES
    office.save(update_fields=["calculation_config", "loan_purposes"])
