"""Django admin, for the portal's admins: each sees and changes only their own organisation.

Portal admins are Django staff but not superusers, so every permission goes through
``OrganisationScoped`` below; a platform operator with a real superuser sees everything.

Fail closed (issue 10, point 1): a foreign key offers only rows of the admin's organisation (a
plain select whose queryset is scoped, never ``raw_id_fields``, which Django validates against
every row), the organisation itself is set from the admin and read-only, and the records of what
happened (events, SieSmart calls) can be read but never written here.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from proposals.models import (
    Credential,
    Organisation,
    Proposal,
    ProposalEvent,
    Role,
    SieSmartCall,
    User,
)

# The related model -> the path from it to its organisation, for every foreign key an admin form
# may offer. A foreign key to any other model is refused for non-superusers (fail closed).
ORGANISATION_OF = {
    Organisation: "pk",
    User: "organisation",
    Proposal: "organisation",
    Credential: "organisation",
}


def scoped_to(model, organisation_id):
    """``model``'s rows of one organisation, or None when the model has no known path there."""
    path = ORGANISATION_OF.get(model)
    if path is None:
        return None
    return model._default_manager.filter(**{path: organisation_id})


class OrganisationScoped:
    """Rows of the user's organisation only (``organisation_path`` names the way there)."""

    organisation_path = "organisation"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_path: request.user.organisation_id})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            queryset = scoped_to(db_field.related_model, request.user.organisation_id)
            # An unknown relation offers nothing rather than everything.
            kwargs["queryset"] = (
                queryset if queryset is not None else db_field.related_model._default_manager.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser and self.organisation_path == "organisation":
            fields.append("organisation")
        return fields

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and self.organisation_path == "organisation":
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)

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


class ReadOnlyRecord(OrganisationScoped):
    """A record of what happened: the portal writes it, people only read it."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return (
            "organisation",
            "is_superuser",
            "user_permissions",
            "groups",
            "last_login",
            "date_joined",
        )


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


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyRecord, admin.ModelAdmin):
    organisation_path = "proposal__organisation"
    list_display = ["proposal", "at", "kind", "from_status", "to_status", "actor"]
    list_select_related = ["proposal", "actor"]


@admin.register(SieSmartCall)
class SieSmartCallAdmin(ReadOnlyRecord, admin.ModelAdmin):
    list_display = ["at", "method", "path", "status", "trace_id", "lane", "attempt"]
    list_filter = ["status", "lane"]
    search_fields = ["trace_id", "path"]
