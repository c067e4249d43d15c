"""v2 calls on the parts of a proposal (CONTRACT.md 6.7, 6.8): loans and the delivery address.

A mixin of `SieSmartClient`. Each sends If-Match, so the transport may repeat it on a transient
failure: if the first attempt was carried out, the repeat is refused with 412, never done twice."""

from __future__ import annotations

from typing import Any

from . import answers, endpoints
from .loan_types import LoanResult
from .transport import Answer
from .types import Proposal


def _loan(answer: Answer) -> LoanResult:
    return LoanResult.from_json(answer.body, etag=answer.etag)


class PartCalls:
    _request: Any  # SieSmartClient._request

    def add_loan(self, proposal_id: int, *, etag: str, loan: dict[str, Any]) -> LoanResult:
        """`loan`: `{"loanPurpose": {"id": N}, "value": Decimal}`."""
        return self._request(
            "POST", endpoints.proposal_loans(proposal_id), json=loan, if_match=etag, parse=_loan
        )

    def replace_loan(
        self, proposal_id: int, loan_id: int, *, etag: str, loan: dict[str, Any]
    ) -> LoanResult:
        """A full replacement: omitted fields are cleared."""
        return self._request(
            "PUT",
            endpoints.proposal_loan(proposal_id, loan_id),
            json=loan,
            if_match=etag,
            parse=_loan,
        )

    def delete_loan(self, proposal_id: int, loan_id: int, *, etag: str) -> LoanResult:
        return self._request(
            "DELETE", endpoints.proposal_loan(proposal_id, loan_id), if_match=etag, parse=_loan
        )

    def set_delivery_address(
        self, proposal_id: int, *, etag: str, address: dict[str, Any]
    ) -> Proposal:
        """Sets or replaces the delivery address; answers the whole proposal."""
        return self._request(
            "POST",
            endpoints.proposal_delivery_address(proposal_id),
            json=address,
            if_match=etag,
            parse=answers.proposal,
        )
