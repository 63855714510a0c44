"""Forms of the care pages; they only collect input, services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AteAmount, DiaryKind, IncidentKind, Meal, Severity, Weekday

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MedicationRequestForm(forms.Form):
    medicine = forms.CharField(label=_("medicine"), max_length=100)
    dose = forms.CharField(label=_("dose"), max_length=50, help_text=_("For example 5 ml or 1 sachet."))
    times = forms.CharField(
        label=_("times of day"), max_length=50, help_text=_("For example 09:00, 13:00."), initial="12:00"
    )
    start_on = forms.DateField(label=_("first day"), widget=DATE)
    end_on = forms.DateField(label=_("last day"), widget=DATE)
    instructions = forms.CharField(
        label=_("instructions"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parent_consent = forms.BooleanField(
        label=_("I authorise the centre to give this medicine, and will hand in the signed authorisation."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start_on"].initial = today
        self.fields["end_on"].initial = today


class MedicationAcceptForm(forms.Form):
    authorisation_on_file = forms.BooleanField(label=_("Signed authorisation on file"), required=False)
    authorisation_note = forms.CharField(label=_("note"), max_length=200, required=False)


class MedicationDeclineForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


class MedicationDoseForm(forms.Form):
    dose = forms.CharField(label=_("dose"), max_length=50, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class IncidentForm(forms.Form):
    child = forms.TypedChoiceField(label=_("child"), coerce=int, required=False, empty_value=None)
    occurred_at = forms.DateTimeField(label=_("when it happened"), widget=DATETIME)
    kind = forms.ChoiceField(label=_("kind"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    description = forms.CharField(
        label=_("what happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    actions_taken = forms.CharField(
        label=_("first aid and actions taken"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    guardian_informed_at = forms.DateTimeField(
        label=_("guardian informed at"), widget=DATETIME, required=False
    )
    suspected_abuse_or_harm = forms.BooleanField(
        label=_("Suspected abuse or harm: report to the county now (强制报告)"), required=False
    )
    other_departments = forms.CharField(label=_("also reported to"), max_length=200, required=False)

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [("", "—"), *children]  # type: ignore[attr-defined]
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class MenuCreateForm(forms.Form):
    week_start = forms.DateField(label=_("week starting (a Monday)"), widget=DATE)


class MenuItemForm(forms.Form):
    day = forms.TypedChoiceField(label=_("day"), choices=Weekday.choices, coerce=int)
    meal = forms.ChoiceField(label=_("meal"), choices=Meal.choices)
    dish = forms.CharField(label=_("dish"), max_length=60)
    ingredients = forms.CharField(label=_("ingredients and allergens"), max_length=300, required=False)


class SubstituteForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    child = forms.IntegerField(widget=forms.HiddenInput)
    substitute = forms.CharField(label=_("substitute"), max_length=100, required=False)


class DiaryEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DiaryKind.choices)
    child = forms.TypedChoiceField(label=_("child"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(
        label=_("text"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    nap_start = forms.TimeField(label=_("fell asleep"), widget=TIME, required=False)
    nap_end = forms.TimeField(label=_("woke up"), widget=TIME, required=False)
    photo = forms.FileField(label=_("photo"), required=False)

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [("", _("whole class")), *children]  # type: ignore[attr-defined]


class MealServedForm(forms.Form):
    meal = forms.ChoiceField(label=_("meal"), choices=Meal.choices)
    served_at = forms.TimeField(label=_("served at"), widget=TIME, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *AteAmount.choices]
        for pk, name in children:
            self.fields[f"ate_{pk}"] = forms.ChoiceField(label=name, choices=choices, required=False)

    def intakes(self) -> dict[int, str]:
        return {
            int(name.removeprefix("ate_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("ate_") and value
        }
