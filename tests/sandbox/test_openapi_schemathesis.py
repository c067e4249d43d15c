"""The served OpenAPI document describes what the sandbox answers: schemathesis checks it.

Two runs against a real sandbox process, every built-in check of schemathesis enabled:

- per operation, positive and negative cases, plus cases aimed at real proposals (with their
  current ETag as If-Match) so that the success answers are checked too, not only 404s;
- the stateful phase: sequences that follow the document's links from a created proposal (its
  `id` and `ETag`) into the change, loans, delivery-address, decision, upload and signing calls.

The Python API is used (`APIOperation.as_strategy` under Hypothesis's `@given`, and the state
machine of `as_state_machine`) rather than `schemathesis.pytest.from_fixture`, whose lazy loader
does not work with the pinned pytest.
"""

import base64
from collections import Counter, defaultdict

import hypothesis
import hypothesis.strategies as st
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Flaky
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.stateful.control import TransitionController

from tests.sandbox.helpers import ADDRESS, ASSET, COMPANY, SHEET, full_proposal, unique_label
from tests.support.sandbox_server import SandboxProcess

OPERATION_COUNT = 40
EXAMPLES = 40
AIMED_EXAMPLES = 5
STATEFUL_SCENARIOS = 150
STATEFUL_STEPS = 8
STATEFUL_SUITES = 10
# The contract's answers that a schema cannot express, told to the checks that judge statuses:
# - a schema-valid body can still break a business rule (an unknown office, a term off the
#   pricelist's steps, a stale ETag after an earlier step changed the proposal): 400 and 412;
# - a missing If-Match is 412 IF_MATCH_MISSING [DOC], not a generic 400.
CHECKS_CONFIG = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "429", "5xx"]
    },
    "missing_required_header": {"expected-statuses": ["400", "401", "403", "412"]},
}
TOKEN_BODY = {
    "grant_type": "client_credentials",
    "client_id": "demo-introducer",
    "client_secret": "demo-secret",
    "audience": "https://api.siesmart.com/b2b",
}
SUPPLIER = {"registrationNumber": "16901234", "sourceCountryCode": "GB", "companyType": "PLC"}
DECISION_BODY = {
    "siemensMayContactCustomer": True,
    "siemensMayRequestCreditData": False,
    "prelease": False,
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
UPLOAD = {
    "fileName": "supplier-invoice.pdf",
    "uploadedDocument": {"fileContent": base64.b64encode(PDF).decode(), "type": {"id": 3}},
}
LOAN = {"loanPurpose": {"id": 1}, "value": 1200.00}
SIGNATORY = {
    "firstName": "Ann",
    "lastName": "Lee",
    "email": "ann.lee@example.com",
    "phone": "+44 113 496 0000",
    "jobTitle": {"id": 1},
    "boardmember": True,
    "boardmemberId": "BM-17",
}
SIGNING = {
    "documentIds": [{"type": "GENERATED", "value": 1}],
    "signatories": [SIGNATORY, {"firstName": "Bo", "lastName": "Ng", "email": "bo.ng@example.com"}],
    "emailsInCC": "office@example.com,finance@example.com",
}
REALISTIC_ENDPOINT = {"basePath": "http://127.0.0.1:9/hooks/sfs"}
# Cases that pass the business rules too, so that the success answers are checked as well.
REALISTIC = {
    "POST /oauth/token": {"body": TOKEN_BODY},
    "GET /common/sales-contacts": {"query": {"office-id": 1001}},
    "GET /common/iac-codes": {"query": {"office-id": 1002}},
    "GET /common/calculation-config": {"query": {"office-id": 1003}},
    "GET /common/loan-purposes": {"query": {"office-id": 1001}},
    "GET /common/document-types": {"query": {"office-id": 1001}},
    "POST /proposals": {"body": full_proposal()},
    "POST /proposals/proposal": {"body": full_proposal(label="IP-ALIAS")},
    "PUT /proposals/{id}/customer": {"body": {"customer": COMPANY}},
    "POST /proposals/{id}/assets": {"body": {**ASSET, "equipmentSupplier": SUPPLIER}},
    "PUT /proposals/{id}/assets/{asset-id}": {"body": ASSET},
    "POST /proposals/{id}/loans": {"body": LOAN},
    "PUT /proposals/{id}/loans/{loan-id}": {"body": LOAN},
    "POST /proposals/{id}/customer/delivery-address": {"body": ADDRESS},
    "POST /proposals/{id}/calculation": {"body": {"sheet": SHEET}},
    "POST /proposals/{id}/decision": {"body": DECISION_BODY},
    "POST /proposals/{id}/documents": {"body": UPLOAD},
    "POST /proposals/{id}/documents/signing": {"body": SIGNING},
    "POST /proposals/{id}/subscriptions": {"body": {"eventType": "DECISION_RECEIVED"}},
    "POST /notification-endpoints": {"body": REALISTIC_ENDPOINT},
    "POST /calculation": {
        "query": {"office-id": 1001, "amount-financed": 10000},
        "body": {"sheet": SHEET},
    },
}
CREATES = ("POST /proposals", "POST /proposals/proposal")
# The stateful phase must get this far along the links, to a real proposal (not a 404).
MUST_REACH = (
    "PATCH /proposals/{id}",
    "POST /proposals/{id}/loans",
    "POST /proposals/{id}/customer/delivery-address",
    "POST /proposals/{id}/decision",
    "POST /proposals/{id}/documents",
    "POST /proposals/{id}/documents/signing",
)
FAST = dict(
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure reports its first case
)


class CreatesFirst(TransitionController):
    """Lets only a create start a scenario; the links take it from there."""

    __slots__ = ()

    def allow_root_transition(self, source, bundles) -> bool:
        return source in CREATES and super().allow_root_transition(source, bundles)


def load_schema(sandbox, mode: str):
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"mode": mode},
            "checks": CHECKS_CONFIG,
            # The document's own links, not links schemathesis guesses from field names.
            "phases": {"stateful": {"inference": {"algorithms": []}}},
        }
    )
    return schemathesis.openapi.from_url(sandbox.api_url + "/openapi.json", config=config)


@pytest.fixture(scope="module")
def conformance_sandbox():
    with SandboxProcess(rate_limit=0, decision_delay=0.2) as sandbox:
        yield sandbox


class Prepared:
    """Proposals in the states whose answers the document must describe, over real HTTP."""

    def __init__(self, sandbox, session):
        self.sandbox = sandbox
        self.session = session
        # An endpoint is registered, so that subscriptions can be made (it may exist already).
        self.call("POST", "/notification-endpoints", json=REALISTIC_ENDPOINT)
        self.targets = [
            self.target(self.draft_with_loan_and_upload()),
            self.target(self.decided()),
            self.target(self.decided(sign=True)),
            self.target(self.decided(activate=True)),
        ]
        self.ids = [target["id"] for target in self.targets]

    def call(self, method, path, etag=None, **kwargs):
        headers = {"If-Match": etag} if etag else {}
        return self.session.request(
            method, self.sandbox.api_url + path, headers=headers, timeout=10, **kwargs
        )

    def created(self, **overrides):
        response = self.call("POST", "/proposals", json=full_proposal(**overrides))
        assert response.status_code == 201, response.text
        return response.json()["id"], response.headers["ETag"]

    def draft_with_loan_and_upload(self):
        proposal_id, etag = self.created(loans=[LOAN])
        response = self.call("POST", f"/proposals/{proposal_id}/documents", etag, json=UPLOAD)
        assert response.status_code == 200, response.text
        return proposal_id

    def decided(self, sign=False, activate=False):
        proposal_id, _ = self.created()
        control = f"/__sandbox__/proposals/{proposal_id}"
        self.sandbox.control("POST", control + "/decide", {"decisionStatus": "ACCEPTED"})
        if sign:
            proposal = self.call("GET", f"/proposals/{proposal_id}")
            body = {**SIGNING, "documentIds": [self.documents(proposal_id)[0]["id"]]}
            path = f"/proposals/{proposal_id}/documents/signing"
            response = self.call("POST", path, proposal.headers["ETag"], json=body)
            assert response.status_code == 200, response.text
        if activate:
            self.sandbox.control("POST", control + "/activate")
        return proposal_id

    def documents(self, proposal_id):
        return self.call("GET", f"/proposals/{proposal_id}/documents").json()

    def target(self, proposal_id) -> dict:
        """The proposal's id, ids of its parts, and bodies that name its documents."""
        proposal = self.call("GET", f"/proposals/{proposal_id}").json()
        documents = self.documents(proposal_id)
        unknown = {"id": {"type": "UPLOADED", "value": 1}}
        document_id = (documents or [unknown])[0]["id"]
        signable = [item for item in documents if item["sendSigningRequestAllowed"]]
        in_signing = [item for item in documents if item["signingRequest"]]
        subscription = self.call(
            "POST",
            f"/proposals/{proposal_id}/subscriptions",
            json={"eventType": "DECISION_RECEIVED"},
        )
        assert subscription.status_code == 200, subscription.text
        return {
            "id": proposal_id,
            "path": {
                "id": proposal_id,
                "asset-id": proposal["assets"][0]["id"],
                "loan-id": proposal["loans"][0]["id"] if proposal["loans"] else 1,
                "type": document_id["type"],
                "value": document_id["value"],
                "subscription-id": subscription.json(),
            },
            "bodies": {
                "POST /proposals/{id}/documents/signing": {
                    "body": {**SIGNING, "documentIds": [(signable or [unknown])[0]["id"]]}
                },
                "POST /proposals/{id}/documents/signing/refresh": {
                    "body": (in_signing or [unknown])[0]["id"]
                },
            },
        }

    def current_etag(self, proposal_id):
        return self.call("GET", f"/proposals/{proposal_id}").headers.get("ETag", "gone")


def run_order(operation) -> tuple:
    endpoint = operation.path == "/notification-endpoints"
    return (endpoint, endpoint and operation.method.upper() == "POST")


def strategies_for(operation, prepared: Prepared | None) -> list:
    """Random cases of every mode, then one strategy per prepared proposal (realistic bodies)."""
    realistic = REALISTIC.get(operation.label, {})
    strategies = [st.one_of([operation.as_strategy(mode) for mode in GenerationMode])]
    if realistic:
        strategies.append(operation.as_strategy(**realistic))
    for target in prepared.targets if prepared else []:
        aimed = {**realistic, **target["bodies"].get(operation.label, {})}
        strategies.append(operation.as_strategy(path_parameters=target["path"], **aimed))
    return strategies


def check_cases(strategy, examples, prepared, session, auth, succeeded):
    """Call and validate `examples` cases; an aimed case sends its proposal's current ETag."""

    @settings(max_examples=examples, **FAST)
    @given(case=strategy)
    def check(case):
        headers = dict(auth)
        proposal_id = (case.path_parameters or {}).get("id")
        if prepared and proposal_id in prepared.ids and "If-Match" in (case.headers or {}):
            headers["If-Match"] = prepared.current_etag(proposal_id)
        response = case.call(headers=headers, session=session)
        succeeded[case.operation.label] |= response.status_code < 300
        case.validate_response(response, headers=headers, transport_kwargs={"session": session})

    check()


def test_every_answer_conforms_to_the_document(conformance_sandbox):
    sandbox = conformance_sandbox
    auth = {"Authorization": f"Bearer {sandbox.token()}"}
    session = requests.Session()
    # Not the checks' session: a check that resends a case without the token must not meet it.
    setup = requests.Session()
    setup.headers.update(auth)
    schema = load_schema(sandbox, "all")
    failures = {}
    succeeded = defaultdict(bool)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == OPERATION_COUNT
    # The endpoint's own calls go last, its registration after its removal, so that each of them
    # meets a state where it succeeds.
    operations.sort(key=run_order)
    for operation in operations:
        # Fresh proposals for each operation: a cancel or a decision before would block the rest.
        prepared = Prepared(sandbox, setup) if "{id}" in operation.path else None
        for index, strategy in enumerate(strategies_for(operation, prepared)):
            examples = EXAMPLES if index == 0 else AIMED_EXAMPLES
            try:
                check_cases(strategy, examples, prepared, session, auth, succeeded)
            except (Exception, FailureGroup) as failure:  # noqa: BLE001 - collect all, then report
                failures.setdefault(operation.label, failure)
    assert not failures, "\n\n".join(f"{label}: {error}" for label, error in failures.items())
    # The run reached the success answers too, not only the errors of random input.
    never = sorted(operation.label for operation in operations if not succeeded[operation.label])
    assert never == [], f"never answered with success: {never}"


def test_stateful_sequences_follow_the_links(conformance_sandbox):
    sandbox = conformance_sandbox
    sandbox.reset_stats()
    auth = {"Authorization": f"Bearer {sandbox.token()}"}
    session = requests.Session()
    # The proposal's operations only: the lookups and the quote lead nowhere a proposal goes.
    schema = load_schema(sandbox, "positive").include(path_regex="^/proposals")
    answered = Counter()
    failures = {}
    scenarios = []

    class Workflow(schema.as_state_machine()):
        def __init__(self):
            super().__init__()
            # Every scenario starts with a create: an operation on a random id only meets a 404,
            # which the first test covers already.
            self.control = CreatesFirst(self._transitions, self._root_labels)

        def before_call(self, case):
            # Random create bodies rarely pass the business rules (an office of the caller, a
            # pricelist's terms; the first test sends those), so the sequences start from a
            # realistic proposal and the links have a real proposal to follow.
            if case.operation.label in CREATES:
                case.body = full_proposal(label=unique_label("IP-STATEFUL"))

        def get_call_kwargs(self, case):
            return {"headers": auth, "session": session}

        def after_call(self, response, case):
            super().after_call(response, case)
            answered[(case.operation.label, response.status_code)] += 1

        def validate_response(self, response, case, **kwargs):
            # Collected, not raised, so that one failure does not end the exploration.
            try:
                super().validate_response(response, case, **kwargs)
            except (Exception, FailureGroup) as failure:  # noqa: BLE001 - reported below
                failures.setdefault(case.operation.label, failure)

        def teardown(self):
            scenarios.append(1)
            super().teardown()

    for suite in range(STATEFUL_SUITES):
        if len(scenarios) >= STATEFUL_SCENARIOS:
            break
        try:
            hypothesis.seed(suite)(Workflow).run(
                settings=settings(
                    max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS, **FAST
                )
            )
        except Flaky:
            # The sandbox's state moved on under a replayed prefix (new ids, a registered
            # endpoint): the suite ends there, as in schemathesis's own stateful engine.
            continue

    assert not failures, "\n\n".join(f"{label}: {error}" for label, error in failures.items())
    by_endpoint = sandbox.stats()["requests"]["byEndpoint"]
    for label in MUST_REACH:
        assert by_endpoint.get(label, 0) > 0, f"the stateful phase never called {label}"
        statuses = {status for (called, status), _ in answered.items() if called == label}
        assert statuses - {404}, f"{label} met only unknown ids: {sorted(answered.items())}"
