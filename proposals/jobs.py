"""The one door to Celery: services ask for SFS work here, and it is enqueued only after the
transaction that saved it commits (at once when none is open), so a worker never reads a row
older than the request.

Tasks are named, not imported: ``proposals.tasks`` imports the services, so a service that
imported a task would close a cycle. The task modules use these same names, and
``CELERY_TASK_ROUTES`` sends each name's lane (interactive or background) to its queue.
"""

from celery import current_app
from django.db import transaction

WORKER_HEARTBEAT = "proposals.interactive.record_worker_heartbeat"
CONNECTION_TEST = "proposals.interactive.run_connection_test"
CONFIG_REFRESH = "proposals.interactive.refresh_config_now"
CONFIG_REFRESH_ALL = "proposals.background.refresh_config_all"
SEND = "proposals.interactive.send_proposal"
DECISION = "proposals.interactive.request_decision"
PRECHECK = "proposals.interactive.run_precheck"
CHANGES = "proposals.interactive.send_changes"
CANCEL = "proposals.interactive.cancel_proposal"
QUOTE = "proposals.interactive.run_quote"
REFRESH = "proposals.interactive.refresh_proposal_now"
REFRESH_OPEN = "proposals.background.refresh_open_proposals"
SWEEP_SENDING = "proposals.background.sweep_sending"
CLEAR_SESSIONS = "proposals.background.clear_expired_sessions"
# issue 14: SFS's notifications (services/sfs_notifications.py, sfs_receiver.py, ...)
SFS_ENDPOINT_REGISTER = "proposals.background.register_sfs_endpoint"
SFS_NOTIFIED_REFRESH = "proposals.interactive.refresh_after_sfs_notification"
SFS_SUBSCRIPTION_SYNC = "proposals.background.sync_sfs_subscription"
SFS_ENDPOINTS_CHECK = "proposals.background.check_sfs_endpoints"
# issue 13: e-signature (services/signing.py); its arguments are the request, nothing secret
SIGNING = "proposals.interactive.send_signing_request"
# issue 13: a broker's file sent to SFS (services/uploads.py)
DOCUMENT_UPLOAD = "proposals.interactive.upload_document"


def job_enqueue(task_name: str, *args, countdown: float | None = None) -> None:
    """Enqueue ``task_name(*args)`` once the current transaction commits. Arguments are ids
    and cache keys, never secrets."""
    transaction.on_commit(
        lambda: current_app.send_task(task_name, args=args, countdown=countdown or None)
    )
