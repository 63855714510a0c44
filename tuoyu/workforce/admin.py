from django.contrib import admin

from .models import BackgroundCheck, BanRecord, ClassAssignment, Employment, Person, Qualification, StaffAlert


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # The ID number is shown masked in lists; search needs the exact full number.
    list_display = ("name", "masked_id", "phone", "created_at")
    search_fields = ("name", "=id_number")


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ("person", "institution", "role", "full_time", "start_on", "end_on")
    list_filter = ("role", "full_time")
    raw_id_fields = ("person", "institution")
    list_select_related = ("person", "institution")


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "level", "issued_on", "expires_on")
    raw_id_fields = ("person",)


@admin.register(BackgroundCheck)
class BackgroundCheckAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "checked_on", "result")
    raw_id_fields = ("person", "employment", "checked_by")


@admin.register(BanRecord)
class BanRecordAdmin(admin.ModelAdmin):
    list_display = ("name", "masked_id", "kind", "decided_on", "ends_on", "decided_by")
    search_fields = ("name", "=id_number")
    raw_id_fields = ("created_by",)


@admin.register(StaffAlert)
class StaffAlertAdmin(admin.ModelAdmin):
    list_display = ("person", "institution", "kind", "created_at", "resolved_at")
    raw_id_fields = ("person", "institution", "ban", "resolved_by")


@admin.register(ClassAssignment)
class ClassAssignmentAdmin(admin.ModelAdmin):
    list_display = ("employment", "institution_class", "start_on", "end_on")
    raw_id_fields = ("employment", "institution_class")
    list_select_related = ("employment__person", "institution_class")
