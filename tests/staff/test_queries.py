"""Every staff page runs as many SQL queries for 1,000 rows as for 10."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals.models import (
    Credential,
    MirroredOffice,
    Proposal,
    ProposalEvent,
    SieSmartCall,
    Status,
)

_refs = itertools.count(1)
STATUSES = [Status.SENT, Status.FAILED, Status.QUEUED, Status.CONFLICT, Status.VERIFYING]


def add_proposals(brokers, n):
    now = timezone.now()
    Proposal.objects.bulk_create(
        Proposal(
            organisation_id=brokers[i % len(brokers)].organisation_id,
            broker=brokers[i % len(brokers)],
            reference=f"IP-Q-{next(_refs):06d}",
            status=STATUSES[i % len(STATUSES)],
            customer_name=f"Customer {i}",
            office_id=10 + i % 2,
            amount_financed=Decimal(1000 + i),
            sfs_id=100_000 + i,
            queued_at=now - timedelta(hours=i % 48),
            sent_at=now,
            decided_at=now + timedelta(minutes=i % 30),
            last_error_code="VALIDATION" if i % 5 == 1 else "",
        )
        for i in range(n)
    )


def add_timeline(proposal, n, actor):
    now = timezone.now()
    ProposalEvent.objects.bulk_create(
        ProposalEvent(
            proposal=proposal,
            actor=actor if i % 2 else None,
            actor_label="worker",
            kind="status",
            from_status="QUEUED",
            to_status="SENT",
        )
        for i in range(n)
    )
    SieSmartCall.objects.bulk_create(
        SieSmartCall(
            proposal=proposal,
            organisation_id=proposal.organisation_id,
            at=now - timedelta(seconds=i),
            method="GET",
            path="/proposals/1",
            status=200,
            trace_id=f"t{i}",
            request_body={"i": i},
            response_body={"ok": True},
        )
        for i in range(n)
    )


@pytest.fixture
def setup_world(organisation, broker, broker2):
    credential = Credential.objects.create(
        organisation=organisation,
        environment="sandbox",
        api_url="http://s.test/api",
        token_url="http://s.test/token",
        client_id="acme",
        client_secret_encrypted="x",
        is_active=True,
    )
    for office_id in (10, 11):
        MirroredOffice.objects.create(
            credential=credential,
            office_id=office_id,
            name=f"Office {office_id}",
            country_code="GB",
            refreshed_at=timezone.now(),
        )
    return [broker, broker2]


def _count(client, url, params=None, stream=False):
    client.get(url, params)  # warm: the first request may touch the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
        if stream:
            b"".join(response.streaming_content)
    return len(queries)


PAGES = [
    ("staff_home", None, False),
    ("staff_home", {"status": "FAILED"}, False),
    ("staff_home", {"q": "Customer", "sort": "-amount", "office": "10", "page": "2"}, False),
    ("staff_export", None, True),
    ("staff_export", {"q": "Customer 1", "sort": "broker"}, True),
    ("staff_health", None, False),
]


@pytest.mark.parametrize(("name", "params", "stream"), PAGES)
def test_list_pages_do_not_grow_with_rows(login, staff, setup_world, name, params, stream):
    client = login(staff)
    add_proposals(setup_world, 10)
    small = _count(client, reverse(name), params, stream)
    add_proposals(setup_world, 990)
    assert Proposal.objects.count() == 1000
    large = _count(client, reverse(name), params, stream)
    assert small == large, (small, large)


def test_the_timeline_does_not_grow_with_events_and_calls(login, staff, broker, setup_world):
    add_proposals(setup_world, 1)
    proposal = Proposal.objects.get()
    client = login(staff)
    url = reverse("staff_proposal", args=[proposal.pk])
    add_timeline(proposal, 10, staff)
    small = _count(client, url)
    add_timeline(proposal, 990, staff)
    large = _count(client, url)
    assert small == large, (small, large)
