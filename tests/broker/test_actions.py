"""The buttons of the proposal's page: each calls its service of the SFS side; a refusal
(``PortalError``) is shown in words. The services stand in here (their own tests are the lead's)."""

import pytest
from django.urls import reverse

from proposals.models import Proposal, Status
from proposals.services import PortalError, changes, decisions, quotes, refresh, sending
from proposals.services.validation import Problem
from tests.broker.helpers import draft, filled, step_url

pytestmark = pytest.mark.django_db

SERVICES = {
    "proposal_refresh": (refresh, "proposal_refresh_request"),
    "proposal_request_decision": (decisions, "proposal_request_decision"),
    "proposal_precheck": (decisions, "proposal_precheck_request"),
    "proposal_cancel": (sending, "proposal_cancel"),
}


@pytest.fixture
def proposal(login, broker, mirror):
    return filled(login(broker), draft(broker))


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.parametrize("name", list(SERVICES))
def test_each_action_calls_its_service(monkeypatch, login, broker, proposal, name):
    module, function = SERVICES[name]
    calls = []
    monkeypatch.setattr(module, function, lambda **kw: calls.append(kw))
    response = login(broker).post(reverse(name, args=[proposal.pk]), follow=True)
    assert calls and calls[0]["proposal"].pk == proposal.pk and calls[0]["user"] == broker
    assert response.redirect_chain[-1][0] == reverse("proposal_detail", args=[proposal.pk])


@pytest.mark.parametrize("name", list(SERVICES))
def test_a_refusal_is_shown_in_words(monkeypatch, login, broker, proposal, name):
    module, function = SERVICES[name]

    def refuse(**kw):
        raise PortalError("SFS does not allow that now.")

    monkeypatch.setattr(module, function, refuse)
    response = login(broker).post(reverse(name, args=[proposal.pk]), follow=True)
    assert "SFS does not allow that now." in _messages(response)


def test_actions_are_post_only(login, broker, proposal):
    # Cancel answers GET with its confirmation page (tests/broker/test_cancel_confirm.py).
    post_only = [n for n in SERVICES if n != "proposal_cancel"]
    for name in [*post_only, "proposal_submit", "proposal_quote", "proposal_copy"]:
        assert login(broker).get(reverse(name, args=[proposal.pk])).status_code == 405


def test_submit_dispatches_by_state(monkeypatch, login, broker, proposal):
    seen = []
    monkeypatch.setattr(sending, "proposal_submit", lambda **kw: seen.append("submit"))
    monkeypatch.setattr(sending, "proposal_resend_gone", lambda **kw: seen.append("resend"))
    monkeypatch.setattr(changes, "proposal_send_changes", lambda **kw: seen.append("changes"))
    client = login(broker)
    url = reverse("proposal_submit", args=[proposal.pk])
    client.post(url)
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.GONE, reference="IP-2026-G")
    client.post(url)
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.SENT)
    client.post(reverse("proposal_send_changes", args=[proposal.pk]))
    assert seen == ["submit", "resend", "changes"]


def test_an_invalid_proposal_goes_back_to_the_review(monkeypatch, login, broker, proposal):
    def invalid(**kw):
        raise sending.ProposalInvalid([Problem(None, "CUSTOMER_MISSING", "Add the customer.")])

    monkeypatch.setattr(sending, "proposal_submit", invalid)
    response = login(broker).post(reverse("proposal_submit", args=[proposal.pk]))
    assert response["Location"] == step_url(proposal, "review")


def test_review_can_save_and_send_at_once(monkeypatch, login, broker, proposal):
    seen = []
    monkeypatch.setattr(sending, "proposal_submit", lambda **kw: seen.append(kw["proposal"].pk))
    response = login(broker).post(
        step_url(proposal, "review"), {"special_condition_text": "Rush", "go": "send"}
    )
    assert seen == [proposal.pk]
    assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])
    assert Proposal.objects.get(pk=proposal.pk).notes["specialConditionText"] == "Rush"


def test_quote_goes_back_where_it_was_asked(monkeypatch, login, broker, proposal):
    monkeypatch.setattr(quotes, "quote_request", lambda **kw: {"state": "queued"})
    here = step_url(proposal, "calculation")
    response = login(broker).post(reverse("proposal_quote", args=[proposal.pk]), {"next": here})
    assert response["Location"] == here
    response = login(broker).post(
        reverse("proposal_quote", args=[proposal.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])


def test_a_quote_result_is_shown(login, broker, proposal):
    result = {"instalment": "405.12", "number_of_payments": 36, "amount_financed": "13000.00"}
    Proposal.objects.filter(pk=proposal.pk).update(quote={"state": "ok", "result": result})
    page = login(broker).get(step_url(proposal, "calculation")).content.decode()
    assert "405.12" in page and "Get a quote" in page


CONFLICT = {
    "groups": {
        "notes": {
            "base": {"specialConditionText": "A"},
            "mine": {"specialConditionText": "Mine"},
            "theirs": {"specialConditionText": "Theirs"},
        },
        "assets": {"base": [], "mine": [{"quantity": 2}], "theirs": [{"quantity": 3}]},
    }
}


def test_conflict_page_shows_both_sides_and_needs_a_choice_per_group(monkeypatch, login, broker):
    proposal = Proposal.objects.create(
        organisation=broker.organisation, broker=broker, status=Status.CONFLICT,
        reference="IP-2026-CONF2345", sfs_id=1, conflict=CONFLICT,
    )  # fmt: skip
    client = login(broker)
    url = reverse("proposal_conflict", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert "Mine" in page and "Theirs" in page and 'name="choice_notes"' in page
    response = client.post(url, {"choice_notes": "mine"})
    assert response.status_code == 400 and "Choose yours or SFS" in response.content.decode()
    chosen = []
    monkeypatch.setattr(
        changes, "proposal_resolve_conflict", lambda **kw: chosen.append(kw["choices"])
    )
    response = client.post(url, {"choice_notes": "mine", "choice_assets": "theirs"})
    assert chosen == [{"notes": "mine", "assets": "theirs"}]
    assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])


def test_no_conflict_sends_you_back(login, broker, proposal):
    response = login(broker).get(reverse("proposal_conflict", args=[proposal.pk]))
    assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])


def test_typed_input_not_yet_readable_blocks_the_send(monkeypatch, login, broker, proposal):
    seen = []
    monkeypatch.setattr(sending, "proposal_submit", lambda **kw: seen.append(1))
    client = login(broker)
    client.post(step_url(proposal, "calculation"), {"term": "three years"})
    response = client.post(reverse("proposal_submit", args=[proposal.pk]), follow=True)
    assert seen == []
    page = response.content.decode()
    assert "could not be read yet" in page and "Term must be a whole number" in page


def test_the_real_submit_queues_a_complete_draft(login, broker, proposal):
    client = login(broker)
    response = client.post(reverse("proposal_submit", args=[proposal.pk]), follow=True)
    proposal.refresh_from_db()
    assert proposal.status == Status.QUEUED and proposal.reference.startswith("IP-")
    status = client.get(reverse("proposal_status", args=[proposal.pk])).json()
    assert status["progress"][0]["state"] == "current" and status["busy"] is True
    assert "Sent to the queue" in response.content.decode()


def test_the_real_submit_refuses_an_incomplete_draft(login, broker, mirror):
    client = login(broker)
    proposal = draft(broker)
    response = client.post(reverse("proposal_submit", args=[proposal.pk]), follow=True)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.DRAFT
    page = response.content.decode()
    assert "Not sent yet" in page and "Add the customer" in page
