"""Forms of the enforcement app (the pages; the API has its own schemas)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ActionKind, EmergencyKind, EmergencySeverity, HandoverItem, PlacementOutcome
from .rules import RULE_CHOICES

DATE = forms.DateInput(attrs={"type": "date"})


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ActionKind.choices)
    rule = forms.ChoiceField(label=_("legal basis"), choices=RULE_CHOICES)
    decision_number = forms.CharField(label=_("decision number"), max_length=60)
    decided_on = forms.DateField(label=_("decided on"), widget=DATE)
    facts = forms.CharField(label=_("facts"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.DecimalField(
        label=_("fine (yuan)"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    correct_by = forms.DateField(label=_("correct by"), required=False, widget=DATE)
    inspection = forms.TypedChoiceField(label=_("inspection"), required=False, coerce=int, empty_value=None)
    complaint_ref = forms.CharField(label=_("complaint reference"), max_length=40, required=False)
    published = forms.BooleanField(label=_("published on the trust card"), required=False, initial=True)
    banned_persons = forms.CharField(
        label=_("persons banned (one per line: ID number, name)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, inspections: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].choices = [("", "—"), *(inspections or [])]  # type: ignore[attr-defined]

    def clean_banned_persons(self) -> list[tuple[str, str]]:
        result = []
        for line in (self.cleaned_data.get("banned_persons") or "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",", 1)]
            if not parts[0]:
                continue
            if len(parts) < 2 or not parts[1]:
                raise forms.ValidationError(_("Write each person as: ID number, name."))
            result.append((parts[0], parts[1]))
        return result


class ClosureOpenForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PlacementForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("placement"),
        choices=[c for c in PlacementOutcome.choices if c[0] != PlacementOutcome.PENDING],
    )
    institution = forms.IntegerField(label=_("new institution"), required=False, min_value=1)
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    placed_on = forms.DateField(label=_("placed on"), required=False, widget=DATE)


class FeeForm(forms.Form):
    prepaid = forms.DecimalField(label=_("prepaid (yuan)"), max_digits=10, decimal_places=2, min_value=0)
    refunded = forms.DecimalField(label=_("refunded (yuan)"), max_digits=10, decimal_places=2, min_value=0)
    settled_on = forms.DateField(label=_("settled on"), required=False, widget=DATE)
    note = forms.CharField(label=_("fee note"), max_length=300, required=False)


class HandoverForm(forms.Form):
    item = forms.ChoiceField(choices=HandoverItem.choices, widget=forms.HiddenInput)
    received_by = forms.CharField(label=_("received by"), max_length=100)
    received_on = forms.DateField(label=_("received on"), required=False, widget=DATE)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("closed on"), required=False, widget=DATE)
    summary = forms.CharField(
        label=_("summary"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class EmergencyForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=EmergencyKind.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=EmergencySeverity.choices)
    title = forms.CharField(label=_("title"), max_length=120)
    description = forms.CharField(
        label=_("what happened"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    source_alert = forms.TypedChoiceField(
        label=_("symptom-cluster alert"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, alerts: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if alerts:
            self.fields["source_alert"].choices = [("", "—"), *alerts]  # type: ignore[attr-defined]
        else:
            del self.fields["source_alert"]


class EntryForm(forms.Form):
    text = forms.CharField(label=_("update"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(
        label=_("severity"), required=False, choices=[("", _("unchanged")), *EmergencySeverity.choices]
    )


class EmergencyCloseForm(forms.Form):
    summary = forms.CharField(label=_("summary"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
