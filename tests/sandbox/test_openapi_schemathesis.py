"""The served OpenAPI document describes what the sandbox answers: schemathesis checks it.

Each operation gets positive and negative cases; operations on a proposal also get cases aimed at
real proposals (with their current ETag as If-Match) so that the success answers are checked too,
not only the 404s of random ids.

The Python API is used (`APIOperation.as_strategy` under Hypothesis's `@given`) rather than
`schemathesis.pytest.from_fixture`, whose lazy loader does not work with the pinned pytest.
"""

import hypothesis.strategies as st
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.sandbox.helpers import ASSET, COMPANY, SHEET, full_proposal
from tests.support.sandbox_server import SandboxProcess

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 40
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
# Cases that pass the business rules too, so that the success answers are checked as well.
REALISTIC = {
    "POST /oauth/token": {"body": TOKEN_BODY},
    "GET /common/sales-contacts": {"query": {"office-id": 1001}},
    "GET /common/iac-codes": {"query": {"office-id": 1002}},
    "GET /common/calculation-config": {"query": {"office-id": 1003}},
    "POST /proposals": {"body": full_proposal()},
    "POST /proposals/proposal": {"body": full_proposal(label="IP-ALIAS")},
    "PUT /proposals/{id}/customer": {"body": {"customer": COMPANY}},
    "POST /proposals/{id}/assets": {"body": {**ASSET, "equipmentSupplier": SUPPLIER}},
    "PUT /proposals/{id}/assets/{asset-id}": {"body": ASSET},
    "POST /proposals/{id}/calculation": {"body": {"sheet": SHEET}},
    "POST /proposals/{id}/decision": {"body": DECISION_BODY},
    "POST /calculation": {
        "query": {"office-id": 1001, "amount-financed": 10000},
        "body": {"sheet": SHEET},
    },
}


@pytest.fixture(scope="module")
def conformance_sandbox():
    with SandboxProcess(rate_limit=0, decision_delay=0.2) as sandbox:
        yield sandbox


def test_every_answer_conforms_to_the_document(conformance_sandbox):
    sandbox = conformance_sandbox
    auth = {"Authorization": f"Bearer {sandbox.token()}"}
    session = requests.Session()
    created = [
        session.post(sandbox.api_url + "/proposals", json=full_proposal(), headers=auth).json()
        for _ in range(3)
    ]
    ids = [proposal["id"] for proposal in created]

    def current_etag(proposal_id):
        response = session.get(f"{sandbox.api_url}/proposals/{proposal_id}", headers=auth)
        return response.headers.get("ETag", "gone")

    schema = schemathesis.openapi.from_url(sandbox.api_url + "/openapi.json")
    failures = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 21
    for operation in operations:
        strategies = [operation.as_strategy(mode) for mode in GenerationMode]
        realistic = REALISTIC.get(operation.label, {})
        if realistic:
            strategies.append(operation.as_strategy(**realistic))
        if "{id}" in operation.path:
            strategies += [
                operation.as_strategy(path_parameters={"id": pid, "asset-id": 1}, **realistic)
                for pid in ids
            ]

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def check(case):
            headers = dict(auth)
            aimed = (case.path_parameters or {}).get("id") in ids
            if aimed and "If-Match" in (case.headers or {}):
                headers["If-Match"] = current_etag(case.path_parameters["id"])
            case.call_and_validate(headers=headers, checks=CHECKS, session=session)

        try:
            check()
        except Exception as failure:  # noqa: BLE001 - collect all operations, then report
            failures[operation.label] = failure
    assert not failures, "\n\n".join(f"{label}: {error}" for label, error in failures.items())
    # The run reached the success answers too, not only the errors of random input.
    seen = sandbox.stats()["requests"]["byStatus"]
    assert {"200", "201", "204", "400", "404", "409"} <= set(seen)
