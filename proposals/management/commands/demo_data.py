"""``manage.py demo_data``: a demo organisation with one user per role, and its logins.

With ``--connect-sandbox`` it also gives the organisation an active Sandbox credential (the seed's
``demo-introducer``) and mirrors the sandbox's configuration, so a broker can start at once.
"""

from django.core.management.base import BaseCommand

from proposals.models import Credential, Environment
from proposals.services.config_mirror import config_refresh
from proposals.services.credentials import credential_save
from proposals.services.people import organisation_get_or_create, user_upsert
from proposals.siesmart.errors import SieSmartError

DEMO_USERS = [
    ("broker", "broker-demo-2026", "broker", "Bella", "Broker"),
    ("staff", "staff-demo-2026", "staff", "Sam", "Staff"),
    ("admin", "admin-demo-2026", "admin", "Ada", "Admin"),
]
SANDBOX_CLIENT = ("demo-introducer", "demo-secret")


class Command(BaseCommand):
    help = "Create (or reset) the demo organisation with a broker, a staff member and an admin."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", default="Demo Asset Brokers Ltd")
        parser.add_argument(
            "--connect-sandbox",
            action="store_true",
            help="Point the demo organisation at the sandbox and mirror its configuration.",
        )

    def handle(self, *args, **options):
        organisation = organisation_get_or_create(name=options["organisation"])
        users = {}
        for username, password, role, first, last in DEMO_USERS:
            users[role] = user_upsert(
                organisation=organisation,
                username=username,
                password=password,
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@demo-brokers.example",
            )
        if options["connect_sandbox"]:
            self._connect_sandbox(organisation, users["admin"])
        self.stdout.write(self.style.SUCCESS(f"Demo organisation: {organisation.name}"))
        self.stdout.write("Log in at http://127.0.0.1:8000 with:")
        for username, password, role, _, _ in DEMO_USERS:
            self.stdout.write(f"  {role:<7} username {username:<7} password {password}")

    def _connect_sandbox(self, organisation, admin):
        existing = Credential.objects.filter(
            organisation=organisation, environment=Environment.SANDBOX
        ).first()
        credential = credential_save(
            organisation=organisation,
            user=admin,
            credential=existing,
            environment=Environment.SANDBOX,
            client_id=SANDBOX_CLIENT[0],
            client_secret="" if existing else SANDBOX_CLIENT[1],
            make_active=not Credential.objects.filter(
                organisation=organisation, is_active=True
            ).exists()
            or bool(existing and existing.is_active),
        )
        try:
            offices = config_refresh(credential=credential)
        except SieSmartError as error:
            self.stderr.write(f"Could not mirror the sandbox's configuration yet: {error}")
        else:
            self.stdout.write(f"Sandbox credential active; {offices} office(s) mirrored.")
