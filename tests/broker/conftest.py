"""Brokers of two firms, each firm with an active credential and a config mirror."""

import pytest

from tests.broker.mirror_fixture import build_mirror


@pytest.fixture
def mirror(organisation):
    return build_mirror(organisation)


@pytest.fixture
def other_mirror(other_organisation):
    return build_mirror(other_organisation, client_id="other-introducer")
