"""The targets of 江苏省“十四五”托育服务发展规划 (2021–2025), from data/plan_targets.csv."""

import csv
from pathlib import Path

from django.db import migrations

PLAN = "江苏省“十四五”托育服务发展规划"
FILE = Path(__file__).resolve().parent.parent / "data" / "plan_targets.csv"


def load(apps, schema_editor):
    PlanTarget = apps.get_model("planning", "PlanTarget")
    with FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            PlanTarget.objects.update_or_create(
                period_start=int(row["period_start"]),
                key=row["key"],
                level=row["level"],
                defaults={
                    "plan": PLAN,
                    "period_end": int(row["period_end"]),
                    "comparison": row["comparison"],
                    "value": float(row["value"]),
                    "text": row["text"],
                    "source": row["source"],
                },
            )


def unload(apps, schema_editor):
    apps.get_model("planning", "PlanTarget").objects.filter(plan=PLAN).delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
