"""Forms of the institution pages."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .imports import MAX_BYTES, MAX_ROWS, SUFFIXES


class RegistryImportForm(forms.Form):
    """The upload of a register file (.xlsx or .csv) for the bulk import."""

    file = forms.FileField(
        label=_("Register file (.xlsx or .csv)"),
        help_text=format_lazy(
            _("At most {size} MB and {rows} rows; CSV in UTF-8 or GB18030."),
            size=MAX_BYTES // (1024 * 1024),
            rows=f"{MAX_ROWS:,}",
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("Upload an .xlsx or a .csv file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than {limit} MB; split it into several files.").format(
                    limit=MAX_BYTES // (1024 * 1024)
                )
            )
        return upload
