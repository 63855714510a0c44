"""Admin of the credit app: read-only views (records are posted and revoked through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CreditRecord, CreditStanding, CreditTierChange


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ("institution", "source", "severity", "points", "occurred_on", "revoked_at")
    list_filter = ("source", "severity")
    search_fields = ("source_ref", "institution__name", "person_name")
    raw_id_fields = ("institution", "created_by")


@admin.register(CreditStanding)
class CreditStandingAdmin(ReadOnlyAdmin):
    list_display = ("institution", "tier", "score", "as_of", "tier_since")
    list_filter = ("tier",)
    raw_id_fields = ("institution",)


@admin.register(CreditTierChange)
class CreditTierChangeAdmin(ReadOnlyAdmin):
    list_display = ("institution", "from_tier", "to_tier", "score", "changed_at")
    list_filter = ("to_tier",)
    raw_id_fields = ("institution",)
