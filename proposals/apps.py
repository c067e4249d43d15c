from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "Introducer Portal"
    default_auto_field = "django.db.models.BigAutoField"
