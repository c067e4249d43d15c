from django.contrib.auth import views as auth_views
from django.urls import path

from proposals.views import (
    credentials,
    health,
    home,
    notifications,
    sfs_hooks,
    staff,
    staff_documents,
    workers,
)
from proposals.views import documents as document_views
from proposals.views import proposal_actions as actions
from proposals.views import proposals as broker
from proposals.views import uploads as upload_views
from proposals.views.draft_delete import proposal_delete
from proposals.views.signing import proposal_signing

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("broker/", broker.broker_home, name="broker_home"),
    path("proposals/new", broker.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", broker.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/step/<str:step>", broker.proposal_step, name="proposal_step"),
    path("proposals/<int:pk>/status", actions.proposal_status, name="proposal_status"),
    path("proposals/<int:pk>/submit", actions.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/quote", actions.proposal_quote, name="proposal_quote"),
    path("proposals/<int:pk>/refresh", actions.proposal_refresh, name="proposal_refresh"),
    path(
        "proposals/<int:pk>/request-decision",
        actions.proposal_request_decision,
        name="proposal_request_decision",
    ),
    path("proposals/<int:pk>/precheck", actions.proposal_precheck, name="proposal_precheck"),
    path(
        "proposals/<int:pk>/send-changes",
        actions.proposal_send_changes,
        name="proposal_send_changes",
    ),
    path("proposals/<int:pk>/cancel", actions.proposal_cancel, name="proposal_cancel"),
    path("proposals/<int:pk>/copy", actions.proposal_copy_view, name="proposal_copy"),
    path("proposals/<int:pk>/conflict", actions.proposal_conflict, name="proposal_conflict"),
    path("proposals/<int:pk>/delete", proposal_delete, name="proposal_delete"),
    path(
        "proposals/<int:pk>/documents/<str:id_type>/<str:value>/download",
        document_views.document_download,
        name="proposal_document_download",
    ),
    path(
        "proposals/<int:pk>/documents/upload",
        upload_views.proposal_document_upload,
        name="proposal_document_upload",
    ),
    path("proposals/<int:pk>/signing", proposal_signing, name="proposal_signing"),
    path(
        "proposals/<int:pk>/decision-document",
        document_views.decision_document_download,
        name="proposal_decision_document",
    ),
    path("staff/", staff.staff_home, name="staff_home"),
    path("staff/export.csv", staff.staff_export, name="staff_export"),
    path("staff/health/", staff.staff_health, name="staff_health"),
    path("staff/documents/", staff_documents.staff_documents, name="staff_documents"),
    path("staff/refresh", staff.staff_bulk_refresh, name="staff_bulk_refresh"),
    path("staff/proposals/<int:pk>/", staff.staff_proposal, name="staff_proposal"),
    path("staff/proposals/<int:pk>/retry", staff.staff_retry, name="staff_retry_send"),
    path("staff/proposals/<int:pk>/requeue", staff.staff_requeue_view, name="staff_requeue"),
    path("staff/proposals/<int:pk>/refresh", staff.staff_refresh_view, name="staff_refresh"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read", notifications.notifications_read, name="notifications_read"),
    path("manage/", credentials.admin_home, name="admin_home"),
    path("manage/credentials/new", credentials.credential_edit, name="credential_new"),
    path("manage/credentials/<int:pk>/edit", credentials.credential_edit, name="credential_edit"),
    path(
        "manage/credentials/<int:pk>/activate",
        credentials.credential_make_active,
        name="credential_activate",
    ),
    path("manage/credentials/<int:pk>/test", credentials.credential_test, name="credential_test"),
    path(
        "manage/credentials/<int:pk>/refresh-config",
        credentials.credential_refresh_config,
        name="credential_refresh_config",
    ),
    path(
        "manage/connection-tests/<int:pk>",
        credentials.connection_test_status,
        name="connection_test_status",
    ),
    path("hooks/sfs/notifications", sfs_hooks.sfs_notification, name="sfs_notifications"),
    path(
        "manage/credentials/<int:pk>/rotate-notification-key",
        sfs_hooks.notification_key_rotate,
        name="notification_key_rotate",
    ),
    path("manage/workers/check", workers.workers_check, name="workers_check"),
    path("manage/workers/status", workers.workers_status, name="workers_status"),
]
