"""The record-a-measurement form (centre staff)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Position


class GrowthMeasurementForm(forms.Form):
    measured_on = forms.DateField(label=_("measured on"), widget=forms.DateInput(attrs={"type": "date"}))
    weight_kg = forms.DecimalField(
        label=_("weight (kg)"), required=False, max_digits=5, decimal_places=2, min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip
    length_cm = forms.DecimalField(
        label=_("length/height (cm)"), required=False, max_digits=5, decimal_places=1,
        min_value=Decimal("0.1"),
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )  # fmt: skip
    position = forms.ChoiceField(label=_("measured"), choices=Position.choices, required=False)
    head_cm = forms.DecimalField(
        label=_("head circumference (cm)"), required=False, max_digits=4, decimal_places=1,
        min_value=Decimal("0.1"), widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )  # fmt: skip
    note = forms.CharField(label=_("note"), required=False, max_length=300)
