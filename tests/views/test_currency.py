"""A proposal's amount shows in its own currency on every page and in the export (issue 15).

Office 1002 (Ireland) works in euros, office 1001 (GB) in pounds, as in the sandbox's seed.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.models import MirroredOffice, Proposal, Status
from proposals.selectors_currency import currency_book
from proposals.templatetags.portal import money_in
from tests.broker.mirror_fixture import IE_OFFICE, MEDICAL_HP, build_mirror
from tests.support.proposals import GB_OFFICE, asset, make_proposal

EURO_SHEET = {
    "introducerPricelistId": MEDICAL_HP,
    "marketProductId": 10,
    "paymentMethod": {"id": 3},
    "paymentMode": "ADVANCE",
    "paymentPeriod": "MONTHLY",
    "term": 36,
}


def _sent(broker, reference, office_id, amount, **fields):
    return make_proposal(
        broker=broker,
        status=Status.SENT,
        reference=reference,
        office_id=office_id,
        amount_financed=Decimal(amount),
        **fields,
    )


@pytest.fixture
def deals(organisation, broker):
    credential = build_mirror(organisation)
    euro = _sent(
        broker,
        "IP-EUR-1",
        IE_OFFICE,
        "84000.00",
        credential=credential,
        assets=[asset("8400.00", 10, "MED3101")],
        calculation={"sheet": EURO_SHEET},
    )
    pound = _sent(broker, "IP-GBP-1", GB_OFFICE, "13000.00", credential=credential)
    return euro, pound


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _amount_cell(html: str, currency: str, text: str) -> bool:
    """The amount with its sign, and the ISO code in the title for screen readers and tooltips."""
    cell = f'<span class="amount" data-currency="{currency}" title="{currency}">{text}</span>'
    return cell in html


def test_the_broker_list_shows_each_amount_in_its_currency(login, broker, deals):
    html = _html(login(broker), reverse("broker_home"))
    assert _amount_cell(html, "EUR", "€84,000.00")
    assert _amount_cell(html, "GBP", "£13,000.00")
    assert "£84,000.00" not in html


def test_the_broker_page_shows_the_euro_amount(login, broker, deals):
    euro, pound = deals
    html = _html(login(broker), reverse("proposal_detail", args=[euro.pk]))
    assert "€84,000.00" in html and "£84,000.00" not in html
    html = _html(login(broker), reverse("proposal_detail", args=[pound.pk]))
    assert "£13,000.00" in html


def test_the_staff_dashboard_and_page_show_each_amount_in_its_currency(login, staff, deals):
    euro, pound = deals
    client = login(staff)
    html = _html(client, reverse("staff_home"))
    assert _amount_cell(html, "EUR", "€84,000.00")
    assert _amount_cell(html, "GBP", "£13,000.00")
    assert "£84,000.00" not in html
    html = _html(client, reverse("staff_proposal", args=[euro.pk]))
    assert _amount_cell(html, "EUR", "€84,000.00") and "£84,000.00" not in html
    html = _html(client, reverse("staff_proposal", args=[pound.pk]))
    assert _amount_cell(html, "GBP", "£13,000.00")


def _export(client, **params) -> list[dict]:
    response = client.get(reverse("staff_export"), params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_export_gives_each_amount_its_currency(login, staff, deals):
    rows = {row["Reference"]: row for row in _export(login(staff))}
    assert (rows["IP-EUR-1"]["Amount financed"], rows["IP-EUR-1"]["Currency"]) == (
        "84000.00",
        "EUR",
    )
    assert (rows["IP-GBP-1"]["Amount financed"], rows["IP-GBP-1"]["Currency"]) == (
        "13000.00",
        "GBP",
    )


@pytest.fixture
def mixed(broker, deals):
    # Interleaved on purpose: by amount alone the currencies would alternate.
    for reference, office_id, amount in [
        ("IP-EUR-2", IE_OFFICE, "500.00"),
        ("IP-GBP-2", GB_OFFICE, "90000.00"),
        ("IP-EUR-3", IE_OFFICE, "200000.00"),
        ("IP-GBP-3", GB_OFFICE, "1000.00"),
    ]:
        _sent(broker, reference, office_id, amount)


EURO_UP = ["IP-EUR-2", "IP-EUR-1", "IP-EUR-3"]
POUND_UP = ["IP-GBP-3", "IP-GBP-1", "IP-GBP-2"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("amount", EURO_UP + POUND_UP),
        ("-amount", EURO_UP[::-1] + POUND_UP[::-1]),
    ],
)
def test_sorting_by_amount_groups_the_currencies(login, staff, mixed, sort, expected):
    client = login(staff)
    page = client.get(reverse("staff_home"), {"sort": sort}).context["page"]
    assert [p.reference for p in page.object_list] == expected
    assert [row["Reference"] for row in _export(client, sort=sort)] == expected


def test_a_pricelist_in_another_currency_wins_over_its_office(organisation, broker, deals):
    euro, pound = deals
    office = MirroredOffice.objects.get(office_id=GB_OFFICE)
    pricelists = office.calculation_config["pricelists"]
    chosen = next(p for p in pricelists if p["id"] == 501)
    chosen["currency"] = "USD"
    office.save()
    book = currency_book(organisation_id=organisation.pk)
    assert book.for_proposal(pound) == "USD"  # the sheet chose pricelist 501
    assert book.for_proposal(euro) == "EUR"
    annotated = Proposal.objects.annotate(amount_currency=book.expression())
    assert dict(annotated.values_list("reference", "amount_currency")) == {
        "IP-EUR-1": "EUR",
        "IP-GBP-1": "USD",
    }


def test_a_proposal_without_a_known_office_shows_a_bare_amount(login, broker, deals):
    _sent(broker, "IP-NONE-1", 4040, "777.00")
    html = _html(login(broker), reverse("broker_home"))
    assert '<span class="amount" data-currency="">777.00</span>' in html


def test_money_in_formats_known_and_unknown_currencies():
    assert money_in("84000", "EUR") == "€84,000.00"
    assert money_in(Decimal("13000.5"), "GBP") == "£13,000.50"
    assert money_in("-12.5", "EUR") == "-€12.50"
    assert money_in("84000", "XYZ") == "84,000.00 XYZ"
    assert money_in("84000", "") == "84,000.00"
    assert money_in(None, "EUR") == ""
    assert money_in("n/a", "EUR") == "n/a"
    assert money_in("NaN", "EUR") == "NaN"
