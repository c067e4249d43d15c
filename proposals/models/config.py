"""The local mirror of SFS's configuration: forms and pages read only this."""

from django.db import models

from proposals.models.credentials import Credential


class MirroredOffice(models.Model):
    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="offices")
    office_id = models.BigIntegerField()
    name = models.CharField(max_length=255)
    country_code = models.CharField(max_length=2)
    postal_address = models.JSONField(default=dict, blank=True)
    sales_contacts = models.JSONField(default=list, blank=True)
    iac_codes = models.JSONField(default=list, blank=True)
    calculation_config = models.JSONField(default=dict, blank=True)
    loan_purposes = models.JSONField(default=list, blank=True)  # v2: what a loan finances
    document_types = models.JSONField(default=list, blank=True)  # v2: the checklist's kinds
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "office_id"], name="one_mirror_per_office"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.country_code})"

    @property
    def is_gb(self) -> bool:
        return self.country_code.upper() == "GB"


class MirroredLookups(models.Model):
    credential = models.OneToOneField(Credential, on_delete=models.CASCADE, related_name="lookups")
    legal_forms = models.JSONField(default=list, blank=True)
    titles = models.JSONField(default=list, blank=True)
    job_titles = models.JSONField(default=list, blank=True)  # v2: a signatory's job title
    refreshed_at = models.DateTimeField()
