from typing import Any

from django.contrib import admin

from tuoyu.core.audit import audit

from .models import Course, Enrolment, Trainer, TrainingBase, TrainingSession


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


@admin.register(TrainingBase)
class TrainingBaseAdmin(AuditedAdmin):
    list_display = ("name", "level", "region", "accredited_on", "accreditation_ends_on", "active")
    list_filter = ("level", "active")
    search_fields = ("name",)
    raw_id_fields = ("region",)


@admin.register(Trainer)
class TrainerAdmin(AuditedAdmin):
    list_display = ("name", "organisation", "specialty", "region", "active")
    list_filter = ("specialty", "active")
    search_fields = ("name", "organisation")
    raw_id_fields = ("region", "base")


@admin.register(Course)
class CourseAdmin(AuditedAdmin):
    list_display = ("title", "target_role", "hours", "mode", "module", "leads_to", "active")
    list_filter = ("target_role", "module", "active")
    raw_id_fields = ("region",)


@admin.register(TrainingSession)
class TrainingSessionAdmin(AuditedAdmin):
    list_display = ("course", "region", "base", "starts_on", "ends_on", "capacity")
    list_select_related = ("course", "region", "base")
    raw_id_fields = ("region", "base", "course")
    filter_horizontal = ("trainers",)
    date_hierarchy = "starts_on"


@admin.register(Enrolment)
class EnrolmentAdmin(AuditedAdmin):
    # Enrolling goes through the pages and the API (services.enrolment_add checks places and duplicates).
    list_display = (
        "person",
        "session",
        "institution",
        "status",
        "hours_credited",
        "completed_on",
        "certificate_no",
    )
    list_filter = ("status",)
    search_fields = ("certificate_no", "person__name")
    raw_id_fields = ("session", "person", "institution", "recorded_by")
    list_select_related = ("person", "session__course", "institution")

    def has_add_permission(self, request: Any) -> bool:
        return False
