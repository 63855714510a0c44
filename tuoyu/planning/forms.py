"""Forms of the planning pages; they only collect input, services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.regions.models import Region

from .choices import FacilityStatus

DATE = forms.DateInput(attrs={"type": "date"})


class ResidentialProjectForm(forms.Form):
    township = forms.ModelChoiceField(label=_("township"), queryset=Region.objects.none())
    name = forms.CharField(label=_("name"), max_length=100)
    developer = forms.CharField(label=_("developer"), max_length=100, required=False)
    homes = forms.IntegerField(label=_("homes"), min_value=1, max_value=100000)
    delivered_on = forms.DateField(label=_("homes delivered on"), widget=DATE, required=False)
    has_childcare_facility = forms.BooleanField(label=_("has a childcare facility"), required=False)
    facility_places = forms.IntegerField(label=_("facility places"), min_value=0, max_value=2000, initial=0)
    facility_status = forms.ChoiceField(
        label=_("facility status"), choices=FacilityStatus.choices, initial=FacilityStatus.NONE
    )
    facility_planned_on = forms.DateField(label=_("planned on (同步规划)"), widget=DATE, required=False)
    facility_built_on = forms.DateField(label=_("built on (同步建设)"), widget=DATE, required=False)
    facility_accepted_on = forms.DateField(label=_("accepted on (同步验收)"), widget=DATE, required=False)
    facility_delivered_on = forms.DateField(label=_("delivered on (同步交付)"), widget=DATE, required=False)

    def __init__(self, *args: Any, county: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Region.objects.filter(parent=county, level="township").order_by("code")
