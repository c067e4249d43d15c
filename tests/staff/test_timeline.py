"""A proposal's timeline: events and calls merged newest first, bodies escaped, sliced."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import ProposalEvent, SieSmartCall, Status
from proposals.selectors_staff import proposal_timeline


def event_at(proposal, at, **fields):
    event = ProposalEvent.objects.create(proposal=proposal, **fields)
    ProposalEvent.objects.filter(pk=event.pk).update(at=at)  # ``at`` is auto_now_add
    event.refresh_from_db()
    return event


def call_at(proposal, at, **fields):
    defaults = {"method": "GET", "path": f"/proposals/{proposal.sfs_id}", "status": 200}
    return SieSmartCall.objects.create(
        proposal=proposal,
        organisation_id=proposal.organisation_id,
        at=at,
        **{**defaults, **fields},
    )


@pytest.fixture
def proposal(make_proposal, broker):
    return make_proposal(broker, status=Status.SENT, sfs_id=4242, customer_name="Omega Ltd")


def test_events_and_calls_merged_newest_first(login, staff, proposal):
    now = timezone.now()
    event_at(
        proposal,
        now - timedelta(minutes=30),
        kind="submitted",
        actor=proposal.broker,
        from_status="DRAFT",
        to_status="QUEUED",
        message="Submitted by the broker",
    )
    call_at(
        proposal,
        now - timedelta(minutes=20),
        method="POST",
        path="/proposals",
        status=201,
        duration_ms=321,
        trace_id="trace-create-1",
        lane="interactive",
        attempt=1,
        request_body={"label": proposal.reference},
        response_body={"id": 4242, "note": "<script>alert(1)</script>"},
    )
    event_at(
        proposal,
        now - timedelta(minutes=19),
        kind="sent",
        actor_label="worker",
        from_status="QUEUED",
        to_status="SENT",
    )
    call_at(
        proposal,
        now - timedelta(minutes=5),
        status=503,
        error_code="UNAVAILABLE",
        error_message="SFS is down",
        trace_id="trace-get-2",
        lane="background",
        attempt=2,
    )

    response = login(staff).get(reverse("staff_proposal", args=[proposal.pk]))
    assert response.status_code == 200
    entries = response.context["timeline"].entries
    assert [(e.kind, getattr(e.item, "kind", None) or e.item.trace_id) for e in entries] == [
        ("call", "trace-get-2"),
        ("event", "sent"),
        ("call", "trace-create-1"),
        ("event", "submitted"),
    ]
    html = response.content.decode()
    for text in (
        "Omega Ltd",
        "4242",
        "Bella",
        "worker",
        "Submitted by the broker",
        "POST /proposals",
        "HTTP 201",
        "321 ms",
        "attempt 2",
        "interactive",
        "UNAVAILABLE",
        "SFS is down",
        'data-copy="trace-create-1"',
        "<details>",
    ):
        assert text in html, text
    # The answer body is shown as indented JSON, escaped: never live markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert '"id": 4242' in html.replace("&quot;", '"')


def test_a_conflict_links_to_its_page(login, staff, make_proposal, broker):
    conflict = make_proposal(broker, status=Status.CONFLICT, sfs_id=7)
    html = login(staff).get(reverse("staff_proposal", args=[conflict.pk])).content.decode()
    assert f'href="/proposals/{conflict.pk}/conflict"' in html
    assert "Needs attention" in html


def test_actions_shown_match_the_state(login, staff, make_proposal, broker):
    failed = make_proposal(broker, status=Status.FAILED)
    html = login(staff).get(reverse("staff_proposal", args=[failed.pk])).content.decode()
    assert reverse("staff_retry_send", args=[failed.pk]) in html
    assert reverse("staff_requeue", args=[failed.pk]) not in html
    assert reverse("staff_refresh", args=[failed.pk]) not in html  # not at SFS yet


def test_the_slices_cover_everything_once_even_with_ties(proposal):
    base = timezone.now() - timedelta(hours=1)
    # Ties on purpose: several entries share an instant across a slice boundary.
    times = [base + timedelta(seconds=n // 3) for n in range(25)]
    for n, at in enumerate(times):
        if n % 4 == 0:
            event_at(proposal, at, kind=f"e{n}")
        else:
            call_at(proposal, at, trace_id=f"c{n}")
    seen, before, slices = [], None, 0
    while True:
        timeline = proposal_timeline(proposal=proposal, before=before, limit=7)
        assert timeline.event_count + timeline.call_count == 25
        seen += [(e.kind, e.item.pk) for e in timeline.entries]
        ats = [e.at for e in timeline.entries]
        assert ats == sorted(ats, reverse=True)
        slices += 1
        if timeline.older_before is None:
            break
        before = timeline.older_before
    assert len(seen) == 25 and len(set(seen)) == 25
    assert slices >= 4


def test_the_page_caps_a_long_call_log_and_links_older(login, staff, proposal):
    now = timezone.now()
    SieSmartCall.objects.bulk_create(
        SieSmartCall(
            proposal=proposal,
            at=now - timedelta(seconds=n),
            method="GET",
            path="/proposals/4242",
            status=200,
            trace_id=f"t{n}",
        )
        for n in range(250)
    )
    client = login(staff)
    response = client.get(reverse("staff_proposal", args=[proposal.pk]))
    timeline = response.context["timeline"]
    assert len(timeline.entries) == 200 and timeline.call_count == 250
    assert response.context["older_url"]
    older = client.get(
        reverse("staff_proposal", args=[proposal.pk]) + response.context["older_url"]
    )
    rest = older.context["timeline"].entries
    assert len(rest) == 50 and older.context["older_url"] is None
    shown = {e.item.trace_id for e in timeline.entries} | {e.item.trace_id for e in rest}
    assert len(shown) == 250


@pytest.mark.parametrize("before", ["nonsense", "2026-13-45T99:00:00", "2026-01-01T00:00:00"])
def test_a_bad_or_naive_cursor_is_harmless(login, staff, proposal, before):
    call_at(proposal, timezone.now())
    url = reverse("staff_proposal", args=[proposal.pk])
    assert login(staff).get(url, {"before": before}).status_code == 200
