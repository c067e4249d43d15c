"""One browser tab of a journey: it watches the console, and at each step of the journey it saves
a full-page screenshot, runs axe-core and fails on any console error or serious violation."""

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from proposals.models import User
from tests.conftest import PASSWORD
from tests.support.two_factor import totp_code, totp_device

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
BLOCKING_IMPACTS = ("serious", "critical")
AXE = Axe()


def axe_report(violations: list[dict]) -> str:
    """Each violation with its id, impact, help and the nodes it was found on."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"       {summary[:400]}")
    return "\n".join(lines)


def _two_factor_device(username: str):
    """two-factor: the confirmed device the login of ``username`` must pass, or None."""
    user = User.objects.get(username=username)
    if user.is_staff_member:
        return totp_device(user)
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class Tab:
    """A page of a fresh browser context, seen through one journey's name."""

    def __init__(self, page: Page, journey: str, base_url: str):
        self.page = page
        self.journey = journey
        self.base_url = base_url.rstrip("/")
        self.steps = 0
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location or {}
            self.errors.append(f"console error: {message.text} ({where.get('url', '')})")

    # ---- moving around ------------------------------------------------------------------------

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Log in; staff and admins (and brokers who enrolled) then pass two-factor with a code
        computed from their device's key, as their app would show it (a device is made for
        staff and admins who have none)."""
        device = _two_factor_device(username)
        self.goto("/login/")
        self.check("login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page).not_to_have_url(re.compile(r"/login/"))
        if device is not None:
            self.pass_two_factor(device)

    def pass_two_factor(self, device) -> None:
        expect(self.page).to_have_url(re.compile(r"/account/two-factor/verify"))
        self.check("two-factor-verify")
        self.page.get_by_label("Code", exact=True).fill(totp_code(device))
        self.page.get_by_role("button", name="Verify").click()
        expect(self.page).not_to_have_url(re.compile(r"/account/two-factor/"))

    # ---- "the page did not reload" ------------------------------------------------------------

    def mark(self) -> None:
        """Leave a mark in the page's window; a reload or a navigation wipes it."""
        self.page.evaluate("window.__marker = 1")

    def assert_not_reloaded(self) -> None:
        assert self.page.evaluate("window.__marker") == 1, "the page was reloaded"

    # ---- the checks of every step -------------------------------------------------------------

    def check(self, step: str) -> None:
        """Screenshot, accessibility and console checks of the page as it is now."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{self.journey}-{self.steps:02d}-{step}.png"
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        results = AXE.run(self.page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        where = f"{self.journey} step {step!r} ({self.page.url})"
        assert not blocking, f"axe violations on {where}:\n{axe_report(blocking)}"
        self.assert_no_console_errors(where)

    def assert_no_console_errors(self, where: str = "") -> None:
        errors, self.errors = self.errors, []
        assert not errors, f"console errors on {where or self.page.url}:\n" + "\n".join(errors)
