"""``manage.py rotate_credential_keys``: re-encrypt every secret with the first key."""

from django.core.management.base import BaseCommand

from proposals.services.credentials import credentials_rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt stored SieSmart secrets with the first of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        count = credentials_rotate_keys()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} credential secret(s)."))
