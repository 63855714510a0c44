"""Daily health records: morning and noon checks (晨午检) with their symptoms, township symptom-cluster
alerts, immunisation doses, and a daily snapshot of each institution's counts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import DoseSource, Finding, Mood, Outcome, Session, Symptom, Vaccine


def _guardian_q(grants: Grants, child_field: str = "child_id") -> Q:
    from tuoyu.children.models import Guardian

    if grants.personal and grants.user_id is not None:
        return Q(Exists(Guardian.objects.filter(child_id=OuterRef(child_field), user_id=grants.user_id)))
    return Q(pk__in=[])


class HealthCheckQuerySet(ScopedQuerySet["HealthCheck"]):
    def scope_q(self, grants: Grants) -> Q:
        # A check belongs to the institution that made it (not the child's current one): staff of that
        # institution, officials over its township, and the child's guardians.
        return (
            Q(institution_id__in=grants.institution_ids)
            | grants.region_q("institution__township_id")
            | _guardian_q(grants)
        )

    def abnormal(self) -> HealthCheckQuerySet:
        return self.filter(abnormal=True)


class HealthCheck(models.Model):
    """One morning or noon check of one child (晨午检): temperature, mouth, hands, skin, mood, symptoms."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="health_checks")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="health_checks"
    )
    klass = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="health_checks",
        verbose_name=_("class"),
    )
    day = models.DateField(_("day"))
    session = models.CharField(_("check"), max_length=8, choices=Session.choices)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("34.0")), MaxValueValidator(Decimal("43.0"))],
    )
    mouth = models.CharField(_("mouth"), max_length=8, choices=Finding.choices, default=Finding.NORMAL)
    hands = models.CharField(_("hands"), max_length=8, choices=Finding.choices, default=Finding.NORMAL)
    skin = models.CharField(_("skin"), max_length=8, choices=Finding.choices, default=Finding.NORMAL)
    mood = models.CharField(_("mood"), max_length=8, choices=Mood.choices, default=Mood.GOOD)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    # Set by the service from the rules (rules.assess): abnormal results are told to the guardians.
    abnormal = models.BooleanField(_("abnormal"), default=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.ADMITTED)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    at = models.DateTimeField(_("checked at"))

    objects = HealthCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "session", "child"]
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        constraints = [
            models.UniqueConstraint(fields=["child", "day", "session"], name="health_check_unique_session"),
        ]
        indexes = [
            models.Index(fields=["institution", "day"], name="health_check_inst_day_idx"),
            models.Index(fields=["day", "abnormal"], name="health_check_day_abn_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.day} {self.get_session_display()}"

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)

    def symptom_codes(self) -> list[str]:
        return [s.symptom for s in self.symptoms.all()]

    def symptom_labels(self) -> list[str]:
        return [str(Symptom(s.symptom).label) for s in self.symptoms.all()]


class HealthCheckSymptom(models.Model):
    """One symptom noticed at a check: a row per symptom, so counts per symptom are plain SQL. The
    day and township are copied from the check so cluster counts need no join."""

    check_record = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="symptoms")
    symptom = models.CharField(_("symptom"), max_length=20, choices=Symptom.choices)
    day = models.DateField()
    township = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("symptom")
        verbose_name_plural = _("symptoms")
        constraints = [
            models.UniqueConstraint(fields=["check_record", "symptom"], name="health_symptom_unique"),
        ]
        indexes = [models.Index(fields=["township", "symptom", "day"], name="health_symptom_town_idx")]

    def __str__(self) -> str:
        return self.get_symptom_display()


class SymptomClusterAlertQuerySet(ScopedQuerySet["SymptomClusterAlert"]):
    def scope_q(self, grants: Grants) -> Q:
        # Officials over the township only: institutions and parents never see alerts.
        return grants.region_q("township_id")

    def open(self) -> SymptomClusterAlertQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class SymptomClusterAlert(models.Model):
    """Several institutions of one township reported checks with the same symptom group within a few
    days (rules.CLUSTER_RULE): an early warning for the township's and county's health officials."""

    township = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("symptom group"), max_length=20)
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("to"))
    institutions = models.ManyToManyField("institutions.Institution", related_name="+")
    institution_count = models.PositiveIntegerField(_("institutions"), default=0)
    cases = models.PositiveIntegerField(_("children"), default=0)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledge_note = models.CharField(_("note"), max_length=300, blank=True)

    objects = SymptomClusterAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-window_end", "-id"]
        verbose_name = _("symptom cluster alert")
        verbose_name_plural = _("symptom cluster alerts")
        indexes = [models.Index(fields=["township", "group", "window_end"], name="health_alert_town_idx")]

    def __str__(self) -> str:
        return f"{self.township_id} {self.group} {self.window_start}–{self.window_end}"

    @property
    def audit_region_code(self) -> str:
        return str(self.township_id)

    @property
    def group_label(self) -> str:
        from .rules import GROUPS_BY_KEY

        group = GROUPS_BY_KEY.get(self.group)
        return str(group.label) if group else self.group


class VaccineDoseQuerySet(ScopedQuerySet["VaccineDose"]):
    def scope_q(self, grants: Grants) -> Q:
        from tuoyu.children.models import child_scope_q

        return child_scope_q(grants, "child__")


class VaccineDose(models.Model):
    """One dose of a national-programme vaccine a child has had, as the certificate, a parent or the
    clinic says."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="vaccine_doses")
    vaccine = models.CharField(_("vaccine"), max_length=8, choices=Vaccine.choices)
    dose_no = models.PositiveSmallIntegerField(
        _("dose"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    given_on = models.DateField(_("given on"))
    source = models.CharField(_("according to"), max_length=12, choices=DoseSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = VaccineDoseQuerySet.as_manager()

    class Meta:
        ordering = ["child", "given_on", "vaccine", "dose_no"]
        verbose_name = _("vaccine dose")
        verbose_name_plural = _("vaccine doses")
        constraints = [
            models.UniqueConstraint(fields=["child", "vaccine", "dose_no"], name="vaccine_dose_unique"),
            models.CheckConstraint(condition=Q(dose_no__gte=1, dose_no__lte=6), name="vaccine_dose_no_range"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.vaccine} #{self.dose_no}"


class DailyCountQuerySet(ScopedQuerySet["DailyCount"]):
    def scope_q(self, grants: Grants) -> Q:
        return Q(institution_id__in=grants.institution_ids) | grants.region_q("institution__township_id")


class DailyCount(models.Model):
    """The counts of one institution on one day, kept so that history exists (`record_daily_counts`)."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    enrolled = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(null=True, blank=True)
    abnormal_checks = models.PositiveIntegerField(default=0)
    sent_home = models.PositiveIntegerField(default=0)
    overdue_immunisation = models.PositiveIntegerField(default=0)
    no_immunisation_record = models.PositiveIntegerField(default=0)
    growth_flags = models.PositiveIntegerField(null=True, blank=True)
    ratio_breaches = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField(auto_now=True)

    objects = DailyCountQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "institution"]
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [models.UniqueConstraint(fields=["institution", "day"], name="daily_count_unique")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.day}"
