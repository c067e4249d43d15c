"""Fixtures of the sandbox tests: real sandbox processes, spoken to over HTTP only."""

import pytest

from tests.sandbox.helpers import Api
from tests.support.sandbox_server import SandboxProcess

DECISION_DELAY = 0.2


@pytest.fixture(scope="session")
def sandbox():
    """The shared sandbox: no rate limit, fast decisions. Tests that change it put it back."""
    with SandboxProcess(rate_limit=0, decision_delay=DECISION_DELAY) as process:
        yield process


@pytest.fixture(scope="session")
def demo_token(sandbox):
    return sandbox.token()


@pytest.fixture(scope="session")
def other_token(sandbox):
    return sandbox.token("other-introducer", "other-secret")


@pytest.fixture
def api(sandbox, demo_token):
    """A client of demo-introducer (offices 1001 GB, 1002 IE, 1003 GB)."""
    with Api(sandbox, demo_token) as client:
        yield client


@pytest.fixture
def other_api(sandbox, other_token):
    """A client of other-introducer (office 2001)."""
    with Api(sandbox, other_token) as client:
        yield client


@pytest.fixture
def restore_settings(sandbox):
    """For tests that change the shared sandbox's settings or faults."""
    yield sandbox
    sandbox.set_faults()
    sandbox.set_settings(
        rateLimitPerMinute=0,
        retryAfterHeader=True,
        tokenLifetimeSeconds=86400,
        decisionDelaySeconds=DECISION_DELAY,
    )
