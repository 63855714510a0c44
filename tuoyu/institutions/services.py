"""Writes to institutions. Pages, the API, admin and the demo generator all come through here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuoyu.core.audit import audit
from tuoyu.regions.choices import RegionLevel
from tuoyu.regions.geo import get_boundaries
from tuoyu.regions.models import Region

from .models import Institution

# Boundaries are simplified to about 500 m, so a point just outside its county's polygon is accepted.
BOUNDARY_TOLERANCE_DEG = 0.01

EDITABLE_FIELDS = (
    "legal_form",
    "legal_representative",
    "service_modes",
    "serves_meals",
    "opening_hours",
    "age_min_months",
    "age_max_months",
    "name",
    "uscc",
    "type",
    "ownership",
    "inclusive",
    "places",
    "status",
    "filing_status",
    "address",
    "township",
    "lat",
    "lng",
    "phone",
)


def _place_in_tree(institution: Institution) -> None:
    """Copy county and city from the township, and check the point lies in that county."""
    township: Region | None = (
        Region.objects.filter(pk=institution.township_id).select_related("parent__parent").first()
    )
    if township is None or township.level != RegionLevel.TOWNSHIP:
        raise ValidationError({"township": _("Choose a township-level unit (街道/镇/乡).")})
    assert township.parent is not None and township.parent.parent is not None
    institution.county = township.parent
    institution.city = township.parent.parent
    if institution.lat is not None and institution.lng is not None:
        boundaries = get_boundaries()
        geometry = boundaries.geometry(institution.county_id)
        # Economic zones have no boundary of their own in the file; their points are not checked.
        if (
            geometry is not None
            and boundaries.distance_deg(institution.county_id, institution.lng, institution.lat)
            > BOUNDARY_TOLERANCE_DEG
        ):
            raise ValidationError(
                {"lat": _("The location is not inside {county}.").format(county=institution.county.name)}
            )


@transaction.atomic
def institution_create(*, actor: Any, **fields: Any) -> Institution:
    """Create an institution record (a draft until its filing is confirmed)."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"township_id"}
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in unknown})
    institution = Institution(**fields)
    if institution.uscc:
        institution.uscc = institution.uscc.strip().upper()
    _place_in_tree(institution)
    institution.full_clean()
    institution.save()
    audit(actor=actor, action="institution.create", obj=institution)
    return institution


@transaction.atomic
def institution_update(*, actor: Any, institution: Institution, **fields: Any) -> Institution:
    """Change an institution's fields; the audit record lists what changed from what."""
    changes: dict[str, list[Any]] = {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS and name != "township_id":
            raise ValidationError({name: _("Unknown field.")})
        attr = "township_id" if name == "township" and isinstance(value, str) else name
        old = getattr(institution, attr)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(institution, attr, value)
    if not changes:
        return institution
    _place_in_tree(institution)
    institution.full_clean()
    institution.save()
    audit(actor=actor, action="institution.update", obj=institution, detail={"changes": changes})
    return institution


@transaction.atomic
def institutions_bulk_create(*, actor: Any, institutions: list[Institution]) -> list[Institution]:
    """Create many institutions at once, all or nothing (the demo generator; later the Excel import).

    Each item is checked as ``institution_create`` checks one, but in a fixed number of queries
    however long the list: the townships in one, the credit codes already taken in one. Errors are
    keyed ``"<index>.<field>"`` (index into ``institutions``) so a caller can name the row at fault.
    """
    if not institutions:
        return []
    township_codes = sorted({str(i.township_id) for i in institutions if i.township_id})
    townships = {
        r.code: r for r in Region.objects.filter(code__in=township_codes).select_related("parent__parent")
    }
    boundaries = get_boundaries()
    errors: dict[str, list[str]] = {}
    first_index: dict[str, int] = {}  # uscc -> the first item carrying it
    for index, institution in enumerate(institutions):
        institution.uscc = (institution.uscc or "").strip().upper()
        township = townships.get(str(institution.township_id))
        if (
            township is None
            or township.level != RegionLevel.TOWNSHIP
            or township.parent is None
            or township.parent.parent is None
        ):
            errors.setdefault(f"{index}.township", []).append(_("Choose a township-level unit (街道/镇/乡)."))
        else:
            institution.township = township
            institution.county = township.parent
            institution.city = township.parent.parent
            county_code = township.parent.code
            # Same tolerance as institution_create; economic zones have no boundary and are not checked.
            lat, lng = institution.lat, institution.lng
            if (
                lat is not None
                and lng is not None
                and boundaries.geometry(county_code) is not None
                and boundaries.distance_deg(county_code, lng, lat) > BOUNDARY_TOLERANCE_DEG
            ):
                errors.setdefault(f"{index}.lat", []).append(
                    _("The location is not inside {county}.").format(county=township.parent.name)
                )
        if (institution.lat is None) != (institution.lng is None):
            errors.setdefault(f"{index}.lat", []).append(_("Give both latitude and longitude, or neither."))
        try:
            # Per item, full_clean would cost queries: one to check the township exists (done above
            # against the prefetched rows) and one per CheckConstraint (Django evaluates each with a
            # SELECT). The constraints are covered in Python instead: places <= 2000 by the field's
            # validator, a complete point just above; the database enforces them again on insert.
            institution.full_clean(
                exclude=["county", "city", "township"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                errors.setdefault(f"{index}.{field_name}", []).extend(messages)
        if institution.uscc:
            first = first_index.setdefault(institution.uscc, index)
            if first != index:
                errors.setdefault(f"{index}.uscc", []).append(
                    _("The same unified social credit code as item {first}.").format(first=first)
                )
    taken = Institution.objects.filter(uscc__in=list(first_index)).values_list("uscc", flat=True)
    for uscc in sorted(taken):
        errors.setdefault(f"{first_index[uscc]}.uscc", []).append(
            _("An institution with this unified social credit code already exists.")
        )
    if errors:
        raise ValidationError(errors)
    created = Institution.objects.bulk_create(institutions, batch_size=1000)
    audit(actor=actor, action="institution.bulk_create", detail={"count": len(created)})
    return created
