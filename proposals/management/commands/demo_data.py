"""``manage.py demo_data``: a demo organisation with one user per role, and its logins."""

from django.core.management.base import BaseCommand

from proposals.services.people import organisation_get_or_create, user_upsert

DEMO_USERS = [
    ("broker", "broker-demo-2026", "broker", "Bella", "Broker"),
    ("staff", "staff-demo-2026", "staff", "Sam", "Staff"),
    ("admin", "admin-demo-2026", "admin", "Ada", "Admin"),
]


class Command(BaseCommand):
    help = "Create (or reset) the demo organisation with a broker, a staff member and an admin."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", default="Demo Asset Brokers Ltd")
        parser.add_argument("--sandbox-url", default="", help="Point the demo at this sandbox.")

    def handle(self, *args, **options):
        organisation = organisation_get_or_create(name=options["organisation"])
        for username, password, role, first, last in DEMO_USERS:
            user_upsert(
                organisation=organisation,
                username=username,
                password=password,
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@demo-brokers.example",
            )
        self.stdout.write(self.style.SUCCESS(f"Demo organisation: {organisation.name}"))
        self.stdout.write("Log in at http://127.0.0.1:8000 with:")
        for username, password, role, _, _ in DEMO_USERS:
            self.stdout.write(f"  {role:<7} username {username:<7} password {password}")
