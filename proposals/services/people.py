"""Organisations and their users."""

from django.db import transaction

from proposals.models import Organisation, Role, User


def organisation_get_or_create(*, name: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=name)
    return organisation


@transaction.atomic
def user_upsert(
    *,
    organisation: Organisation,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create or reset a user. Portal admins may open Django's admin site, scoped to their
    organisation there; none is a superuser (that is for the platform's operators)."""
    user = User.objects.filter(username=username).first() or User(username=username)
    user.organisation = organisation
    user.role = Role(role)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_staff = user.role == Role.ADMIN
    user.is_superuser = False
    user.is_active = True
    user.set_password(password)
    user.save()
    return user
