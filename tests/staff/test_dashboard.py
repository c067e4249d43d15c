"""The dashboard and its export: exactly the expected rows, in the expected order."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Credential, MirroredOffice, Status
from proposals.selectors_staff import dashboard_query, known_count, status_counts
from tests.staff.conftest import proposal_make


@pytest.fixture
def world(organisation, broker, broker2, staff, other_broker):
    """Five proposals of Acme with known facts, one of a rival firm that must never show."""
    now = timezone.now()
    credential = Credential.objects.create(
        organisation=organisation,
        environment="sandbox",
        api_url="http://sandbox.test/api",
        token_url="http://sandbox.test/token",
        client_id="acme",
        client_secret_encrypted="not-a-secret",
        is_active=True,
    )
    for office_id, name in ((10, "Leeds"), (20, "Bristol")):
        MirroredOffice.objects.create(
            credential=credential,
            office_id=office_id,
            name=name,
            country_code="GB",
            refreshed_at=now,
        )
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    rows = {
        "A": proposal_make(
            broker,
            status=Status.SENT,
            reference="IP-A-001",
            customer_name="Alpha Plant Ltd",
            sfs_id=1001,
            office_id=10,
            amount_financed=Decimal("5000.00"),
            decision_status="ACCEPTED",
            workflow_status="ACCEPTED",
            created=days(5),
            updated=days(3),
            last_checked_at=days(1),
        ),
        "B": proposal_make(
            broker2,
            status=Status.FAILED,
            reference="IP-B-002",
            customer_name="Beta Cranes",
            sfs_id=1002,
            office_id=20,
            amount_financed=Decimal("12000.00"),
            last_error_code="VALIDATION",
            last_error_message="The VAT number is wrong",
            created=days(4),
            updated=days(2),
        ),
        "C": proposal_make(
            broker,
            status=Status.QUEUED,
            reference="IP-C-003",
            customer_name="Gamma Alpha Holdings",
            office_id=10,
            amount_financed=Decimal("700.00"),
            queued_at=days(3),
            created=days(3),
            updated=days(1),
        ),
        "D": proposal_make(
            broker2,
            status=Status.CONFLICT,
            reference="IP-D-004",
            customer_name="Delta Diggers",
            sfs_id=2004,
            office_id=20,
            amount_financed=Decimal("900.00"),
            decision_status="PENDING",
            created=days(1),
            updated=now - timedelta(hours=5),
        ),
        "E": proposal_make(
            broker,
            status=Status.DRAFT,
            customer_name='=HYPERLINK("http://x")',
            amount_financed=Decimal("1.00"),
            created=now,
            updated=now - timedelta(hours=1),
        ),
    }
    proposal_make(other_broker, status=Status.SENT, customer_name="Alpha Foreign", sfs_id=1001)
    return rows


def _letters(world, rows):
    by_pk = {p.pk: letter for letter, p in world.items()}
    return [by_pk.get(p.pk, f"?{p.pk}") for p in rows]


def _page(login, staff, **params):
    response = login(staff).get(reverse("staff_home"), params)
    assert response.status_code == 200
    return response


def _rows(login, staff, world, **params):
    return _letters(world, _page(login, staff, **params).context["page"].object_list)


def _export(login, staff, **params):
    response = login(staff).get(reverse("staff_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"  # issue 10, point 8
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))  # after the BOM


CASES = [
    ({}, ["E", "D", "C", "B", "A"]),
    ({"status": "FAILED"}, ["B"]),
    ({"status": "DRAFT"}, ["E"]),
    ({"decision": "ACCEPTED"}, ["A"]),
    ({"decision": "PENDING"}, ["D"]),
    ({"broker": "BRUNO"}, ["D", "B"]),
    ({"office": "10"}, ["C", "A"]),
    ({"office": "20", "status": "CONFLICT"}, ["D"]),
    ({"created_from": "DAYS-4"}, ["E", "D", "C", "B"]),
    ({"created_from": "DAYS-4", "created_to": "DAYS-3"}, ["C", "B"]),
    ({"created_to": "DAYS-5"}, ["A"]),
    ({"stuck": "1"}, ["C"]),
    ({"q": "alpha"}, ["C", "A"]),
    ({"q": "1002"}, ["B"]),
    ({"q": "ip-d"}, ["D"]),
    ({"q": "no such thing"}, []),
    ({"q": "alpha", "office": "10", "sort": "amount"}, ["C", "A"]),
    ({"sort": "amount"}, ["E", "C", "D", "A", "B"]),
    ({"sort": "-amount"}, ["B", "A", "D", "C", "E"]),
    ({"sort": "customer"}, ["E", "A", "B", "D", "C"]),
    ({"sort": "broker"}, ["A", "C", "E", "B", "D"]),  # ties: oldest id first
    ({"sort": "-created"}, ["E", "D", "C", "B", "A"]),
    ({"sort": "updated"}, ["A", "B", "C", "D", "E"]),
    ({"sort": "status", "broker": "BRUNO"}, ["D", "B"]),
    ({"sort": "password"}, ["E", "D", "C", "B", "A"]),  # not whitelisted: the default
]


def _params(params, broker2):
    today = timezone.localdate()
    out = {}
    for key, value in params.items():
        if value == "BRUNO":
            value = str(broker2.pk)
        elif value.startswith("DAYS-"):
            value = (today - timedelta(days=int(value[5:]))).isoformat()
        out[key] = value
    return out


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_filters_search_and_sort_return_exactly_the_expected_rows(
    login, staff, broker2, world, params, expected
):
    params = _params(params, broker2)
    assert _rows(login, staff, world, **params) == expected


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_export_returns_the_same_rows_in_the_same_order(
    login, staff, broker2, world, params, expected
):
    rows = _export(login, staff, **_params(params, broker2))
    assert rows[0][0] == "Reference"
    customers = {p.customer_name: letter for letter, p in world.items()}
    customer_column = rows[0].index("Customer")
    got = [customers.get(r[customer_column].lstrip("'"), r) for r in rows[1:]]
    assert got == expected


def test_export_guards_against_csv_injection(login, staff, world):
    rows = _export(login, staff, status="DRAFT")
    header, (draft,) = rows[0], rows[1:]
    assert draft[header.index("Customer")] == '\'=HYPERLINK("http://x")'
    assert draft[header.index("Amount financed")] == "1.00"  # a number stays a number
    rows = _export(login, staff, status="FAILED")
    failed = dict(zip(rows[0], rows[1], strict=True))
    assert failed["Office"] == "Bristol"
    assert failed["Broker"] == "Bruno"
    assert failed["Last error code"] == "VALIDATION"


def test_counts_per_status_and_their_links(login, staff, world):
    response = _page(login, staff)
    counts = response.context["counts"]
    assert counts["SENT"] == 1 and counts["FAILED"] == 1 and counts["DRAFT"] == 1
    assert counts["QUEUED"] == 1 and counts["CONFLICT"] == 1 and counts["GONE"] == 0
    assert counts["STUCK"] == 1
    page = response.content.decode()
    assert 'href="?status=FAILED"' in page and 'href="?stuck=1"' in page


def test_attention_rows_stand_out_with_a_text_badge(login, staff, world):
    page = _page(login, staff).context["page"]
    flagged = {p.reference: (p.needs_attention, p.is_stuck) for p in page.object_list}
    assert flagged["IP-B-002"] == (True, False)
    assert flagged["IP-D-004"] == (True, False)
    assert flagged["IP-C-003"] == (False, True)
    assert flagged["IP-A-001"] == (False, False)
    html = _page(login, staff, status="FAILED").content.decode()
    assert "row-attention table-warning" in html and "Needs attention" in html
    html = _page(login, staff, stuck="1").content.decode()
    assert "row-attention table-warning" in html and ">Stuck</span>" in html


def test_the_page_shows_the_columns(login, staff, world):
    html = _page(login, staff, status="FAILED").content.decode()
    for text in (
        "IP-B-002",
        "Beta Cranes",
        "Bruno",
        "Bristol",
        "12,000.00",
        "VALIDATION",
        "The VAT number is wrong",
        "SFS 1002",
    ):
        assert text in html, text
    assert 'aria-sort="descending"' not in html  # default sort (updated) has no column
    html = _page(login, staff, sort="-amount").content.decode()
    assert 'aria-sort="descending"' in html


def test_invalid_filters_are_reported_and_ignored(login, staff, world):
    response = _page(login, staff, status="NOPE", q="alpha")
    assert response.context["form"].errors["status"]
    assert _letters(world, response.context["page"].object_list) == ["C", "A"]


def test_pagination_is_stable_when_rows_tie(login, staff, broker):
    same = timezone.now()
    for n in range(120):
        proposal_make(broker, reference=f"IP-P-{n:03d}", updated=same)
    seen = []
    for number in (1, 2, 3):
        page = _page(login, staff, page=str(number)).context["page"]
        seen += [p.reference for p in page.object_list]
        assert page.paginator.count == 120 and page.paginator.num_pages == 3
    assert len(seen) == 120 and len(set(seen)) == 120
    filtered = _page(login, staff, q="IP-P-1", page="1").context["page"]
    assert filtered.paginator.count == 20


def test_known_count_spares_a_count_only_when_it_is_exact(staff, world):
    counts = status_counts(user=staff)
    assert known_count(filters={}, counts=counts) == 5
    assert known_count(filters={"status": "FAILED", "sort": "amount"}, counts=counts) == 1
    assert known_count(filters={"stuck": True}, counts=counts) == 1
    assert known_count(filters={"q": "alpha"}, counts=counts) is None
    assert dashboard_query(user=staff, filters={"q": "alpha"}).count() == 2


def test_the_broker_filter_offers_brokers_and_owners_only(login, broker, staff, admin_user):
    from proposals.forms.staff import DashboardFilterForm
    from tests.support.proposals import make_proposal

    form = DashboardFilterForm(user=staff)
    offered = set(form.fields["broker"].queryset)
    assert broker in offered and staff not in offered and admin_user not in offered
    make_proposal(broker=staff)  # a staff member who tested owns a proposal: now offered
    assert staff in set(DashboardFilterForm(user=staff).fields["broker"].queryset)


def test_retry_is_offered_only_for_a_failure_a_retry_can_mend(login, broker, staff):
    from django.urls import reverse

    from proposals.models import Status
    from tests.support.proposals import make_proposal

    client = login(staff)
    refused = make_proposal(
        broker=broker,
        status=Status.FAILED,
        reference="IP-RETRY-400",
        violations=[{"field": "assets[0].quantity", "code": "MUST_BE_POSITIVE"}],
    )
    broken = make_proposal(broker=broker, status=Status.FAILED, reference="IP-RETRY-503")
    retry = reverse("staff_retry_send", args=[refused.pk])
    page = client.get(reverse("staff_proposal", args=[refused.pk])).content.decode()
    assert retry not in page and "would fail again" in page
    page = client.get(reverse("staff_proposal", args=[broken.pk])).content.decode()
    assert reverse("staff_retry_send", args=[broken.pk]) in page


def test_the_staff_page_shows_the_customer_and_the_assets(login, broker, staff):
    from django.urls import reverse

    from tests.support.proposals import make_proposal

    proposal = make_proposal(broker=broker)
    page = login(staff).get(reverse("staff_proposal", args=[proposal.pk])).content.decode()
    assert "The proposal" in page  # the broker's summary of the parts
    assert "Workstations" in page  # the asset's description
    assert proposal.customer["registrationNumber"] in page
