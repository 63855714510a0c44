"""The workforce of institutions: people, their jobs, qualifications, background checks and bans."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet, grants_for
from tuoyu.core.validators import mask_middle

from .choices import AlertKind, BanKind, CheckKind, CheckResult, QualificationKind, StaffRole
from .validators import normalise_id_number, validate_id_number


def institution_scope_q(grants: Grants, prefix: str = "institution__") -> Q:
    """Rows tied to an institution the grants reach (its township in a granted subtree, or staff of it)."""
    return grants.region_q(f"{prefix}township_id") | Q(**{f"{prefix}id__in": grants.institution_ids})


class PersonQuerySet(ScopedQuerySet["Person"]):
    def scope_q(self, grants: Grants) -> Q:
        # Visible when they have (or had) a job at a visible institution: one subquery, no loops.
        return Q(pk__in=Employment.objects.filter(institution_scope_q(grants)).values("person_id"))


class Person(models.Model):
    """A person who works (or worked) in childcare anywhere in the province.

    The ID number is kept in full only for background checks and ban matching; pages and the API show
    `masked_id`.
    """

    name = models.CharField(_("full name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id})"

    def clean(self) -> None:
        self.id_number = normalise_id_number(self.id_number)

    @property
    def masked_id(self) -> str:
        return mask_middle(self.id_number, 3, 4)


class EmploymentQuerySet(ScopedQuerySet["Employment"]):
    def scope_q(self, grants: Grants) -> Q:
        return institution_scope_q(grants)

    def open(self) -> EmploymentQuerySet:
        return self.filter(end_on__isnull=True)


class Employment(models.Model):
    """One job of one person at one institution, from start to (possibly) end."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="employments", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="employments",
        verbose_name=_("institution"),
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    full_time = models.BooleanField(_("full time"), default=True)
    experience_years = models.PositiveSmallIntegerField(
        _("years of relevant experience"),
        default=0,
        help_text=_("Declared years of management experience in childcare, education or health."),
    )
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        ordering = ["institution", "role", "person__name", "id"]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            # One open full-time job per person across the province.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_on__isnull=True, full_time=True),
                name="employment_one_open_full_time",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="employment_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["institution", "end_on"], name="employment_institution_open")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.end_on and self.start_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("A job cannot end before it starts.")})
        if self.experience_years is not None and self.experience_years > 60:
            raise ValidationError({"experience_years": _("At most 60 years.")})

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)


class ClassAssignmentQuerySet(ScopedQuerySet["ClassAssignment"]):
    def scope_q(self, grants: Grants) -> Q:
        return institution_scope_q(grants, "employment__institution__")

    def open(self) -> ClassAssignmentQuerySet:
        return self.filter(end_on__isnull=True)

    def counting(self, today: Any = None) -> ClassAssignmentQuerySet:
        """The assignments that count toward a class's ratio on `today`: open, started, in an open
        caregiver job (an ended job's assignments end with it, but the job is checked as well)."""
        today = today or timezone.localdate()
        return self.filter(
            end_on__isnull=True,
            start_on__lte=today,
            employment__end_on__isnull=True,
            employment__role=StaffRole.CAREGIVER,
        )


class ClassAssignment(models.Model):
    """A caregiver placed in one class of their institution (保育人员 带班), from a date until it ends.

    Only caregivers (保育人员) are assigned: 设置标准 第20条 sets the ratio of caregivers to children,
    so heads and health workers who help in a class do not count. A job has at most one open assignment
    (its primary class), so nobody counts in two classes at once. That the class belongs to the job's
    institution is checked in clean() (a database check cannot compare two tables).
    """

    employment = models.ForeignKey(
        Employment, on_delete=models.CASCADE, related_name="class_assignments", verbose_name=_("job")
    )
    institution_class = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("class"),
    )
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"), null=True, blank=True)

    objects = ClassAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["institution_class", "start_on", "id"]
        verbose_name = _("class assignment")
        verbose_name_plural = _("class assignments")
        constraints = [
            # One class at a time per job: a caregiver counts toward one class's ratio only.
            models.UniqueConstraint(
                fields=["employment"],
                condition=Q(end_on__isnull=True),
                name="class_assignment_one_open_per_job",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="class_assignment_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["institution_class", "end_on"], name="class_assignment_class_open")]

    def __str__(self) -> str:
        return f"{self.employment.person.name} · {self.institution_class}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        job = self.employment if self.employment_id else None
        klass = self.institution_class if self.institution_class_id else None
        if job is not None:
            if job.role != StaffRole.CAREGIVER:
                errors["employment"] = _(
                    "Only caregivers (保育人员) are assigned to classes: they are who the ratio counts."
                )
            elif self._state.adding and job.end_on is not None:
                errors["employment"] = _("This job has ended.")
            if self.start_on and self._state.adding and self.start_on < job.start_on:
                errors["start_on"] = _("The assignment cannot start before the job does.")
        if job is not None and klass is not None and klass.institution_id != job.institution_id:
            errors["institution_class"] = _("This class belongs to another institution.")
        if self.end_on and self.start_on and self.end_on < self.start_on:
            errors["end_on"] = _("An assignment cannot end before it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def audit_region_code(self) -> str:
        return str(self.employment.institution.township_id)


class Qualification(models.Model):
    """A certificate, degree or training a person holds (健康证明, 保育师证, 学历 ...)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=QualificationKind.choices)
    level = models.CharField(_("level"), max_length=30, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["person", "kind", "-issued_on"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("issued_on")),
                name="qualification_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.level}".strip()

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.issued_on and self.issued_on > timezone.localdate():
            errors["issued_on"] = _("This date is in the future.")
        if self.expires_on and self.issued_on and self.expires_on <= self.issued_on:
            errors["expires_on"] = _("A certificate must expire after it is issued.")
        if errors:
            raise ValidationError(errors)


class BackgroundCheck(models.Model):
    """A check with 公安/检察院 for offences against minors (未成年人保护法 第62条): before hiring, yearly."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="background_checks", verbose_name=_("person")
    )
    employment = models.ForeignKey(
        Employment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="background_checks",
        verbose_name=_("employment"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CheckKind.choices)
    checked_on = models.DateField(_("checked on"))
    result = models.CharField(_("result"), max_length=12, choices=CheckResult.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["person", "-checked_on", "-id"]
        verbose_name = _("background check")
        verbose_name_plural = _("background checks")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.checked_on}: {self.get_result_display()}"

    def clean(self) -> None:
        if self.checked_on and self.checked_on > timezone.localdate():
            raise ValidationError({"checked_on": _("This date is in the future.")})


class BanRecordQuerySet(ScopedQuerySet["BanRecord"]):
    """The ban list is province-wide: officials holding "review" or "manage" anywhere (a region grant,
    not an institution's) see all of it, since matching a person needs the whole list; nobody else
    sees any of it. Adding to it (`action="manage"`) needs an official's "manage" grant."""

    def scope_q(self, grants: Grants) -> Q:
        return Q() if (grants.everything or grants.region_ranges) else Q(pk__in=[])

    def for_user(self, user: Any, action: str = "view") -> BanRecordQuerySet:
        actions = ("manage",) if action == "manage" else ("review", "manage")
        return self.all() if official_with(user, *actions) else self.none()

    def active(self, today: Any = None) -> BanRecordQuerySet:
        today = today or timezone.localdate()
        return self.filter(Q(kind=BanKind.LIFETIME) | Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def official_with(user: Any, *actions: str) -> bool:
    """Whether the user holds one of `actions` as an official (a region grant; a director's "manage"
    over their own institution does not count)."""
    for action in actions:
        grants = grants_for(user, action)
        if grants.everything or grants.region_ranges:
            return True
    return False


class BanRecord(models.Model):
    """A decision banning a person from childcare work (人口与计划生育法 第41条: abuse → lifetime ban).

    Keyed by ID number, not by Person: the person banned may never have been in this system.
    """

    id_number = models.CharField(
        _("ID number"), max_length=18, db_index=True, validators=[validate_id_number]
    )
    name = models.CharField(_("full name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=12, choices=BanKind.choices)
    decision = models.TextField(_("decision"), max_length=2000)
    decided_on = models.DateField(_("decided on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BanRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("ban record")
        verbose_name_plural = _("ban records")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="lifetime", ends_on__isnull=True)
                | Q(kind="fixed_term", ends_on__isnull=False),
                name="ban_record_term_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id}) · {self.get_kind_display()}"

    def clean(self) -> None:
        self.id_number = normalise_id_number(self.id_number)
        if self.kind == BanKind.LIFETIME and self.ends_on:
            raise ValidationError({"ends_on": _("A lifetime ban has no end date.")})
        if self.kind == BanKind.FIXED_TERM and not self.ends_on:
            raise ValidationError({"ends_on": _("A fixed-term ban needs an end date.")})
        if self.ends_on and self.decided_on and self.ends_on < self.decided_on:
            raise ValidationError({"ends_on": _("A ban cannot end before it is decided.")})

    @property
    def masked_id(self) -> str:
        return mask_middle(self.id_number, 3, 4)


class StaffAlertQuerySet(ScopedQuerySet["StaffAlert"]):
    def scope_q(self, grants: Grants) -> Q:
        return institution_scope_q(grants)

    def open(self) -> StaffAlertQuerySet:
        return self.filter(resolved_at__isnull=True)


class StaffAlert(models.Model):
    """A warning to an institution and its county: one of its staff was banned, or a check found a record."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="staff_alerts",
        verbose_name=_("institution"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices)
    ban = models.ForeignKey(
        BanRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("ban"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    objects = StaffAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("staff alert")
        verbose_name_plural = _("staff alerts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person}"

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)
