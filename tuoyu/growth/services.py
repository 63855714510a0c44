"""Writes to the growth records. Pages, the API and the demo's single-record path come through here.

Who may record: staff holding `care` on the child (director, caregiver, health worker of the child's
institution). Officials and parents see the records but do not write them (403).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.children.models import Child
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.parents.choices import NotificationKind
from tuoyu.parents.services import notify_guardians

from . import who, wst423
from .choices import Position
from .models import GrowthMeasurement
from .rules import FLAG_RULES, HEAD_RANGE_CM, LENGTH_RANGE_CM, WEIGHT_RANGE_KG, implausible


def _check_range(
    errors: dict[str, Any], field: str, value: Decimal | None, bounds: tuple[Decimal, Decimal], unit: str
) -> None:
    if value is not None and not bounds[0] <= value <= bounds[1]:
        errors[field] = _("Must be between {low} and {high} {unit}.").format(
            low=bounds[0], high=bounds[1], unit=unit
        )


def measurement_scores(
    *,
    sex: str,
    age_days: int,
    weight_kg: Decimal | None,
    length_cm: Decimal | None,
    position: str,
    head_cm: Decimal | None,
) -> dict[str, Any]:
    """The stored fields computed from a measurement: z-scores, flags, grades, versions (pure)."""
    pos = position if position in (Position.LYING, Position.STANDING) else None
    scores = who.zscores(
        sex=sex,  # type: ignore[arg-type]
        age_days=age_days,
        weight_kg=float(weight_kg) if weight_kg is not None else None,
        length_cm=float(length_cm) if length_cm is not None else None,
        position=pos,  # type: ignore[arg-type]
        head_cm=float(head_cm) if head_cm is not None else None,
    )
    z = scores.as_dict()
    fields: dict[str, Any] = {f"z_{k}": v for k, v in z.items()}
    bad = implausible(z)
    fields["implausible"] = ",".join(bad)
    for rule in FLAG_RULES:
        # An implausible z-score is a measurement to check, not a finding.
        fields[rule.code] = rule.indicator not in bad and rule.applies(z[rule.indicator])
    grades = {
        "wfa": wst423.grade("wfa", sex, age_days, float(weight_kg) if weight_kg is not None else None),
        "lhfa": wst423.grade("lhfa", sex, age_days, scores.length_adjusted_cm),
        "hcfa": wst423.grade("hcfa", sex, age_days, float(head_cm) if head_cm is not None else None),
    }
    for key, value in grades.items():
        fields[f"grade_{key}"] = value.value if value is not None else ""
    fields["who_version"] = who.STANDARD_VERSION
    fields["wst_version"] = wst423.STANDARD_VERSION if any(grades.values()) else ""
    return fields


def growth_measurement_record(
    *,
    actor: Any,
    child: Child,
    measured_on: date,
    weight_kg: Decimal | None = None,
    length_cm: Decimal | None = None,
    position: str = "",
    head_cm: Decimal | None = None,
    note: str = "",
    request: Any = None,
) -> GrowthMeasurement:
    """Record a measurement, compute its scores, tell the guardians (not urgent: the daily digest)."""
    if not Child.objects.for_user(actor, "care").filter(pk=child.pk).exists():
        raise PermissionDenied(_("Only the child's centre staff may record measurements."))
    errors: dict[str, Any] = {}
    if weight_kg is None and length_cm is None and head_cm is None:
        errors["weight_kg"] = _("Enter at least one of weight, length/height or head circumference.")
    _check_range(errors, "weight_kg", weight_kg, WEIGHT_RANGE_KG, "kg")
    _check_range(errors, "length_cm", length_cm, LENGTH_RANGE_CM, "cm")
    _check_range(errors, "head_cm", head_cm, HEAD_RANGE_CM, "cm")
    if length_cm is not None and position not in (Position.LYING, Position.STANDING):
        errors["position"] = _("Say whether the child lay or stood.")
    if position and position not in (Position.LYING, Position.STANDING):
        errors["position"] = _("Must be lying or standing.")
    if measured_on > timezone.localdate():
        errors["measured_on"] = _("A measurement cannot be in the future.")
    elif measured_on < child.birth_date:
        errors["measured_on"] = _("A measurement cannot be before the child's birth.")
    if child.institution_id is None:
        errors["child"] = _("The child is not enrolled at a centre.")
    if errors:
        raise ValidationError(errors)
    age_days = (measured_on - child.birth_date).days
    measurement = GrowthMeasurement(
        child=child,
        institution_id=child.institution_id,
        measured_on=measured_on,
        age_days=age_days,
        weight_kg=weight_kg,
        length_cm=length_cm,
        position=position if length_cm is not None else "",
        head_cm=head_cm,
        recorded_by=actor,
        note=note,
        **measurement_scores(
            sex=child.sex,
            age_days=age_days,
            weight_kg=weight_kg,
            length_cm=length_cm,
            position=position,
            head_cm=head_cm,
        ),
    )
    measurement.full_clean(exclude=["child", "institution", "recorded_by"], validate_unique=False)
    if GrowthMeasurement.objects.filter(child=child, measured_on=measured_on).exists():
        raise Conflict(
            _("{name} already has a measurement on {day}.").format(name=child.name, day=measured_on)
        )
    try:
        with transaction.atomic():
            measurement.save()
            audit(
                actor=actor,
                action="growth.record",
                obj=measurement,
                detail={
                    "child": child.pk,
                    "measured_on": measured_on.isoformat(),
                    "flags": measurement.flags,
                },
                request=request,
            )
            notify_guardians(
                child=child,
                kind=NotificationKind.GROWTH,
                title=_("New measurement for {name}").format(name=child.name),
                body=plain_summary(measurement),
                urgent=False,
                link=reverse("growth:child", args=[child.pk]),
            )
    except IntegrityError as exc:  # two staff recording the same day at once
        raise Conflict(
            _("{name} already has a measurement on {day}.").format(name=child.name, day=measured_on)
        ) from exc
    return measurement


def plain_summary(m: GrowthMeasurement) -> str:
    """The measurement in plain words for a guardian."""
    parts = []
    if m.weight_kg is not None:
        parts.append(_("weight {kg} kg").format(kg=m.weight_kg))
    if m.length_cm is not None:
        parts.append(_("length/height {cm} cm").format(cm=m.length_cm))
    if m.head_cm is not None:
        parts.append(_("head {cm} cm").format(cm=m.head_cm))
    text = "，".join(parts)
    rules = m.flag_rules()
    if rules:
        text += "。" + _("Worth discussing with the centre's health worker: {what}.").format(
            what="、".join(str(r.plain) for r in rules)
        )
    return text
