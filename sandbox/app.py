"""The sandbox's state and the pipeline every request goes through.

The API pipeline follows CONTRACT.md section 3 and section 7: rate limit (429), then the faults,
then the token (401), then the handler (404, 403, 412, 409, 400 in that order, inside it).
"""

import json
import time
import traceback
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import (
    config_api,
    control,
    decisions,
    documents,
    loans,
    notifications,
    proposals,
    search,
    signing,
)
from .access import parse_id
from .auth import Tokens, token_endpoint
from .calls import Call, Reply
from .errors import ApiError, not_found
from .faults import Faults, Settings
from .notifications import Notifications
from .ratelimit import WINDOW_SECONDS, SlidingWindow
from .rules import Rules
from .scheduler import Scheduler
from .seed import Seed
from .stats import Stats
from .store import Store

API_PREFIX = "/siesmart/b2b/v1"
TOKEN_PATH = "/oauth/token"
OPENAPI_PATH = API_PREFIX + "/openapi.json"
CONTROL_PREFIX = "/__sandbox__/"
OPENAPI_FILE = Path(__file__).with_name("openapi.json")
TRACE_HEADER = "X-B2B-TRACE-ID"

ROUTES = (
    ("GET", "/common/offices", config_api.offices),
    ("GET", "/common/sales-contacts", config_api.sales_contacts),
    ("GET", "/common/iac-codes", config_api.iac_codes),
    ("GET", "/common/calculation-config", config_api.calculation_config),
    ("GET", "/common/legal-forms", config_api.legal_forms),
    ("GET", "/common/titles", config_api.titles),
    ("GET", "/common/loan-purposes", config_api.loan_purposes),
    ("GET", "/common/document-types", config_api.document_types),
    ("GET", "/common/job-titles", config_api.job_titles),
    ("POST", "/proposals", proposals.create),
    ("POST", "/proposals/proposal", proposals.create),
    ("GET", "/proposals/search", search.search),
    ("GET", "/proposals/{id}", proposals.read),
    ("PATCH", "/proposals/{id}", proposals.patch),
    ("PUT", "/proposals/{id}/customer", proposals.put_customer),
    ("POST", "/proposals/{id}/assets", proposals.add_asset),
    ("PUT", "/proposals/{id}/assets/{asset-id}", proposals.replace_asset),
    ("DELETE", "/proposals/{id}/assets/{asset-id}", proposals.delete_asset),
    ("POST", "/proposals/{id}/calculation", proposals.calculate),
    ("POST", "/proposals/{id}/loans", loans.add_loan),
    ("PUT", "/proposals/{id}/loans/{loan-id}", loans.replace_loan),
    ("DELETE", "/proposals/{id}/loans/{loan-id}", loans.delete_loan),
    ("POST", "/proposals/{id}/customer/delivery-address", proposals.post_delivery_address),
    ("GET", "/proposals/{id}/decision/precheck", decisions.precheck),
    ("POST", "/proposals/{id}/decision", decisions.request),
    ("POST", "/proposals/{id}/cancel", decisions.cancel),
    ("GET", "/proposals/{id}/decision/decision-document/download", decisions.decision_document),
    ("GET", "/proposals/{id}/documents", documents.checklist),
    ("POST", "/proposals/{id}/documents", documents.upload),
    ("GET", "/proposals/{id}/documents/{type}/{value}/download", documents.download),
    ("POST", "/proposals/{id}/documents/signing", signing.request),
    ("POST", "/proposals/{id}/documents/signing/refresh", signing.refresh),
    ("POST", "/notification-endpoints", notifications.register_endpoint),
    ("PUT", "/notification-endpoints", notifications.change_endpoint),
    ("GET", "/notification-endpoints", notifications.read_endpoint),
    ("DELETE", "/notification-endpoints", notifications.delete_endpoint),
    ("POST", "/proposals/{id}/subscriptions", notifications.subscribe),
    ("DELETE", "/proposals/{id}/subscriptions/{subscription-id}", notifications.unsubscribe),
    ("POST", "/calculation", config_api.quote),
)


class Router:
    """Literal paths first (so `/proposals/search` is not an id), then templates by segments."""

    def __init__(self, routes):
        self.literal = {}
        self.templated = []
        for method, template, handler in routes:
            key = f"{method} {template}"
            if "{" in template:
                self.templated.append((method, template.split("/"), handler, key))
            else:
                self.literal[(method, template)] = (handler, key)

    def match(self, method, path) -> tuple:
        """Answer (handler, params, endpoint key); handler None for an unknown endpoint."""
        found = self.literal.get((method, path))
        if found:
            return found[0], {}, found[1]
        segments = path.split("/")
        for route_method, parts, handler, key in self.templated:
            if route_method != method or len(parts) != len(segments):
                continue
            params = {}
            for part, segment in zip(parts, segments, strict=True):
                if part.startswith("{"):
                    if not segment:
                        break
                    params[part[1:-1]] = segment
                elif part != segment:
                    break
            else:
                return handler, params, key
        return None, {}, f"{method} (unknown)"


def _jsonable(value):
    if isinstance(value, Decimal):
        # Amounts are two-decimal and capped, so the float prints exactly these digits.
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode(body) -> bytes:
    return json.dumps(body, default=_jsonable, separators=(",", ":")).encode("ascii")


@dataclass
class Outcome:
    """The answer the server writes; `hang` delays it, `drop` replaces it with a closed socket."""

    status: int
    body: bytes | None = None
    headers: list = field(default_factory=list)
    hang: float = 0.0
    drop: bool = False


class Sandbox:
    def __init__(
        self, seed: Seed, settings: Settings, random_seed=None, rate_window: float = WINDOW_SECONDS
    ):
        self.seed = seed
        self.rules = Rules(seed)
        self.settings = settings
        self.tokens = Tokens()
        self.window = SlidingWindow(rate_window)
        self.stats = Stats()
        self.faults = Faults(random_seed)
        self.store = Store()
        self.scheduler = Scheduler()
        self.router = Router(ROUTES)
        self.openapi = OPENAPI_FILE.read_bytes()
        self.notifications = Notifications(self)

    def close(self):
        self.scheduler.stop()
        self.notifications.close()

    # ---- entry --------------------------------------------------------------------------------

    def handle(self, call: Call) -> Outcome:
        trace = str(uuid.uuid4())
        path = call.path
        try:
            if path.startswith(API_PREFIX + "/") and path != OPENAPI_PATH:
                return self._api(call, trace)
            if path == OPENAPI_PATH and call.method in ("GET", "HEAD"):
                return self._outcome(200, self.openapi, trace)
            if path == TOKEN_PATH and call.method == "POST":
                status, body = token_endpoint(self, call.raw_body)
                outcome = self._outcome(status, encode(body), trace)
                outcome.headers.append(("Cache-Control", "no-store"))
                return outcome
            if path.startswith(CONTROL_PREFIX):
                return self._reply(control.handle(self, call), trace)
            raise not_found("The path")
        except ApiError as error:
            return self._error(error, trace)
        except Exception:  # noqa: BLE001 - answered as 500 with the trace id, never a crash
            traceback.print_exc()
            return self._error(ApiError(500), trace)

    # ---- the API pipeline ---------------------------------------------------------------------

    def _api(self, call: Call, trace: str) -> Outcome:
        handler, params, endpoint = self.router.match(call.method, call.path[len(API_PREFIX) :])
        retry_after, in_window = self.window.hit(call.client_ip, self.settings.rate_limit)
        self.stats.request(endpoint, call.client_ip, in_window)
        plan = None
        try:
            if retry_after is not None:
                raise self._rate_limited(retry_after)
            if call.too_large:
                raise ApiError(413)  # its body was never read (CONTRACT.md 6.10)
            plan = self.faults.plan(endpoint)
            if plan is not None:
                if plan.burst_retry_after is not None:
                    raise self._rate_limited(plan.burst_retry_after)
                if plan.latency:
                    time.sleep(plan.latency)
                if plan.server_error is not None:
                    # Answered instead of carrying the request out: no hang, no drop either.
                    status, plan = plan.server_error, None
                    raise ApiError(status)
            call.client_id = self.tokens.client_of(call.header("Authorization"))
            if call.client_id is None:
                raise ApiError(401)
            if handler is None:
                raise not_found("The endpoint")
            call.params = params
            if plan is not None and plan.underwriter_edit:
                self._underwriter_touch(call)
            outcome = self._reply(handler(self, call), trace)
        except ApiError as error:
            outcome = self._error(error, trace)
        except Exception:  # noqa: BLE001 - answered as 500 with the trace id, never a crash
            traceback.print_exc()
            outcome = self._error(ApiError(500), trace)
        if plan is not None:
            outcome.hang, outcome.drop = plan.hang, plan.drop
        self.stats.answered("dropped" if outcome.drop else outcome.status)
        return outcome

    def _rate_limited(self, retry_after: int) -> ApiError:
        headers = {}
        if self.settings.retry_after_header:
            headers["Retry-After"] = str(retry_after)
        return ApiError(429, headers=headers)

    def _underwriter_touch(self, call: Call):
        """The `underwriterEditRate` fault: a harmless change made inside SFS, before the call."""
        proposal_id = parse_id(call.params.get("id"))
        if proposal_id is None:
            proposal_id = parse_id(dict(call.query).get("proposal-id"))
        with self.store.lock:
            proposal = self.store.get(proposal_id)
            if proposal is not None:
                proposal.touch()

    # ---- rendering ----------------------------------------------------------------------------

    def _outcome(self, status, body: bytes | None, trace, headers=()) -> Outcome:
        all_headers = [(TRACE_HEADER, trace), *headers]
        if body is not None and not any(name == "Content-Type" for name, _ in headers):
            all_headers.append(("Content-Type", "application/json"))
        return Outcome(status, body, all_headers)

    def _reply(self, reply: Reply, trace) -> Outcome:
        headers = list(reply.headers.items())
        if reply.etag is not None:
            headers.append(("ETag", reply.etag))
        body = None
        if isinstance(reply.body, bytes):  # a file: answered as it is
            body = reply.body
        elif reply.status != 204:
            body = encode(reply.body)
        return self._outcome(reply.status, body, trace, headers)

    def _error(self, error: ApiError, trace) -> Outcome:
        return self._outcome(
            error.status, encode(error.body(trace)), trace, list(error.headers.items())
        )
