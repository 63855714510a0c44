from django.contrib import admin

from .models import Region, RegionPopulation


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(RegionPopulation)
class RegionPopulationAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "population", "source")
    list_filter = ("year",)
    search_fields = ("region__code", "region__name")
    raw_id_fields = ("region",)
