"""Forms of the institution end: the director keeps the institution's record up to date."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.institutions.choices import FeeUnit, ServiceMode
from tuoyu.institutions.models import Institution
from tuoyu.institutions.rules import ClassKind
from tuoyu.regions.models import Region


class RecordForm(forms.ModelForm):  # type: ignore[type-arg]
    """The parts of the record a director maintains (name, code and place are changed through a filing)."""

    service_modes = forms.MultipleChoiceField(
        label=_("service modes"),
        choices=ServiceMode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Institution
        fields = [
            "legal_form",
            "legal_representative",
            "phone",
            "opening_hours",
            "service_modes",
            "serves_meals",
            "age_min_months",
            "age_max_months",
            "premises_tenure",
            "lease_start",
            "lease_end",
            "children_rooms_floor",
            "building_area_m2",
            "outdoor_area_m2",
            "fire_safety_date",
            "cctv_retention_days",
        ]
        widgets = {
            "lease_start": forms.DateInput(attrs={"type": "date"}),
            "lease_end": forms.DateInput(attrs={"type": "date"}),
            "fire_safety_date": forms.DateInput(attrs={"type": "date"}),
        }


class ClassForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    kind = forms.ChoiceField(label=_("class type"), choices=ClassKind.choices)
    capacity = forms.IntegerField(label=_("places in the class"), min_value=1, max_value=50)
    enrolled = forms.IntegerField(
        label=_("children enrolled"), min_value=0, max_value=200, initial=0, required=False
    )


class FeeForm(forms.Form):
    item = forms.CharField(label=_("item"), max_length=100)
    amount = forms.DecimalField(label=_("amount (yuan)"), min_value=0, max_digits=9, decimal_places=2)
    unit = forms.ChoiceField(label=_("unit"), choices=FeeUnit.choices)
    inclusive_price = forms.BooleanField(label=_("inclusive price"), required=False)


class InsuranceForm(forms.Form):
    insurer = forms.CharField(label=_("insurer"), max_length=100)
    policy_number = forms.CharField(label=_("policy number"), max_length=60)
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("expires on"), widget=forms.DateInput(attrs={"type": "date"}))


class TownshipChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        county = obj.parent
        return f"{county.parent.name} {county.name} {obj.name}"


class NewInstitutionForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new centre's basic record, before its first filing."""

    township = TownshipChoiceField(
        label=_("township"),
        queryset=Region.objects.filter(level="township").select_related("parent__parent").order_by("code"),
    )

    class Meta:
        model = Institution
        fields = ["name", "uscc", "type", "ownership", "legal_form", "township", "address", "places", "phone"]


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("photo (JPEG or PNG, at most 5 MB)"))
    caption = forms.CharField(label=_("caption"), max_length=100, required=False)
