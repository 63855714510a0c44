"""Childcare institutions (托育机构), minimal for now: the filing lifecycle grows on this record."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet
from tuoyu.core.validators import validate_uscc

from .choices import FilingStatus, InstitutionType, LegalForm, OperatingStatus, Ownership, ServiceMode


class InstitutionQuerySet(ScopedQuerySet["Institution"]):
    def scope_q(self, grants: Grants) -> Q:
        # A region grant covers every institution whose township code lies in the granted subtree.
        return grants.region_q("township_id") | Q(pk__in=grants.institution_ids)

    def operating(self) -> InstitutionQuerySet:
        return self.filter(status=OperatingStatus.OPERATING)

    def publicly_listed(self) -> InstitutionQuerySet:
        """What the public register shows: filed institutions that have not closed."""
        return self.filter(filing_status=FilingStatus.FILED).exclude(status=OperatingStatus.CLOSED)


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
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = [m for m in self.service_modes or [] if m not in ServiceMode.values]
        if unknown:
            raise ValidationError(
                {"service_modes": _("Unknown service mode: {modes}").format(modes=", ".join(unknown))}
            )

    @property
    def audit_region_code(self) -> str:
        return str(self.township_id)
