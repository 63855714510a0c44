"""Forms of the spotchecks pages (the services validate again and their refusals land on the form)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.institutions.choices import InstitutionType
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region

from .choices import ConflictRelation, StratumKey
from .rules import LOOKBACK_STRATA, MAX_SEED, STRATA, rate_percent


class DateInput(forms.DateInput):
    input_type = "date"


class PlanForm(forms.Form):
    region = forms.ChoiceField(label=_("Office"))
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [(r.code, r.name) for r in regions]
        self.fields["year"].initial = timezone.localdate().year


class BatchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    scope_region = forms.ChoiceField(label=_("Scope"))
    window_start = forms.DateField(label=_("Window start"), widget=DateInput)
    window_end = forms.DateField(label=_("Window end"), widget=DateInput)
    team_size = forms.IntegerField(label=_("Inspectors per team (at least 2)"), initial=2, max_value=100)
    institution_kinds = forms.MultipleChoiceField(
        label=_("Institution kinds (none ticked: every kind)"),
        choices=InstitutionType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    operating_only = forms.BooleanField(label=_("Operating institutions only"), required=False, initial=True)

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["scope_region"]).choices = [(r.code, r.name) for r in regions]
        labels = dict(StratumKey.choices)
        for rule in STRATA:
            self.fields[f"rate_{rule.key}"] = forms.DecimalField(
                label=_("{stratum}: sampling rate (%)").format(stratum=labels[rule.key]),
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=2,
                initial=rate_percent(rule.rate_bp),
            )
            if rule.key in LOOKBACK_STRATA:
                self.fields[f"lookback_{rule.key}"] = forms.IntegerField(
                    label=_("{stratum}: look back (days)").format(stratum=labels[rule.key]),
                    min_value=1,
                    max_value=3650,
                    initial=rule.lookback_days,
                )

    def strata(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "key": rule.key,
                "rate_bp": int(Decimal(data[f"rate_{rule.key}"]) * 100),
                "lookback_days": data.get(f"lookback_{rule.key}") or 0,
            }
            for rule in STRATA
        ]


class DrawForm(forms.Form):
    seed = forms.IntegerField(
        label=_("Seed (leave empty for a random one)"), required=False, min_value=0, max_value=MAX_SEED
    )


class InstitutionField(forms.CharField):
    """An institution named by its unified social credit code or its exact name, among those the user sees."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Institution (name or unified social credit code)"))
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)
        self.user: Any = None

    def clean(self, value: Any) -> Any:
        text = super().clean(value).strip()
        matches = list(
            Institution.objects.for_user(self.user, "view").filter(Q(uscc=text.upper()) | Q(name=text))[:2]
        )
        if len(matches) != 1:
            raise forms.ValidationError(
                _("No single institution in your scope has this name or code.")
                if not matches
                else _("Several institutions have this name: give the code.")
            )
        return matches[0]


class DeclarationForm(forms.Form):
    institution = InstitutionField()
    relation = forms.ChoiceField(
        label=_("Relation"),
        choices=[(r.value, r.label) for r in ConflictRelation if r != ConflictRelation.OWN_UNIT],
    )
    declared_on = forms.DateField(label=_("Declared on"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].user = user  # type: ignore[attr-defined]


class UnitDeclarationForm(forms.Form):
    unit = forms.ChoiceField(label=_("Inspectors' unit"))
    institution = InstitutionField()
    declared_on = forms.DateField(label=_("Declared on"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, units: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u, u) for u in units]
        self.fields["institution"].user = user  # type: ignore[attr-defined]
