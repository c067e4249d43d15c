"""What every page needs: the active credential's environment, unread notifications."""

from proposals.models import Credential, Notification


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    active = (
        Credential.objects.filter(organisation_id=user.organisation_id, is_active=True)
        .only("environment")
        .first()
    )
    return {
        "active_credential": active,
        "production_active": bool(active and active.is_production),
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count(),
    }
