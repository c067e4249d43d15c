"""Django admin, for the portal's admins only (Django's is_staff flag is set for them)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from proposals.models import Organisation, Proposal, ProposalEvent, SieSmartCall, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "created"]
    search_fields = ["name"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "email", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Portal", {"fields": ("organisation", "role")}))
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Portal", {"fields": ("email", "organisation", "role")}),
    )


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "customer_name",
        "broker",
        "office_id",
        "amount_financed",
        "status",
        "workflow_status",
        "decision_status",
        "last_checked_at",
    ]
    list_filter = ["status", "decision_status"]
    search_fields = ["reference", "customer_name", "sfs_id"]
    list_select_related = ["broker"]
    readonly_fields = ["etag", "base_snapshot", "sfs_id", "reference"]


@admin.register(ProposalEvent)
class ProposalEventAdmin(admin.ModelAdmin):
    list_display = ["proposal", "at", "kind", "from_status", "to_status", "actor"]
    list_select_related = ["proposal", "actor"]


@admin.register(SieSmartCall)
class SieSmartCallAdmin(admin.ModelAdmin):
    list_display = ["at", "method", "path", "status", "trace_id", "lane", "attempt"]
    list_filter = ["status", "lane"]
    search_fields = ["trace_id", "path"]
