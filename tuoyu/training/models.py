"""Training of the childcare workforce: bases, the trainer pool, courses, sessions and credit hours.

The plan (专栏3) asks for training bases at province, city and county level (省市县实训基地), a trainer
pool (培训师资库), and training hours for heads (≥60) and caregivers (≥120); `rules.py` holds the hours.

Who sees what: the catalogue (bases, trainers, courses, sessions) is not personal data, so every
official and institution staff member may view all of it; changing it needs a region grant covering
the record's region ("manage"). Enrolments are a person's record: scoped like their job, by the
institution they were enrolled from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet, grants_for
from tuoyu.workforce.choices import QualificationKind, StaffRole
from tuoyu.workforce.models import institution_scope_q

from .choices import BaseLevel, CourseMode, CourseModule, EnrolmentStatus


class CatalogueQuerySet(ScopedQuerySet[Any]):
    """View: anyone with any grant (officials, institution staff). Other actions: the region's officials."""

    region_field = "region_id"

    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q(self.region_field)

    def for_user(self, user: Any, action: str = "view") -> Self:
        if action == "view":
            grants = grants_for(user, action)
            return self.all() if not grants.empty else self.none()
        return super().for_user(user, action)


class TrainingBase(models.Model):
    """A training base (实训基地) accredited at province, city or county level."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=BaseLevel.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="training_bases",
        verbose_name=_("region served"),
        help_text=_("The province, city or county the base was accredited for."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity (trainees at a time)"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    accredited_by = models.CharField(_("accredited by"), max_length=100)
    accredited_on = models.DateField(_("accredited on"))
    accreditation_ends_on = models.DateField(_("accreditation ends on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "level", "name"]
        verbose_name = _("training base")
        verbose_name_plural = _("training bases")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="training_base_unique_name"),
            models.CheckConstraint(
                condition=Q(accreditation_ends_on__isnull=True)
                | Q(accreditation_ends_on__gt=models.F("accredited_on")),
                name="training_base_accreditation_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        region = getattr(self, "region", None) if self.region_id else None
        if region is not None and self.level and region.level != self.level:
            errors["region"] = _("A {level} base must serve a region of that level.").format(
                level=BaseLevel(self.level).label
            )
        if (
            self.accreditation_ends_on
            and self.accredited_on
            and self.accreditation_ends_on <= self.accredited_on
        ):
            errors["accreditation_ends_on"] = _("Accreditation must end after it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def audit_region_code(self) -> str:
        return str(self.region_id)


class Trainer(models.Model):
    """A trainer in the pool (培训师资库) of a province, city or county."""

    name = models.CharField(_("full name"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=100)
    title = models.CharField(_("title or qualification"), max_length=100, blank=True)
    specialty = models.CharField(_("specialty"), max_length=20, choices=CourseModule.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="trainers", verbose_name=_("pool of")
    )
    base = models.ForeignKey(
        TrainingBase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainers",
        verbose_name=_("training base"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name", "id"]
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")

    def __str__(self) -> str:
        return f"{self.name} · {self.organisation}"

    @property
    def audit_region_code(self) -> str:
        return str(self.region_id)


class Course(models.Model):
    """A training course: who it is for, how many credit hours (学时) it gives, and how it is taught."""

    title = models.CharField(_("title"), max_length=100)
    target_role = models.CharField(
        _("for role"),
        max_length=16,
        choices=StaffRole.choices,
        blank=True,
        help_text=_("Leave empty for a course open to every role."),
    )
    hours = models.DecimalField(
        _("credit hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
    )
    mode = models.CharField(_("mode"), max_length=10, choices=CourseMode.choices)
    module = models.CharField(_("module"), max_length=20, choices=CourseModule.choices)
    leads_to = models.CharField(
        _("leads to"),
        max_length=24,
        choices=QualificationKind.choices,
        blank=True,
        help_text=_("A qualification recorded for whoever completes the course (e.g. the head's training)."),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="courses", verbose_name=_("published by")
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["target_role", "title", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return str(self.region_id)


class TrainingSession(models.Model):
    """One run of a course (a 期/班), at a base or online, on given dates, with its trainers."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    base = models.ForeignKey(
        TrainingBase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("training base"),
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name=_("organised by"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    trainers = models.ManyToManyField(
        Trainer, blank=True, related_name="sessions", verbose_name=_("trainers")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["region", "starts_on"], name="session_region_start")]

    def __str__(self) -> str:
        return f"{self.course} · {self.starts_on}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A session cannot end before it starts.")})

    @property
    def audit_region_code(self) -> str:
        return str(self.region_id)


class EnrolmentQuerySet(ScopedQuerySet["Enrolment"]):
    def scope_q(self, grants: Grants) -> Q:
        return institution_scope_q(grants)

    def credited(self) -> EnrolmentQuerySet:
        """Enrolments whose hours count in the ledger."""
        return self.filter(status=EnrolmentStatus.COMPLETED)


class Enrolment(models.Model):
    """A person's place in a training session, and the credit hours (学时) it gave them."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("session")
    )
    person = models.ForeignKey(
        "workforce.Person", on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="training_enrolments",
        verbose_name=_("institution"),
        help_text=_("Where the person worked when enrolled: completion rates count here."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    hours_credited = models.DecimalField(
        _("credit hours"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["session", "person__name", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="enrolment_once_per_session"),
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~Q(certificate_no=""),
                name="enrolment_certificate_unique",
            ),
            models.CheckConstraint(condition=Q(hours_credited__gte=0), name="enrolment_hours_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="enrolment_completed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="enrolment_person_status"),
            models.Index(fields=["institution", "status"], name="enrolment_institution_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.session}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        session = getattr(self, "session", None) if self.session_id else None
        if (
            session is not None
            and self.hours_credited is not None
            and self.hours_credited > session.course.hours
        ):
            errors["hours_credited"] = _("At most the course's {hours} hours.").format(
                hours=session.course.hours
            )
        if self.status == EnrolmentStatus.COMPLETED and not self.completed_on:
            errors["completed_on"] = _("A completed enrolment needs the date it was completed.")
        if self.status != EnrolmentStatus.COMPLETED and self.hours_credited:
            errors["hours_credited"] = _("Only a completed enrolment earns credit hours.")
        if errors:
            raise ValidationError(errors)

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)
