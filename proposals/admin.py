"""Django admin, for the portal's admins: each sees and changes only their own organisation.

Portal admins are Django staff but not superusers, so every permission goes through
``OrganisationScoped`` below; a platform operator with a real superuser sees everything.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from proposals.models import Organisation, Proposal, ProposalEvent, Role, SieSmartCall, User


class OrganisationScoped:
    """Rows of the user's organisation only (``organisation_path`` names the way there)."""

    organisation_path = "organisation"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_path: request.user.organisation_id})

    def _portal_admin(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or user.role == Role.ADMIN)

    def has_module_permission(self, request):
        return self._portal_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._portal_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._portal_admin(request)

    def has_add_permission(self, request):
        return self._portal_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._portal_admin(request)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScoped, admin.ModelAdmin):
    organisation_path = "pk"
    list_display = ["name", "created"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User)
class PortalUserAdmin(OrganisationScoped, UserAdmin):
    list_display = ["username", "email", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Portal", {"fields": ("organisation", "role")}))
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Portal", {"fields": ("email", "organisation", "role")}),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("is_superuser", "user_permissions", "groups", "last_login", "date_joined")


@admin.register(Proposal)
class ProposalAdmin(OrganisationScoped, admin.ModelAdmin):
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
    readonly_fields = ["etag", "base_snapshot", "sfs_id", "reference", "credential"]
    raw_id_fields = ["broker", "organisation"]


@admin.register(ProposalEvent)
class ProposalEventAdmin(OrganisationScoped, admin.ModelAdmin):
    organisation_path = "proposal__organisation"
    list_display = ["proposal", "at", "kind", "from_status", "to_status", "actor"]
    list_select_related = ["proposal", "actor"]
    raw_id_fields = ["proposal", "actor"]


@admin.register(SieSmartCall)
class SieSmartCallAdmin(OrganisationScoped, admin.ModelAdmin):
    list_display = ["at", "method", "path", "status", "trace_id", "lane", "attempt"]
    list_filter = ["status", "lane"]
    search_fields = ["trace_id", "path"]
    raw_id_fields = ["proposal", "credential", "organisation"]
