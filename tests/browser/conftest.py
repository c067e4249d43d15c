"""Real-Chromium fixtures: one browser for the session, a fresh context (and tab) per journey,
the portal served by pytest-django's ``live_server`` and an organisation whose active credential
points at the session's sandbox, its configuration mirrored."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from proposals.services.config_mirror import config_refresh
from tests.browser.tab import Tab
from tests.services.conftest import sandbox_credential

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="package", autouse=True)
def orm_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread, so Django's guard would take
    every ORM call of the tests (all synchronous) for async code. Lifted for this package only:
    the browser closes, and the loop with it, before any other package runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(orm_beside_playwright):
    """Debian's Chromium, headless; None when it is missing (each journey then fails)."""
    if not CHROMIUM.exists():
        yield None
        return
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def open_tab(browser, live_server):
    """``open_tab(journey)``: a tab in a fresh browser context (its own cookies)."""
    contexts = []

    def _open(journey: str) -> Tab:
        if browser is None:
            pytest.fail(
                f"The browser tests need Debian's Chromium at {CHROMIUM} "
                "(apt-get install chromium), and it is missing. They never download a browser.",
                pytrace=False,
            )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Tab(context.new_page(), journey, live_server.url)

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def portal_credential(organisation, sandbox):
    """The organisation's active credential, on the sandbox, with its configuration mirrored."""
    credential = sandbox_credential(organisation, sandbox)
    config_refresh(credential=credential)
    return credential
