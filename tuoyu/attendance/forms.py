"""Forms of the attendance pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AbsenceReason, EventKind


class TapForm(forms.Form):
    """One tap on the class list: check a child in or out. `client_ref` is fixed when the row is drawn,
    so a double tap or a resubmitted form sends the same ref and is answered with the first event."""

    child = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = forms.ChoiceField(choices=EventKind.choices)
    client_ref = forms.CharField(max_length=64)
    person = forms.CharField(required=False, max_length=24)  # "g:<guardian id>" or "p:<pick-up person id>"
    person_name = forms.CharField(required=False, max_length=50)

    def person_ids(self) -> tuple[int | None, int | None]:
        raw = self.cleaned_data.get("person") or ""
        prefix, _sep, number = raw.partition(":")
        if not number.isdigit():
            return None, None
        return (
            (int(number), None) if prefix == "g" else (None, int(number)) if prefix == "p" else (None, None)
        )


class FollowUpForm(forms.Form):
    child = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("reason"), choices=AbsenceReason.choices)
    outcome = forms.CharField(label=_("outcome of the follow-up"), max_length=300)


class AbsenceForm(forms.Form):
    day = forms.DateField(label=_("day"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(
        label=_("reason"), choices=[c for c in AbsenceReason.choices if c[0] != AbsenceReason.UNEXPLAINED]
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class StaffTapForm(forms.Form):
    employment = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = forms.ChoiceField(choices=EventKind.choices)


class KioskCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your kiosk code"),
        max_length=8,
        min_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{8}"}),
    )
