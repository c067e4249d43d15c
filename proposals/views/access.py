"""Role checks for views: a page says which roles may open it."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from proposals.models import Role

BROKER = (Role.BROKER,)
STAFF = (Role.STAFF, Role.ADMIN)
ADMIN = (Role.ADMIN,)
ANYONE = (Role.BROKER, Role.STAFF, Role.ADMIN)


def role_required(roles):
    """Let only users whose role is in ``roles`` in; others get the 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator
