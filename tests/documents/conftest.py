"""A sandbox of its own (reviews, signing and activation only when a test asks), and an
accepted proposal whose checklist the refresh mirrored."""

import pytest

from proposals.models import Proposal
from proposals.services.config_mirror import config_refresh
from proposals.services.refresh import refresh_cycle
from proposals.services.sending import proposal_send, proposal_submit
from tests.services.conftest import sandbox_credential
from tests.support.proposals import make_proposal
from tests.support.sandbox_server import SandboxProcess

NEVER = 3600  # seconds: the sandbox's timers wait for the control endpoints instead


@pytest.fixture(scope="module")
def documents_sandbox():
    with SandboxProcess(rate_limit=0, decision_delay=0.5) as process:
        process.set_settings(
            documentReviewDelaySeconds=NEVER,
            signingDelaySeconds=NEVER,
            activationDelaySeconds=NEVER,
        )
        yield process


@pytest.fixture
def credential(organisation, documents_sandbox):
    credential = sandbox_credential(organisation, documents_sandbox)
    config_refresh(credential=credential)
    return credential


@pytest.fixture
def sent(broker, credential, django_capture_on_commit_callbacks):
    """A proposal SFS has, no decision asked (the test decides it through the sandbox)."""
    with django_capture_on_commit_callbacks(execute=False):
        proposal = make_proposal(broker=broker, credential=credential, request_decision=False)
        proposal_submit(proposal=proposal, user=broker)
        assert proposal_send(proposal_id=proposal.pk) == "sent"
    refresh_cycle(credential=credential)
    return Proposal.objects.get(pk=proposal.pk)


def decide(sandbox, proposal, status="ACCEPTED"):
    sandbox.control(
        "POST", f"/__sandbox__/proposals/{proposal.sfs_id}/decide", {"decisionStatus": status}
    )


@pytest.fixture
def accepted(sent, credential, documents_sandbox):
    """Accepted at SFS, then one refresh cycle: the checklist is mirrored."""
    decide(documents_sandbox, sent)
    refresh_cycle(credential=credential)
    sent.refresh_from_db()
    assert sent.workflow_status == "ACCEPTED"
    return sent


def document_of(proposal, code) -> dict:
    return next(item for item in proposal.documents if item["documentType"]["code"] == code)


def checklist_reads(sandbox) -> int:
    return sandbox.stats()["requests"]["byEndpoint"].get("GET /proposals/{id}/documents", 0)
