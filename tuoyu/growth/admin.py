"""Admin for growth measurements: read-only (scores are computed by the service, never typed)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import GrowthMeasurement


@admin.register(GrowthMeasurement)
class GrowthMeasurementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "child",
        "measured_on",
        "weight_kg",
        "length_cm",
        "z_wfa",
        "z_lhfa",
        "z_wflh",
        "institution",
    )
    list_filter = ("underweight", "stunting", "wasting", "overweight")
    raw_id_fields = ("child", "institution", "recorded_by")
    date_hierarchy = "measured_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
