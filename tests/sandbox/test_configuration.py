"""CONTRACT.md section 5 (configuration per office) and the seed of section 7."""

from decimal import Decimal

import pytest

from tests.sandbox.helpers import assert_error, seed, violations


def test_each_introducer_sees_its_own_offices_only(api, other_api):
    demo = api.get("/common/offices").json()
    other = other_api.get("/common/offices").json()
    assert {o["id"] for o in demo} >= {1001, 1002}
    assert {o["countryCode"] for o in demo} >= {"GB", "IE"}
    assert [o["id"] for o in other] == [2001]
    assert not {o["id"] for o in demo} & {o["id"] for o in other}
    office = next(o for o in demo if o["id"] == 1001)
    assert set(office) == {"id", "name", "countryCode", "postalAddress"}
    assert office["countryCode"] == "GB"
    assert {"address1", "city", "postalCode", "country"} <= set(office["postalAddress"])


@pytest.mark.parametrize(
    "path",
    ["/common/sales-contacts", "/common/iac-codes", "/common/calculation-config"],
)
def test_office_calls_answer_403_for_another_introducers_office_and_404_for_none(
    api, other_api, path
):
    assert api.get(path, params={"office-id": 1001}).status_code == 200
    assert_error(api.get(path, params={"office-id": 2001}), 403, "FORBIDDEN")
    assert_error(other_api.get(path, params={"office-id": 1001}), 403, "FORBIDDEN")
    assert_error(api.get(path, params={"office-id": 9999}), 404, "NOT_FOUND")
    assert violations(api.get(path)) == [("office-id", "REQUIRED")]
    assert violations(api.get(path, params={"office-id": "x"})) == [("office-id", "WRONG_TYPE")]
    response = api.get(path, params={"office-id": 1001, "colour": "red"})
    assert violations(response) == [("colour", "UNKNOWN_FIELD")]


def test_sales_contacts_of_an_office_include_a_blocked_one(api):
    for office in (1001, 1002, 1003):
        contacts = api.get("/common/sales-contacts", params={"office-id": office}).json()
        assert len(contacts) >= 3
        assert all(office in c["officeIds"] for c in contacts)
        blocked = [c for c in contacts if c["blocked"]]
        assert len(blocked) == 1 and blocked[0]["blockedReason"]
        contact = contacts[0]
        assert set(contact) == {
            "id", "firstName", "lastName", "title", "email", "phone", "role", "blocked",
            "blockedReason", "officeIds",
        }  # fmt: skip
        assert set(contact["title"]) == {"id", "name"}
        assert set(contact["role"]) == {"alias", "name"}


def test_iac_codes_form_a_two_level_tree_per_office(api):
    codes = api.get("/common/iac-codes", params={"office-id": 1001}).json()
    tops = {c["iacCode"] for c in codes if c["parentCode"] is None}
    leaves = [c for c in codes if c["parentCode"] is not None]
    assert tops == {"ITE", "OFF"}
    assert leaves and all(leaf["parentCode"] in tops for leaf in leaves)
    assert {"iacCode": "ITE2201", "name": "Desktop standalone PC", "parentCode": "ITE"} in codes
    everything = {c["iacCode"] for c in seed()["iacCodes"]}
    assert len(everything) >= 12


def test_the_calculation_config_keeps_the_rate_inside_the_sandbox(api):
    config = api.get("/common/calculation-config", params={"office-id": 1001}).json()
    assert config["officeId"] == 1001 and config["currency"] == "GBP"
    assert {"marketProducts", "paymentMethods", "specialPaymentTypes", "feeTypes"} <= set(config)
    pricelist = config["introducerPricelists"][0]
    assert set(pricelist) == {
        "id", "name", "marketProductId", "currency", "minTerm", "maxTerm", "termStep",
        "minAmountFinanced", "maxAmountFinanced", "paymentPeriods", "paymentModes", "iacCodes",
        "maxDownPaymentPercent", "residualValueAllowed",
    }  # fmt: skip
    assert all(product["assetProduct"] for product in config["marketProducts"])
    assert all(kind["downPaymentType"] for kind in config["specialPaymentTypes"])


def test_legal_forms_and_titles(api):
    forms = api.get("/common/legal-forms").json()
    assert {f["code"] for f in forms} == {
        "LIMITED_COMPANY", "PLC", "LLP", "PARTNERSHIP", "SOLE_TRADER", "OTHER",
    }  # fmt: skip
    assert all(set(f) == {"id", "code", "name", "partnership"} for f in forms)
    titles = api.get("/common/titles").json()
    assert {"Mr", "Mrs", "Ms", "Dr"} <= {t["name"] for t in titles}
    assert violations(api.get("/common/titles", params={"x": 1})) == [("x", "UNKNOWN_FIELD")]


def test_the_seed_reaches_every_rule():
    data = seed()
    pricelists = data["pricelists"]
    assert len(pricelists) >= 5
    assert len(data["marketProducts"]) >= 3
    for key in ("minTerm", "maxTerm", "termStep", "maxAmountFinanced", "nominalAnnualRate"):
        assert len({p[key] for p in pricelists}) >= 3, key
    assert len({tuple(p["paymentPeriods"]) for p in pricelists}) >= 3
    assert len({tuple(p["paymentModes"]) for p in pricelists}) >= 3
    assert len({tuple(p["iacCodes"]) for p in pricelists}) >= 3
    ten_thousand = Decimal(10_000)
    assert all(p["minAmountFinanced"] <= ten_thousand <= p["maxAmountFinanced"] for p in pricelists)
    assert all(Decimal(p["nominalAnnualRate"]) > 0 for p in pricelists)
    demo_offices = {o["id"] for o in data["offices"] if o["clientId"] == "demo-introducer"}
    assert any(
        p["officeId"] in demo_offices and p["maxAmountFinanced"] > 300_000 for p in pricelists
    )
    numbers = [c["registrationNumber"] for c in data["companies"]]
    assert len(numbers) >= 20
    assert any(n.endswith("99") for n in numbers) and any(n.endswith("77") for n in numbers)
    assert {c["clientId"] for c in data["introducers"]} == {"demo-introducer", "other-introducer"}
