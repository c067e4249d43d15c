"""SieSmartClient: one method per API call, every one through `_request`.

The client knows the API (paths from `endpoints`, shapes from `types`) and nothing of Django; the
shared state it needs (token, rate budget, call log) comes in through the protocols.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import requests

from . import answers, endpoints
from .document_calls import DocumentCalls
from .enums import Lane
from .lookups_calls import LookupCalls
from .notification_calls import NotificationCalls
from .part_calls import PartCalls
from .protocols import Limiter, Recorder, TokenStore
from .retry import CallPolicy
from .transport import Answer, Transport
from .types import (
    AssetResult,
    CalculationResult,
    Precheck,
    Proposal,
    ProposalSummary,
    SearchPage,
    Token,
)

T = TypeVar("T")


class SieSmartClient(LookupCalls, PartCalls, DocumentCalls, NotificationCalls):
    def __init__(
        self,
        *,
        api_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        credential_key: str,
        token_store: TokenStore,
        limiter: Limiter,
        recorder: Recorder,
        lane: str = Lane.BACKGROUND,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_retries: int = 2,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_inline_wait: float = 2.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        audience: str = endpoints.AUDIENCE,
        renew_before: float = 300.0,
        token_wait: float = 10.0,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._transport = Transport(
            api_url=api_url,
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            audience=audience,
            credential_key=credential_key,
            token_store=token_store,
            limiter=limiter,
            recorder=recorder,
            lane=Lane(lane),
            policy=CallPolicy(
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                max_retries=max_retries,
                backoff_base=backoff_base,
                backoff_cap=backoff_cap,
                max_inline_wait=max_inline_wait,
            ),
            session=session if session is not None else requests.Session(),
            sleep=sleep,
            clock=clock,
            rng=rng if rng is not None else random.Random(),
            renew_before=renew_before,
            token_wait=token_wait,
        )

    @classmethod
    def for_environment(cls, environment: str, **kwargs: Any) -> SieSmartClient:
        """A client for one of `ENVIRONMENTS`: "sandbox", "sfs_test" or "sfs_production"."""
        api_url, token_url = endpoints.ENVIRONMENTS[environment]
        return cls(api_url=api_url, token_url=token_url, **kwargs)

    def __repr__(self) -> str:  # never the secret, never the token
        return f"<SieSmartClient {self._transport!r}>"

    @property
    def lane(self) -> str:
        return self._transport.lane

    @property
    def api_url(self) -> str:
        return self._transport.api_url

    @property
    def credential_key(self) -> str:
        return self._transport.credential_key

    def with_lane(self, lane: str) -> SieSmartClient:
        """A copy in another lane, sharing the session, the stores and the recorder."""
        other = copy.copy(self)
        other._transport = self._transport.with_lane(Lane(lane))
        return other

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        if_match: str | None = None,
        retry: bool | None = None,
        parse: Callable[[Answer], T] = lambda answer: answer,
        **streaming: Any,
    ) -> T:
        """Every API call passes here. `retry=None`: repeat GETs and If-Match changes on
        transient failures, never anything else; True/False overrides (a quote is safe).
        `streaming`: `stream`, `stream_response`, `accept_text` (see `Transport.request`)."""
        return self._transport.request(
            method,
            path,
            params=params,
            json=json,
            if_match=if_match,
            retry=retry,
            parse=parse,
            **streaming,
        )

    # -- token -------------------------------------------------------------------------------------

    def fetch_token(self) -> Token:
        """Ask the token endpoint now (checks the credentials) and share the new token."""
        return self._transport.tokens.renew_now()

    def current_token(self) -> Token:
        """The shared token, renewed only when absent or near expiry."""
        return self._transport.tokens.token()

    # -- proposals: create, read, find -------------------------------------------------------------

    def create_proposal(self, body: dict[str, Any]) -> Proposal:
        """Never repeated by the client: after a failure with `outcome_unknown`, the caller
        searches by label before it sends again."""
        return self._request(
            "POST", endpoints.PROPOSALS, json=body, retry=False, parse=answers.proposal
        )

    def get_proposal(self, proposal_id: int) -> Proposal:
        return self._request("GET", endpoints.proposal(proposal_id), parse=answers.proposal)

    def search_proposals(
        self,
        *,
        label: str | None = None,
        office_id: int | None = None,
        workflow_status: str | None = None,
        customer_name: str | None = None,
        updated_after: datetime | str | None = None,
        contract_no: str | None = None,
        document_status: str | None = None,
        sort_by: str = "UPDATED",
        sort_order: str = "DESC",
        page: int = 0,
        size: int = 100,
        **more: Any,
    ) -> SearchPage:
        """One page of the caller's proposals. `more`: any other search parameter by its Python
        name (customer_reg_no, created_after, created_before, sales_contact_id, ...)."""
        wanted = {
            "label": label,
            "office_id": office_id,
            "workflow_status": workflow_status,
            "customer_name": customer_name,
            "updated_after": updated_after,
            "contract_no": contract_no,
            "document_status": document_status,
            "sort_by": sort_by,
            "sort_order": sort_order,
            "page": page,
            "size": size,
            **more,
        }
        params = {
            endpoints.search_param_name(name): answers.query_value(value)
            for name, value in wanted.items()
            if value is not None
        }
        return self._request(
            "GET",
            endpoints.PROPOSAL_SEARCH,
            params=params,
            parse=lambda answer: SearchPage.from_json(answer.body, page=page, size=size),
        )

    def find_by_label(self, label: str, *, max_pages: int = 10) -> list[ProposalSummary]:
        """Every proposal with this exact label (labels are not unique at SFS): how a create
        whose outcome is unknown is verified."""
        found: list[ProposalSummary] = []
        for page in range(max_pages):
            result = self.search_proposals(label=label, page=page, size=endpoints.SEARCH_MAX_SIZE)
            # Exact match checked here as well: a tolerant reading of SFS's search must not
            # make us adopt someone else's proposal.
            found.extend(summary for summary in result.content if summary.label == label)
            if result.is_last:
                break
        return found

    # -- proposals: changes (each with If-Match; each answer carries the new ETag) ---------------

    def update_proposal(self, proposal_id: int, *, etag: str, changes: dict[str, Any]) -> Proposal:
        return self._request(
            "PATCH",
            endpoints.proposal(proposal_id),
            json=changes,
            if_match=etag,
            parse=answers.proposal,
        )

    def replace_customer(
        self,
        proposal_id: int,
        *,
        etag: str,
        customer: dict[str, Any] | None = None,
        customer_manual: dict[str, Any] | None = None,
    ) -> Proposal:
        if (customer is None) == (customer_manual is None):
            raise ValueError("Give exactly one of customer and customer_manual")
        body = (
            {"customer": customer} if customer is not None else {"customerManual": customer_manual}
        )
        return self._request(
            "PUT",
            endpoints.proposal_customer(proposal_id),
            json=body,
            if_match=etag,
            parse=answers.proposal,
        )

    def add_asset(self, proposal_id: int, *, etag: str, asset: dict[str, Any]) -> AssetResult:
        return self._request(
            "POST",
            endpoints.proposal_assets(proposal_id),
            json=asset,
            if_match=etag,
            parse=answers.asset,
        )

    def replace_asset(
        self, proposal_id: int, asset_id: int, *, etag: str, asset: dict[str, Any]
    ) -> AssetResult:
        return self._request(
            "PUT",
            endpoints.proposal_asset(proposal_id, asset_id),
            json=asset,
            if_match=etag,
            parse=answers.asset,
        )

    def delete_asset(self, proposal_id: int, asset_id: int, *, etag: str) -> AssetResult:
        return self._request(
            "DELETE",
            endpoints.proposal_asset(proposal_id, asset_id),
            if_match=etag,
            parse=answers.asset,
        )

    def calculate(self, proposal_id: int, *, etag: str, calculation: dict[str, Any]) -> Proposal:
        """Calculate and store on the proposal."""
        return self._request(
            "POST",
            endpoints.proposal_calculation(proposal_id),
            json=calculation,
            if_match=etag,
            parse=answers.proposal,
        )

    def quote(
        self,
        *,
        calculation: dict[str, Any],
        office_id: int | None = None,
        amount_financed: Decimal | int | str | None = None,
        proposal_id: int | None = None,
    ) -> CalculationResult:
        """A calculation that is not stored: by office and amount financed (after down payments),
        or by proposal. No side effects, so it is repeated like a GET."""
        if proposal_id is not None:
            params: dict[str, Any] = {endpoints.QUOTE_PROPOSAL_ID_PARAM: proposal_id}
        elif office_id is not None and amount_financed is not None:
            params = {
                endpoints.QUOTE_OFFICE_ID_PARAM: office_id,
                endpoints.QUOTE_AMOUNT_FINANCED_PARAM: str(amount_financed),
            }
        else:
            raise ValueError("Give office_id and amount_financed, or proposal_id")
        return self._request(
            "POST",
            endpoints.QUOTE,
            params=params,
            json=calculation,
            retry=True,
            parse=answers.quote,
        )

    # -- decision ----------------------------------------------------------------------------------

    def precheck(self, proposal_id: int) -> Precheck:
        return self._request(
            "GET",
            endpoints.proposal_precheck(proposal_id),
            parse=lambda answer: Precheck.from_json(answer.body),
        )

    def request_decision(
        self,
        proposal_id: int,
        *,
        etag: str,
        comment_to_risk_analyst: str | None = None,
        may_contact_customer: bool = False,
        may_request_credit_data: bool = False,
        prelease: bool = False,
    ) -> Proposal:
        """When the proposal is incomplete, SFS answers 400 PRECONDITION_VIOLATIONS with the
        pre-check's codes: a ValidationError whose `is_precondition_failure` is True."""
        body: dict[str, Any] = {
            # [DOC] the three booleans are mandatory.
            "siemensMayContactCustomer": may_contact_customer,
            "siemensMayRequestCreditData": may_request_credit_data,
            "prelease": prelease,
        }
        if comment_to_risk_analyst is not None:
            body["commentToRiskAnalyst"] = comment_to_risk_analyst
        return self._request(
            "POST",
            endpoints.proposal_decision(proposal_id),
            json=body,
            if_match=etag,
            parse=answers.proposal,
        )

    def cancel(self, proposal_id: int, *, etag: str) -> Proposal:
        # An empty object rather than no body: a server that parses every POST body reads it.
        return self._request(
            "POST",
            endpoints.proposal_cancel(proposal_id),
            json={},
            if_match=etag,
            parse=answers.proposal,
        )
