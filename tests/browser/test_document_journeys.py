"""From an acceptance to an active contract, in a real Chromium against the sandbox and a real
worker (issue 13): every required document uploaded and signed until SFS activates the contract;
"more information needed" answered on the proposal's page; a signatory who declines; a rejected
file replaced. Every page is screenshotted, checked by axe-core and must log no console error."""

import re

import pytest
from playwright.sync_api import expect

from proposals.models import Proposal, UploadState
from tests.browser.documents_flow import (
    accepted_in_the_background,
    checklist_row,
    follow,
    proposal_through_the_forms,
    sandbox_delays,
    send_for_signature,
    signing_calls,
    small_pdf,
    upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.broker, pytest.mark.django_db(transaction=True)]

QUICK = 0.5  # seconds the sandbox takes to review, to sign and to activate
SHORT = 1_000  # ms: each look between two refresh cycles


def decision_reads(page, words: str):
    return lambda: expect(page.locator("[data-field-decision]")).to_have_text(words, timeout=SHORT)


def row_reads(page, name: str, *texts: str):
    def expectation():
        for text in texts:
            expect(checklist_row(page, name)).to_contain_text(text, timeout=SHORT)

    return expectation


def test_a_proposal_above_100000_from_an_empty_form_to_an_active_contract(
    open_tab, broker, portal_credential, sandbox, worker, tmp_path
):
    tab = open_tab("documents-activated")
    page = tab.page
    with sandbox_delays(sandbox, QUICK):
        tab.login(broker.username)
        proposal = proposal_through_the_forms(tab, quantity=10)  # 145,000 less 5,000
        follow(tab, portal_credential, decision_reads(page, "Accepted"), what="the acceptance")
        expect(page.locator("[data-decision='condition']")).to_contain_text("guarantee")
        expect(page.locator("[data-field-stage]")).to_contain_text("Documents")
        for name in ("Finance agreement", "Direct Debit mandate", "Supplier invoice"):
            expect(checklist_row(page, name)).to_contain_text("Required")
        # Above 100,000 SFS also asks who the customer is.
        expect(checklist_row(page, "Proof of identity")).to_contain_text("Required")
        expect(page.locator("[data-contract]")).to_have_count(0)
        tab.check("accepted-checklist")

        upload(tab, "Supplier invoice", small_pdf(tmp_path, "supplier-invoice.pdf"))
        upload(tab, "Proof of identity", small_pdf(tmp_path, "passport.pdf"))
        tab.check("uploads-on-their-way")

        def both_files_accepted():
            row_reads(page, "Supplier invoice", "Accepted", "Nothing: SFS has it.")()
            row_reads(page, "Proof of identity", "Accepted", "Nothing: SFS has it.")()

        follow(tab, portal_credential, both_files_accepted, what="both files reviewed")
        expect(page.locator("[data-field-stage]")).to_contain_text("Documents")
        tab.check("uploads-accepted")

        send_for_signature(
            tab,
            ["Finance agreement", "Direct Debit mandate"],
            ("Dana", "Whitfield", "dana.whitfield@example.test"),
        )
        tab.check("sent-for-signing")

        contract = page.locator("[data-contract]")
        follow(
            tab,
            portal_credential,
            lambda: expect(contract).to_be_visible(timeout=SHORT),
            timeout=40,
            what="the activation",
        )
    activated = Proposal.objects.get(pk=proposal.pk)
    assert activated.workflow_status == "ACTIVATED"
    assert re.fullmatch(r"C\d{8}", activated.contract_no or ""), activated.contract_no
    expect(contract.get_by_role("heading")).to_have_text(
        f"Contract {activated.contract_no} is active"
    )
    expect(page.locator("[data-field-stage]")).to_contain_text("Active")
    for name in ("Finance agreement", "Direct Debit mandate"):
        expect(checklist_row(page, name)).to_contain_text("Accepted")
    signatures = page.locator("[data-signing] [data-signatory-status]")
    expect(signatures).to_have_count(2)
    for index in range(2):
        expect(signatures.nth(index)).to_have_text("Dana Whitfield: signed")
    tab.check("activated")

    page.goto(f"{tab.base_url}/notifications/")
    expect(page.locator(".notification-list")).to_contain_text(
        f"Contract {activated.contract_no} is active"
    )
    tab.check("notified")


def test_above_250000_the_audited_accounts_go_from_the_proposal_page_to_an_acceptance(
    open_tab, broker, portal_credential, sandbox, worker, tmp_path
):
    tab = open_tab("documents-more-information")
    page = tab.page
    with sandbox_delays(sandbox, QUICK):
        tab.login(broker.username)
        proposal = proposal_through_the_forms(tab, quantity=20)  # 290,000 less 5,000
        follow(
            tab,
            portal_credential,
            decision_reads(page, "More information needed"),
            what="SFS asking for more information",
        )
        expect(page.locator("[data-decision='reason']")).to_contain_text("audited accounts")
        expect(page.locator("[data-field-stage]")).to_contain_text("Documents")
        accounts = checklist_row(page, "Audited accounts")
        expect(accounts).to_contain_text("Required")
        expect(accounts).to_contain_text("Upload the audited accounts.")
        tab.check("more-information")

        upload(tab, "Audited accounts", small_pdf(tmp_path, "audited-accounts-2025.pdf"))
        follow(
            tab,
            portal_credential,
            row_reads(page, "Audited accounts", "Accepted"),
            what="the accounts reviewed",
        )
        tab.check("accounts-accepted")

        page.get_by_role("button", name="Ask for the decision").click()
        expect(
            page.get_by_role("alert").filter(has_text="The credit decision is being asked for.")
        ).to_be_visible()
        tab.check("decision-asked-again")
        follow(tab, portal_credential, decision_reads(page, "Accepted"), what="the acceptance")
    expect(page.locator("[data-decision='condition']")).to_contain_text("guarantee")
    expect(checklist_row(page, "Audited accounts")).to_contain_text("Accepted")
    expect(checklist_row(page, "Finance agreement")).to_contain_text("Required")
    tab.check("accepted")
    assert Proposal.objects.get(pk=proposal.pk).workflow_status == "ACCEPTED"


def test_a_signatory_declines_and_the_broker_sends_a_new_request(
    open_tab, broker, portal_credential, sandbox, worker
):
    tab = open_tab("documents-declined-signature")
    page = tab.page
    with sandbox_delays(sandbox, QUICK):
        proposal = accepted_in_the_background(
            broker=broker, credential=portal_credential, worker=worker
        )
        calls_before = signing_calls(sandbox)
        tab.login(broker.username)
        tab.goto(f"/proposals/{proposal.pk}/")
        expect(checklist_row(page, "Finance agreement")).to_contain_text(
            "Sign the finance agreement: send it for e-signature."
        )
        tab.check("accepted")

        send_for_signature(
            tab, ["Finance agreement"], ("Derek", "Stone", "derek.decline@example.test")
        )
        declined = page.locator("[data-signing] [data-signatory-status='DECLINED']")

        def derek_declined():
            expect(declined).to_have_text("Derek Stone: declined", timeout=SHORT)
            expect(checklist_row(page, "Finance agreement")).to_contain_text(
                "A signatory declined: send the finance agreement for signature again."
            )

        follow(tab, portal_credential, derek_declined, what="the decline")
        tab.check("declined")

        send_for_signature(
            tab, ["Finance agreement"], ("Grace", "Okafor", "grace.okafor@example.test")
        )
        follow(
            tab,
            portal_credential,
            row_reads(page, "Finance agreement", "Accepted", "Nothing: SFS has it."),
            what="the new request signed",
        )
    expect(page.locator("[data-signing] [data-signatory-status]")).to_have_text(
        "Grace Okafor: signed"
    )
    tab.check("signed")
    assert signing_calls(sandbox) - calls_before == 2


def test_a_rejected_file_is_replaced_by_a_good_one(
    open_tab, broker, portal_credential, sandbox, worker, tmp_path
):
    tab = open_tab("documents-rejected-upload")
    page = tab.page
    with sandbox_delays(sandbox, QUICK):
        proposal = accepted_in_the_background(
            broker=broker, credential=portal_credential, worker=worker
        )
        tab.login(broker.username)
        tab.goto(f"/proposals/{proposal.pk}/")
        expect(checklist_row(page, "Supplier invoice")).to_contain_text(
            "Upload the supplier invoice."
        )
        tab.check("accepted")

        upload(tab, "Supplier invoice", small_pdf(tmp_path, "supplier-invoice-invalid.pdf"))
        follow(
            tab,
            portal_credential,
            row_reads(
                page,
                "Supplier invoice",
                "Rejected",
                "SFS rejected it: upload the supplier invoice again.",
                "Why: Unreadable document",
            ),
            what="the file rejected",
        )
        tab.check("rejected")

        upload(tab, "Supplier invoice", small_pdf(tmp_path, "supplier-invoice.pdf"))
        follow(
            tab,
            portal_credential,
            row_reads(page, "Supplier invoice", "Accepted", "Nothing: SFS has it."),
            what="the new file accepted",
        )
    expect(checklist_row(page, "Supplier invoice")).not_to_contain_text("Rejected")
    tab.check("replaced")
    uploads = list(proposal.uploads.order_by("created", "id").values_list("file_name", "state"))
    assert uploads == [
        ("supplier-invoice-invalid.pdf", UploadState.SUPERSEDED),
        ("supplier-invoice.pdf", UploadState.SENT),
    ]
