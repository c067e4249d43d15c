"""Thin Celery tasks: load by id, call one service, own the retry policy.

A task's name carries its lane (``proposals.interactive.*`` or ``proposals.background.*``);
``CELERY_TASK_ROUTES`` sends each lane to its own queue. Arguments are ids, never secrets.
"""

import functools
import logging
import socket

from celery import shared_task

from proposals.models import Proposal
from proposals.services import (
    changes,
    config_mirror,
    credentials,
    decisions,
    quotes,
    refresh,
    sending,
    workers,
)
from proposals.siesmart.errors import BudgetExhausted

log = logging.getLogger(__name__)


def reschedule_when_over_budget(task_function):
    """A task that finds no room in the shared budget comes back later instead of sleeping."""

    @functools.wraps(task_function)
    def wrapper(self, *args, **kwargs):
        try:
            return task_function(self, *args, **kwargs)
        except BudgetExhausted as exhausted:
            countdown = max(1.0, float(exhausted.wait_seconds))
            raise self.retry(countdown=countdown, max_retries=None) from None

    return wrapper


@shared_task(name="proposals.interactive.record_worker_heartbeat")
def record_worker_heartbeat():
    workers.worker_heartbeat_record(hostname=socket.gethostname())


@shared_task(name="proposals.interactive.run_connection_test", bind=True)
@reschedule_when_over_budget
def run_connection_test(self, test_id: int):
    credentials.connection_test_run(test_id=test_id)


@shared_task(name="proposals.interactive.refresh_config_now", bind=True)
@reschedule_when_over_budget
def refresh_config_now(self, credential_id: int):
    from proposals.models import Credential
    from proposals.siesmart.enums import Lane

    credential = Credential.objects.get(pk=credential_id)
    config_mirror.config_refresh(credential=credential, lane=Lane.INTERACTIVE)


@shared_task(name="proposals.background.refresh_config_all", bind=True)
@reschedule_when_over_budget
def refresh_config_all(self):
    config_mirror.config_refresh_all()


# -- proposals ------------------------------------------------------------------------------------


@shared_task(name="proposals.interactive.send_proposal", bind=True)
@reschedule_when_over_budget
def send_proposal(self, proposal_id: int):
    return sending.proposal_send(proposal_id=proposal_id)


@shared_task(name="proposals.interactive.request_decision", bind=True)
@reschedule_when_over_budget
def request_decision(self, proposal_id: int):
    proposal = Proposal.objects.select_related("credential").get(pk=proposal_id)
    return decisions.decision_request_now(proposal=proposal)


@shared_task(name="proposals.interactive.run_precheck", bind=True)
@reschedule_when_over_budget
def run_precheck(self, proposal_id: int):
    proposal = Proposal.objects.select_related("credential").get(pk=proposal_id)
    return decisions.precheck_run(proposal=proposal)


@shared_task(name="proposals.interactive.send_changes", bind=True)
@reschedule_when_over_budget
def send_changes(self, proposal_id: int):
    proposal = Proposal.objects.select_related("credential").get(pk=proposal_id)
    return changes.changes_send(proposal=proposal)


@shared_task(name="proposals.interactive.cancel_proposal", bind=True)
@reschedule_when_over_budget
def cancel_proposal(self, proposal_id: int):
    proposal = Proposal.objects.select_related("credential").get(pk=proposal_id)
    return changes.cancel_run(proposal=proposal)


@shared_task(name="proposals.interactive.run_quote", bind=True)
@reschedule_when_over_budget
def run_quote(self, proposal_id: int, key: str):
    return quotes.quote_run(proposal_id=proposal_id, key=key)


@shared_task(name="proposals.interactive.refresh_proposal_now", bind=True)
@reschedule_when_over_budget
def refresh_proposal_now(self, proposal_id: int):
    proposal = Proposal.objects.select_related("credential").get(pk=proposal_id)
    refresh.proposal_refresh_now(proposal=proposal)


# -- beat -----------------------------------------------------------------------------------------


@shared_task(name="proposals.background.refresh_open_proposals", bind=True)
@reschedule_when_over_budget
def refresh_open_proposals(self):
    return refresh.refresh_all_due()


@shared_task(name="proposals.background.sweep_sending")
def sweep_sending():
    return sending.sending_sweep()
