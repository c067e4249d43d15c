"""SieSmart credentials per organisation and environment; secrets are encrypted at rest."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from proposals.models.people import Organisation


class Environment(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox"
    SFS_TEST = "sfs_test", "SFS test"
    SFS_PRODUCTION = "sfs_production", "SFS production"
    CUSTOM = "custom", "Custom URLs"


class Credential(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="credentials"
    )
    environment = models.CharField(max_length=20, choices=Environment.choices)
    api_url = models.URLField(max_length=300)
    token_url = models.URLField(max_length=300)
    client_id = models.CharField(max_length=200)
    # Fernet token of the client secret (see services/crypto.py); never the plain secret.
    client_secret_encrypted = models.TextField()
    is_active = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "environment"], name="one_credential_per_environment"
            ),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_active=True), name="one_active_credential"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_environment_display()}"

    @property
    def is_production(self) -> bool:
        return self.environment == Environment.SFS_PRODUCTION

    @property
    def cache_key(self) -> str:
        return f"credential:{self.pk}"


class ConnectionTest(models.Model):
    """An admin's "Test connection": queued, then running, then an outcome with a trace id."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="tests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    trace_id = models.CharField(max_length=100, blank=True)
    offices = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)


class CredentialAudit(models.Model):
    """Who changed which credential, when and what; never the secret itself."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    credential = models.ForeignKey(Credential, on_delete=models.SET_NULL, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=40)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]


class RateSlot(models.Model):
    """The database rate limiter: the slots one holder took in one second of the last minute
    (a bucket), so a window costs a fixed number of rows, however many calls it holds."""

    scope = models.CharField(max_length=100)
    # The bucket's second (Unix time, a whole number).
    taken_at = models.FloatField()
    count = models.PositiveIntegerField(default=1)
    # Whose calls took the slots ("org:<id>", or blank when unknown), so that one
    # organisation's burst leaves room for the others sharing the scope (services/fair_share.py).
    holder = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "taken_at", "holder"], name="rate_slot_one_bucket"
            )
        ]


class RatePause(models.Model):
    """A shared pause after a 429: every process waits until ``until``."""

    scope = models.CharField(max_length=100, unique=True)
    until = models.FloatField(default=0)
