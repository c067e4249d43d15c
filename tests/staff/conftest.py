"""Fixtures for the staff review tests: proposals with known facts, and the local actions."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Proposal, Status

_numbers = itertools.count(1)


def proposal_make(broker, *, status=Status.SENT, reference=None, **fields) -> Proposal:
    """A proposal of ``broker``'s organisation; ``updated``/``created`` may be given and stick."""
    forced = {key: fields.pop(key) for key in ("updated", "created") if key in fields}
    if reference is None and status != Status.DRAFT:
        reference = f"IP-T-{next(_numbers):05d}"
    proposal = Proposal.objects.create(
        organisation=broker.organisation,
        broker=broker,
        status=status,
        reference=reference,
        **fields,
    )
    if forced:  # auto_now fields ignore what create() is given
        Proposal.objects.filter(pk=proposal.pk).update(**forced)
        proposal.refresh_from_db()
    return proposal


@pytest.fixture
def make_proposal(db):
    return proposal_make


@pytest.fixture
def long_ago():
    return timezone.now() - timedelta(days=1)
