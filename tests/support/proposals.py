"""Valid proposal parts for the sandbox's seed (office 1001, GB), and a factory for tests."""

from proposals.models import Credential, Proposal, Status, User

GB_OFFICE = 1001
IE_OFFICE = 1002

# Registration numbers in the sandbox's register; the ending picks the decision rule.
ACCEPTED_COMPANY = "01234567"
DECLINED_COMPANY = "18123499"  # ends in 99
SLOW_COMPANY = "20345677"  # ends in 77: pending ten times the delay


def company(registration_number: str = ACCEPTED_COMPANY) -> dict:
    return {
        "registrationNumber": registration_number,
        "sourceCountryCode": "GB",
        "companyType": "LIMITED_COMPANY",
    }


def asset(value: str = "1450.00", quantity: int = 10, code: str = "ITE2201") -> dict:
    return {
        "assetIacCode": code,
        "condition": "NEW",
        "description": "Workstations",
        "quantity": quantity,
        "valuePerAsset": value,
    }


def sheet(term: int = 36, deposit: str | None = "1500.00") -> dict:
    body = {
        "introducerPricelistId": 501,
        "marketProductId": 10,
        "paymentMethod": {"id": 1},
        "paymentMode": "ADVANCE",
        "paymentPeriod": "MONTHLY",
        "term": term,
    }
    if deposit:
        body["specialPayments"] = [{"type": {"id": 1}, "amount": deposit}]
    return body


def make_proposal(
    *,
    broker: User,
    credential: Credential | None = None,
    registration_number: str = ACCEPTED_COMPANY,
    assets: list | None = None,
    request_decision: bool = True,
    status: str = Status.DRAFT,
    **fields,
) -> Proposal:
    """A complete, valid draft (amount financed 13,000 by default: ACCEPTED at the sandbox)."""
    values = {
        "organisation": broker.organisation,
        "broker": broker,
        "credential": credential,
        "status": status,
        "office_id": GB_OFFICE,
        "customer_kind": "company",
        "customer": company(registration_number),
        "customer_name": registration_number,
        "assets": assets if assets is not None else [asset()],
        "calculation": {"sheet": sheet()},
        "request_decision": request_decision,
        "decision_request": {"siemensMayContactCustomer": True},
    }
    values.update(fields)
    return Proposal.objects.create(**values)
