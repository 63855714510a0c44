"""Load the shipped WS/T 821—2023 form (tuoyu/quality/data/wst821_2023.json), marked incomplete."""

from django.db import migrations


def load(apps, schema_editor):
    from tuoyu.quality.formdata import load_form

    load_form(
        apps.get_model("quality", "AssessmentForm"),
        apps.get_model("quality", "FormDimension"),
        apps.get_model("quality", "FormItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
