"""The project itself as an app: its deployment checks and the privacy of ``var/``."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created

from introducer_portal import checks  # noqa: F401 - registers the deploy checks on import
from introducer_portal.private_files import on_connection_created


class PortalConfig(AppConfig):
    name = "introducer_portal"
    label = "introducer_portal"
    verbose_name = "Introducer Portal (project)"

    def ready(self):
        connection_created.connect(on_connection_created, dispatch_uid="portal-private-sqlite")
