"""Forms of the quality app: scoring an item, moving an assessment on, and editing the form (province)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ValueType
from .models import AssessmentForm, FormDimension, FormItem


class ScoreForm(forms.Form):
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    score = forms.IntegerField(label=_("score"), min_value=0, max_value=1000)
    note = forms.CharField(
        label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvidenceForm(forms.Form):
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    file = forms.FileField(label=_("evidence (PDF, JPEG or PNG, at most 5 MB)"))


TRANSITION_ACTIONS = ("self_submit", "return", "county_submit", "reopen", "publish")


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in TRANSITION_ACTIONS], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason or conclusion"), max_length=2000, required=False)


class FormHeaderForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AssessmentForm
        fields = [
            "name",
            "effective_on",
            "complete",
            "source_note",
            "cutoff_a",
            "cutoff_b",
            "cutoff_c",
            "cutoffs_provisional",
            "cutoffs_source",
        ]
        widgets = {
            "effective_on": forms.DateInput(attrs={"type": "date"}),
            "source_note": forms.Textarea(attrs={"rows": 3}),
        }


class DimensionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = FormDimension
        fields = ["max_points", "points_verified", "source"]


class ItemForm(forms.ModelForm):  # type: ignore[type-arg]
    value_type = forms.ChoiceField(label=_("value type"), choices=ValueType.choices)

    class Meta:
        model = FormItem
        fields = [
            "clause",
            "text",
            "how_to_assess",
            "max_score",
            "value_type",
            "baseline",
            "verified",
            "points_provisional",
            "source",
        ]
        widgets = {"how_to_assess": forms.Textarea(attrs={"rows": 2})}
