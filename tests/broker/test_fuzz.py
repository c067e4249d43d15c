"""No input ever produces a 500: arbitrary form posts on every step (Hypothesis), then every
page of the proposal still opens."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals.models import Proposal
from proposals.services.drafts import proposal_save_step
from tests.broker.helpers import CALCULATION, draft, step_url

pytestmark = pytest.mark.django_db

FIELDS = {
    "office": ["office", "sales_contact"],
    "customer": [
        "customer_kind", "registration_number", "source_country_code", "company_type",
        "company_name", "legal_form", "manual_registration_number", "date_of_incorporation",
        "address1", "address2", "city", "postal_code", "country",
    ],
    "assets": [],
    "calculation": [*CALCULATION, "special_2", "fee_1", "fee_3", "special_999", "residual_value"],
    "review": [
        "special_condition_text", "schedule_assets_description", "request_decision",
        "comment_to_risk_analyst", "siemens_may_contact_customer",
        "siemens_may_request_credit_data", "prelease",
    ],
}  # fmt: skip
ROW_FIELDS = {
    "partners": [
        "title", "first_name", "last_name", "date_of_birth", "address1", "city",
        "postal_code", "country", "guarantor", "DELETE",
    ],
    "assets": [
        "id", "iac_code", "condition", "description", "quantity", "value_per_asset",
        "age_in_months", "DELETE",
    ],
}  # fmt: skip
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.sampled_from(["1e400", "9" * 300, "-0", "0.001", "1,450.00", "£12", "31/02/2020", "NaN"]),
    st.floats().map(str),
)
value = st.one_of(text, numbers, st.lists(st.one_of(text, numbers), max_size=3))


def keys_for(step: str):
    plain = st.sampled_from(FIELDS[step] or ["x"])
    prefix = {"customer": "partners", "assets": "assets"}.get(step)
    if prefix is None:
        return st.one_of(plain, text)
    row = st.builds(
        lambda index, name: f"{prefix}-{index}-{name}",
        st.one_of(st.integers(0, 3), st.integers(-5, 10**6)),
        st.sampled_from(ROW_FIELDS[prefix]),
    )
    management = st.sampled_from([f"{prefix}-TOTAL_FORMS", f"{prefix}-INITIAL_FORMS"])
    return st.one_of(plain, row, management, text)


def posts(step: str):
    return st.dictionaries(keys_for(step), value, max_size=14)


@pytest.fixture
def fuzz_client(login, broker, mirror):
    return login(broker), draft(broker)


def _all_pages_open(client, proposal):
    for step in FIELDS:
        assert client.get(step_url(proposal, step)).status_code == 200
    for name in ("proposal_detail", "proposal_status"):
        assert client.get(reverse(name, args=[proposal.pk])).status_code == 200


@pytest.mark.parametrize("step", list(FIELDS))
def test_any_post_to_any_step_is_saved_or_explained_never_a_500(fuzz_client, step):
    client, proposal = fuzz_client

    @SETTINGS
    @given(data=posts(step), autosave=st.booleans(), go=st.sampled_from(["next", "stay", "add"]))
    def run(data, autosave, go):
        data = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
        data.setdefault("go", go)
        headers = {"HTTP_X_AUTOSAVE": "1"} if autosave else {}
        response = client.post(step_url(proposal, step), data, **headers)
        assert response.status_code in (200, 302), response.status_code
        if autosave:
            assert response.json()["saved"] is True
        assert client.get(step_url(proposal, step)).status_code == 200

    run()
    _all_pages_open(client, Proposal.objects.get(pk=proposal.pk))


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"office": ["1001", "1002"], "sales_contact": {"nested": "dict"}},
        {"assets-0-quantity": 10**40, "assets-0-value_per_asset": 1e308},
        {"partners-99999-first_name": "x", "partners--1-title": "1"},
        {"customer_kind": "manual", "\x00": "\x00", "company_name": "a\x00b"},
    ],
)
def test_odd_data_straight_into_the_service(broker, mirror, data):
    proposal = draft(broker)
    for step in FIELDS:
        problems = proposal_save_step(proposal=proposal, user=broker, step=step, data=data)
        assert isinstance(problems, list)


def test_huge_amounts_never_overflow_the_stored_amount(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    huge = {
        "assets-0-iac_code": "ITE2201", "assets-0-condition": "NEW",
        "assets-0-description": "x", "assets-0-quantity": "999999999",
        "assets-0-value_per_asset": "9999999999999",
    }  # fmt: skip
    client.post(step_url(proposal, "assets"), huge)
    proposal.refresh_from_db()
    assert proposal.amount_financed is None  # too large to hold; shown as unknown, no crash
    _all_pages_open(client, proposal)


def test_any_list_query_is_answered(login, broker, mirror):
    client = login(broker)
    draft(broker)

    @SETTINGS
    @given(query=st.dictionaries(st.sampled_from(["q", "status", "decision", "page", "x"]), value))
    def run(query):
        assert client.get(reverse("broker_home"), query).status_code == 200

    run()


def test_any_conflict_choice_is_answered(login, broker, mirror):
    from proposals.models import Status

    proposal = Proposal.objects.create(
        organisation=broker.organisation, broker=broker, status=Status.CONFLICT,
        reference="IP-2026-FUZZCONF", sfs_id=1,
        conflict={"groups": {"notes": {"mine": {"a": 1}, "theirs": None}, "assets": {}}},
    )  # fmt: skip
    client = login(broker)
    url = reverse("proposal_conflict", args=[proposal.pk])

    @SETTINGS
    @given(data=st.dictionaries(st.sampled_from(["choice_notes", "choice_assets", "x"]), value))
    def run(data):
        data = {
            k: v
            for k, v in data.items()
            if not (k.startswith("choice_") and v in ("mine", "theirs"))
        }
        assert client.post(url, data).status_code == 400

    run()
