from django.contrib import admin

from .models import DailyCount, HealthCheck, HealthCheckSymptom, SymptomClusterAlert, VaccineDose


class SymptomInline(admin.TabularInline):
    model = HealthCheckSymptom
    fields = ("symptom",)
    extra = 0


@admin.register(HealthCheck)
class HealthCheckAdmin(admin.ModelAdmin):
    list_display = ("child", "institution", "day", "session", "temperature", "abnormal", "outcome")
    list_filter = ("session", "abnormal", "outcome")
    raw_id_fields = ("child", "institution", "klass", "checker")
    inlines = [SymptomInline]


@admin.register(SymptomClusterAlert)
class SymptomClusterAlertAdmin(admin.ModelAdmin):
    list_display = (
        "township",
        "group",
        "window_start",
        "window_end",
        "institution_count",
        "cases",
        "acknowledged_at",
    )
    raw_id_fields = ("township", "acknowledged_by")
    filter_horizontal = ()


@admin.register(VaccineDose)
class VaccineDoseAdmin(admin.ModelAdmin):
    list_display = ("child", "vaccine", "dose_no", "given_on", "source")
    raw_id_fields = ("child", "recorded_by")


@admin.register(DailyCount)
class DailyCountAdmin(admin.ModelAdmin):
    list_display = ("institution", "day", "enrolled", "present", "abnormal_checks", "overdue_immunisation")
    raw_id_fields = ("institution",)
