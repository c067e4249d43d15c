"""Steps of the document journeys (issue 13): a proposal above 100,000 through the real forms,
files made on the spot, the checklist's rows, the e-signature page, and waiting for SFS.

The checklist does not update live: the portal learns of SFS's reviews, signatures and the
activation through its refresh cycle (beat's work; the worker fixture runs no beat), so the
tests run a cycle and reload the page until what they wait for shows."""

import re
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect

from proposals.models import Proposal, Status
from proposals.services.refresh import refresh_cycle
from proposals.services.sending import proposal_submit
from tests.browser.test_journeys import fill_customer, fill_office, save_and_continue
from tests.support.proposals import make_proposal
from tests.support.worker import wait_until

# Pricelist 502 of the sandbox's seed (office 1001): up to 500,000, terms 24 to 72 in steps of 6.
LARGE_CALCULATION = {
    "#id_pricelist": "502",
    "#id_payment_method": "1",
    "#id_payment_period": "MONTHLY",
    "#id_payment_mode": "ADVANCE",
}
ASSET_VALUE = "14500.00"
DEPOSIT = "5000.00"
SANDBOX_DELAYS = ("documentReviewDelaySeconds", "signingDelaySeconds", "activationDelaySeconds")
SIGNING_CALL = "POST /proposals/{id}/documents/signing"


# ---- the sandbox and the files --------------------------------------------------------------


@contextmanager
def sandbox_delays(sandbox, seconds: float):
    """Reviews, signatures and activation each ``seconds`` after their cause, then the
    settings as they were (the session's sandbox is shared)."""
    before = sandbox.set_settings()  # no change: answers the settings in force
    sandbox.set_settings(**dict.fromkeys(SANDBOX_DELAYS, seconds))
    try:
        yield
    finally:
        sandbox.set_settings(**{key: before[key] for key in SANDBOX_DELAYS})


def signing_calls(sandbox) -> int:
    return sandbox.stats()["requests"]["byEndpoint"].get(SIGNING_CALL, 0)


def small_pdf(folder: Path, file_name: str) -> Path:
    """A one-page PDF: SFS judges a file by its first bytes, the portal too."""
    body = (
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
        b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )
    path = folder / file_name
    path.write_bytes(body)
    return path


# ---- waiting for SFS ------------------------------------------------------------------------


def follow(tab, credential, expectation, *, timeout: float = 30, what: str = "") -> None:
    """Refresh cycle, reload, ``expectation()``; again until it holds or ``timeout`` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        refresh_cycle(credential=credential)
        tab.page.reload()
        try:
            expectation()
            return
        except AssertionError as missing:
            if time.monotonic() > deadline:
                raise AssertionError(f"not seen within {timeout} s: {what}\n{missing}") from None
        time.sleep(0.3)


def accepted_in_the_background(*, broker, credential, worker, **fields) -> Proposal:
    """A complete proposal (13,000 unless ``fields`` say otherwise) sent by the worker, the
    decision asked with it; returned once the refresh has its acceptance and checklist."""
    proposal = make_proposal(broker=broker, credential=credential, **fields)
    proposal_submit(proposal=proposal, user=broker)

    def accepted():
        current = Proposal.objects.get(pk=proposal.pk)
        if current.status == Status.SENT and current.sfs_id:
            refresh_cycle(credential=credential)
            current.refresh_from_db()
        return current.decision_status == "ACCEPTED" and current.documents and current

    return wait_until(
        accepted, timeout=30, interval=0.3, message=f"not accepted:\n{worker.log()[-3000:]}"
    )


# ---- the proposal's forms -------------------------------------------------------------------


def start_a_proposal(tab) -> Proposal:
    page = tab.page
    page.get_by_role("link", name="New proposal").click()
    tab.check("new")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+/step/office$"))
    return Proposal.objects.get(pk=re.search(r"/proposals/(\d+)/", page.url).group(1))


def fill_assets(tab, quantity: int) -> None:
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assets")
    page.locator("#id_assets-0-iac_code").select_option("ITE2201")
    page.locator("#id_assets-0-condition").select_option("NEW")
    page.locator("#id_assets-0-description").fill("Design workstations")
    page.locator("#id_assets-0-quantity").fill(str(quantity))
    page.locator("#id_assets-0-value_per_asset").fill(ASSET_VALUE)
    tab.check("assets")
    save_and_continue(tab)


def fill_large_calculation(tab) -> None:
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Calculation")
    page.wait_for_load_state("load")
    for selector, value in LARGE_CALCULATION.items():
        page.locator(selector).select_option(value)
    page.locator("#id_term").fill("36")
    page.locator("#id_special_1").fill(DEPOSIT)
    tab.check("calculation")
    save_and_continue(tab)


def review_and_send(tab) -> None:
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review and send")
    expect(page.get_by_text("Everything SFS needs for a decision is here.")).to_be_visible()
    page.get_by_label("Ask SFS for the credit decision as soon as it has the proposal").check()
    tab.check("review")
    page.get_by_role("button", name="Save and send to SFS").click()
    expect(page.get_by_role("alert").filter(has_text="Sent to the queue")).to_be_visible()


def proposal_through_the_forms(tab, quantity: int) -> Proposal:
    """From "New proposal" to sent with the decision asked: 14,500 a workstation, less 5,000."""
    proposal = start_a_proposal(tab)
    fill_office(tab)
    fill_customer(tab)
    fill_assets(tab, quantity)
    fill_large_calculation(tab)
    review_and_send(tab)
    return proposal


# ---- the checklist --------------------------------------------------------------------------


def checklist_row(page, name: str):
    """The checklist's row of the document SFS calls ``name``."""
    return page.locator("[data-checklist] tr[data-document]").filter(
        has=page.get_by_role("rowheader", name=name, exact=True)
    )


def upload(tab, name: str, path: Path) -> None:
    """Pick the file in the row's form and upload it; wait until the portal has taken it (the
    upload's state shows, the form gives way), so a reload cannot cut the upload short."""
    row = checklist_row(tab.page, name)
    form = row.locator("[data-upload-form]")
    form.locator("input[type=file]").set_input_files(str(path))
    form.get_by_role("button", name=re.compile("^Upload")).click()
    expect(row.locator("[data-upload-progress]")).to_contain_text(path.name)
    # uploads.js sets `hidden` on the form once the portal has the file; the broker must no
    # longer see a picker for a file already on its way.
    expect(form, f"the {name} row's file picker is still shown after the upload").to_be_hidden()


def send_for_signature(tab, documents: list[str], signatory: tuple[str, str, str]) -> None:
    """From the proposal's page: the e-signature page, the documents ticked, one signatory."""
    page = tab.page
    page.get_by_role("link", name="Send for e-signature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Send for e-signature")
    for document in documents:
        page.get_by_label(document, exact=True).check()
    first, last, email = signatory
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email").fill(email)
    tab.check("signing")
    page.get_by_role("button", name="Send for e-signature").click()
    expect(page.get_by_role("alert").filter(has_text="Sending the documents")).to_be_visible()
