"""Admin of the supervision app: a province edits the inspection items here."""

from django.contrib import admin

from .models import Inspection, InspectionItem, RectificationOrder


@admin.register(InspectionItem)
class InspectionItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "code",
        "title",
        "kind",
        "risk",
        "category",
        "source_document",
        "source_article",
        "source_tag",
        "in_force",
    )
    list_filter = ("kind", "risk", "category", "source_tag", "in_force")
    search_fields = ("code", "title", "source_document")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "institution", "kind", "status", "planned_on", "concluded_on", "published_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("institution", "follow_up_of", "created_by")
    filter_horizontal = ("inspectors",)
    readonly_fields = ("status",)  # changed only through the services (the state machine)


@admin.register(RectificationOrder)
class RectificationOrderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "inspection", "status", "deadline", "overdue_on")
    list_filter = ("status",)
    raw_id_fields = ("inspection", "entry")
    readonly_fields = ("status",)
