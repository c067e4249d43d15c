"""The broker's pages in a real Chromium: rows added in place, autosave, the pricelist's limits,
the proposal's page following its state without a reload, no CSP breach, and axe's checks."""

import os
import re
import shutil

import pytest
from django.urls import reverse

from proposals.models import Proposal, Status
from tests.broker.helpers import draft, filled
from tests.broker.mirror_fixture import IT_LEASE_PLUS
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = os.environ.get("BROKER_SCREENSHOTS", "")  # a folder: screenshots of each page


@pytest.fixture
def page(live_server, broker, mirror, monkeypatch):
    if not CHROMIUM:
        pytest.skip("chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # plain synchronous ones all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.csp_errors = []
        tab.on(
            "console",
            lambda m: tab.csp_errors.append(m.text) if "Content Security Policy" in m.text else 0,
        )
        tab.goto(live_server.url + reverse("login"))
        tab.fill("#id_username", broker.username)
        tab.fill("#id_password", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url(re.compile(r".*/broker/"))
        tab.base = live_server.url
        yield tab
        browser.close()


def shot(tab, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        tab.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def axe_serious(tab) -> list:
    from axe_playwright_python.sync_playwright import Axe

    # The page's own content; the shared navigation is the base design's (not this module's).
    results = Axe().run(tab, context={"include": [["#main"]]})
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_draft_from_start_to_review(page, broker):
    page.goto(page.base + reverse("proposal_new"))
    shot(page, "new")
    page.click("text=Start")
    page.wait_for_url(re.compile(r".*/step/office"))
    page.select_option("#id_office", "1002")
    assert page.locator("#contact-rule").inner_text().startswith("This office is outside GB")
    assert page.locator("#id_sales_contact option[value='23076571']").is_hidden() is not None
    page.select_option("#id_office", "1001")
    page.select_option("#id_sales_contact", "23076571")
    shot(page, "office")
    assert axe_serious(page) == []
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r".*/step/customer"))
    assert page.locator("[data-kind-section=manual]").is_hidden()
    page.check("#id_customer_kind_1")
    assert page.locator("[data-kind-section=company]").is_hidden()
    page.fill("#id_company_name", "Lovelace Engines")
    page.click("[data-add-row=partners]")  # JS: no reload, a second row in place
    assert page.locator("#id_partners-1-first_name").is_visible()
    page.locator("#partners-1-row [data-remove-row]").click()
    assert page.locator("#partners-1-row").is_hidden()
    page.wait_for_selector('#autosave-status:text-is("Saved.")', timeout=10_000)  # autosave
    proposal = Proposal.objects.get()
    assert proposal.customer["companyName"] == "Lovelace Engines"
    shot(page, "customer")
    assert axe_serious(page) == []
    page.click("button[value=next]")  # errors for the manual customer: summary gets the focus
    page.wait_for_selector("#error-summary")
    page.wait_for_function("document.activeElement && document.activeElement.id")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    shot(page, "customer-errors")
    assert axe_serious(page) == []
    page.click("#error-summary a >> nth=0")
    assert page.evaluate("document.activeElement.id").startswith("id_")
    assert page.csp_errors == []


def test_pricelist_limits_follow_the_choice(page, broker):
    from django.test import Client

    client = Client()
    client.force_login(broker)
    proposal = filled(client, draft(broker))
    page.goto(page.base + reverse("proposal_step", args=[proposal.pk, "calculation"]))
    assert page.locator("#id_term_helptext").inner_text() == "12 to 60 months, in steps of 12."
    page.select_option("#id_pricelist", str(IT_LEASE_PLUS))
    assert page.locator("#id_term_helptext").inner_text() == "24 to 72 months, in steps of 6."
    assert "£5,000.00 to £500,000.00" in page.locator("#pricelist-limits").inner_text()
    shot(page, "calculation")
    assert axe_serious(page) == []
    page.goto(page.base + reverse("proposal_step", args=[proposal.pk, "assets"]))
    shot(page, "assets")
    assert axe_serious(page) == []
    page.goto(page.base + reverse("proposal_step", args=[proposal.pk, "review"]))
    shot(page, "review")
    assert axe_serious(page) == []
    assert page.csp_errors == []


def test_the_proposal_page_follows_its_state_without_reload(page, broker):
    proposal = Proposal.objects.create(
        organisation=broker.organisation, broker=broker, status=Status.QUEUED,
        reference="IP-2026-LIVE2345", office_id=1001,
    )  # fmt: skip
    page.goto(page.base + reverse("proposal_detail", args=[proposal.pk]))
    page.evaluate("window.notReloaded = true")
    assert "current" in page.locator("[data-progress-step=queued]").get_attribute("class")
    Proposal.objects.filter(pk=proposal.pk).update(
        status=Status.SENT, sfs_id=7000123, workflow_status="DECISION_REQUESTED",
        decision_status="PENDING",
    )  # fmt: skip
    page.wait_for_selector("[data-field-status] >> text=Sent", timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    assert "current" in page.locator("[data-progress-step=decided]").get_attribute("class")
    assert page.locator("[data-action=cancel]").is_visible()
    shot(page, "detail")
    assert axe_serious(page) == []
    page.goto(page.base + reverse("broker_home"))
    shot(page, "home")
    assert axe_serious(page) == []
    assert page.csp_errors == []
