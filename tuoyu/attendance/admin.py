"""Admin of attendance records: read-only lists (writes go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Absence, AttendanceDay, AttendanceEvent, StaffAttendance


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AttendanceEvent)
class AttendanceEventAdmin(ReadOnlyAdmin):
    list_display = ("child", "kind", "at", "via", "client_ref", "recorded_by")
    list_filter = ("kind", "via")
    raw_id_fields = ("child", "institution", "klass", "recorded_by", "guardian", "pickup_person")
    show_full_result_count = False


@admin.register(AttendanceDay)
class AttendanceDayAdmin(ReadOnlyAdmin):
    list_display = ("child", "day", "status", "in_at", "out_at")
    raw_id_fields = ("child", "institution", "klass")
    show_full_result_count = False


@admin.register(Absence)
class AbsenceAdmin(ReadOnlyAdmin):
    list_display = ("child", "day", "reason", "reported_via", "followed_up_at")
    list_filter = ("reason", "reported_via")
    raw_id_fields = ("child", "institution", "klass", "reported_by", "followed_up_by")


@admin.register(StaffAttendance)
class StaffAttendanceAdmin(ReadOnlyAdmin):
    list_display = ("employment", "day", "in_at", "out_at")
    raw_id_fields = ("employment", "institution", "recorded_by")
