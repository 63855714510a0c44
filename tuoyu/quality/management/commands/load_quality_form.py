"""Load the shipped WS/T 821 assessment form if it is missing: `manage.py load_quality_form`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tuoyu.quality.formdata import load_form
from tuoyu.quality.models import AssessmentForm, FormDimension, FormItem


class Command(BaseCommand):
    help = "Load tuoyu/quality/data/wst821_2023.json (an existing version with the same number is kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        form = load_form(AssessmentForm, FormDimension, FormItem)
        items = FormItem.objects.filter(dimension__form=form).count()
        self.stdout.write(f"{form} ({form.get_status_display()}), {items} items.")
