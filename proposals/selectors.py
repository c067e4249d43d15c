"""Reads shared by views and services. Every query of proposals goes through ``*_for_user``."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from proposals.models import Proposal, User


def proposals_for_user(*, user: User) -> QuerySet[Proposal]:
    """The proposals ``user`` may see: a broker their own, staff and admins their organisation's.

    Anything outside this set answers 404, never 403, so ids of others leak nothing.
    """
    qs = Proposal.objects.filter(organisation_id=user.organisation_id)
    if not user.is_staff_member:
        qs = qs.filter(broker_id=user.pk)
    return qs


def proposal_get_for_user(*, user: User, pk: int) -> Proposal:
    return get_object_or_404(proposals_for_user(user=user), pk=pk)
