"""Forms of the filing pages. They only check input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.institutions.choices import ServiceMode

from . import rules
from .choices import DocumentKind, FilingKind


class FilingStartForm(forms.Form):
    """The 备案书 fields that matter, and the 承诺书."""

    institution: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        queryset=None,  # type: ignore[arg-type]  # set per user in __init__
        label=_("Institution"),
        empty_label=None,
    )
    kind = forms.ChoiceField(choices=FilingKind.choices, label=_("Kind of filing"))
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50)
    service_modes = forms.MultipleChoiceField(
        choices=ServiceMode.choices, label=_("Service modes"), widget=forms.CheckboxSelectMultiple
    )
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=100, required=False)
    places = forms.IntegerField(label=_("Places"), min_value=0, max_value=2000)
    serves_meals = forms.BooleanField(label=_("Serves meals"), required=False)
    commitment_accepted = forms.BooleanField(
        label=_("I have read and accept the filing commitment above."), required=False
    )

    def __init__(self, *args, institutions=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]

    def form_payload(self) -> dict:  # type: ignore[type-arg]
        data = self.cleaned_data
        return {
            "legal_representative": data["legal_representative"],
            "service_modes": list(data["service_modes"]),
            "opening_hours": data["opening_hours"],
            "places": data["places"],
            "serves_meals": data["serves_meals"],
        }


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, label=_("Document"))
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG, at most {mb} MB)").format(mb=rules.MAX_UPLOAD_BYTES // (1024 * 1024))
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
