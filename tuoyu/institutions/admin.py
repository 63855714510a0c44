from django.contrib import admin

from .models import Institution


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "uscc",
        "type",
        "ownership",
        "inclusive",
        "places",
        "status",
        "filing_status",
        "county",
    )
    list_filter = ("type", "ownership", "inclusive", "status", "filing_status")
    search_fields = ("name", "uscc")
    raw_id_fields = ("township",)
    list_select_related = ("county",)
    readonly_fields = ("county", "city", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Admin writes go through the services, like every other surface (audit, placement in the tree).
        from .services import EDITABLE_FIELDS, institution_create, institution_update

        if change:
            current = Institution.objects.get(pk=obj.pk)
            institution_update(
                actor=request.user,
                institution=current,
                **{f: form.cleaned_data[f] for f in form.changed_data if f in EDITABLE_FIELDS},
            )
        else:
            created = institution_create(
                actor=request.user,
                **{f: form.cleaned_data[f] for f in EDITABLE_FIELDS if f in form.cleaned_data},
            )
            obj.pk = created.pk
