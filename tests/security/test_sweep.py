"""The security sweep: every URL of the portal, for every role and for users of another
organisation; CSRF on every POST; no secret in any page; no SFS call while a page renders.

``URLS`` must name every URL pattern the portal has: a new URL without an entry fails.
"""

from datetime import timedelta
from unittest import mock

import pytest
import requests
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import Invitation
from proposals.models import ConnectionTest
from tests.services.conftest import sandbox_credential
from tests.support.proposals import make_proposal
from tests.support.two_factor import login_verified

SECRET = "sweep-secret-value"

# name: (methods, the kind of object its id names or None, extra kwargs)
URLS = {
    "healthz": (["GET"], None, {}),
    "login": (["GET"], None, {}),
    "logout": (["POST"], None, {}),
    "home": (["GET"], None, {}),
    "broker_home": (["GET"], None, {}),
    "proposal_new": (["GET", "POST"], None, {}),
    "proposal_detail": (["GET"], "proposal", {}),
    "proposal_step": (["GET", "POST"], "proposal", {"step": "office"}),
    "proposal_status": (["GET"], "proposal", {}),
    "proposal_submit": (["POST"], "proposal", {}),
    "proposal_quote": (["POST"], "proposal", {}),
    "proposal_refresh": (["POST"], "proposal", {}),
    "proposal_request_decision": (["POST"], "proposal", {}),
    "proposal_precheck": (["POST"], "proposal", {}),
    "proposal_send_changes": (["POST"], "proposal", {}),
    "proposal_cancel": (["GET", "POST"], "proposal", {}),
    "proposal_copy": (["POST"], "proposal", {}),
    "proposal_delete": (["GET", "POST"], "proposal", {}),
    "proposal_conflict": (["GET", "POST"], "proposal", {}),
    # issue 13: downloads streamed from SFS (proposals/views/documents.py)
    "proposal_document_download": (
        ["GET"],
        "proposal",
        {"id_type": "GENERATED", "value": "501"},
    ),
    "proposal_decision_document": (["GET"], "proposal", {}),
    "proposal_signing": (["GET", "POST"], "proposal", {}),
    "proposal_document_upload": (["GET", "POST"], "proposal", {}),  # issue 13: uploads
    "staff_home": (["GET"], None, {}),
    "staff_export": (["GET"], None, {}),
    "staff_health": (["GET"], None, {}),
    "staff_documents": (["GET"], None, {}),
    "staff_bulk_refresh": (["POST"], None, {}),
    "staff_proposal": (["GET"], "proposal", {}),
    "staff_retry_send": (["POST"], "proposal", {}),
    "staff_requeue": (["POST"], "proposal", {}),
    "staff_refresh": (["POST"], "proposal", {}),
    "notifications": (["GET"], None, {}),
    "notifications_read": (["POST"], None, {}),
    "admin_home": (["GET"], None, {}),
    "credential_new": (["GET", "POST"], None, {}),
    "credential_edit": (["GET", "POST"], "credential", {}),
    "credential_activate": (["POST"], "credential", {}),
    "credential_test": (["POST"], "credential", {}),
    "credential_refresh_config": (["POST"], "credential", {}),
    "notification_key_rotate": (["POST"], "credential", {}),
    # issue 14: SFS's notifications; no login, no CSRF token, an API key instead
    "sfs_notifications": (["POST"], None, {}),
    "connection_test_status": (["GET"], "connection_test", {}),
    "workers_check": (["POST"], None, {}),
    "workers_status": (["GET"], None, {}),
    # two-factor (accounts/views/two_factor.py)
    "two_factor_settings": (["GET"], None, {}),
    "two_factor_enrol": (["GET", "POST"], None, {}),
    "two_factor_verify": (["GET", "POST"], None, {}),
    "two_factor_recovery_codes": (["GET"], None, {}),
    "two_factor_regenerate": (["POST"], None, {}),
    "two_factor_turn_off": (["POST"], None, {}),
    "two_factor_reset": (["POST"], "person", {}),
    # accounts: passwords, people and invitations (accounts/views/passwords.py, people.py)
    "password_reset": (["GET", "POST"], None, {}),
    "password_reset_done": (["GET"], None, {}),
    "password_reset_confirm": (["GET", "POST"], None, {"uidb64": "MQ", "token": "bad-token"}),
    "password_reset_complete": (["GET"], None, {}),
    "password_change": (["GET", "POST"], None, {}),
    "people": (["GET"], None, {}),
    "invitation_new": (["POST"], None, {}),
    "person_disable": (["POST"], "person", {}),
    "person_enable": (["POST"], "person", {}),
    "invitation_resend": (["POST"], "invitation", {}),
    "invitation_withdraw": (["POST"], "invitation", {}),
    "invitation_accept": (["GET", "POST"], None, {"token": "not-a-real-token"}),
}
PUBLIC = {"healthz", "login", "logout", "sfs_notifications"}
# The one view without CSRF: SFS posts to it with its X-API-KEY (tests/notifications_sfs).
CSRF_EXEMPT = {"sfs_notifications"}
# accounts: pages reached from an email, before any login
PUBLIC |= {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
}


def portal_url_names() -> set[str]:
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_pattern_has_a_sweep_entry():
    assert portal_url_names() == set(URLS)


def _allowed_roles(url):
    view = resolve(url).func
    return getattr(view, "allowed_roles", None)


def _invitation(organisation, label):
    """accounts: an open invitation of ``organisation``."""
    now = timezone.now()
    return Invitation.objects.create(
        organisation=organisation,
        email=f"invitee-{label}@example.test",
        token_hash=f"{label:0>64}",
        sent_at=now,
        expires_at=now + timedelta(days=7),
    )


@pytest.fixture
def world(organisation, other_organisation, broker, broker2, staff, admin_user, other_broker,
          other_staff, other_admin, sandbox):  # fmt: skip
    own_credential = sandbox_credential(organisation, sandbox, secret=SECRET)
    foreign_credential = sandbox_credential(other_organisation, sandbox, secret=SECRET)
    return {
        "users": {
            "broker": broker,
            "broker2": broker2,
            "staff": staff,
            "admin": admin_user,
            "other_broker": other_broker,
            "other_staff": other_staff,
            "other_admin": other_admin,
        },
        "own": {
            "proposal": make_proposal(broker=broker, credential=own_credential),
            "credential": own_credential,
            "connection_test": ConnectionTest.objects.create(credential=own_credential),
            "person": staff,  # two-factor reset
            "invitation": _invitation(organisation, "own"),  # accounts
        },
        "foreign": {
            "proposal": make_proposal(broker=other_broker, credential=foreign_credential),
            "credential": foreign_credential,
            "connection_test": ConnectionTest.objects.create(credential=foreign_credential),
            "person": other_staff,  # two-factor reset
            "invitation": _invitation(other_organisation, "foreign"),  # accounts
        },
    }


def _url(name, kind, extra, objects):
    kwargs = dict(extra)
    if kind:
        kwargs["pk"] = objects[kind].pk
    return reverse(name, kwargs=kwargs or None)


@pytest.fixture
def no_sfs_calls():
    """Fails any HTTP request made while pages render: pages read the mirror only."""
    calls = []

    def refuse(self, request, **kwargs):
        calls.append(request.url)
        raise AssertionError(f"a page called out to {request.url}")

    with mock.patch.object(requests.Session, "send", refuse):
        yield calls


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _unseeable(label, world):
    """The objects ``label`` must not see: the other organisation's, and for a second broker of
    the same organisation, a colleague's proposal."""
    if label.startswith("other_"):
        return world["own"]
    if label == "broker2":
        return {"proposal": world["own"]["proposal"]}
    return world["foreign"]


def test_ids_of_others_answer_404_for_every_role(world, no_sfs_calls):
    """Users of another organisation (any role), and a second broker of the same one, get 404
    for every id they must not see; a role the page is not for gets 403 whatever the id."""
    bodies = []
    for label, user in world["users"].items():
        client = Client()
        login_verified(client, user)  # two-factor passed
        hidden = _unseeable(label, world)
        for name, (methods, kind, extra) in URLS.items():
            if kind not in hidden:
                continue
            url = _url(name, kind, extra, hidden)
            roles = _allowed_roles(url)
            expected = 404 if user.role in roles else 403
            for method in methods:
                response = getattr(client, method.lower())(url)
                assert response.status_code == expected, (label, method, url)
                bodies.append(_body(response))
    assert all(SECRET.encode() not in body for body in bodies)
    assert no_sfs_calls == []


def test_every_role_page_renders_without_secrets_or_sfs_calls(world, no_sfs_calls):
    for label in ("broker", "staff", "admin"):
        client = Client()
        login_verified(client, world["users"][label])  # two-factor passed
        for name, (methods, kind, extra) in URLS.items():
            if "GET" not in methods or name in ("logout",):
                continue
            url = _url(name, kind, extra, world["own"])
            roles = _allowed_roles(url)
            response = client.get(url)
            if roles is not None and world["users"][label].role not in roles:
                assert response.status_code == 403, (label, url)
                continue
            assert response.status_code in (200, 302), (label, url, response.status_code)
            assert SECRET.encode() not in _body(response)
    assert no_sfs_calls == []


def test_every_post_is_refused_without_a_csrf_token(world):
    for name, (methods, kind, extra) in URLS.items():
        if "POST" not in methods or name in CSRF_EXEMPT:
            continue
        url = _url(name, kind, extra, world["own"])
        roles = _allowed_roles(url) or ("broker",)
        user = next(u for u in world["users"].values() if u.role in roles)
        client = Client(enforce_csrf_checks=True)
        login_verified(client, user)  # two-factor passed
        response = client.post(url, {})
        assert response.status_code == 403, (name, response.status_code)
        assert b"CSRF" in response.content or b"Forbidden" in response.content


def test_only_the_sfs_hook_goes_without_csrf_and_it_wants_its_key(world):
    exempt = {
        name
        for name in URLS
        if getattr(resolve(_url(name, *URLS[name][1:], world["own"])).func, "csrf_exempt", False)
    }
    assert exempt == CSRF_EXEMPT
    response = Client(enforce_csrf_checks=True).post(reverse("sfs_notifications"), {})
    assert response.status_code == 401


def test_anonymous_users_are_sent_to_log_in(world):
    client = Client()
    for name, (methods, kind, extra) in URLS.items():
        if name in PUBLIC:
            continue
        url = _url(name, kind, extra, world["own"])
        for method in methods:
            response = getattr(client, method.lower())(url)
            assert response.status_code == 302, (name, method)
            assert response["Location"].startswith(reverse("login"))


def test_django_admin_is_for_portal_admins_and_scoped_to_their_organisation(world):
    own, foreign = world["own"]["proposal"], world["foreign"]["proposal"]
    for label, user in world["users"].items():
        client = Client()
        login_verified(client, user)  # two-factor passed
        response = client.get("/admin/proposals/proposal/")
        if user.role != "admin":
            assert response.status_code == 302, label
            continue
        assert response.status_code == 200, label
        mine, theirs = (own, foreign) if label == "admin" else (foreign, own)
        page = response.content.decode()
        assert f"/admin/proposals/proposal/{mine.pk}/change/" in page
        assert f"/admin/proposals/proposal/{theirs.pk}/change/" not in page
        hidden = client.get(f"/admin/proposals/proposal/{theirs.pk}/change/")
        assert hidden.status_code in (302, 404), label
