"""Writes to institutions. Pages, the API, admin and the demo generator all come through here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.core.audit import audit
from tuoyu.regions.choices import RegionLevel
from tuoyu.regions.geo import get_boundaries
from tuoyu.regions.models import Region

from .choices import DesignationKind, OperatingStatus
from .models import Designation, FeeItem, Institution, InstitutionClass, InstitutionPhoto, InsurancePolicy

# Boundaries are simplified to about 500 m, so a point just outside its county's polygon is accepted.
BOUNDARY_TOLERANCE_DEG = 0.01

EDITABLE_FIELDS = (
    "premises_tenure",
    "lease_start",
    "lease_end",
    "children_rooms_floor",
    "building_area_m2",
    "outdoor_area_m2",
    "fire_safety_date",
    "cctv_retention_days",
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
    "operating_since",
    "closed_on",
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


def _record_operating_dates(institution: Institution, old_status: str | None, given: set[str]) -> None:
    """Date the status change unless the caller gave the date: the indicators at past dates read them.

    Becoming operating sets `operating_since` (today; if it is empty after a suspension, the day the
    institution was entered, as the indicators assumed until then). Reopening after closure starts
    afresh: the earlier period is not kept (one pair of dates per institution). Closing sets `closed_on`.
    """
    status, today = institution.status, timezone.localdate()
    if status == old_status:
        return
    if status == OperatingStatus.OPERATING:
        if old_status == OperatingStatus.CLOSED:
            if "operating_since" not in given:
                institution.operating_since = today
            if "closed_on" not in given:
                institution.closed_on = None
        elif institution.operating_since is None and "operating_since" not in given:
            institution.operating_since = (
                timezone.localdate(institution.created_at)
                if old_status == OperatingStatus.SUSPENDED and institution.created_at
                else today
            )
    elif status == OperatingStatus.CLOSED:
        if institution.closed_on is None and "closed_on" not in given:
            institution.closed_on = today
        if (
            institution.operating_since is None
            and "operating_since" not in given
            and old_status in (OperatingStatus.OPERATING, OperatingStatus.SUSPENDED)
            and institution.created_at
        ):
            institution.operating_since = min(timezone.localdate(institution.created_at), today)


@transaction.atomic
def institution_create(*, actor: Any, **fields: Any) -> Institution:
    """Create an institution record (a draft until its filing is confirmed)."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"township_id"}
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in unknown})
    institution = Institution(**fields)
    if institution.uscc:
        institution.uscc = institution.uscc.strip().upper()
    _record_operating_dates(institution, None, set(fields))
    _place_in_tree(institution)
    institution.full_clean()
    institution.save()
    audit(actor=actor, action="institution.create", obj=institution)
    return institution


@transaction.atomic
def institution_update(*, actor: Any, institution: Institution, **fields: Any) -> Institution:
    """Change an institution's fields; the audit record lists what changed from what."""
    changes: dict[str, list[Any]] = {}
    old_status = institution.status
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
    dates = (institution.operating_since, institution.closed_on)
    _record_operating_dates(institution, old_status, set(fields))
    for name, old in zip(("operating_since", "closed_on"), dates, strict=True):
        if getattr(institution, name) != old:
            changes[name] = [str(old), str(getattr(institution, name))]
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
        # The age-range constraint is skipped with validate_constraints=False above, so check it here:
        # the database would otherwise refuse the whole batch without naming the row.
        if institution.age_min_months > institution.age_max_months or institution.age_max_months > 36:
            errors.setdefault(f"{index}.age_max_months", []).append(
                _("The age range must run from youngest to oldest, at most 36 months.")
            )
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


# --- The rest of the record: classes, fees, insurance, designations --------------------------------
# Each writes an audit record on the institution itself, so the institution's history (its audit
# records) shows every change to any part of its record.


def _save_child(
    *, actor: Any, institution: Institution, obj: Any, action: str, detail: dict[str, Any]
) -> None:
    obj.full_clean()
    obj.save()
    audit(actor=actor, action=action, obj=institution, detail=detail)


@transaction.atomic
def institution_class_save(
    *,
    actor: Any,
    institution: Institution,
    name: str,
    kind: str,
    capacity: int,
    enrolled: int | None = None,
    class_id: int | None = None,
) -> InstitutionClass:
    """Add or change a class; its size is checked against the class type's cap and the filed places.

    `enrolled` (children enrolled now) may exceed the capacity: the ratio page flags it. None keeps it.
    """
    klass = (
        InstitutionClass(institution=institution)
        if class_id is None
        else institution.classes.get(pk=class_id)
    )
    klass.name, klass.kind, klass.capacity = name, kind, capacity
    if enrolled is not None:
        klass.enrolled = enrolled
    others = institution.classes.exclude(pk=klass.pk).aggregate(total=Sum("capacity"))["total"] or 0
    if capacity is not None and others + capacity > institution.places:
        raise ValidationError(
            {
                "capacity": _(
                    "The classes would hold {total} children, more than the {places} filed places."
                ).format(total=others + capacity, places=institution.places)
            }
        )
    _save_child(
        actor=actor,
        institution=institution,
        obj=klass,
        action="institution.class_save",
        detail={"class": name, "kind": kind, "capacity": capacity, "enrolled": klass.enrolled},
    )
    return klass


@transaction.atomic
def institution_class_set_enrolled(
    *, actor: Any, institution: Institution, class_id: int, enrolled: int
) -> InstitutionClass:
    """Declare how many children a class has enrolled now (until the children register counts them)."""
    klass = institution.classes.select_for_update().get(pk=class_id)
    before = klass.enrolled
    klass.enrolled = enrolled
    _save_child(
        actor=actor,
        institution=institution,
        obj=klass,
        action="institution.class_enrolled",
        detail={"class": klass.name, "enrolled": enrolled, "before": before},
    )
    return klass


@transaction.atomic
def institution_class_delete(*, actor: Any, institution: Institution, class_id: int) -> None:
    klass = institution.classes.get(pk=class_id)
    klass.delete()
    audit(actor=actor, action="institution.class_delete", obj=institution, detail={"class": klass.name})


@transaction.atomic
def fee_item_save(
    *,
    actor: Any,
    institution: Institution,
    item: str,
    amount: Decimal,
    unit: str,
    inclusive_price: bool = False,
    fee_id: int | None = None,
) -> FeeItem:
    """Add or change a line of the fee catalogue (收费目录清单)."""
    fee = FeeItem(institution=institution) if fee_id is None else institution.fees.get(pk=fee_id)
    fee.item, fee.amount, fee.unit, fee.inclusive_price = item, amount, unit, inclusive_price
    _save_child(
        actor=actor,
        institution=institution,
        obj=fee,
        action="institution.fee_save",
        detail={"item": item, "amount": str(amount), "unit": unit},
    )
    return fee


@transaction.atomic
def insurance_policy_save(
    *,
    actor: Any,
    institution: Institution,
    insurer: str,
    policy_number: str,
    starts_on: date,
    expires_on: date,
) -> InsurancePolicy:
    """Record a liability insurance policy."""
    policy = InsurancePolicy(
        institution=institution,
        insurer=insurer,
        policy_number=policy_number,
        starts_on=starts_on,
        expires_on=expires_on,
    )
    _save_child(
        actor=actor,
        institution=institution,
        obj=policy,
        action="institution.insurance_save",
        detail={"insurer": insurer, "expires_on": expires_on.isoformat()},
    )
    return policy


@transaction.atomic
def designation_grant(
    *, actor: Any, institution: Institution, kind: str, level: str, granted_on: date, granted_by: str
) -> Designation:
    """Grant a designation; an inclusive one also sets the institution's inclusive flag used by indicators."""
    designation = Designation(
        institution=institution, kind=kind, level=level, granted_on=granted_on, granted_by=granted_by
    )
    if institution.designations.filter(kind=kind, level=level, revoked_on__isnull=True).exists():
        raise ValidationError({"kind": _("This designation is already held at this level.")})
    _save_child(
        actor=actor,
        institution=institution,
        obj=designation,
        action="institution.designation_grant",
        detail={"kind": kind, "level": level, "granted_on": granted_on.isoformat(), "by": granted_by},
    )
    if kind == DesignationKind.INCLUSIVE and not institution.inclusive:
        institution_update(actor=actor, institution=institution, inclusive=True)
    return designation


@transaction.atomic
def designation_revoke(*, actor: Any, designation: Designation, revoked_on: date) -> Designation:
    """Revoke a designation; the inclusive flag goes when no inclusive designation is left."""
    designation.revoked_on = revoked_on
    institution = designation.institution
    _save_child(
        actor=actor,
        institution=institution,
        obj=designation,
        action="institution.designation_revoke",
        detail={"kind": designation.kind, "level": designation.level, "revoked_on": revoked_on.isoformat()},
    )
    still = institution.designations.filter(kind=DesignationKind.INCLUSIVE, revoked_on__isnull=True).exists()
    if designation.kind == DesignationKind.INCLUSIVE and not still and institution.inclusive:
        institution_update(actor=actor, institution=institution, inclusive=False)
    return designation


def institution_history(institution: Institution) -> Any:
    """Every recorded change to the institution's record, newest first (from the audit log)."""
    from tuoyu.core.models import AuditLog

    return AuditLog.objects.filter(
        object_type=Institution._meta.label_lower, object_id=str(institution.pk)
    ).exclude(action="view")


# Photos of the premises: JPEG or PNG recognised by their bytes, at most this size and this many.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 12


@transaction.atomic
def institution_photo_add(
    *, actor: Any, institution: Institution, upload: Any, caption: str = ""
) -> InstitutionPhoto:
    """Store a photo for the trust card; a file that is not a JPEG or PNG is refused at the `image` field."""
    from tuoyu.core.files import EXTENSIONS, sniff_content_type

    if institution.photos.count() >= PHOTO_MAX_COUNT:
        raise ValidationError({"image": _("At most {n} photos.").format(n=PHOTO_MAX_COUNT)})
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            {"image": _("The photo is larger than {mb} MB.").format(mb=PHOTO_MAX_BYTES // 2**20)}
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16), allowed=("image/jpeg", "image/png"))
    upload.seek(0)
    if content_type is None:
        raise ValidationError({"image": _("This file is not a JPEG or PNG picture.")})
    photo = InstitutionPhoto(institution=institution, content_type=content_type, caption=caption[:100])
    photo.image.save(f"photo{EXTENSIONS[content_type]}", upload, save=False)
    photo.save()
    audit(actor=actor, action="institution.photo_add", obj=institution, detail={"photo": photo.pk})
    return photo


@transaction.atomic
def institution_photo_delete(*, actor: Any, institution: Institution, photo_id: int) -> None:
    photo = institution.photos.get(pk=photo_id)
    photo.image.delete(save=False)
    photo.delete()
    audit(actor=actor, action="institution.photo_delete", obj=institution, detail={"photo": photo_id})
