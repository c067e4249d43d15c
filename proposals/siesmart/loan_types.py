"""v2 parts of a proposal (CONTRACT.md 6.7, 6.8): loans and the answer to a loan call."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import parsing as p


@dataclass(frozen=True)
class Loan:
    """A financed amount that is not an asset. `purpose_name` may be absent on some answers."""

    id: int | None
    purpose_id: int | None
    purpose_name: str | None
    value: Decimal | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: object, what: str = "loan") -> Loan:
        data = p.require_object(data, what)
        purpose = p.obj(data, "loanPurpose", what) or {}
        return cls(
            id=p.integer(data, "id", what, required=False),
            purpose_id=p.integer(purpose, "id", f"{what}.loanPurpose", required=False),
            purpose_name=p.text(purpose, "name", f"{what}.loanPurpose", required=False),
            value=p.money(data, "value", what, required=False),
            raw=data,
        )


@dataclass(frozen=True)
class LoanResult:
    """The answer to a loan call: the proposal's new ETag, and the loan unless it was deleted."""

    etag: str | None
    loan: Loan | None = None

    @property
    def loan_id(self) -> int | None:
        return self.loan.id if self.loan is not None else None

    @classmethod
    def from_json(cls, data: object, *, etag: str | None) -> LoanResult:
        if data is None:  # 204 No Content
            return cls(etag=etag)
        return cls(etag=etag, loan=Loan.from_json(data))
