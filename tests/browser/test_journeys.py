"""Three people's journeys through the portal in a real Chromium, against the sandbox and a real
worker process: a broker from login to an accepted decision, staff finding that proposal and its
calls, an admin testing the SFS connection. Every page is screenshotted, checked by axe-core and
must log no console error (a script broken by the CSP would)."""

import re
import signal
import time
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from proposals.models import Proposal, Status
from proposals.services.refresh import refresh_cycle
from tests.support.proposals import ACCEPTED_COMPANY, GB_OFFICE
from tests.support.worker import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.broker, pytest.mark.django_db(transaction=True)]

SALES_CONTACT = "23076571"  # Sarah Whitfield, office 1001
DECIDED = ("ACCEPTED", "DECLINED", "MORE_INFORMATION")


@contextmanager
def worker_paused(worker):
    """The worker stops taking tasks for a moment, so the page is seen waiting before the
    answer comes; it always resumes, since other tests share it."""
    worker.process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        worker.process.send_signal(signal.SIGCONT)


def save_and_continue(tab):
    tab.page.get_by_role("button", name="Save and continue").click()


# ------------------------------------------------------------------------------------------------
# Journey 1: the broker
# ------------------------------------------------------------------------------------------------
def fill_office(tab):
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Office")
    page.locator("#id_office").select_option(str(GB_OFFICE))
    page.locator("#id_sales_contact").select_option(SALES_CONTACT)
    tab.check("office")
    save_and_continue(tab)


def fill_customer(tab):
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Customer")
    page.get_by_label(re.compile("^A registered company")).check()
    page.locator("#id_registration_number").fill(ACCEPTED_COMPANY)
    page.locator("#id_source_country_code").fill("GB")
    page.locator("#id_company_type").select_option("LIMITED_COMPANY")
    tab.check("customer")
    save_and_continue(tab)


def fill_assets(tab):
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assets")
    page.locator("#id_assets-0-iac_code").select_option("ITE2201")
    page.locator("#id_assets-0-condition").select_option("NEW")
    page.locator("#id_assets-0-description").fill("Workstations")
    page.locator("#id_assets-0-quantity").fill("10")
    page.locator("#id_assets-0-value_per_asset").fill("1450.00")
    tab.check("assets")
    save_and_continue(tab)


CALCULATION = {
    "#id_pricelist": "501",
    "#id_payment_method": "1",
    "#id_payment_period": "MONTHLY",
    "#id_payment_mode": "ADVANCE",
}


def fill_calculation_with_a_wrong_term(tab):
    """Term 37 is no whole number of the pricelist's 12-month steps: the message sits at the
    term field; fixed to 36, the input is left unsaved (the autosave keeps it)."""
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Calculation")
    page.wait_for_load_state("load")
    for selector, value in CALCULATION.items():
        page.locator(selector).select_option(value)
    expect(page.locator("#pricelist-limits")).to_contain_text("12 to 60")
    page.locator("#id_term").fill("37")
    page.locator("#id_special_1").fill("1500.00")
    save_and_continue(tab)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Calculation")
    term = page.locator("[data-field='term']")
    expect(term.locator("#id_term_error")).to_be_visible()
    expect(term.locator("#id_term_error")).to_contain_text("in steps of 12")
    field = page.locator("#id_term")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile("id_term_error"))
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary a[href='#id_term']")).to_be_visible()
    tab.check("calculation-term-error")

    page.locator("#error-summary a[href='#id_term']").click()
    page.locator("#id_term").fill("36")
    expect(page.locator("#autosave-status")).to_have_text("Saved.", timeout=10_000)


def leave_and_come_back(tab, proposal_name):
    """Away to the list mid-form, back through "Continue": everything typed is there."""
    page = tab.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My proposals").click()
    expect(page.get_by_role("heading", name="My proposals")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=proposal_name)
    expect(row).to_contain_text(ACCEPTED_COMPANY)
    tab.check("list-with-draft")

    row.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Calculation")
    page.wait_for_load_state("load")
    for selector, value in CALCULATION.items():
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("#id_term")).to_have_value("36")
    expect(page.locator("#id_special_1")).to_have_value("1500.00")
    expect(page.locator("#id_term_error")).to_have_count(0)
    tab.check("calculation-back")


def get_a_quote(tab, worker):
    """Saved, then "Get a quote": the page waits, and the answer appears in it, no reload."""
    page = tab.page
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Saved.")).to_be_visible()
    with worker_paused(worker):
        page.get_by_role("button", name="Get a quote").click()
        expect(page.locator("[data-quote-waiting]")).to_have_text("Asking SFS…")
        tab.mark()
    answer = page.locator("[data-quote]")
    expect(answer).to_contain_text("Instalment", timeout=20_000)
    expect(answer).to_contain_text("36 payments")
    # 14,500 of assets less the 1,500 deposit
    expect(answer).to_contain_text(re.compile(r"amount financed 13,?000\b"))
    tab.assert_not_reloaded()
    tab.check("calculation-quote")
    save_and_continue(tab)


def review_and_send(tab):
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review and send")
    expect(page.get_by_text("Everything SFS needs for a decision is here.")).to_be_visible()
    page.get_by_label("Ask SFS for the credit decision as soon as it has the proposal").check()
    tab.check("review")
    page.get_by_role("button", name="Save and send to SFS").click()
    expect(page.get_by_role("alert").filter(has_text="Sent to the queue")).to_be_visible()


def follow_to_the_decision(tab, proposal, credential, worker):
    """The page follows the proposal to SFS's decision by polling; the portal learns of the
    decision through the refresh cycle, run here until it has."""
    page = tab.page
    tab.mark()
    tab.check("proposal-queued")
    # The worker sends it and asks for the decision; the page follows (it polls while busy).
    expect(page.locator("[data-field-status]")).to_have_text("Sent", timeout=20_000)
    decision = page.locator("[data-field-decision]")
    expect(decision).to_have_text("Pending: SFS is deciding", timeout=20_000)
    expect(page.locator("[data-progress-step='decided']")).to_have_class("current")
    tab.check("proposal-pending")

    def decided():
        sent = Proposal.objects.get(pk=proposal.pk)
        if sent.status == Status.SENT and sent.sfs_id:
            refresh_cycle(credential=credential)
            sent.refresh_from_db()
        return sent.decision_status in DECIDED and sent

    done = wait_until(
        decided, timeout=30, interval=0.3, message=f"no decision:\n{worker.log()[-3000:]}"
    )
    assert done.decision_status == "ACCEPTED"
    # Nothing is in flight now, so the page polls slowly (every 20 s): skip the wait forward
    # (again, should a poll have been on its way with the old answer).
    for _ in range(5):
        page.clock.fast_forward(21_000)
        try:
            expect(decision).to_have_text("Accepted", timeout=2_000)
            break
        except AssertionError:
            continue
    expect(decision).to_have_text("Accepted", timeout=1_000)
    expect(page.locator("[data-field-status]")).to_have_text("Sent")
    expect(page.locator("[data-field-workflow]")).to_have_text("Accepted")
    expect(page.locator("[data-progress-step='decided']")).to_have_class("done")
    expect(page.locator("[data-decision-box]")).to_be_visible()
    expect(page.locator("[data-decision='valid_until']")).not_to_have_text("—")
    tab.assert_not_reloaded()
    tab.check("proposal-accepted")
    return done


def broker_journey(tab, broker, credential, worker) -> Proposal:
    page = tab.page
    tab.page.clock.install()  # time runs as usual; the slow poll can be skipped forward
    tab.login(broker.username)
    expect(page.get_by_role("heading", name="My proposals")).to_be_visible()
    tab.check("my-proposals")
    page.get_by_role("link", name="New proposal").click()
    tab.check("new")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+/step/office$"))
    proposal = Proposal.objects.get(pk=re.search(r"/proposals/(\d+)/", page.url).group(1))
    assert proposal.broker_id == broker.pk and proposal.status == Status.DRAFT
    fill_office(tab)
    fill_customer(tab)
    fill_assets(tab)
    fill_calculation_with_a_wrong_term(tab)
    leave_and_come_back(tab, str(proposal))
    get_a_quote(tab, worker)
    review_and_send(tab)
    return follow_to_the_decision(tab, proposal, credential, worker)


# ------------------------------------------------------------------------------------------------
# Journey 2: staff
# ------------------------------------------------------------------------------------------------
def staff_journey(tab, staff, proposal):
    page = tab.page
    tab.login(staff.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review")
    tab.check("dashboard")

    page.get_by_role("searchbox", name="Search").fill(proposal.reference)
    page.get_by_role("button", name="Apply").click()
    table = page.locator("table.staff-dashboard")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Example Tools Ltd")
    tab.check("dashboard-search")

    table.get_by_role("link", name=proposal.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(proposal.reference)
    calls = page.locator("tr.timeline-call")
    create = calls.filter(has_text="POST /proposals").filter(has_text="HTTP 201")
    expect(create).to_have_count(1)
    expect(create.locator("code.trace-id")).to_have_text(re.compile(r"\S{8,}"))
    decision = calls.filter(has=page.locator("code", has_text=re.compile(r"POST .*/decision$")))
    expect(decision.first.locator("code.trace-id")).to_have_text(re.compile(r"\S{8,}"))
    trace_ids = calls.locator("code.trace-id").all_inner_texts()
    assert len(trace_ids) >= 3 and all(trace_ids), trace_ids
    expect(page.locator("tr.timeline-event").first).to_be_visible()
    tab.check("timeline")


def test_broker_sends_to_a_decision_and_staff_follow_its_calls(
    open_tab, broker, staff, portal_credential, worker
):
    started = time.monotonic()
    proposal = broker_journey(open_tab("broker"), broker, portal_credential, worker)
    assert proposal.reference.startswith("IP-")
    staff_journey(open_tab("staff"), staff, proposal)
    print(f"broker and staff journeys: {time.monotonic() - started:.1f} s")


# ------------------------------------------------------------------------------------------------
# Journey 3: the admin
# ------------------------------------------------------------------------------------------------
def test_admin_tests_the_connection_live(open_tab, admin_user, portal_credential, worker):
    tab = open_tab("admin")
    page = tab.page
    tab.login(admin_user.username)
    expect(page.get_by_role("heading", name="SFS connection")).to_be_visible()
    tab.check("sfs-connection")

    card = page.locator(f"#credential-{portal_credential.pk}")
    with worker_paused(worker):
        card.get_by_role("button", name="Test connection").click()
        outcome = card.locator(".connection-test")
        expect(outcome.locator("[data-field='label']")).to_have_text("Queued")
        tab.mark()
    expect(outcome.locator("[data-field='label']")).to_have_text("Succeeded", timeout=20_000)
    expect(outcome.locator("[data-field='trace_id']")).to_have_text(re.compile(r"\S{8,}"))
    expect(outcome.locator("[data-field='trace_id']")).not_to_have_text("—")
    expect(outcome).to_have_class(re.compile("border-success"))
    tab.assert_not_reloaded()
    tab.check("connection-tested")
