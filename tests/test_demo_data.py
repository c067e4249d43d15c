from django.core.management import call_command
from django.urls import reverse

from proposals.management.commands.demo_data import DEMO_USERS


def test_demo_data_prints_logins_that_work(client, db, capsys):
    call_command("demo_data")
    printed = capsys.readouterr().out
    landing = {"broker": "broker_home", "staff": "staff_home", "admin": "admin_home"}
    for username, password, role, _, _ in DEMO_USERS:
        assert f"username {username}" in printed and f"password {password}" in printed
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, f"{role} could not log in"
        landed = client.get(reverse(landing[role]))
        if role == "broker":
            assert landed.status_code == 200
        else:  # two-factor: staff and admins set it up at their first login
            assert landed["Location"].startswith(reverse("two_factor_enrol")), role
        client.post(reverse("logout"))


def test_demo_data_twice_keeps_one_organisation(db):
    from proposals.models import Organisation, User

    call_command("demo_data")
    call_command("demo_data")
    assert Organisation.objects.count() == 1
    assert User.objects.count() == len(DEMO_USERS)


def test_demo_data_connects_the_sandbox_and_mirrors_it(db, settings, capsys):
    from proposals.models import Credential, MirroredOffice
    from tests.support.sandbox_server import SandboxProcess

    with SandboxProcess() as sandbox:
        settings.SIESMART_SANDBOX_URL = sandbox.base_url
        call_command("demo_data", "--connect-sandbox")
    credential = Credential.objects.get()
    assert credential.is_active and credential.environment == "sandbox"
    assert credential.api_url == f"{sandbox.base_url}/siesmart/b2b/v1"
    assert MirroredOffice.objects.filter(credential=credential).count() >= 2
    assert "office(s) mirrored" in capsys.readouterr().out
