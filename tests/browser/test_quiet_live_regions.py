"""A screen reader hears a live region when something happened, not every second: clocks
("checked 20 s ago") tick outside live regions, on the pages that carry them."""

import pytest

from proposals.models import Status
from tests.support.proposals import make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Count changes to the text of every live region for a while, with nothing happening.
WATCH = """
(ms) => new Promise((resolve) => {
  const regions = document.querySelectorAll('[aria-live], [role=status], [role=alert], [role=log]');
  const changes = [];
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      changes.push((r.target.parentElement || r.target).outerHTML.slice(0, 120));
    }
  });
  regions.forEach((region) => observer.observe(region, {
    subtree: true, childList: true, characterData: true,
  }));
  setTimeout(() => { observer.disconnect(); resolve({regions: regions.length, changes}); }, ms);
})
"""


def test_a_step_and_a_proposal_page_keep_their_live_regions_quiet(
    open_tab, broker, portal_credential
):
    proposal = make_proposal(
        broker=broker,
        credential=portal_credential,
        status=Status.SENT,
        reference="IP-QUIET-0001",
        sfs_id=7000999,
        workflow_status="ACCEPTED",
        decision_status="ACCEPTED",
    )
    draft = make_proposal(broker=broker, credential=portal_credential)
    tab = open_tab("quiet")
    tab.login(broker.username)
    for path in (f"/proposals/{proposal.pk}/", f"/proposals/{draft.pk}/step/office"):
        tab.goto(path)
        tab.page.wait_for_load_state("load")
        # The clocks on these pages do tick meanwhile: the watch must see no live change.
        seen = tab.page.evaluate(WATCH, 3500)
        assert seen["regions"] >= 1, path
        assert seen["changes"] == [], (path, seen["changes"])
