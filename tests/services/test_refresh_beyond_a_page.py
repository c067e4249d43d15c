"""The refresh where more changed than one search page holds, with and without SFS's `page`.

Each test runs twice against a real sandbox: once with a search that honours `page` and
`updated-after`, once with `documentedSearchOnly` on, where the search ignores both as SFS's
published parameter list allows (CONTRACT.md 6.2). The overlap is set to nothing so that the
cursor, not the test's few seconds, decides what counts as changed.
"""

from datetime import timedelta

import pytest

from proposals.models import Proposal
from proposals.services import refresh
from proposals.services.refresh import refresh_cycle
from tests.services.test_refresh_and_conflicts import _send_now, sandbox_credential
from tests.support.sandbox_server import SandboxProcess


@pytest.fixture(params=[False, True], ids=["paged-search", "documented-search-only"])
def documented_only(request):
    return request.param


@pytest.fixture
def sandbox_both_ways(documented_only):
    with SandboxProcess(rate_limit=0, decision_delay=0.5) as process:
        process.set_settings(documentedSearchOnly=documented_only)
        yield process


@pytest.fixture(autouse=True)
def no_overlap(monkeypatch):
    monkeypatch.setattr(refresh, "OVERLAP", timedelta(0))


def _calls(sandbox):
    return sandbox.stats()["requests"]["total"]


def _decide(sandbox, proposals, status="DECLINED"):
    for proposal in proposals:
        sandbox.control(
            "POST",
            f"/__sandbox__/proposals/{proposal.sfs_id}/decide",
            {"decisionStatus": status, "reason": "Beyond a page"},
        )


def _measured_cycle(sandbox, credential):
    before = _calls(sandbox)
    figures = refresh_cycle(credential=credential)
    assert _calls(sandbox) - before == figures["calls"], figures
    return figures


def test_more_changed_than_a_page_holds_every_change_is_learnt(
    broker, organisation, sandbox_both_ways, documented_only, django_capture_on_commit_callbacks
):
    sandbox = sandbox_both_ways
    credential = sandbox_credential(organisation, sandbox)
    with django_capture_on_commit_callbacks(execute=False):
        proposals = _send_now(broker, credential, 150)
    refresh_cycle(credential=credential)  # the first cycle reads everything once

    quiet = _measured_cycle(sandbox, credential)
    assert quiet["calls"] == 1 and quiet["changed"] == 0, quiet

    # 120 change since the cursor: more than the 100 one search answer holds. The oldest ones
    # are among them, so the page of the newest changes leaves some unseen.
    decided, untouched = proposals[:120], proposals[120:]
    _decide(sandbox, decided)
    figures = _measured_cycle(sandbox, credential)

    assert figures["changed"] + figures["read_alone"] >= 120, figures
    for proposal in decided:
        proposal.refresh_from_db()
        assert (proposal.workflow_status, proposal.decision_status) == ("DECLINED", "DECLINED")
        assert proposal.decision["reason"] == "Beyond a page"
    for proposal in untouched:
        proposal.refresh_from_db()
        assert proposal.workflow_status == "DRAFT"
    # Every changed proposal is read once; the search itself costs a few calls, never a loop.
    assert figures["calls"] - figures["changed"] - figures["read_alone"] <= 4, figures

    # Afterwards the refresh is quiet again, and the next cycle is one call.
    assert _measured_cycle(sandbox, credential)["calls"] == 1


def test_two_left_over_are_read_alone_and_a_later_change_is_still_learnt(
    broker, organisation, sandbox_both_ways, documented_only, django_capture_on_commit_callbacks
):
    sandbox = sandbox_both_ways
    credential = sandbox_credential(organisation, sandbox)
    with django_capture_on_commit_callbacks(execute=False):
        proposals = _send_now(broker, credential, 102)
    refresh_cycle(credential=credential)

    _decide(sandbox, proposals[:101])
    figures = _measured_cycle(sandbox, credential)
    assert Proposal.objects.filter(workflow_status="DECLINED").count() == 101
    if documented_only:
        # No page 1 to ask for: the two proposals past the first page are read by id.
        assert figures["read_alone"] == 2 and figures["calls"] == 1 + 101 + 1, figures
    else:
        assert figures["read_alone"] == 0 and figures["calls"] == 2 + 101, figures

    last = proposals[101]
    _decide(sandbox, [last], status="ACCEPTED")
    figures = _measured_cycle(sandbox, credential)
    # The search, the proposal, and the checklist an acceptance brings (CONTRACT.md 6.10).
    assert figures["changed"] == 1 and figures["calls"] == 3, figures
    last.refresh_from_db()
    assert last.workflow_status == "ACCEPTED"


def test_a_server_ignoring_page_is_noticed_once_and_never_looped_on(
    broker, organisation, sandbox_both_ways, documented_only, django_capture_on_commit_callbacks
):
    """The first cycle reads the whole list. A search that ignores `page` answers page 0 again
    when asked for page 1; the portal notices at once and walks the list by creation instead."""
    sandbox = sandbox_both_ways
    credential = sandbox_credential(organisation, sandbox)
    with django_capture_on_commit_callbacks(execute=False):
        _send_now(broker, credential, 250)
    figures = _measured_cycle(sandbox, credential)
    # Paged: pages 0, 1, 2. Without pages: page 0, the page 1 that repeats it, then by creation
    # only as far as the 150 proposals page 0 did not show (two pages of 100).
    assert figures["calls"] == (4 if documented_only else 3), figures
    assert Proposal.objects.filter(last_checked_at__isnull=True).count() == 0
    # What was learnt about paging is kept: the next cycle does not ask for page 1 again.
    assert _measured_cycle(sandbox, credential)["calls"] == 1
