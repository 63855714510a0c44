"""Forms of the parent end."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .rules import MESSAGE_MAX_LENGTH


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StaffStartForm(forms.Form):
    """A member of staff opens (or continues) the thread of a child of their centre."""

    child = forms.TypedChoiceField(label=_("Child"), coerce=int)

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = children  # type: ignore[attr-defined]


# The reasons a parent may give (attendance's AbsenceReason without "unexplained", which staff record).
ABSENCE_REASONS = [
    ("illness", _("Illness")),
    ("family", _("Family reasons")),
    ("other", _("Other")),
]


class AbsenceForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(label=_("Reason"), choices=ABSENCE_REASONS)
    note = forms.CharField(label=_("Note for the teachers"), max_length=300, required=False)
