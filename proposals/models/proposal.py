"""The local mirror of a proposal, its timeline, and the portal's notifications."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from proposals.models.credentials import Credential
from proposals.models.people import Organisation


class Status(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    QUEUED = "QUEUED", "Queued"
    SENDING = "SENDING", "Sending"
    VERIFYING = "VERIFYING", "Verifying"
    SENT = "SENT", "Sent"
    FAILED = "FAILED", "Failed"
    CONFLICT = "CONFLICT", "Conflict"
    GONE = "GONE", "Gone from SFS"


IN_FLIGHT = (Status.QUEUED, Status.SENDING, Status.VERIFYING)


class Proposal(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="proposals"
    )
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    # The credential it was sent with; a proposal stays with it whatever becomes active later.
    credential = models.ForeignKey(
        Credential, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    reference = models.CharField(max_length=40, unique=True, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)

    # The parts, shaped as CONTRACT.md's request body so that drafts keep anything typed.
    office_id = models.BigIntegerField(null=True, blank=True)
    sales_contact_id = models.BigIntegerField(null=True, blank=True)
    customer_kind = models.CharField(max_length=10, default="company")  # company | manual
    customer = models.JSONField(default=dict, blank=True)
    assets = models.JSONField(default=list, blank=True)
    loans = models.JSONField(default=list, blank=True)  # v2: soft costs financed with the assets
    # v2: where the assets go; null means the customer's own address.
    delivery_address = models.JSONField(null=True, blank=True)
    calculation = models.JSONField(default=dict, blank=True)
    quote = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(default=dict, blank=True)
    request_decision = models.BooleanField(default=True)
    decision_request = models.JSONField(default=dict, blank=True)
    step = models.CharField(max_length=20, default="office")
    # What a broker typed on a step that did not validate yet, kept as typed so nothing is lost.
    draft_input = models.JSONField(default=dict, blank=True)

    # Denormalised for lists, filters and search.
    customer_name = models.CharField(max_length=255, blank=True, db_index=True)
    amount_financed = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    # The SFS side.
    sfs_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    etag = models.CharField(max_length=100, blank=True)
    base_snapshot = models.JSONField(default=dict, blank=True)
    workflow_status = models.CharField(max_length=40, blank=True)
    decision_status = models.CharField(max_length=40, blank=True)
    decision = models.JSONField(default=dict, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # v2 (CONTRACT.md 6.9, 6.10): SFS's document checklist as last read, kept as SFS answered it
    # so that pages read it without calling SFS; the contract number once SFS activates it.
    documents = models.JSONField(default=list, blank=True)
    documents_checked_at = models.DateTimeField(null=True, blank=True)
    contract_no = models.CharField(max_length=40, blank=True)

    # The send queue (the database is the queue of record).
    queued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    send_attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    decision_requested_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=60, blank=True)
    last_error_message = models.TextField(blank=True)
    violations = models.JSONField(default=list, blank=True)
    conflict = models.JSONField(default=dict, blank=True)
    pending_changes = models.JSONField(default=dict, blank=True)

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]
        indexes = [
            models.Index(fields=["organisation", "-updated"], name="proposal_org_updated"),
            models.Index(fields=["organisation", "status"], name="proposal_org_status"),
            models.Index(fields=["broker", "-updated"], name="proposal_broker_updated"),
            models.Index(fields=["status", "queued_at"], name="proposal_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="DRAFT") | Q(reference__isnull=False),
                name="submitted_has_reference",
            )
        ]

    def __str__(self):
        return self.reference or f"Draft #{self.pk}"

    @property
    def outstanding_documents(self) -> list[dict]:
        """The required items of the mirrored checklist not yet received and valid (6.10)."""
        return [
            item
            for item in self.documents or []
            if isinstance(item, dict)
            and item.get("required")
            and not (item.get("received") and item.get("valid"))
        ]

    @property
    def documents_outstanding(self) -> bool:
        return bool(self.outstanding_documents)


class ProposalEvent(models.Model):
    """One line of a proposal's timeline: a status change or an action, and who did it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(max_length=40, blank=True)  # "worker", "sweeper", ...
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["proposal", "-at"], name="event_proposal_at")]


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, null=True, blank=True)
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
