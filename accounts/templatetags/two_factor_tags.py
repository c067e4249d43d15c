"""Template filters of the two-factor pages and partials."""

from django import template

from accounts.services.two_factor import two_factor_enrolled

register = template.Library()


@register.filter
def has_two_factor(person) -> bool:
    """Has this person a confirmed authenticator app (so a reset has something to remove)?"""
    return two_factor_enrolled(person)
