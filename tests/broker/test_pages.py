"""The broker's list, the proposal's page and its live status, and who may open what."""

import pytest
from django.urls import reverse

from proposals.models import Proposal, Status
from tests.broker.helpers import draft, filled, step_url

pytestmark = pytest.mark.django_db

PK_URLS = [
    "proposal_detail", "proposal_status", "proposal_submit", "proposal_quote", "proposal_refresh",
    "proposal_request_decision", "proposal_precheck", "proposal_send_changes", "proposal_cancel",
    "proposal_copy", "proposal_conflict",
]  # fmt: skip
STEPS = ["office", "customer", "assets", "calculation", "review"]


def make(broker, **fields):
    values = {"organisation": broker.organisation, "broker": broker, "status": Status.DRAFT}
    return Proposal.objects.create(**{**values, **fields})


def test_list_filters_by_status_and_decision_and_searches(login, broker, broker2, mirror):
    make(broker, customer_name="Harbourside Print Ltd")
    make(broker, status=Status.SENT, reference="IP-2026-ABCD2345", customer_name="Northgate PLC",
         decision_status="ACCEPTED", workflow_status="ACCEPTED")  # fmt: skip
    make(broker, status=Status.FAILED, reference="IP-2026-FAIL9999", customer_name="Mill Lane")
    make(broker2, customer_name="Not Mine Ltd")
    client = login(broker)

    def listed(**query):
        page = client.get(reverse("broker_home"), query).content.decode()
        return {n for n in ("Harbourside", "Northgate", "Mill Lane", "Not Mine") if n in page}

    assert listed() == {"Harbourside", "Northgate", "Mill Lane"}
    assert listed(status="FAILED") == {"Mill Lane"}
    assert listed(decision="ACCEPTED") == {"Northgate"}
    assert listed(decision="NONE") == {"Harbourside", "Mill Lane"}
    assert listed(q="abcd2345") == {"Northgate"}
    assert listed(q="harbour") == {"Harbourside"}
    assert listed(q="not mine") == set()
    assert listed(status="NONSENSE", decision="\x00", page="-3") == listed()


def test_list_links_each_proposal_and_offers_new_and_copy(login, broker, mirror):
    proposal = make(broker, customer_name="Harbourside Print Ltd")
    page = login(broker).get(reverse("broker_home")).content.decode()
    assert reverse("proposal_detail", args=[proposal.pk]) in page
    assert reverse("proposal_new") in page
    assert reverse("proposal_copy", args=[proposal.pk]) in page
    assert step_url(proposal, "office") in page


@pytest.mark.parametrize("intruder", ["broker2", "other_broker", "other_staff"])
def test_someone_elses_proposal_is_404_on_every_url(request, login, broker, mirror, intruder):
    proposal = filled(login(broker), draft(broker))
    client = login(request.getfixturevalue(intruder))
    for name in PK_URLS:
        url = reverse(name, args=[proposal.pk])
        response = client.post(url) if name not in ("proposal_detail", "proposal_status") else None
        response = response or client.get(url)
        expected = {403, 404} if intruder == "other_staff" else {404}
        assert response.status_code in expected, (name, response.status_code)
    for step in STEPS:
        assert client.get(step_url(proposal, step)).status_code in expected
        assert client.post(step_url(proposal, step), {"office": "1"}).status_code in expected
    assert Proposal.objects.get(pk=proposal.pk).office_id == 1001


def test_staff_see_the_page_read_only(login, broker, staff, mirror):
    proposal = filled(login(broker), draft(broker))
    client = login(staff)
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "What you can do" not in page and "Draft #" in page
    assert client.get(reverse("proposal_status", args=[proposal.pk])).json()["actions"] == []
    assert client.get(step_url(proposal, "office")).status_code == 403


def test_status_json_tells_the_page_everything_it_shows(login, broker, mirror):
    proposal = make(
        broker, status=Status.SENT, reference="IP-2026-LIVE2345", sfs_id=7000123,
        workflow_status="DECISION_REQUESTED", decision_status="PENDING",
        decision_request={"precheck": {"state": "ok", "requestAllowed": True, "violations": []}},
        quote={"state": "running", "inputs": "quote:abc"},
    )  # fmt: skip
    data = login(broker).get(reverse("proposal_status", args=[proposal.pk])).json()
    assert data["status"] == "SENT" and data["status_label"] == "Sent"
    assert data["workflow_status"] == "DECISION_REQUESTED"
    assert data["decision"]["label"] == "Pending: SFS is deciding"
    assert [(s["key"], s["state"]) for s in data["progress"]] == [
        ("queued", "done"), ("sending", "done"), ("sent", "done"),
        ("decision_requested", "done"), ("decided", "current"),
    ]  # fmt: skip
    assert data["quote"] == {"state": "running"} and data["busy"] is True
    assert data["precheck"]["requestAllowed"] is True
    assert data["last_checked_at"] is None
    # While SFS decides, only a check, a cancel and a copy make sense (the lifecycle's table).
    assert set(data["actions"]) == {"cancel", "refresh", "copy"}
    assert data["stage"]["value"] == "with_sfs" and data["stage"]["label"] == "With SFS"


def test_the_decision_in_words(login, broker, mirror):
    proposal = make(
        broker, status=Status.SENT, reference="IP-2026-DONE2345", sfs_id=1,
        workflow_status="ACCEPTED", decision_status="ACCEPTED",
        decision={"decisionStatus": "ACCEPTED", "decisionDate": "2026-11-28T06:05:21.123Z",
                  "validUntilDate": "2027-02-26T00:00:00Z", "reason": "Good history",
                  "condition": "Personal guarantee from a director", "comment": None},
    )  # fmt: skip
    page = login(broker).get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    for words in ("Accepted", "28 Nov 2026", "26 Feb 2027", "Good history", "Personal guarantee"):
        assert words in page


def test_gone_is_explained_with_a_send_again_button(login, broker, mirror):
    proposal = make(broker, status=Status.GONE, reference="IP-2026-GONE2345", sfs_id=1)
    page = login(broker).get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "SFS no longer has this proposal" in page and "Send it again" in page
    assert reverse("proposal_submit", args=[proposal.pk]) in page


def test_unknown_sfs_statuses_are_shown_as_they_came(login, broker, mirror):
    proposal = make(broker, status=Status.SENT, reference="IP-2026-ODD23456", sfs_id=1,
                    workflow_status="UNDER_REVIEW", decision_status="REFERRED")  # fmt: skip
    client = login(broker)
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "Under review" in page and "Referred" in page


def test_the_page_polls_without_inline_script_or_style(login, broker, mirror):
    proposal = filled(login(broker), draft(broker))
    client = login(broker)
    pages = [client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()]
    pages += [client.get(step_url(proposal, step)).content.decode() for step in STEPS]
    pages.append(client.get(reverse("broker_home")).content.decode())
    for page in pages:
        assert " style=" not in page
        for chunk in page.split("<script")[1:]:
            assert chunk.lstrip().startswith("src=") and ">" + "</script>" in chunk
    assert 'data-status-url="' + reverse("proposal_status", args=[proposal.pk]) in pages[0]
    assert "checked" in pages[0] or "not yet" in pages[0]


def test_every_label_has_its_control(login, broker, mirror):
    proposal = filled(login(broker), draft(broker))
    client = login(broker)
    import re

    for step in STEPS:
        page = client.get(step_url(proposal, step)).content.decode()
        controls = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page))
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', page))
        hidden = set(re.findall(r'<input type="hidden"[^>]*\bid="([^"]+)"', page))
        assert controls - hidden <= labelled, (step, controls - hidden - labelled)
