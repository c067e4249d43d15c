"""Issue 10, point 1: Django admin never reads or writes across organisations.

An admin of organisation B (``other_admin``) walks the admin against organisation A's rows:
foreign keys offer and accept B's rows only, the organisation is B's whatever is posted, the
records (events, SieSmart calls) cannot be written at all, and A's rows cannot be opened by id.
"""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Credential, Proposal, ProposalEvent, SieSmartCall, Status, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(organisation, broker):
    """Organisation A's credential, proposal, event and call."""
    credential = Credential.objects.create(
        organisation=organisation,
        environment="sandbox",
        api_url="https://a.example/api",
        token_url="https://a.example/token",
        client_id="acme",
        client_secret_encrypted="x",
    )
    proposal = Proposal.objects.create(
        organisation=organisation,
        broker=broker,
        credential=credential,
        status=Status.SENT,
        reference="IP-ACME-SECRET-1",
        customer_name="Acme Private Customer",
    )
    event = ProposalEvent.objects.create(proposal=proposal, kind="sent", actor=broker)
    call = SieSmartCall.objects.create(
        at=timezone.now(),
        organisation=organisation,
        credential=credential,
        proposal=proposal,
        method="GET",
        path="/proposals/acme-trace",
        trace_id="acme-trace-1",
    )
    return {"credential": credential, "proposal": proposal, "event": event, "call": call}


def _form_data(response) -> dict:
    """What the admin's add form would post as it stands (every field at its initial value)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = json.dumps(value) if isinstance(value, dict | list) else value
    return data


def test_a_proposal_cannot_be_added_with_another_organisations_broker(
    login, other_admin, other_broker, broker, organisation, other_organisation
):
    client = login(other_admin)
    url = reverse("admin:proposals_proposal_add")
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "organisation" not in form.fields  # set from the admin, shown read-only
    assert set(form.fields["broker"].queryset) == set(other_organisation.users.all())
    data = {**_form_data(page), "broker": broker.pk, "organisation": organisation.pk}
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error by the field
    assert response.context["adminform"].form.errors["broker"]
    assert not Proposal.objects.filter(broker=broker).exists()

    # With B's own broker the row is added, and it belongs to B whatever was posted.
    data["broker"] = other_broker.pk
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Proposal.objects.get(broker=other_broker)
    assert added.organisation == other_organisation


def test_events_and_calls_are_view_only(login, other_admin, admin_user, theirs):
    client = login(other_admin)
    for model in ("proposalevent", "siesmartcall"):
        assert client.get(reverse(f"admin:proposals_{model}_add")).status_code == 403
        response = client.post(
            reverse(f"admin:proposals_{model}_add"),
            {"proposal": theirs["proposal"].pk, "kind": "forged", "method": "GET"},
        )
        assert response.status_code == 403
    assert ProposalEvent.objects.count() == 1 and SieSmartCall.objects.count() == 1
    # Their own organisation's admin reads them but cannot change them either.
    own = login(admin_user)
    change = reverse("admin:proposals_siesmartcall_change", args=[theirs["call"].pk])
    page = own.get(change)
    assert page.status_code == 200 and "acme-trace-1" in page.content.decode()
    own.post(change, {"path": "/changed"})
    assert SieSmartCall.objects.get().path == "/proposals/acme-trace"


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("proposal", "proposal"),
        ("proposalevent", "event"),
        ("siesmartcall", "call"),
    ],
)
def test_another_organisations_rows_cannot_be_opened_by_id(login, other_admin, theirs, model, key):
    client = login(other_admin)
    url = reverse(f"admin:proposals_{model}_change", args=[theirs[key].pk])
    response = client.get(url, follow=True)
    text = response.content.decode()
    assert "IP-ACME-SECRET-1" not in text and "acme-trace-1" not in text
    assert "Acme Private Customer" not in text
    history = client.get(url.replace("/change/", "/history/"), follow=True).content.decode()
    assert "IP-ACME-SECRET-1" not in history and "acme-trace-1" not in history


def test_a_user_cannot_be_added_to_another_organisation(
    login, other_admin, organisation, other_organisation
):
    client = login(other_admin)
    response = client.post(
        reverse("admin:proposals_user_add"),
        {
            "username": "mole",
            "password1": "a-long-enough-pass-2026",
            "password2": "a-long-enough-pass-2026",
            "usable_password": "true",
            "email": "mole@example.test",
            "organisation": organisation.pk,
            "role": "broker",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="mole").organisation == other_organisation
