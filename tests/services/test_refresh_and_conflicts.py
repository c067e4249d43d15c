"""The search-based refresh, the wipe of SFS's test environment, and the three-way merge."""

import pytest
from django.urls import reverse

from proposals.models import Proposal, Status
from proposals.services.changes import changes_send
from proposals.services.config_mirror import config_refresh
from proposals.services.parts import local_changes
from proposals.services.refresh import refresh_cycle
from proposals.services.sending import proposal_send, proposal_submit
from tests.services.conftest import sandbox_credential as mirrored_credential
from tests.support.proposals import make_proposal
from tests.support.sandbox_server import SandboxProcess


@pytest.fixture
def fresh_sandbox():
    with SandboxProcess(rate_limit=0, decision_delay=0.5) as process:
        yield process


@pytest.fixture(params=[False, True], ids=["paged-search", "documented-search-only"])
def refresh_sandbox(request, fresh_sandbox):
    """The refresh runs both ways: with a search that honours `page` and `updated-after`, and
    with one that ignores both, as SFS's published parameter list allows (CONTRACT.md 6.2)."""
    fresh_sandbox.set_settings(documentedSearchOnly=request.param)
    return fresh_sandbox


def sandbox_credential(organisation, sandbox):
    credential = mirrored_credential(organisation, sandbox)
    config_refresh(credential=credential)
    return credential


def _send_now(broker, credential, count):
    """Submit and send in this process (no worker needed for setting the scene)."""
    sent = []
    for _ in range(count):
        proposal = make_proposal(broker=broker, request_decision=False)
        proposal_submit(proposal=proposal, user=broker)
        assert proposal_send(proposal_id=proposal.pk) == "sent"
        sent.append(Proposal.objects.get(pk=proposal.pk))
    return sent


def _api_calls(stats):
    return stats["requests"]["total"]


def test_quiet_cycle_costs_one_call_and_a_wipe_is_found_in_one(
    broker, organisation, refresh_sandbox, django_capture_on_commit_callbacks
):
    credential = sandbox_credential(organisation, refresh_sandbox)
    with django_capture_on_commit_callbacks(execute=False):
        _send_now(broker, credential, 200)
    refresh_cycle(credential=credential)  # the first cycle pages through everything once

    before = _api_calls(refresh_sandbox.stats())
    figures = refresh_cycle(credential=credential)
    spent = _api_calls(refresh_sandbox.stats()) - before
    assert spent == figures["calls"]
    assert spent <= 3, figures
    assert figures["changed"] == 0
    assert Proposal.objects.filter(last_checked_at__isnull=True).count() == 0

    refresh_sandbox.wipe()
    figures = refresh_cycle(credential=credential)
    assert figures["gone"] == 200
    assert Proposal.objects.filter(status=Status.GONE).count() == 200
    gone = Proposal.objects.first()
    assert "wiped" in gone.events.get(kind="gone").message


def test_a_changed_proposal_is_fetched_alone(
    broker, organisation, refresh_sandbox, django_capture_on_commit_callbacks
):
    credential = sandbox_credential(organisation, refresh_sandbox)
    with django_capture_on_commit_callbacks(execute=False):
        proposals = _send_now(broker, credential, 30)
    refresh_cycle(credential=credential)
    target = proposals[7]
    refresh_sandbox.control(
        "POST",
        f"/__sandbox__/proposals/{target.sfs_id}/decide",
        {"decisionStatus": "DECLINED", "reason": "Test"},
    )
    figures = refresh_cycle(credential=credential)
    assert figures["changed"] == 1 and figures["calls"] == 2
    target.refresh_from_db()
    assert target.workflow_status == "DECLINED" and target.decision["reason"] == "Test"


def _sent_proposal(broker, credential, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        (proposal,) = _send_now(broker, credential, 1)
    return proposal


def test_disjoint_changes_are_merged(
    broker, organisation, fresh_sandbox, django_capture_on_commit_callbacks
):
    credential = sandbox_credential(organisation, fresh_sandbox)
    proposal = _sent_proposal(broker, credential, django_capture_on_commit_callbacks)
    fresh_sandbox.control(
        "POST",
        f"/__sandbox__/proposals/{proposal.sfs_id}/underwriter-edit",
        {"specialConditionText": "Underwriter: insurance certificate needed"},
    )
    proposal.calculation["sheet"]["term"] = 48
    proposal.save()
    assert local_changes(proposal) == {"calculation"}

    assert changes_send(proposal=proposal) == "sent"
    proposal.refresh_from_db()
    assert proposal.status == Status.SENT
    assert proposal.notes["specialConditionText"] == "Underwriter: insurance certificate needed"
    assert proposal.base_snapshot["calculation"]["sheet"]["term"] == 48
    assert proposal.base_snapshot["specialConditionText"].startswith("Underwriter")
    assert proposal.events.filter(kind="merged").exists()


def test_overlapping_changes_become_a_conflict_settled_by_a_person(
    broker, organisation, fresh_sandbox, django_capture_on_commit_callbacks, login
):
    credential = sandbox_credential(organisation, fresh_sandbox)
    proposal = _sent_proposal(broker, credential, django_capture_on_commit_callbacks)
    fresh_sandbox.control(
        "POST",
        f"/__sandbox__/proposals/{proposal.sfs_id}/underwriter-edit",
        {"specialConditionText": "SFS's wording"},
    )
    proposal.notes = {"specialConditionText": "Broker's wording"}
    proposal.save()
    assert changes_send(proposal=proposal) == "conflict"
    proposal.refresh_from_db()
    assert proposal.status == Status.CONFLICT
    group = proposal.conflict["groups"]["notes"]
    assert group["mine"]["specialConditionText"] == "Broker's wording"
    assert group["theirs"]["specialConditionText"] == "SFS's wording"

    # The broker settles it on the conflict page, which shows both versions.
    client = login(broker)
    url = reverse("proposal_conflict", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert "Broker&#x27;s wording" in page and "SFS&#x27;s wording" in page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url, {"choice_notes": "mine"})
    assert response.status_code == 302 and len(queued) == 1
    proposal.refresh_from_db()
    assert proposal.status == Status.SENT
    assert changes_send(proposal=proposal) == "sent"
    proposal.refresh_from_db()
    assert proposal.base_snapshot["specialConditionText"] == "Broker's wording"
