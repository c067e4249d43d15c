"""Thin Celery tasks: load by id, call one service, own the retry policy.

A task's name carries its lane (``proposals.interactive.*`` or ``proposals.background.*``);
``CELERY_TASK_ROUTES`` sends each lane to its own queue. Arguments are ids, never secrets.

The retry policy, in one place (``sfs_task``): no room in the shared budget or a 429 → come back
when there is (never sleep for long); a failure SFS may get over (timeout, dropped connection,
5xx, an answer we could not read, a version that moved twice) → come back with capped backoff, a
bounded number of times, after which the sweeper picks the work up again. Anything else is a
bug or a refusal the service has already recorded.
"""

import functools
import logging
import random
import socket

from celery import shared_task

from proposals import jobs
from proposals.models import Credential, Proposal
from proposals.services import (
    changes,
    config_mirror,
    credentials,
    decisions,
    quotes,
    refresh,
    sending,
    sfs_notifications,
    sfs_receiver,
    sfs_subscriptions,
    signing,
    uploads,
    workers,
)
from proposals.siesmart import errors
from proposals.siesmart.enums import Lane

log = logging.getLogger(__name__)

# Retries count budget waits too, so the cap is generous; the sweeper takes over after it.
MAX_TRANSIENT_RETRIES = 30


def _transient(error: errors.SieSmartError) -> bool:
    return (
        error.retryable
        or error.outcome_unknown
        or isinstance(error, errors.EtagMismatchError | errors.MalformedResponseError)
    )


def sfs_task(name: str):
    """A bound task that calls SFS, with the retry policy above."""

    def decorator(task_function):
        @functools.wraps(task_function)
        def wrapper(self, *args, **kwargs):
            try:
                return task_function(self, *args, **kwargs)
            except errors.BudgetExhausted as exhausted:
                countdown = max(1.0, float(exhausted.wait_seconds))
            except errors.RateLimitedError as limited:
                countdown = float(limited.retry_after or 60)
            except errors.SieSmartError as error:
                if not _transient(error) or self.request.retries >= MAX_TRANSIENT_RETRIES:
                    log.warning("%s gave up: %s", name, error)
                    raise
                countdown = min(120.0, 2.0 ** min(self.request.retries, 6)) + random.random()
            raise self.retry(countdown=countdown)

        return shared_task(name=name, bind=True, max_retries=None)(wrapper)

    return decorator


@shared_task(name=jobs.WORKER_HEARTBEAT)
def record_worker_heartbeat():
    workers.worker_heartbeat_record(hostname=socket.gethostname())


@sfs_task(jobs.CONNECTION_TEST)
def run_connection_test(self, test_id: int):
    credentials.connection_test_run(test_id=test_id)


@sfs_task(jobs.CONFIG_REFRESH)
def refresh_config_now(self, credential_id: int):
    credential = Credential.objects.get(pk=credential_id)
    config_mirror.config_refresh(credential=credential, lane=Lane.INTERACTIVE)


@sfs_task(jobs.CONFIG_REFRESH_ALL)
def refresh_config_all(self):
    config_mirror.config_refresh_all()


# -- proposals ------------------------------------------------------------------------------------


def _proposal(proposal_id: int) -> Proposal:
    return Proposal.objects.select_related("credential").get(pk=proposal_id)


@sfs_task(jobs.SEND)
def send_proposal(self, proposal_id: int):
    return sending.proposal_send(proposal_id=proposal_id)


@sfs_task(jobs.DECISION)
def request_decision(self, proposal_id: int):
    return decisions.decision_request_now(proposal=_proposal(proposal_id))


@sfs_task(jobs.PRECHECK)
def run_precheck(self, proposal_id: int):
    return decisions.precheck_run(proposal=_proposal(proposal_id))


@sfs_task(jobs.CHANGES)
def send_changes(self, proposal_id: int):
    return changes.changes_send(proposal=_proposal(proposal_id))


@sfs_task(jobs.CANCEL)
def cancel_proposal(self, proposal_id: int):
    return changes.cancel_run(proposal=_proposal(proposal_id))


@sfs_task(jobs.QUOTE)
def run_quote(self, proposal_id: int, key: str):
    return quotes.quote_run(proposal_id=proposal_id, key=key)


@sfs_task(jobs.REFRESH)
def refresh_proposal_now(self, proposal_id: int):
    refresh.proposal_refresh_now(proposal=_proposal(proposal_id))


@sfs_task(jobs.DOCUMENT_UPLOAD)
def upload_document(self, upload_id: int):
    return uploads.document_upload_run(upload_id=upload_id)


# -- issue 14: SFS's notifications ---------------------------------------------------------------


@sfs_task(jobs.SFS_ENDPOINT_REGISTER)
def register_sfs_endpoint(self, credential_id: int):
    return sfs_notifications.endpoint_register_run(credential_id=credential_id)


@sfs_task(jobs.SFS_NOTIFIED_REFRESH)
def refresh_after_sfs_notification(self, proposal_id: int):
    return sfs_receiver.notification_refresh_run(proposal_id=proposal_id)


@sfs_task(jobs.SFS_SUBSCRIPTION_SYNC)
def sync_sfs_subscription(self, proposal_id: int, event_type: str):
    return sfs_subscriptions.subscription_sync(proposal_id=proposal_id, event_type=event_type)


@shared_task(name=jobs.SFS_ENDPOINTS_CHECK)
def check_sfs_endpoints():
    """Beat: a changed PORTAL_PUBLIC_URL (or a key whose PUT gave up) is registered again."""
    return sfs_notifications.endpoints_register_all()


# -- issue 13: e-signature ------------------------------------------------------------------------


@sfs_task(jobs.SIGNING)
def send_signing_request(self, proposal_id: int, payload: dict):
    return signing.signing_send(proposal_id=proposal_id, payload=payload)


# -- beat -----------------------------------------------------------------------------------------


@shared_task(name=jobs.REFRESH_OPEN)
def refresh_open_proposals():
    """Beat asks every few seconds; the service decides what is due. Out of budget or SFS
    unwell: nothing to retry here, the next tick asks again."""
    try:
        return refresh.refresh_all_due()
    except errors.SieSmartError as error:
        log.info("refresh cycle put off: %s", error)
        return {"put_off": str(error.code)}


@shared_task(name=jobs.SWEEP_SENDING)
def sweep_sending():
    return {**sending.sending_sweep(), "uploads": uploads.uploads_sweep()}


# -- issue 10 (point 6): expired sessions are cleared by beat --------------------------------
@shared_task(name=jobs.CLEAR_SESSIONS)
def clear_expired_sessions():
    """Delete expired sessions (and any post they kept); Django never does it by itself.

    The imports stay inside so that this block is self-contained in a module others edit too;
    the session engine is a setting, loaded by name as Django's ``clearsessions`` does.
    """
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


# -- end issue 10 (point 6) ---------------------------------------------------------------
