"""Who did what to whose account: invites, password changes, disabling, two-factor resets."""

from django.conf import settings
from django.db import models

from proposals.models import Organisation


class AccountAudit(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    # The person who acted (None for the system, or an anonymous password reset).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The account acted on, when there is one (an invite not yet accepted has none).
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=40)
    # Plain facts (an email address, a role); never a password, token or code.
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["organisation", "-at"], name="account_audit_org_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
