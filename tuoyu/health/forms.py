"""Forms of the health pages: an abnormal check, a vaccine dose, acknowledging an alert."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DoseSource, Finding, Mood, Outcome, Session, Symptom, Vaccine


class CheckForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    session = forms.ChoiceField(choices=Session.choices, widget=forms.HiddenInput)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        min_value=Decimal("34.0"),
        max_value=Decimal("43.0"),
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    mouth = forms.ChoiceField(label=_("Mouth"), choices=Finding.choices, initial=Finding.NORMAL)
    hands = forms.ChoiceField(label=_("Hands"), choices=Finding.choices, initial=Finding.NORMAL)
    skin = forms.ChoiceField(label=_("Skin"), choices=Finding.choices, initial=Finding.NORMAL)
    mood = forms.ChoiceField(label=_("Mood"), choices=Mood.choices, initial=Mood.GOOD)
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"), choices=Symptom.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("As the rules say")), *Outcome.choices], required=False
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


class DoseForm(forms.Form):
    vaccine = forms.ChoiceField(label=_("Vaccine"), choices=Vaccine.choices)
    dose_no = forms.IntegerField(label=_("Dose"), min_value=1, max_value=6)
    given_on = forms.DateField(label=_("Given on"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ChoiceField(
        label=_("According to"), choices=DoseSource.choices, initial=DoseSource.CERTIFICATE
    )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
