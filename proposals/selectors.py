"""Reads shared by views and services. Every query of proposals goes through ``*_for_user``."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from proposals.models import Proposal, User

# The broker's list keeps the order of what brokers did. ``updated`` moves whenever a background
# refresh or the sender touches a proposal, which shuffled rows under the broker's eyes;
# ``created`` is written once.
BROKER_LIST_ORDER = ("-created", "-pk")


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


def proposals_matching(queryset: QuerySet[Proposal], *, query: str) -> QuerySet[Proposal]:
    """``queryset`` narrowed to proposals whose reference, customer name or customer's
    registration number contains ``query``, in any case.

    The number is read from the ``customer`` part itself (a company's and a typed-in customer's
    alike): ``customer_name`` holds the company's name once SFS resolved it, not the number.
    """
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(
        Q(reference__icontains=query)
        | Q(customer_name__icontains=query)
        | Q(customer__registrationNumber__icontains=query)
    )
