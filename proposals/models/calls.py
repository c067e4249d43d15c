"""The call log: every request to SieSmart, with its trace id; bodies only with secrets removed."""

from django.db import models

from proposals.models.credentials import Credential
from proposals.models.people import Organisation
from proposals.models.proposal import Proposal


class SieSmartCall(models.Model):
    at = models.DateTimeField(db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True)
    credential = models.ForeignKey(Credential, on_delete=models.SET_NULL, null=True, blank=True)
    proposal = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    trace_id = models.CharField(max_length=100, blank=True, db_index=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.TextField(blank=True)
    lane = models.CharField(max_length=20, blank=True)
    request_body = models.JSONField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["proposal", "-at"], name="call_proposal_at"),
            models.Index(fields=["credential", "-at"], name="call_credential_at"),
        ]
