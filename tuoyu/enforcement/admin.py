"""Admin of the enforcement app: read-only (writes go through services.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import ClosureCase, Emergency, EnforcementAction


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(EnforcementAction)
class EnforcementActionAdmin(ReadOnlyAdmin):
    list_display = ("decision_number", "institution", "kind", "rule", "decided_on", "amount")
    list_filter = ("kind", "rule")
    raw_id_fields = ("institution", "inspection")


@admin.register(ClosureCase)
class ClosureCaseAdmin(ReadOnlyAdmin):
    list_display = ("institution", "status", "opened_at", "closed_on")
    list_filter = ("status",)
    raw_id_fields = ("institution", "action")


@admin.register(Emergency)
class EmergencyAdmin(ReadOnlyAdmin):
    list_display = ("title", "institution", "kind", "severity", "status", "opened_at")
    list_filter = ("kind", "severity", "status")
    raw_id_fields = ("institution", "source_alert")
