"""The children register in the admin: read-only. Children's records change only through services.py
(which check who may, keep class counts equal to the register, and audit every step)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Application, Child, Enrolment, EntryCheck


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Child)
class ChildAdmin(ReadOnlyAdmin):
    # The ID number is shown masked; search needs the exact full number.
    list_display = ("name", "sex", "birth_date", "masked_id", "institution", "klass")
    search_fields = ("name", "=id_number")
    list_select_related = ("institution", "klass")
    exclude = ("id_number",)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("child", "institution", "status", "start_month", "created_at")
    list_filter = ("status",)
    list_select_related = ("child", "institution")


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("child", "institution", "klass", "start_on", "left_on", "agreement_ref")
    list_select_related = ("child", "institution", "klass")


@admin.register(EntryCheck)
class EntryCheckAdmin(ReadOnlyAdmin):
    list_display = ("child", "kind", "checked_on", "passed")
    list_filter = ("kind", "passed")
    list_select_related = ("child",)
