"""Load the shipped 随机抽查事项清单 so that every database has it (a province edits it afterwards)."""

from django.db import migrations


def load(apps, schema_editor):
    from tuoyu.supervision.loading import load_items

    load_items(apps.get_model("supervision", "InspectionItem"))


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_flow")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
