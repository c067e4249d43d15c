"""A file a broker gave for a checklist item, kept through Django's storage API until SFS has it
(CONTRACT.md 6.10). The row is the queue of record for its upload job."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from proposals.models.proposal import Proposal


class UploadState(models.TextChoices):
    QUEUED = "QUEUED", "Waiting to be sent"
    SENDING = "SENDING", "Sending to SFS"
    VERIFYING = "VERIFYING", "Checking with SFS"
    SENT = "SENT", "Sent"
    FAILED = "FAILED", "Not sent"
    SUPERSEDED = "SUPERSEDED", "Replaced by a later file"


OPEN_UPLOAD_STATES = (UploadState.QUEUED, UploadState.SENDING, UploadState.VERIFYING)


def stored_upload_name(instance, filename: str) -> str:
    """A name of our own: the broker's file name is text to show, never a path on disk."""
    return f"documents/{instance.proposal_id}/{uuid.uuid4().hex}"


class DocumentUpload(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="uploads")
    # The checklist item it fulfils; both empty for a new item of `document_type_id`.
    item_type = models.CharField(max_length=20, blank=True)
    item_value = models.CharField(max_length=40, blank=True)
    document_type_id = models.BigIntegerField()
    file = models.FileField(upload_to=stored_upload_name, max_length=200)
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=40)
    state = models.CharField(max_length=12, choices=UploadState.choices, default=UploadState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    # When the first attempt went out: a checklist item received since may be this very file.
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # Two tabs uploading to one item: the second insert fails, SFS gets one file.
            models.UniqueConstraint(
                fields=["proposal", "item_type", "item_value", "document_type_id"],
                condition=Q(state__in=["QUEUED", "SENDING", "VERIFYING"]),
                name="one_open_upload_per_item",
            )
        ]
        indexes = [models.Index(fields=["state", "created"], name="upload_state_created")]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_UPLOAD_STATES
