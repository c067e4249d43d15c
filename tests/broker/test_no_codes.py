"""No broker page shows SFS's enums, the API's field names or a trace id (issue 15).

Each proposal below is in one state, with the events and notifications the services write in that
state (their own message formats, codes and trace ids included). Every page a broker can open is
read as a person reads it (text only: no attributes, no scripts) and scanned.
"""

import itertools
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from proposals.models import Notification, ProposalEvent, Status
from proposals.services.credentials import describe_error
from proposals.services.notifications import decision_message, error_message, notification_send
from proposals.siesmart import enums, errors
from tests.support.proposals import make_proposal

pytestmark = pytest.mark.django_db

ENUM_VALUES = {
    str(member)
    for enum in (
        enums.WorkflowStatus,
        enums.DecisionStatus,
        enums.ErrorCode,
        enums.ViolationCode,
        enums.PrecheckCode,
        enums.DocumentTypeCode,
    )
    for member in enum
}
# The contract's field names (sections 4 to 6) a broker might meet in a message or a conflict.
API_FIELDS = {
    "specialConditionText", "scheduleAssetsDescription", "registrationNumber",
    "commentToRiskAnalyst", "sourceCountryCode", "companyType", "companyName", "customerManual",
    "salesContactId", "officeId", "assetIacCode", "valuePerAsset", "introducerPricelistId",
    "marketProductId", "paymentMethod", "paymentMode", "paymentPeriod", "specialPayments",
    "deliveryAddress", "loanPurpose", "legalForm", "dateOfBirth", "dateOfIncorporation",
    "postalCode", "houseNumber", "workflowStatus", "decisionStatus", "decisionDate",
    "decisionValidUntilDate", "userMessage", "traceId", "preconditionViolations",
    "requestAllowed", "siemensMayContactCustomer", "siemensMayRequestCreditData", "reasonNote",
    "amountFinanced", "downPayment", "residualValue", "contractNo",
}  # fmt: skip
FORBIDDEN = re.compile(
    r"(?<![A-Za-z0-9_])("
    + "|".join(sorted(ENUM_VALUES | API_FIELDS, key=len, reverse=True))
    + r")(?![A-Za-z0-9_])"
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
TRACE = str(uuid.uuid4())
SFS_IDS = itertools.count(70001)
DECLINED = {"decisionStatus": "DECLINED", "reason": "Too young a company"}


class _Text(HTMLParser):
    """The visible text: tag contents without attributes, scripts or styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style", "template")

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style", "template") and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def codes_in(html: str) -> set[str]:
    text = visible_text(html)
    return set(FORBIDDEN.findall(text)) | set(UUID.findall(text))


def _refused() -> errors.ValidationError:
    violation = errors.Violation(
        field="customer.registrationNumber",
        code="COMPANY_NOT_FOUND",
        user_message="The company is not registered in GB.",
    )
    return errors.ValidationError(
        "The request is invalid",
        status=400,
        code="VALIDATION_FAILED",
        trace_id=TRACE,
        violations=[violation],
    )


def _event(proposal, kind, message, **fields):
    ProposalEvent.objects.create(proposal=proposal, kind=kind, message=message, **fields)


def _sent(broker, reference, workflow, decision_status, **fields):
    return make_proposal(
        broker=broker,
        status=Status.SENT,
        reference=reference,
        sfs_id=next(SFS_IDS),
        workflow_status=workflow,
        decision_status=decision_status,
        **fields,
    )


def _proposals(broker) -> list:
    """One proposal per state, with what the services record in that state."""
    error = _refused()
    failed = make_proposal(
        broker=broker,
        status=Status.FAILED,
        reference="IP-2026-FAIL0001",
        violations=[
            {
                "field": "customer.registrationNumber",
                "code": "COMPANY_NOT_FOUND",
                "userMessage": "The company is not registered in GB.",
            }
        ],
        last_error_code="VALIDATION_FAILED",
        last_error_message=str(error),
    )
    _event(failed, "send_failed", describe_error(error), from_status="SENDING", to_status="FAILED")
    _event(
        failed, "outcome_unknown", f"SFS had an internal error. (INTERNAL_ERROR) (trace id {TRACE})"
    )
    asked = _sent(broker, "IP-2026-ASKD0001", "DECISION_REQUESTED", "PENDING")
    _event(asked, "sfs_changed", "SFS: DRAFT / NOT_AVAILABLE → DECISION_REQUESTED / PENDING")
    _event(asked, "decision_not_allowed", "SFS does not take a decision request in state DRAFT.")
    decision = {
        "decisionStatus": "ACCEPTED",
        "reason": "Strong accounts",
        "decisionDate": "2026-11-30",
    }
    accepted = _sent(broker, "IP-2026-ACPT0001", "ACCEPTED", "ACCEPTED", decision=decision)
    _event(accepted, "sfs_changed", "SFS: DECISION_REQUESTED / PENDING → ACCEPTED / ACCEPTED")
    declined = _sent(broker, "IP-2026-DECL0001", "DECLINED", "DECLINED", decision=DECLINED)
    more = _sent(broker, "IP-2026-MORE0001", "MORE_INFORMATION", "MORE_INFORMATION")
    _event(
        more,
        "sfs_changed",
        "SFS: DECISION_REQUESTED / PENDING → MORE_INFORMATION / MORE_INFORMATION",
    )
    _event(
        more, "decision_refused", "SFS cannot decide yet: CUSTOMER_MISSING; CALCULATION_OUTDATED"
    )
    cancelled = _sent(broker, "IP-2026-CNCL0001", "CANCELLED", "NOT_AVAILABLE")
    _event(cancelled, "sfs_changed", "SFS: DRAFT / NOT_AVAILABLE → CANCELLED / NOT_AVAILABLE")
    conflict = _sent(
        broker,
        "IP-2026-CONF0001",
        "MORE_INFORMATION",
        "MORE_INFORMATION",
        conflict={
            "groups": {
                "notes": {
                    "mine": {"specialConditionText": "Deliver in March"},
                    "theirs": {
                        "specialConditionText": "Deliver in May",
                        "scheduleAssetsDescription": "Ten workstations",
                    },
                },  # fmt: skip
                "customer": {
                    "mine": {
                        "company": {
                            "registrationNumber": "01234567",
                            "companyType": "LIMITED_COMPANY",
                        }
                    },
                    "theirs": {
                        "company": {
                            "registrationNumber": "01234568",
                            "companyType": "LIMITED_COMPANY",
                        }
                    },
                },  # fmt: skip
            }
        },
    )
    conflict.status = Status.CONFLICT
    conflict.save(update_fields=["status"])
    _event(conflict, "conflict", "SFS changed the same parts meanwhile: Notes, Customer")
    gone = _sent(broker, "IP-2026-GONE0001", "DECISION_REQUESTED", "PENDING")
    gone.status = Status.GONE
    gone.save(update_fields=["status"])
    draft = make_proposal(broker=broker)
    _event(draft, "created", "Draft started.", actor=broker)

    # The notifications as the services write them now, and as older rows still hold them.
    notification_send(proposal=accepted, kind="decision", message=decision_message(accepted))
    notification_send(proposal=failed, kind="send_failed",
                      message=f"It could not be sent to SFS. {error_message(error)}")  # fmt: skip
    for proposal, kind, old in [
        (declined, "decision", "IP-2026-DECL0001: SFS decided DECLINED."),
        (more, "decision", "IP-2026-MORE0001: SFS decided MORE_INFORMATION."),
        (failed, "send_failed", f"IP-2026-FAIL0001 could not be sent: {describe_error(error)}"),
        (more, "decision_refused", f"IP-2026-MORE0001: SFS cannot decide yet. {error}"),
    ]:
        Notification.objects.create(user=broker, proposal=proposal, kind=kind, message=old)
    return [draft, failed, asked, accepted, declined, more, cancelled, conflict, gone]


def _pages(proposal) -> list[str]:
    pk = proposal.pk
    names = ["proposal_detail", "proposal_cancel", "proposal_conflict", "proposal_delete"]
    urls = [reverse(name, args=[pk]) for name in names]
    steps = ["office", "customer", "assets", "calculation", "review"]
    return urls + [reverse("proposal_step", args=[pk, step]) for step in steps]


def test_no_broker_page_shows_a_code_a_field_name_or_a_trace_id(login, broker, mirror):
    proposals = _proposals(broker)
    client = login(broker)
    seen = {}
    urls = [reverse("broker_home"), reverse("notifications")]
    for proposal in proposals:
        urls += _pages(proposal)
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 400), url
        found = codes_in(response.content.decode())
        if found:
            seen[url] = found
    assert seen == {}


def test_the_pages_still_say_what_happened_in_words(login, broker, mirror):
    proposals = {p.reference or "draft": p for p in _proposals(broker)}
    client = login(broker)

    def text(name, reference):
        url = reverse(name, args=[proposals[reference].pk])
        return visible_text(client.get(url).content.decode())

    assert "At SFS: More information needed." in text("proposal_detail", "IP-2026-MORE0001")
    assert "At SFS: Decision requested (SFS is deciding)." in text(
        "proposal_detail", "IP-2026-ASKD0001"
    )
    assert "Sending failed" in text("proposal_detail", "IP-2026-FAIL0001")
    conflict = text("proposal_conflict", "IP-2026-CONF0001")
    assert "Special conditions" in conflict and "Registration number" in conflict
    assert "Limited company" in conflict

    page = client.get(reverse("notifications")).content.decode()
    notes = visible_text(page)
    assert "SFS's decision: Accepted. Reason: Strong accounts" in notes
    assert "The company is not registered in GB." in notes
    # The reference is the link's text, said once per notification, never again in the message.
    assert notes.count("IP-2026-ACPT0001") == 1
    for proposal in proposals.values():
        if proposal.notification_set.exists():
            assert f'href="{reverse("proposal_detail", args=[proposal.pk])}"' in page


def test_staff_keep_the_raw_detail(login, broker, staff, mirror):
    failed = next(p for p in _proposals(broker) if p.status == Status.FAILED)
    page = login(staff).get(reverse("staff_proposal", args=[failed.pk])).content.decode()
    assert TRACE in page


@override_settings(PORTAL_PUBLIC_URL="https://portal.example.test/")
def test_the_email_links_the_proposal_and_gives_the_reason(
    broker, django_capture_on_commit_callbacks
):
    broker.email = "broker@example.test"
    broker.save(update_fields=["email"])
    proposal = _sent(broker, "IP-2026-MAIL0001", "DECLINED", "DECLINED", decision=DECLINED)
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(proposal=proposal, kind="decision", message=decision_message(proposal))
    (email,) = mail.outbox
    link = f"https://portal.example.test{reverse('proposal_detail', args=[proposal.pk])}"
    assert link in email.body
    assert "Declined" in email.body and "Too young a company" in email.body
    assert not FORBIDDEN.search(email.body + email.subject)
    assert not UUID.search(email.body)
