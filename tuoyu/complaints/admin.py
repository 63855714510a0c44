"""Admin of the complaints app: read-only (writes go through services; contact details stay out)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("reference", "institution", "category", "status", "level", "due_on", "outcome")
    list_filter = ("status", "level", "category", "serious")
    search_fields = ("reference",)
    # The complainant's details are not shown here: officials read them on the audited detail page.
    exclude = ("contact_name", "contact_phone", "anonymous", "submitted_by")
    readonly_fields = ("reference",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
