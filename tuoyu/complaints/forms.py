"""Forms of the complaint pages; they only collect input, services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules
from .choices import ComplaintCategory, ComplaintOutcome, ComplaintStatus, HandlingLevel

DATE = forms.DateInput(attrs={"type": "date"})


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=ComplaintCategory.choices)
    description = forms.CharField(
        label=_("What happened"),
        max_length=rules.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Where, when, who was involved. Do not write a child's full name or ID number."),
    )
    occurred_on = forms.DateField(label=_("Date of the event (if known)"), required=False, widget=DATE)
    anonymous = forms.BooleanField(
        label=_("Complain anonymously (no name or phone is kept)"), required=False, initial=True
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        required=False,
        help_text=_("Only the officials handling the complaint see it; the institution never does."),
    )


class QueueFilterForm(forms.Form):
    """The officials' queue filters (GET)."""

    mine = forms.BooleanField(label=_("handled at my level"), required=False)
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("open", _("Open")), ("", _("All")), *ComplaintStatus.choices],
        initial="open",
    )
    level = forms.ChoiceField(
        label=_("level"), required=False, choices=[("", _("All")), *HandlingLevel.choices]
    )
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", _("All")), *ComplaintCategory.choices]
    )
    serious = forms.NullBooleanField(
        label=_("serious"),
        required=False,
        widget=forms.Select(
            choices=[("", _("All")), ("true", _("Serious only")), ("false", _("Not serious"))]
        ),
    )
    overdue = forms.NullBooleanField(
        label=_("overdue"),
        required=False,
        widget=forms.Select(choices=[("", _("All")), ("true", _("Overdue only")), ("false", _("On time"))]),
    )


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label=_("note (why)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConcludeForm(TransitionForm):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[(v, label) for v, label in ComplaintOutcome.choices if v != ComplaintOutcome.WITHDRAWN],
    )
    reply = forms.CharField(
        label=_("reply to the complainant"),
        max_length=rules.REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the tracking page to anyone with the reference."),
    )


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Your response"), max_length=rules.REPLY_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
