"""Forms of the training pages; they only collect input, services write.

Choices are limited to what the user may use: regions they manage (province, city, county), bases and
trainers of those regions (and, for trainers, the pools above them), active courses.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import grants_for
from tuoyu.regions.constants import ancestor_codes
from tuoyu.regions.models import Region
from tuoyu.workforce.choices import QualificationKind, StaffRole

from .choices import BaseLevel, CourseMode, CourseModule
from .models import Course, Trainer, TrainingBase

DATE = forms.DateInput(attrs={"type": "date"})
LEVELS = [choice.value for choice in BaseLevel]


def managed_regions(user: Any) -> Any:
    """Province, city and county regions the user manages (officials with "manage")."""
    grants = grants_for(user, "manage")
    regions = Region.objects.filter(level__in=LEVELS).order_by("code")
    if grants.everything:
        return regions
    return regions.filter(grants.region_q("code"))


class RegionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_level_display()}）"


class _UserForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if "region" in self.fields:
            self.fields["region"].queryset = managed_regions(user)  # type: ignore[attr-defined]


class TrainingBaseForm(_UserForm):
    name = forms.CharField(label=_("name"), max_length=100)
    level = forms.ChoiceField(label=_("level"), choices=BaseLevel.choices)
    region = RegionChoiceField(label=_("region served"), queryset=Region.objects.none())
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("capacity (trainees at a time)"), min_value=1, max_value=100000)
    accredited_by = forms.CharField(label=_("accredited by"), max_length=100)
    accredited_on = forms.DateField(label=_("accredited on"), widget=DATE)
    accreditation_ends_on = forms.DateField(label=_("accreditation ends on"), widget=DATE, required=False)


class TrainerForm(_UserForm):
    name = forms.CharField(label=_("full name"), max_length=50)
    organisation = forms.CharField(label=_("organisation"), max_length=100)
    title = forms.CharField(label=_("title or qualification"), max_length=100, required=False)
    specialty = forms.ChoiceField(label=_("specialty"), choices=CourseModule.choices)
    region = RegionChoiceField(label=_("pool of"), queryset=Region.objects.none())
    base = forms.ModelChoiceField(
        label=_("training base"), queryset=TrainingBase.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["base"].queryset = TrainingBase.objects.for_user(user, "manage").filter(  # type: ignore[attr-defined]
            active=True
        )


class CourseForm(_UserForm):
    title = forms.CharField(label=_("title"), max_length=100)
    target_role = forms.ChoiceField(
        label=_("for role"), choices=[("", _("Every role")), *StaffRole.choices], required=False
    )
    hours = forms.DecimalField(label=_("credit hours"), min_value=0.5, max_value=500, decimal_places=1)
    mode = forms.ChoiceField(label=_("mode"), choices=CourseMode.choices)
    module = forms.ChoiceField(label=_("module"), choices=CourseModule.choices)
    leads_to = forms.ChoiceField(
        label=_("leads to"), choices=[("", "—"), *QualificationKind.choices], required=False
    )
    region = RegionChoiceField(label=_("published by"), queryset=Region.objects.none())
    description = forms.CharField(
        label=_("description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SessionForm(_UserForm):
    course = forms.ModelChoiceField(label=_("course"), queryset=Course.objects.none())
    region = RegionChoiceField(label=_("organised by"), queryset=Region.objects.none())
    base = forms.ModelChoiceField(
        label=_("training base"), queryset=TrainingBase.objects.none(), required=False
    )
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE)
    capacity = forms.IntegerField(label=_("places"), min_value=1, max_value=10000)
    trainers = forms.ModelMultipleChoiceField(
        label=_("trainers"), queryset=Trainer.objects.none(), required=False
    )
    location = forms.CharField(label=_("location"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["course"].queryset = Course.objects.for_user(user, "view").filter(active=True)  # type: ignore[attr-defined]
        self.fields["base"].queryset = TrainingBase.objects.for_user(user, "manage").filter(active=True)  # type: ignore[attr-defined]
        # Trainers of the managed regions, their sub-regions and the pools above them.
        grants = grants_for(user, "manage")
        trainers = Trainer.objects.filter(active=True).select_related("region")
        if not grants.everything:
            above = {code for lo, _hi in grants.region_ranges for code in _ancestors(lo)}
            trainers = trainers.filter(grants.region_q("region_id") | Q(region_id__in=above))
        self.fields["trainers"].queryset = trainers.order_by("region_id", "name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("A session cannot end before it starts."))
        return data


def _ancestors(low_code: str) -> list[str]:
    """Codes above a granted region, from the low end of its code range (e.g. 320102000000)."""
    region = Region.objects.filter(code=low_code).only("code", "level").first()
    return ancestor_codes(region.code, region.level) if region else []


class EnrolForm(forms.Form):
    employment = forms.TypedChoiceField(label=_("Staff member"), coerce=int, choices=())

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employment"].choices = choices  # type: ignore[attr-defined]


class CompleteForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    hours_credited = forms.DecimalField(
        label=_("credit hours"), min_value=0.5, max_value=500, decimal_places=1, required=False
    )
    completed_on = forms.DateField(label=_("completed on"), widget=DATE, required=False)
    certificate_no = forms.CharField(label=_("certificate number"), max_length=40, required=False)
