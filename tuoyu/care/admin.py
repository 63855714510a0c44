"""Admin of the care records: read and correct; every edit leaves an audit record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from tuoyu.core.audit import audit

from .models import (
    DiaryEntry,
    Incident,
    MandatoryReport,
    MealServed,
    MedicationDose,
    MedicationRequest,
    WeeklyMenu,
)


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Admin edits are corrections outside the services: each one leaves an audit record."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        obj.full_clean()
        super().save_model(request, obj, form, change)
        audit(
            actor=request.user,
            action="admin_change" if change else "admin_add",
            obj=obj,
            detail={"fields": sorted(form.changed_data)},
            request=request,
        )


@admin.register(MedicationRequest)
class MedicationRequestAdmin(AuditedAdmin):
    list_display = ("child", "medicine", "status", "start_on", "end_on", "institution")
    list_filter = ("status",)
    raw_id_fields = ("child", "institution", "requested_by", "decided_by")


@admin.register(MedicationDose)
class MedicationDoseAdmin(AuditedAdmin):
    list_display = ("request", "given_at", "dose", "given_by")
    raw_id_fields = ("request", "given_by")


@admin.register(Incident)
class IncidentAdmin(AuditedAdmin):
    list_display = ("institution", "occurred_at", "kind", "severity", "suspected_abuse_or_harm")
    list_filter = ("severity", "kind", "suspected_abuse_or_harm")
    raw_id_fields = ("institution", "child", "reported_by")


@admin.register(MandatoryReport)
class MandatoryReportAdmin(AuditedAdmin):
    list_display = ("incident", "county", "reported_at", "acknowledged_at")
    raw_id_fields = ("incident", "county", "reported_by", "acknowledged_by")


@admin.register(WeeklyMenu)
class WeeklyMenuAdmin(AuditedAdmin):
    list_display = ("institution", "week_start", "published")
    list_filter = ("published",)
    raw_id_fields = ("institution", "created_by")


@admin.register(MealServed)
class MealServedAdmin(AuditedAdmin):
    list_display = ("klass", "day", "meal")
    raw_id_fields = ("klass", "recorded_by")


@admin.register(DiaryEntry)
class DiaryEntryAdmin(AuditedAdmin):
    list_display = ("klass", "day", "kind", "child")
    list_filter = ("kind",)
    raw_id_fields = ("klass", "child", "author")
