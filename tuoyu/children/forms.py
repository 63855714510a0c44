"""Forms of the children pages. They only collect input; the services decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.institutions.choices import ServiceMode
from tuoyu.institutions.models import InstitutionClass

from .choices import EntryCheckKind, Relation, Sex

DATE = forms.DateInput(attrs={"type": "date"})
PHONE = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})


class MonthField(forms.DateField):
    """A month chosen with <input type="month"> (YYYY-MM), as the first day of that month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class ApplyForm(forms.Form):
    """A parent's application: the child (new, or one they guard), service mode and start month."""

    existing_child = forms.TypedChoiceField(
        label=_("Child"), coerce=int, required=False, empty_value=None, choices=()
    )
    name = forms.CharField(label=_("Child's name"), max_length=50, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE, required=False)
    id_number = forms.CharField(
        label=_("ID number (optional)"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    allergies = forms.CharField(
        label=_("Allergies"),
        max_length=200,
        required=False,
        help_text=_("Foods or substances, separated by commas."),
    )
    special_needs = forms.CharField(label=_("Special needs"), max_length=300, required=False)
    relation = forms.ChoiceField(
        label=_("You are the child's"), choices=[("", "—"), *Relation.choices], required=False
    )
    phone = forms.CharField(label=_("Your phone"), max_length=20, required=False, widget=PHONE)
    second_name = forms.CharField(label=_("Second guardian's name (optional)"), max_length=50, required=False)
    second_relation = forms.ChoiceField(
        label=_("Second guardian's relation"), choices=[("", "—"), *Relation.choices], required=False
    )
    second_phone = forms.CharField(
        label=_("Second guardian's phone"), max_length=20, required=False, widget=PHONE
    )
    service_mode = forms.ChoiceField(label=_("Service mode"), choices=ServiceMode.choices)
    start_month = MonthField(label=_("Start month"))
    note = forms.CharField(
        label=_("Note to the institution"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, children: list[Any], modes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["existing_child"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("A new child")), *((c.pk, c.name) for c in children)]
        if not children:
            field.widget = forms.HiddenInput()
        mode_field = self.fields["service_mode"]
        assert isinstance(mode_field, forms.ChoiceField)
        if modes:
            mode_field.choices = [(m, label) for m, label in ServiceMode.choices if m in modes]
        self.fields["start_month"].initial = timezone.localdate().replace(day=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("existing_child"):
            for name in ("name", "sex", "birth_date", "relation"):
                if not data.get(name):
                    self.add_error(name, _("This field is required."))
        if data.get("second_name") and not (data.get("second_relation") and data.get("second_phone")):
            self.add_error("second_phone", _("Give the second guardian's relation and phone."))
        return data


class AcceptForm(forms.Form):
    # Plain choices (not a ModelChoiceField): the queue renders a form per application without a query each.
    class_id = forms.TypedChoiceField(label=_("Class"), coerce=int, choices=())
    start_on = forms.DateField(label=_("Start date"), widget=DATE, required=False)
    agreement_ref = forms.CharField(
        label=_("Service agreement number"),
        max_length=40,
        required=False,
        help_text=_("Left empty: one is given."),
    )
    agreement_signed_on = forms.DateField(label=_("Agreement signed"), widget=DATE, required=False)
    monthly_fee = forms.DecimalField(
        label=_("Monthly fee (yuan)"),
        max_digits=8,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Left empty: the fee catalogue's monthly fee."),
    )

    def __init__(self, *args: Any, classes: list[InstitutionClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["class_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((c.pk, f"{c.name} · {c.get_kind_display()}") for c in classes)]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class EntryCheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("Admission check"), choices=EntryCheckKind.choices)
    checked_on = forms.DateField(label=_("Date"), widget=DATE)
    passed = forms.TypedChoiceField(
        label=_("Result"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Passed / complete")), ("no", _("Not passed / incomplete"))],
    )
    issuer = forms.CharField(label=_("Issued by"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


class GuardianForm(forms.Form):
    position = forms.TypedChoiceField(label=_("Guardian number"), coerce=int, choices=[(1, "1"), (2, "2")])
    name = forms.CharField(label=_("full name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation"), choices=Relation.choices)
    phone = forms.CharField(label=_("Phone"), max_length=20, widget=PHONE)


class LinkAccountForm(forms.Form):
    position = forms.TypedChoiceField(label=_("Guardian number"), coerce=int, choices=[(1, "1"), (2, "2")])
    phone = forms.CharField(label=_("Mobile number of the parent's account"), max_length=20, widget=PHONE)


class PickupForm(forms.Form):
    name = forms.CharField(label=_("full name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation"), choices=Relation.choices)
    phone = forms.CharField(label=_("Phone"), max_length=20, widget=PHONE)


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Leaving date"), widget=DATE)
    reason = forms.CharField(label=_("Reason for leaving"), max_length=200)


class ChangeClassForm(forms.Form):
    class_id = forms.ModelChoiceField(label=_("New class"), queryset=InstitutionClass.objects.none())

    def __init__(self, *args: Any, classes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["class_id"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = classes


class ChildDetailsForm(forms.Form):
    allergies = forms.CharField(label=_("Allergies"), max_length=200, required=False)
    special_needs = forms.CharField(label=_("Special needs"), max_length=300, required=False)
