"""Static checks of the hand-written OpenAPI document (sandbox/openapi.json).

The document must name every route the sandbox serves, resolve every `$ref`, and carry the links
that let a stateful run follow a created proposal: its `id` into the `{id}` of every proposal
operation and its `ETag` into `If-Match`.
"""

import json
import re
from pathlib import Path

import pytest
import schemathesis

from sandbox.app import ROUTES

DOCUMENT_FILE = Path(__file__).resolve().parents[2] / "sandbox" / "openapi.json"
DOCUMENT = json.loads(DOCUMENT_FILE.read_text())
METHODS = {"get", "put", "post", "patch", "delete"}
CREATES = ("createProposal", "createProposalAlias")
IF_MATCH = {"$ref": "#/components/parameters/IfMatch"}
INT64_MAX = 2**63 - 1


def operations():
    """(METHOD, path, operation, path-level parameters) for every operation of the document."""
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation, item.get("parameters", [])


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        target = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def parameters_of(operation, path_level) -> set[tuple[str, str]]:
    return {
        (resolve(parameter)["in"], resolve(parameter)["name"])
        for parameter in [*path_level, *operation.get("parameters", [])]
    }


OPERATIONS = {entry[2]["operationId"]: entry for entry in operations()}
PROPOSAL_OPERATIONS = {
    operation_id: entry
    for operation_id, entry in OPERATIONS.items()
    if entry[1].startswith("/proposals/{id}")
}


def test_every_route_of_the_sandbox_has_an_operation():
    # Same templates, placeholder names included: the sandbox's statistics count calls by the
    # route's template, and the stateful test reads them by the document's operation labels.
    documented = {(method, path) for method, path, _, _ in operations()}
    served = {(method, template) for method, template, _ in ROUTES}
    assert served - documented == set(), "routes the document does not describe"
    # And the document promises nothing the sandbox does not serve (the token host aside).
    assert documented - served == {("POST", "/oauth/token")}


def test_the_document_is_valid_openapi_3():
    schemathesis.openapi.from_dict(DOCUMENT).validate()


def test_operation_ids_are_unique_and_every_reference_resolves():
    ids = [operation["operationId"] for _, _, operation, _ in operations()]
    assert len(ids) == len(set(ids))
    references = re.findall(r'"\$ref": "([^"]+)"', DOCUMENT_FILE.read_text())
    assert references
    for reference in set(references):
        assert resolve({"$ref": reference}) is not None, reference


@pytest.mark.parametrize("creator", CREATES)
def test_a_created_proposal_links_into_every_proposal_operation(creator):
    links = OPERATIONS[creator][2]["responses"]["201"]["links"]
    targets = {link["operationId"]: link for link in links.values()}
    for operation_id, (_, path, operation, _) in PROPOSAL_OPERATIONS.items():
        if re.search(r"\{(?!id\})", path):
            continue  # a child (asset, loan, document, subscription) is linked from its creator
        assert operation_id in targets, f"{creator} does not link to {operation_id}"
        parameters = targets[operation_id]["parameters"]
        assert parameters["path.id"] == "$response.body#/id"
        if IF_MATCH in operation.get("parameters", []):
            assert parameters["header.If-Match"] == "$response.header.ETag"


@pytest.mark.parametrize(
    ("creator", "status", "child", "targets"),
    [
        ("addAsset", "201", "asset-id", {"putAsset", "deleteAsset"}),
        ("addLoan", "201", "loan-id", {"putLoan", "deleteLoan"}),
        ("subscribe", "200", "subscription-id", {"unsubscribe"}),
    ],
)
def test_a_created_child_links_to_its_own_operations(creator, status, child, targets):
    links = OPERATIONS[creator][2]["responses"][status]["links"]
    linked = {
        link["operationId"] for link in links.values() if f"path.{child}" in link["parameters"]
    }
    assert linked == targets


def test_every_link_names_a_real_operation_and_its_parameters():
    seen = 0
    for _, _, operation, _ in operations():
        for response in operation["responses"].values():
            for name, link in response.get("links", {}).items():
                seen += 1
                assert link["operationId"] in OPERATIONS, name
                _, _, target, level = OPERATIONS[link["operationId"]]
                known = parameters_of(target, level)
                for parameter in link["parameters"]:
                    location, _, parameter_name = parameter.partition(".")
                    assert (location, parameter_name) in known, f"{name}: {parameter}"
    assert seen > 100
    # schemathesis reads the same links into transitions without complaint.
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    assert schema.as_state_machine() is not None


def test_v2_answers_and_codes_are_declared():
    schemas = DOCUMENT["components"]["schemas"]
    assert "PAYLOAD_TOO_LARGE" in schemas["Error"]["properties"]["code"]["enum"]
    violation_codes = set(schemas["Violation"]["properties"]["code"]["enum"])
    assert {"LOANS_NOT_ALLOWED", "LOANS_TOO_HIGH", "FILE_TOO_LARGE", "FILE_TYPE_NOT_ALLOWED"} <= (
        violation_codes
    )
    assert {"loans", "deliveryAddress", "contractNo"} <= set(schemas["Proposal"]["required"])
    assert "ACTIVATED" in schemas["Proposal"]["properties"]["workflowStatus"]["enum"]
    assert "contractNo" in schemas["ProposalSummary"]["required"]
    search = OPERATIONS["searchProposals"][2]["parameters"]
    assert {"contract-no", "document-status"} <= {parameter.get("name") for parameter in search}
    for operation_id, (_, path, operation, _) in OPERATIONS.items():
        if path != "/oauth/token":
            assert "413" in operation["responses"], operation_id


def test_integers_are_int64_and_money_has_two_decimals():
    integers, amounts = [], []

    def walk(node, key=None):
        if isinstance(node, dict):
            if node.get("type") == "integer":
                integers.append(node)
            if node.get("type") == "number" and key in {"value", "amount", "valuePerAsset"}:
                amounts.append(node)
            for child_key, child in node.items():
                walk(child, child_key)
        elif isinstance(node, list):
            for child in node:
                walk(child, key)

    walk(DOCUMENT)
    assert integers and amounts
    for node in integers:
        assert node["format"] == "int64"
        assert node["maximum"] <= INT64_MAX
        assert node["minimum"] >= -INT64_MAX - 1
    for node in amounts:
        assert node["multipleOf"] == 0.01
