"""CONTRACT.md 6.2: `GET /proposals/search`, its filters, order and paging."""

import time

import pytest

from tests.sandbox.helpers import MANUAL, assert_error, full_proposal, unique_label, violations


@pytest.fixture
def three(api):
    """Three proposals with one new label, created in order, the middle one changed last."""
    label = unique_label()
    made = [api.create(label=label)[0] for _ in range(3)]
    middle = made[1]
    response = api.change("PATCH", f"/proposals/{middle['id']}", middle["updated"], json={})
    made[1] = response.json()
    return label, made


def test_a_summary_has_the_documented_fields_and_the_current_etag(api, three):
    label, made = three
    page = api.search(**{"proposal-label": label})
    assert set(page) == {"content", "page", "size", "totalElements"}
    assert page["totalElements"] == 3 and page["page"] == 0 and page["size"] == 20
    summary = next(s for s in page["content"] if s["id"] == made[1]["id"])
    assert summary == {
        "id": made[1]["id"], "label": label, "officeId": 1001, "workflowStatus": "DRAFT",
        "decisionStatus": "NOT_AVAILABLE", "customerName": "Example Tools Ltd",
        "amountFinanced": 13000, "contractNo": None, "created": made[1]["created"],
        "updated": made[1]["updated"],
    }  # fmt: skip
    assert summary["updated"] == api.fetch(made[1]["id"])[1]


def test_the_default_order_is_updated_descending(api, three):
    label, made = three
    ids = [s["id"] for s in api.search(**{"proposal-label": label})["content"]]
    assert ids == [made[1]["id"], made[2]["id"], made[0]["id"]]
    ascending = api.search(**{"proposal-label": label, "sort-order": "ASC"})
    assert [s["id"] for s in ascending["content"]] == [made[0]["id"], made[2]["id"], made[1]["id"]]
    created = api.search(**{"proposal-label": label, "sort-by": "CREATED", "sort-order": "DESC"})
    assert [s["id"] for s in created["content"]] == [m["id"] for m in reversed(made)]


def test_ties_go_by_id_ascending_whatever_the_order(api):
    label = unique_label()
    made = [api.create(label=label)[0] for _ in range(12)]
    for order in ("ASC", "DESC"):
        for sort_by in ("CREATED", "UPDATED"):
            content = api.search(
                **{"proposal-label": label, "sort-order": order, "sort-by": sort_by}
            )["content"]
            key = sort_by.lower()
            for first, second in zip(content, content[1:], strict=False):
                if first[key] == second[key]:
                    assert first["id"] < second["id"]
                else:
                    assert (first[key] < second[key]) == (order == "ASC")
    assert len(made) == 12


def test_labels_match_exactly_and_case_sensitively(api, three):
    label, _ = three
    assert api.search(**{"proposal-label": label})["totalElements"] == 3
    assert api.search(**{"proposal-label": label.lower()})["totalElements"] == 0
    assert api.search(**{"proposal-label": label[:-1]})["totalElements"] == 0


def test_customer_name_is_a_case_insensitive_substring_and_reg_no_is_exact(api):
    label = unique_label()
    manual = {**MANUAL, "companyName": f"Zebedee {label} Joinery"}
    api.create(label=label, customer=None, customerManual=manual)
    api.create(label=label)
    by_name = api.search(**{"customer-name": label.lower()})
    assert [s["customerName"] for s in by_name["content"]] == [manual["companyName"]]
    assert api.search(**{"customer-name": f"EDEE {label.upper()} JOIN"})["totalElements"] == 1
    by_number = api.search(**{"proposal-label": label, "customer-reg-no": "01234567"})
    assert by_number["totalElements"] == 1
    partial = api.search(**{"proposal-label": label, "customer-reg-no": "0123456"})
    assert partial["totalElements"] == 0


def test_timestamps_are_exclusive(api, three):
    label, made = three
    first, second, third = sorted(made, key=lambda m: m["created"])
    query = {"proposal-label": label}
    after = api.search(**query, **{"created-after": first["created"]})
    assert {s["id"] for s in after["content"]} == {second["id"], third["id"]}
    before = api.search(**query, **{"created-before": third["created"]})
    assert {s["id"] for s in before["content"]} == {first["id"], second["id"]}
    latest = max(m["updated"] for m in made)
    assert api.search(**query, **{"updated-after": latest})["totalElements"] == 0
    changed = api.search(**query, **{"updated-after": made[2]["updated"]})
    assert [s["id"] for s in changed["content"]] == [made[1]["id"]]


def test_filters_by_office_status_and_sales_contact(api):
    label = unique_label()
    api.create(label=label, salesContactId=23076572)
    draft, etag = api.create(label=label)
    api.change("POST", f"/proposals/{draft['id']}/cancel", etag)
    body = full_proposal(label=label, officeId=1002, salesContactId=23077001, calculation=None)
    body["assets"][0]["assetIacCode"] = "MED3101"
    assert api.post("/proposals", json=body).status_code == 201
    query = {"proposal-label": label}
    assert api.search(**query, **{"office-id": 1002})["totalElements"] == 1
    assert api.search(**query, **{"office-id": 1001})["totalElements"] == 2
    assert api.search(**query, **{"workflow-status": "CANCELLED"})["totalElements"] == 1
    assert api.search(**query, **{"sales-contact-id": 23076572})["totalElements"] == 1
    summary = api.search(**query, **{"office-id": 1002})["content"][0]
    assert summary["amountFinanced"] is None


def test_only_the_callers_proposals_are_found(api, other_api):
    label = unique_label()
    api.create(label=label)
    assert api.search(**{"proposal-label": label})["totalElements"] == 1
    assert other_api.search(**{"proposal-label": label})["totalElements"] == 0


def test_another_introducers_office_is_403_and_an_unknown_one_404(api):
    assert_error(api.get("/proposals/search", params={"office-id": 2001}), 403, "FORBIDDEN")
    assert_error(api.get("/proposals/search", params={"office-id": 77}), 404, "NOT_FOUND")
    # 404 comes before the 400 of another parameter.
    response = api.get("/proposals/search", params={"office-id": 77, "size": 500})
    assert_error(response, 404, "NOT_FOUND")


def test_paging(api):
    label = unique_label()
    made = [api.create(label=label)[0]["id"] for _ in range(5)]
    query = {"proposal-label": label, "sort-by": "CREATED", "sort-order": "ASC", "size": 2}
    pages = [api.search(**query, page=page) for page in range(4)]
    assert [[s["id"] for s in p["content"]] for p in pages] == [made[:2], made[2:4], made[4:], []]
    assert all(p["totalElements"] == 5 and p["size"] == 2 for p in pages)
    assert [p["page"] for p in pages] == [0, 1, 2, 3]
    assert api.search(**query, page=10**12)["content"] == []
    assert api.search(**{"proposal-label": label, "size": 100})["size"] == 100


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"size": 101}, [("size", "INVALID_VALUE")]),
        ({"size": 0}, [("size", "MUST_BE_POSITIVE")]),
        ({"size": "ten"}, [("size", "WRONG_TYPE")]),
        ({"page": -1}, [("page", "INVALID_VALUE")]),
        ({"sort-by": "LABEL"}, [("sort-by", "INVALID_VALUE")]),
        ({"sort-order": "asc"}, [("sort-order", "INVALID_VALUE")]),
        ({"workflow-status": "OPEN"}, [("workflow-status", "INVALID_VALUE")]),
        ({"created-after": "yesterday"}, [("created-after", "INVALID_DATE")]),
        ({"updated-after": "2026-13-01T00:00:00Z"}, [("updated-after", "INVALID_DATE")]),
        ({"sales-contact-id": "x"}, [("sales-contact-id", "WRONG_TYPE")]),
        ({"colour": "red"}, [("colour", "UNKNOWN_FIELD")]),
        ({"size": [1, 2]}, [("size", "INVALID_VALUE")]),
        ({"size": 500, "page": -2}, [("size", "INVALID_VALUE"), ("page", "INVALID_VALUE")]),
    ],
)
def test_invalid_parameters_are_400_with_every_violation(api, params, expected):
    response = api.get("/proposals/search", params=params)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert violations(response) == expected


def test_search_sees_a_change_at_once(api):
    label = unique_label()
    proposal, etag = api.create(label=label)
    time.sleep(0.002)
    response = api.change("PATCH", f"/proposals/{proposal['id']}", etag, json={"label": label})
    summary = api.search(**{"proposal-label": label})["content"][0]
    assert summary["updated"] == response.headers["ETag"] > etag
