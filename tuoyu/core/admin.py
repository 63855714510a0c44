from django.contrib import admin

from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by services, never edited."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "region_code", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_id", "region_code")
    date_hierarchy = "at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
