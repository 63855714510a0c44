from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import IndicatorSnapshot, PlanTarget, ResidentialProject


@admin.register(PlanTarget)
class PlanTargetAdmin(admin.ModelAdmin):
    # Targets are data: a new plan period is added here or with `manage.py load_plan_targets`.
    list_display = ("key", "level", "period_start", "period_end", "comparison", "value", "text", "plan")
    list_filter = ("period_start", "plan")


@admin.register(IndicatorSnapshot)
class IndicatorSnapshotAdmin(admin.ModelAdmin):
    # Computed figures: read-only here; recompute with `manage.py recompute_indicators`.
    list_display = ("as_of", "region", "key", "value", "numerator", "denominator", "reason", "locked")
    list_filter = ("as_of", "key", "locked")
    search_fields = ("=region__code", "region__name")
    raw_id_fields = ("region",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ResidentialProject)
class ResidentialProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "township", "county", "homes", "delivered_on", "has_childcare_facility",
                    "facility_status")  # fmt: skip
    list_filter = ("facility_status", "has_childcare_facility")
    search_fields = ("name", "=county__code", "=township__code")
    raw_id_fields = ("township",)

    def save_model(self, request: HttpRequest, obj: ResidentialProject, form: Any, change: bool) -> None:
        fields = {name: getattr(obj, name) for name in services.RESIDENTIAL_FIELDS}
        if change:
            services.residential_project_update(
                actor=request.user, project=obj, township=obj.township, **fields
            )
        else:
            saved = services.residential_project_create(actor=request.user, township=obj.township, **fields)
            obj.pk = saved.pk
