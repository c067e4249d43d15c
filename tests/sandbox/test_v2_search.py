"""CONTRACT.md 6.2 and 6.10 (new in v2): search by `contract-no` and `document-status`, the
`contractNo` of a summary, and the `documentedSearchOnly` setting of section 7."""

import time

import pytest

from tests.sandbox.helpers import unique_label, violations


@pytest.fixture
def documented_only(sandbox):
    """The shared sandbox with `documentedSearchOnly` on; put back off afterwards."""
    assert sandbox.set_settings(documentedSearchOnly=True)["documentedSearchOnly"] is True
    yield sandbox
    sandbox.set_settings(documentedSearchOnly=False)


def ids(page) -> list:
    return [summary["id"] for summary in page["content"]]


def accepted(api, sandbox, label):
    """An accepted proposal: its checklist holds required items not yet received."""
    created, _ = api.create(label=label)
    path = f"/__sandbox__/proposals/{created['id']}/decide"
    return sandbox.control("POST", path, {"decisionStatus": "ACCEPTED"})


def test_contract_no_matches_exactly(api, sandbox):
    label = unique_label()
    proposal = accepted(api, sandbox, label)
    draft, _ = api.create(label=label)
    active = sandbox.control("POST", f"/__sandbox__/proposals/{proposal['id']}/activate", {})
    number = active["contractNo"]
    assert active["workflowStatus"] == "ACTIVATED" and number
    page = api.search(**{"contract-no": number})
    assert ids(page) == [proposal["id"]] and page["totalElements"] == 1
    assert page["content"][0]["contractNo"] == number
    assert api.search(**{"contract-no": number.lower()})["content"] == []
    assert api.search(**{"contract-no": number[:-1]})["content"] == []
    summaries = api.search(**{"proposal-label": label})["content"]
    assert {s["id"]: s["contractNo"] for s in summaries} == {
        proposal["id"]: number,
        draft["id"]: None,
    }
    activated = api.search(**{"proposal-label": label, "workflow-status": "ACTIVATED"})
    assert ids(activated) == [proposal["id"]]


def test_document_status_splits_outstanding_from_complete(api, sandbox):
    label = unique_label()
    draft, _ = api.create(label=label)
    waiting = accepted(api, sandbox, label)
    query = {"proposal-label": label}
    assert ids(api.search(**query, **{"document-status": "OUTSTANDING"})) == [waiting["id"]]
    assert ids(api.search(**query, **{"document-status": "COMPLETE"})) == [draft["id"]]
    assert len(ids(api.search(**query))) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"document-status": "outstanding"}, [("document-status", "INVALID_VALUE")]),
        ({"document-status": "MISSING"}, [("document-status", "INVALID_VALUE")]),
        ({"contract-no": "C" * 256}, [("contract-no", "TOO_LONG")]),
        ({"workflow-status": "ACTIVE"}, [("workflow-status", "INVALID_VALUE")]),
    ],
)
def test_invalid_v2_parameters_are_400(api, params, expected):
    assert violations(api.get("/proposals/search", params=params)) == expected


def _five(api) -> tuple[str, list]:
    label = unique_label()
    made = []
    for _ in range(5):
        made.append(api.create(label=label)[0])
        time.sleep(0.002)
    return label, made


def test_page_and_updated_after_work_while_the_setting_is_off(api, sandbox):
    assert sandbox.control("GET", "/__sandbox__/settings")["documentedSearchOnly"] is False
    label, made = _five(api)
    query = {"proposal-label": label, "sort-by": "CREATED", "sort-order": "ASC", "size": 2}
    page = api.search(**query, page=1)
    assert page["page"] == 1 and ids(page) == [p["id"] for p in made[2:4]]
    later = api.search(**{"proposal-label": label, "updated-after": made[2]["updated"]})
    assert sorted(ids(later)) == [p["id"] for p in made[3:]]
    assert violations(api.get("/proposals/search", params={"page": -1})) == [
        ("page", "INVALID_VALUE")
    ]


def test_documented_search_only_ignores_page_and_updated_after(api, documented_only):
    label, made = _five(api)
    query = {"proposal-label": label, "sort-by": "CREATED", "sort-order": "ASC", "size": 2}
    page = api.search(**query, page=1)
    assert page["page"] == 0 and ids(page) == [p["id"] for p in made[:2]]
    assert page["totalElements"] == 5
    everything = api.search(**{"proposal-label": label, "updated-after": made[2]["updated"]})
    assert len(ids(everything)) == 5
    # Ignored as if absent: not even checked.
    odd = api.search(**{"proposal-label": label, "page": "-1", "updated-after": "yesterday"})
    assert odd["page"] == 0 and len(ids(odd)) == 5
    # The documented parameters still work and are still checked.
    assert violations(api.get("/proposals/search", params={"size": 101, "page": 1})) == [
        ("size", "INVALID_VALUE")
    ]
    assert violations(api.get("/proposals/search", params={"colour": "red"})) == [
        ("colour", "UNKNOWN_FIELD")
    ]
