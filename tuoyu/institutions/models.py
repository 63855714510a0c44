"""Childcare institutions (托育机构), minimal for now: the filing lifecycle grows on this record."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.core.files import PrivateStorage
from tuoyu.core.scoping import Grants, ScopedQuerySet
from tuoyu.core.validators import validate_uscc

from .choices import (
    DesignationKind,
    DesignationLevel,
    FeeUnit,
    FilingStatus,
    InstitutionType,
    LegalForm,
    OperatingStatus,
    Ownership,
    PremisesTenure,
    ServiceMode,
)
from .rules import FAMILY_POINT_RULE, PREMISES_RULE, ClassKind, class_rule


class InstitutionQuerySet(ScopedQuerySet["Institution"]):
    def scope_q(self, grants: Grants) -> Q:
        # A region grant covers every institution whose township code lies in the granted subtree.
        return grants.region_q("township_id") | Q(pk__in=grants.institution_ids)

    def operating(self) -> InstitutionQuerySet:
        return self.filter(status=OperatingStatus.OPERATING)

    def publicly_listed(self) -> InstitutionQuerySet:
        """What the public register shows: filed institutions that have not closed."""
        return self.filter(filing_status=FilingStatus.FILED).exclude(status=OperatingStatus.CLOSED)

    def publicly_viewable(self) -> InstitutionQuerySet:
        """Whose trust card the public may open: the listed ones and filed ones that have closed, whose
        public history (inspections, closure) stays readable."""
        return self.filter(filing_status=FilingStatus.FILED)


class Institution(models.Model):
    """A childcare institution or family childcare point for children under three."""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        help_text=_("18 characters, GB 32100-2015."),
    )
    type = models.CharField(_("type"), max_length=16, choices=InstitutionType.choices)
    ownership = models.CharField(_("ownership"), max_length=8, choices=Ownership.choices)
    inclusive = models.BooleanField(_("inclusive (普惠)"), default=False)
    places = models.PositiveIntegerField(_("filed places"), default=0, validators=[MaxValueValidator(2000)])
    status = models.CharField(
        _("operating status"),
        max_length=12,
        choices=OperatingStatus.choices,
        default=OperatingStatus.PREPARING,
    )
    filing_status = models.CharField(
        _("filing status"), max_length=12, choices=FilingStatus.choices, default=FilingStatus.NOT_FILED
    )
    # When it started and stopped taking children, so that indicators at a past date count what was
    # operating then (planning/compute.py: operating_on). Set by the services when the status changes;
    # empty when unknown (an institution entered before these dates were kept).
    operating_since = models.DateField(_("operating since"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300)
    # The township decides scope; city and county are copied from it on save so that aggregates by
    # level are a plain GROUP BY.
    township = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("township"),
        limit_choices_to={"level": "township"},
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("county"), editable=False
    )
    city = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"), editable=False
    )
    lat = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lng = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    # Service modes offered (全日托/半日托/计时托/临时托), a list of ServiceMode values.
    service_modes = models.JSONField(_("service modes"), default=list, blank=True)
    serves_meals = models.BooleanField(_("serves meals"), default=False)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    age_min_months = models.PositiveSmallIntegerField(_("youngest age served (months)"), default=6)
    age_max_months = models.PositiveSmallIntegerField(_("oldest age served (months)"), default=36)
    # Premises (设置标准 第三章): owned, or leased for at least three years; children's rooms on the
    # third floor or lower and never underground (checked in clean() against rules.PREMISES_RULE).
    premises_tenure = models.CharField(
        _("premises"), max_length=8, choices=PremisesTenure.choices, blank=True
    )
    lease_start = models.DateField(_("lease start"), null=True, blank=True)
    lease_end = models.DateField(_("lease end"), null=True, blank=True)
    children_rooms_floor = models.SmallIntegerField(
        _("highest floor of children's rooms"),
        null=True,
        blank=True,
        help_text=_("0 or less means underground."),
    )
    building_area_m2 = models.DecimalField(
        _("building area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    outdoor_area_m2 = models.DecimalField(
        _("outdoor area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    fire_safety_date = models.DateField(_("fire-safety certificate date"), null=True, blank=True)
    cctv_retention_days = models.PositiveSmallIntegerField(_("CCTV retention (days)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [
            models.Index(fields=["county", "status"], name="institution_county_status"),
            models.Index(fields=["city", "status"], name="institution_city_status"),
            models.Index(fields=["township", "status"], name="institution_township_status"),
            # The public near-me search: a bounding box on the point, and the grid's change check.
            models.Index(fields=["lat", "lng"], name="institution_point"),
            models.Index(fields=["updated_at"], name="institution_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(places__lte=2000), name="institution_places_range"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True) | Q(lat__isnull=False, lng__isnull=False),
                name="institution_point_complete",
            ),
            models.CheckConstraint(
                condition=Q(age_min_months__lte=F("age_max_months")) & Q(age_max_months__lte=36),
                name="institution_age_range",
            ),
            models.CheckConstraint(
                condition=Q(operating_since__isnull=True)
                | Q(closed_on__isnull=True)
                | Q(closed_on__gte=F("operating_since")),
                name="institution_operating_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, Any] = {}
        unknown = [m for m in self.service_modes or [] if m not in ServiceMode.values]
        if unknown:
            errors["service_modes"] = _("Unknown service mode: {modes}").format(modes=", ".join(unknown))
        today = timezone.localdate()
        rule = PREMISES_RULE
        if self.premises_tenure == PremisesTenure.LEASED:
            if not (self.lease_start and self.lease_end):
                errors["lease_end"] = _("Give the lease's start and end dates.")
            elif self.lease_end < _add_years(self.lease_start, rule.min_lease_years):
                errors["lease_end"] = _("The lease must run at least {years} years ({source}).").format(
                    years=rule.min_lease_years, source=rule.source
                )
        if self.children_rooms_floor is not None:
            if self.children_rooms_floor <= 0 and not rule.underground_allowed:
                errors["children_rooms_floor"] = _(
                    "Children's rooms may not be underground or semi-underground."
                )
            elif self.children_rooms_floor > rule.max_children_floor:
                errors["children_rooms_floor"] = _(
                    "Children's rooms must be on floor {floor} or lower."
                ).format(floor=rule.max_children_floor)
        if self.fire_safety_date and self.fire_safety_date > today:
            errors["fire_safety_date"] = _("This date is in the future.")
        for name in ("operating_since", "closed_on"):
            day = getattr(self, name)
            if day and day > today:
                errors[name] = _("This date is in the future.")
        if self.operating_since and self.closed_on and self.closed_on < self.operating_since:
            errors["closed_on"] = _("An institution cannot close before it starts operating.")
        if self.type == InstitutionType.FAMILY and self.places > FAMILY_POINT_RULE.max_children:
            errors["places"] = _("A family childcare point takes at most {n} children ({source}).").format(
                n=FAMILY_POINT_RULE.max_children, source=FAMILY_POINT_RULE.source
            )
        if errors:
            raise ValidationError(errors)

    @property
    def audit_region_code(self) -> str:
        return str(self.township_id)

    @property
    def registering_authority(self) -> str:
        """Who registers this legal form (编制/民政/市场监管), per 托育机构登记和备案办法（试行）."""
        from .choices import REGISTERING_AUTHORITY

        authority = {str(k): v for k, v in REGISTERING_AUTHORITY.items()}.get(self.legal_form)
        return str(authority) if authority else ""


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class InstitutionClass(models.Model):
    """A class (班级) of an institution, with its type and the number of children it is set up for."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("class type"), max_length=10, choices=ClassKind.choices)
    capacity = models.PositiveSmallIntegerField(_("places in the class"))
    # Children enrolled now, as the institution declares them. It may exceed `capacity` (the
    # staff-to-child ratio page flags that too). To be replaced by the enrolment count of the
    # children register once it exists; workforce/ratios.py reads it through one function.
    enrolled = models.PositiveSmallIntegerField(
        _("children enrolled"), default=0, help_text=_("Children enrolled in the class now.")
    )

    class Meta:
        ordering = ["institution", "kind", "name"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="class_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        rule = class_rule(self.kind)
        if self.capacity is not None and self.capacity > rule.max_children:
            raise ValidationError(
                {
                    "capacity": _("A {kind} takes at most {n} children ({source}).").format(
                        kind=ClassKind(self.kind).label, n=rule.max_children, source=rule.source
                    )
                }
            )


class FeeItem(models.Model):
    """One line of the fee catalogue (收费目录清单): nothing may be charged outside it."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="fees")
    item = models.CharField(_("item"), max_length=100)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=8, choices=FeeUnit.choices)
    inclusive_price = models.BooleanField(_("inclusive price"), default=False)

    class Meta:
        ordering = ["institution", "item"]
        verbose_name = _("fee item")
        verbose_name_plural = _("fee catalogue")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class InsurancePolicy(models.Model):
    """A liability insurance policy (责任保险) held by an institution."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="insurance_policies")
    insurer = models.CharField(_("insurer"), max_length=100)
    policy_number = models.CharField(_("policy number"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["institution", "-expires_on"]
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=F("starts_on")), name="insurance_dates_order")
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"

    @property
    def valid_today(self) -> bool:
        return self.starts_on <= timezone.localdate() <= self.expires_on


class Designation(models.Model):
    """A designation of an institution (普惠, 示范性, 公办, 托育综合服务中心), with level and grantor."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="designations")
    kind = models.CharField(_("designation"), max_length=16, choices=DesignationKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=DesignationLevel.choices)
    granted_on = models.DateField(_("granted on"))
    granted_by = models.CharField(_("granted by"), max_length=100)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    class Meta:
        ordering = ["institution", "kind", "-granted_on"]
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind", "level"],
                condition=Q(revoked_on__isnull=True),
                name="designation_one_active_per_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_kind_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.granted_on and self.granted_on > timezone.localdate():
            raise ValidationError({"granted_on": _("This date is in the future.")})
        if self.revoked_on and self.granted_on and self.revoked_on < self.granted_on:
            raise ValidationError({"revoked_on": _("A designation cannot be revoked before it was granted.")})


def _photo_path(instance: InstitutionPhoto, filename: str) -> str:
    import uuid

    return f"{instance.institution_id}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class InstitutionPhoto(models.Model):
    """A photo of the premises, published on the trust card once the institution is filed."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(
        _("photo"), storage=PrivateStorage("photos"), upload_to=_photo_path, max_length=200
    )
    content_type = models.CharField(_("content type"), max_length=20)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["institution", "uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or f"{self.institution} #{self.pk}"
