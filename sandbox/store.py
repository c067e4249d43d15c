"""Proposals in memory, behind one lock.

Rule that keeps rendering cheap and safe: a nested object, once stored, is never changed in place;
a change stores a new one. So `render` copies only the top level and the lists, and the answer can
be encoded after the lock is released.
"""

import threading
from dataclasses import dataclass, field

from .timeutil import iso_ms, next_version

FIRST_PROPOSAL_ID = 7000001
CHANGEABLE = ("DRAFT", "MORE_INFORMATION")


def empty_decision() -> dict:
    return {
        "decisionStatus": "NOT_AVAILABLE",
        "decisionRequestedDate": None,
        "decisionDate": None,
        "decisionValidUntilDate": None,
        "comment": None,
        "condition": None,
        "reason": None,
        "commentToRiskAnalyst": None,
        "siemensMayContactCustomer": None,
    }


@dataclass
class Proposal:
    id: int
    owner: str
    office_id: int
    created: int
    updated: int
    label: str | None = None
    sales_contact_id: int | None = None
    special_condition_text: str | None = None
    schedule_assets_description: str | None = None
    workflow_status: str = "DRAFT"
    customer: dict | None = None
    customer_manual: dict | None = None
    assets: list = field(default_factory=list)
    next_asset_id: int = 1
    calculation: dict | None = None
    calculation_outdated: bool = False
    decision: dict = field(default_factory=empty_decision)
    # Which pending decision is live: a timer whose ticket no longer matches does nothing, so a
    # cancel, a wipe or a manual decision needs no timer bookkeeping.
    decision_ticket: int = 0
    # v2 (CONTRACT.md 6.7 to 6.11): loans, delivery address, the contract number and the checklist.
    loans: list = field(default_factory=list)
    next_loan_id: int = 1
    delivery_address: dict | None = None
    contract_no: str | None = None
    documents: list = field(default_factory=list)

    @property
    def etag(self) -> str:
        return iso_ms(self.updated)

    def touch(self):
        """Every change: a new version, strictly later than the previous one."""
        self.updated = next_version(self.updated)

    def set_decision(self, **changes):
        self.decision = {**self.decision, **changes}

    @property
    def customer_name(self) -> str | None:
        if self.customer is not None:
            return self.customer["companyName"]
        if self.customer_manual is not None:
            return self.customer_manual["companyName"]
        return None

    @property
    def amount_financed(self):
        return self.calculation["result"]["amountFinanced"] if self.calculation else None

    @property
    def registration_number(self) -> str | None:
        for customer in (self.customer, self.customer_manual):
            if customer is not None and customer.get("registrationNumber"):
                return customer["registrationNumber"]
        return None

    def render(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "officeId": self.office_id,
            "salesContactId": self.sales_contact_id,
            "specialConditionText": self.special_condition_text,
            "scheduleAssetsDescription": self.schedule_assets_description,
            "workflowStatus": self.workflow_status,
            "customer": self.customer,
            "customerManual": self.customer_manual,
            "assets": list(self.assets),
            "loans": list(self.loans),
            "deliveryAddress": self.delivery_address,
            "calculation": self.calculation,
            "decision": self.decision,
            "contractNo": self.contract_no,
            "created": iso_ms(self.created),
            "updated": self.etag,
        }

    def summary(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "officeId": self.office_id,
            "workflowStatus": self.workflow_status,
            "decisionStatus": self.decision["decisionStatus"],
            "customerName": self.customer_name,
            "amountFinanced": self.amount_financed,
            "contractNo": self.contract_no,
            "created": iso_ms(self.created),
            "updated": self.etag,
        }

    def find_asset(self, asset_id) -> int | None:
        for index, asset in enumerate(self.assets):
            if asset["id"] == asset_id:
                return index
        return None


class Store:
    def __init__(self):
        # Re-entrant: a handler holding it may call helpers that take it again.
        self.lock = threading.RLock()
        self.proposals: dict[int, Proposal] = {}
        # Ids are never reused, not even after a wipe: an old id must answer 404.
        self._next_id = FIRST_PROPOSAL_ID

    def create(self, owner: str, office_id: int) -> Proposal:
        with self.lock:
            stamp = next_version(None)
            proposal = Proposal(self._next_id, owner, office_id, stamp, stamp)
            self._next_id += 1
            self.proposals[proposal.id] = proposal
            return proposal

    def get(self, proposal_id) -> Proposal | None:
        return self.proposals.get(proposal_id)

    def wipe(self) -> int:
        with self.lock:
            count = len(self.proposals)
            for proposal in self.proposals.values():
                proposal.decision_ticket += 1
            self.proposals.clear()
            return count

    def of_owner(self, owner: str) -> list[Proposal]:
        with self.lock:
            return [p for p in self.proposals.values() if p.owner == owner]
