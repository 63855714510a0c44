"""Admin of the quality app: read-mostly views of forms and assessments (writes go through services)."""

from __future__ import annotations

from django.contrib import admin

from .models import Assessment, AssessmentForm, AssessmentTransition


@admin.register(AssessmentForm)
class AssessmentFormAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("standard", "version", "status", "complete", "cutoffs_provisional", "effective_on")
    list_filter = ("status",)
    readonly_fields = [f.name for f in AssessmentForm._meta.fields]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("institution", "form", "status", "grade", "current", "published_on")
    list_filter = ("status", "grade")
    raw_id_fields = ("institution",)
    readonly_fields = [f.name for f in Assessment._meta.fields]


@admin.register(AssessmentTransition)
class AssessmentTransitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("assessment", "from_status", "to_status", "actor", "at")
    readonly_fields = ("assessment", "from_status", "to_status", "actor", "at", "reason")
