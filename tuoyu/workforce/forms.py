"""Forms of the workforce pages; they only collect input, services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import BanKind, CheckKind, CheckResult, QualificationKind, QualificationLevel, StaffRole
from .validators import normalise_id_number, validate_id_number

DATE = forms.DateInput(attrs={"type": "date"})


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("label", _("ID number"))
        super().__init__(**kwargs)

    def clean(self, value):  # type: ignore[no-untyped-def]
        value = normalise_id_number(super().clean(value))
        validate_id_number(value)
        return value


class HireForm(forms.Form):
    name = forms.CharField(label=_("full name"), max_length=50)
    id_number = IdNumberField()
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("role"), choices=StaffRole.choices)
    start_on = forms.DateField(label=_("start date"), widget=DATE)
    full_time = forms.BooleanField(label=_("full time"), required=False, initial=True)
    experience_years = forms.IntegerField(
        label=_("years of relevant experience"), min_value=0, max_value=60, initial=0
    )


class EndEmploymentForm(forms.Form):
    employment = forms.IntegerField(widget=forms.HiddenInput)
    end_on = forms.DateField(label=_("end date"), widget=DATE)
    end_reason = forms.CharField(label=_("reason for leaving"), max_length=200, required=False)


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=QualificationKind.choices)
    level = forms.ChoiceField(
        label=_("level"), choices=[("", "—"), *QualificationLevel.choices], required=False
    )
    issued_on = forms.DateField(label=_("issued on"), widget=DATE)
    expires_on = forms.DateField(label=_("expires on"), widget=DATE, required=False)


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=CheckKind.choices)
    checked_on = forms.DateField(label=_("checked on"), widget=DATE)
    result = forms.ChoiceField(label=_("result"), choices=CheckResult.choices)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class BanForm(forms.Form):
    id_number = IdNumberField()
    name = forms.CharField(label=_("full name"), max_length=50)
    kind = forms.ChoiceField(label=_("kind"), choices=BanKind.choices)
    decision = forms.CharField(label=_("decision"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("decided on"), widget=DATE)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE, required=False)
    decided_by = forms.CharField(label=_("decided by"), max_length=100)


class BanSearchForm(forms.Form):
    id_number = IdNumberField()


class ClassAssignmentForm(forms.Form):
    """Put a caregiver (one of the institution's open caregiver jobs) in one of its classes."""

    employment = forms.TypedChoiceField(label=_("Caregiver"), coerce=int)
    institution_class = forms.TypedChoiceField(label=_("class"), coerce=int)

    def __init__(self, *args, caregivers=(), classes=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["employment"].choices = [(job.pk, job.person.name) for job in caregivers]
        self.fields["institution_class"].choices = [(klass.pk, klass.name) for klass in classes]


MAX_ID = 2**31 - 1


class EndAssignmentForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class EnrolledForm(forms.Form):
    institution_class = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    enrolled = forms.IntegerField(label=_("children enrolled"), min_value=0, max_value=200)
