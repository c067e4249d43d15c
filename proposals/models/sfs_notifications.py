"""SFS's notifications (CONTRACT.md 6.12): our endpoint as registered, what arrived, the
subscriptions per proposal and event type."""

from django.db import models

from proposals.models.credentials import Credential
from proposals.models.proposal import Proposal


class SfsEndpoint(models.Model):
    """The endpoint registered with SFS for one credential, and the key SFS sends back.

    The key is kept encrypted (services/crypto.py) for the next registration, and as a SHA-256
    digest for the receiver, which compares digests and never needs to decrypt. During a rotation
    the previous key's digest is still accepted until SFS has the new one, plus a grace period for
    deliveries already on their way.
    """

    credential = models.OneToOneField(
        Credential, on_delete=models.CASCADE, related_name="sfs_endpoint"
    )
    api_key_encrypted = models.TextField()
    api_key_digest = models.CharField(max_length=64)
    previous_key_digest = models.CharField(max_length=64, blank=True)
    previous_key_until = models.DateTimeField(null=True, blank=True)
    # What SFS holds, as far as the portal knows: compared with what it should hold.
    registered_base_path = models.CharField(max_length=500, blank=True)
    registered_key_digest = models.CharField(max_length=64, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"SFS endpoint of {self.credential}"


class SfsNotification(models.Model):
    """One notification as received (once per id), kept as sent: the payload is never trusted,
    only used to decide which proposal to read again."""

    class Outcome(models.TextChoices):
        REFRESH_ASKED = "refresh_asked", "Refresh asked"
        COALESCED = "coalesced", "Joined a refresh already asked"
        AWAITING_PROPOSAL = "awaiting", "Proposal not known (yet)"
        NOT_REFRESHABLE = "not_refreshable", "Proposal not refreshable"

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="sfs_notifications"
    )
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sfs_notifications",
    )
    notification_id = models.CharField(max_length=100)
    subscription_id = models.CharField(max_length=100, blank=True)
    event_type = models.CharField(max_length=40, blank=True)
    sfs_proposal_id = models.BigIntegerField(db_index=True)
    occurred = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    raw_body = models.TextField()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "notification_id"], name="sfs_notification_once"
            )
        ]


class SfsSubscription(models.Model):
    """One (proposal, event type) subscription at SFS and the UUID that names it."""

    class State(models.TextChoices):
        PENDING = "pending", "Subscribing"
        ACTIVE = "active", "Subscribed"
        ENDING = "ending", "Unsubscribing"
        ENDED = "ended", "Unsubscribed"
        FAILED = "failed", "Failed"

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="sfs_subscriptions"
    )
    event_type = models.CharField(max_length=40)
    subscription_id = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "event_type"], name="sfs_subscription_per_event"
            )
        ]
