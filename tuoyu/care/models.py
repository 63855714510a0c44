"""Daily care records: medication given at the parents' request, incidents and mandatory reports,
weekly menus and meals served (with the allergy check), and the class diary parents read on "today".

Who sees what (one `scope_q` per model, read by `for_user`):
- Medication requests and doses: like the child (`child_scope_q`): the institution's staff, officials
  over its township, the child's guardians.
- Incidents: the institution's staff; officials over the institution's county once the incident is
  serious or critical (rules.SEVERITY_RULES); officials over its township when it is a suspected-abuse
  report (强制报告); the child's guardians, except for suspected-abuse reports.
- Menus: the institution's staff and officials over its township; guardians of its children once
  published. Meals served: like the class's children.
- Diary: the institution's staff; a class-wide entry also the guardians of every child in the class,
  a child's entry only that child's guardians. Officials do not read the diary (photos of children).
"""

from __future__ import annotations

import os
import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tuoyu.children.models import Guardian, child_scope_q
from tuoyu.core.files import PrivateStorage
from tuoyu.core.scoping import Grants, ScopedQuerySet, grants_for

from .choices import AteAmount, DiaryKind, IncidentKind, Meal, MedicationStatus, Severity, Weekday
from .rules import REPORTABLE_SEVERITIES

# --- Medication ----------------------------------------------------------------------------------


class MedicationRequestQuerySet(ScopedQuerySet["MedicationRequest"]):
    def scope_q(self, grants: Grants) -> Q:
        return child_scope_q(grants, "child__")

    def active_on(self, day: date) -> MedicationRequestQuerySet:
        return self.filter(status=MedicationStatus.ACCEPTED, start_on__lte=day, end_on__gte=day)


def parse_times(value: str) -> list[str]:
    """'8:30, 12:00，15:00' → ['08:30', '12:00', '15:00'] (sorted, unique); ValueError if malformed."""
    raw = value.replace("，", ",").replace("、", ",").replace(" ", ",")
    result = set()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        hours, sep, minutes = part.partition(":")
        if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
            raise ValueError(part)
        h, m = int(hours), int(minutes)
        if not (0 <= h < 24 and 0 <= m < 60):
            raise ValueError(part)
        result.add(f"{h:02d}:{m:02d}")
    return sorted(result)


class MedicationRequest(models.Model):
    """A guardian's written request that the centre give their child a medicine (家长委托喂药)."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        related_name="medication_requests",
        verbose_name=_("child"),
    )
    # The child's institution when the request was made (the staff list is per institution).
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="medication_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    medicine = models.CharField(_("medicine"), max_length=100)
    dose = models.CharField(_("dose"), max_length=50, help_text=_("For example 5 ml or 1 sachet."))
    # Canonical "HH:MM,HH:MM" (parse_times); a short list, not worth a table.
    times = models.CharField(_("times of day"), max_length=50, help_text=_("For example 09:00, 13:00."))
    start_on = models.DateField(_("first day"))
    end_on = models.DateField(_("last day"))
    instructions = models.CharField(_("instructions"), max_length=300, blank=True)
    # The guardian's own declaration when asking (they authorise the centre to give the medicine)...
    parent_consent = models.BooleanField(
        _("guardian authorises the centre to give this medicine"), default=False
    )
    # ...and the staff's note that the signed paper authorisation (家长委托书) is on file, required to accept.
    authorisation_on_file = models.BooleanField(_("written authorisation on file"), default=False)
    authorisation_note = models.CharField(_("authorisation note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MedicationStatus.choices, default=MedicationStatus.REQUESTED
    )
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    objects = MedicationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("medication request")
        verbose_name_plural = _("medication requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")), name="medication_end_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["institution", "status", "end_on"], name="medication_inst_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.medicine}"

    def time_list(self) -> list[str]:
        return [t for t in self.times.split(",") if t]

    def covers(self, day: date) -> bool:
        return self.start_on <= day <= self.end_on

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        try:
            times = parse_times(self.times)
        except ValueError as exc:
            errors["times"] = _("{value} is not a time of day (HH:MM).").format(value=exc.args[0])
        else:
            from .rules import MAX_TIMES_PER_DAY

            if not times:
                errors["times"] = _("Give at least one time of day.")
            elif len(times) > MAX_TIMES_PER_DAY:
                errors["times"] = _("At most {n} times a day.").format(n=MAX_TIMES_PER_DAY)
            else:
                self.times = ",".join(times)
        if self.start_on and self.end_on:
            from .rules import MAX_MEDICATION_DAYS

            if self.end_on < self.start_on:
                errors["end_on"] = _("The last day cannot be before the first day.")
            elif (self.end_on - self.start_on).days + 1 > MAX_MEDICATION_DAYS:
                errors["end_on"] = _(
                    "A request covers at most {n} days; ask again for a longer course."
                ).format(n=MAX_MEDICATION_DAYS)
        if errors:
            raise ValidationError(errors)


class MedicationDoseQuerySet(ScopedQuerySet["MedicationDose"]):
    def scope_q(self, grants: Grants) -> Q:
        return child_scope_q(grants, "request__child__")


class MedicationDose(models.Model):
    """One dose of a requested medicine given to the child, by whom and when."""

    request = models.ForeignKey(MedicationRequest, on_delete=models.CASCADE, related_name="doses")
    given_at = models.DateTimeField(_("given at"))
    dose = models.CharField(_("dose"), max_length=50)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("given by")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = MedicationDoseQuerySet.as_manager()

    class Meta:
        ordering = ["request", "given_at", "id"]
        verbose_name = _("medication dose")
        verbose_name_plural = _("medication doses")
        indexes = [models.Index(fields=["request", "given_at"], name="dose_request_given_idx")]

    def __str__(self) -> str:
        return f"{self.request} @ {self.given_at:%Y-%m-%d %H:%M}"


# --- Incidents -----------------------------------------------------------------------------------


def _guardian_of(child_field: str, grants: Grants) -> Q:
    if not (grants.personal and grants.user_id is not None):
        return Q(pk__in=[])
    return Q(Exists(Guardian.objects.filter(child_id=OuterRef(child_field), user_id=grants.user_id)))


class IncidentQuerySet(ScopedQuerySet["Incident"]):
    def scope_q(self, grants: Grants) -> Q:
        return (
            Q(institution_id__in=grants.institution_ids)
            | (Q(severity__in=REPORTABLE_SEVERITIES) & grants.region_q("institution__county_id"))
            | (Q(suspected_abuse_or_harm=True) & grants.region_q("institution__township_id"))
            | (Q(suspected_abuse_or_harm=False, child__isnull=False) & _guardian_of("child_id", grants))
        )

    def reportable(self) -> IncidentQuerySet:
        """What officials are shown at once: serious or critical, or a suspected-abuse report."""
        return self.filter(Q(severity__in=REPORTABLE_SEVERITIES) | Q(suspected_abuse_or_harm=True))


class Incident(models.Model):
    """An injury, illness, safety event or lost child at an institution, with what was done."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="incidents",
        verbose_name=_("institution"),
    )
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("child"),
    )
    occurred_at = models.DateTimeField(_("when it happened"))
    kind = models.CharField(_("kind"), max_length=12, choices=IncidentKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("what happened"), max_length=2000)
    actions_taken = models.TextField(_("first aid and actions taken"), max_length=2000, blank=True)
    guardian_informed_at = models.DateTimeField(_("guardian informed at"), null=True, blank=True)
    # 未成年人保护法 第11条 (强制报告): set when a child is harmed, suspected harmed or in danger.
    suspected_abuse_or_harm = models.BooleanField(
        _("suspected abuse or harm (mandatory report)"), default=False
    )
    reported_to_county_at = models.DateTimeField(_("reported to the county"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["institution", "occurred_at"], name="incident_inst_when_idx"),
            models.Index(fields=["severity", "occurred_at"], name="incident_severity_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)

    @property
    def reportable(self) -> bool:
        return self.severity in REPORTABLE_SEVERITIES or self.suspected_abuse_or_harm

    def clean(self) -> None:
        if (
            self.child is not None
            and self.institution_id
            and self.child.institution_id != self.institution_id
        ):
            raise ValidationError({"child": _("This child is not at this institution.")})


class MandatoryReportQuerySet(ScopedQuerySet["MandatoryReport"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("incident__institution__township_id") | Q(
            incident__institution_id__in=grants.institution_ids
        )


class MandatoryReport(models.Model):
    """A mandatory report (强制报告) of suspected harm to a child, sent to the county health commission,
    and its acknowledgement by an official there."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="mandatory_report")
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    reported_at = models.DateTimeField(_("reported"))
    # The reporter stays identified to officials (the report is not anonymous inside the system).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    other_departments = models.CharField(
        _("also reported to"),
        max_length=200,
        blank=True,
        help_text=_("Police, civil affairs or education departments told directly, and when."),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledgement_note = models.CharField(_("note"), max_length=500, blank=True)

    objects = MandatoryReportQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("mandatory report")
        verbose_name_plural = _("mandatory reports")
        indexes = [models.Index(fields=["county", "acknowledged_at"], name="mreport_county_ack_idx")]

    def __str__(self) -> str:
        return f"{self.incident} → {self.county_id}"


# --- Menus and meals -----------------------------------------------------------------------------


class WeeklyMenuQuerySet(ScopedQuerySet["WeeklyMenu"]):
    def scope_q(self, grants: Grants) -> Q:
        q = grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)
        if grants.personal and grants.user_id is not None:
            q |= Q(published=True) & Q(
                Exists(
                    Guardian.objects.filter(
                        child__institution_id=OuterRef("institution_id"), user_id=grants.user_id
                    )
                )
            )
        return q


class WeeklyMenu(models.Model):
    """An institution's menu for one week (带量食谱, changed weekly: WS/T 821—2023 7.3.1)."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="menus",
        verbose_name=_("institution"),
    )
    week_start = models.DateField(_("week starting"), help_text=_("A Monday."))
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = WeeklyMenuQuerySet.as_manager()

    class Meta:
        ordering = ["institution", "-week_start"]
        verbose_name = _("weekly menu")
        verbose_name_plural = _("weekly menus")
        constraints = [
            models.UniqueConstraint(fields=["institution", "week_start"], name="menu_one_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.week_start}"

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    def clean(self) -> None:
        if self.week_start and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": _("A weekly menu starts on a Monday.")})


class MenuItem(models.Model):
    """One dish of a weekly menu: the day, the meal, and what it is made of (for the allergy check)."""

    menu = models.ForeignKey(WeeklyMenu, on_delete=models.CASCADE, related_name="items")
    day = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    meal = models.CharField(_("meal"), max_length=16, choices=Meal.choices)
    dish = models.CharField(_("dish"), max_length=60)
    ingredients = models.CharField(
        _("ingredients and allergens"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )

    class Meta:
        ordering = ["menu", "day", "meal", "id"]
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        indexes = [models.Index(fields=["menu", "day"], name="menuitem_menu_day_idx")]

    def __str__(self) -> str:
        return self.dish

    @property
    def date(self) -> date:
        return self.menu.week_start + timedelta(days=self.day)


class AllergySubstitute(models.Model):
    """What a child with an allergy eats instead of one dish (WS/T 821—2023 7.3.3: avoid, substitute)."""

    item = models.ForeignKey(MenuItem, on_delete=models.CASCADE, related_name="substitutes")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="allergy_substitutes")
    substitute = models.CharField(_("substitute"), max_length=100)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    noted_at = models.DateTimeField(_("noted"), auto_now=True)

    class Meta:
        ordering = ["item", "child"]
        verbose_name = _("allergy substitute")
        verbose_name_plural = _("allergy substitutes")
        constraints = [models.UniqueConstraint(fields=["item", "child"], name="substitute_one_per_child")]

    def __str__(self) -> str:
        return f"{self.child}: {self.substitute}"


def class_scope_q(grants: Grants, prefix: str = "") -> Q:
    """Rows of a class: the institution's staff, officials over its township, guardians of a child in it."""
    q = grants.region_q(f"{prefix}klass__institution__township_id") | Q(
        **{f"{prefix}klass__institution_id__in": grants.institution_ids}
    )
    if grants.personal and grants.user_id is not None:
        q |= Q(
            Exists(
                Guardian.objects.filter(child__klass_id=OuterRef(f"{prefix}klass_id"), user_id=grants.user_id)
            )
        )
    return q


class MealServedQuerySet(ScopedQuerySet["MealServed"]):
    def scope_q(self, grants: Grants) -> Q:
        return class_scope_q(grants)


class MealServed(models.Model):
    """A meal as a class was served it on one day, with a note (what was left, what changed)."""

    klass = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.CASCADE,
        related_name="meals_served",
        verbose_name=_("class"),
    )
    day = models.DateField(_("day"))
    meal = models.CharField(_("meal"), max_length=16, choices=Meal.choices)
    served_at = models.TimeField(_("served at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MealServedQuerySet.as_manager()

    class Meta:
        ordering = ["klass", "day", "meal"]
        verbose_name = _("meal served")
        verbose_name_plural = _("meals served")
        constraints = [
            models.UniqueConstraint(fields=["klass", "day", "meal"], name="meal_once_per_class_day")
        ]

    def __str__(self) -> str:
        return f"{self.klass} {self.day} {self.get_meal_display()}"


class MealIntake(models.Model):
    """How well one child ate one meal (for the parent's "today")."""

    meal = models.ForeignKey(MealServed, on_delete=models.CASCADE, related_name="intakes")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="meal_intakes")
    amount = models.CharField(_("ate"), max_length=8, choices=AteAmount.choices)

    class Meta:
        ordering = ["meal", "child"]
        verbose_name = _("meal eaten")
        verbose_name_plural = _("meals eaten")
        constraints = [models.UniqueConstraint(fields=["meal", "child"], name="intake_once_per_child")]

    def __str__(self) -> str:
        return f"{self.child}: {self.get_amount_display()}"


# --- Class diary ---------------------------------------------------------------------------------


def _diary_photo_path(instance: DiaryEntry, filename: str) -> str:
    return f"{instance.klass_id}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class DiaryEntryQuerySet(ScopedQuerySet["DiaryEntry"]):
    def for_user(self, user: Any, action: str = "view") -> DiaryEntryQuerySet:
        # A national observer's "everything" is for oversight, not for children's photos and notes.
        grants = grants_for(user, action)
        if grants.everything and not getattr(user, "is_superuser", False):
            return self.filter(self.scope_q(grants))
        return super().for_user(user, action)

    def scope_q(self, grants: Grants) -> Q:
        q = Q(klass__institution_id__in=grants.institution_ids)
        if grants.personal and grants.user_id is not None:
            class_parent = Exists(
                Guardian.objects.filter(child__klass_id=OuterRef("klass_id"), user_id=grants.user_id)
            )
            own_child = Exists(Guardian.objects.filter(child_id=OuterRef("child_id"), user_id=grants.user_id))
            q |= (Q(child__isnull=True) & Q(class_parent)) | (Q(child__isnull=False) & Q(own_child))
        return q


class DiaryEntry(models.Model):
    """An entry of a class's day (班级日志): a note, a child's nap, a photo or an activity."""

    klass = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.CASCADE,
        related_name="diary",
        verbose_name=_("class"),
    )
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="diary_entries",
        verbose_name=_("child"),
        help_text=_("Leave empty for the whole class."),
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=DiaryKind.choices)
    text = models.CharField(_("text"), max_length=1000, blank=True)
    nap_start = models.TimeField(_("fell asleep"), null=True, blank=True)
    nap_end = models.TimeField(_("woke up"), null=True, blank=True)
    photo = models.FileField(
        _("photo"), storage=PrivateStorage("diary"), upload_to=_diary_photo_path, max_length=200, blank=True
    )
    photo_content_type = models.CharField(max_length=20, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    objects = DiaryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["klass", "day", "created_at", "id"]
        verbose_name = _("diary entry")
        verbose_name_plural = _("diary entries")
        indexes = [
            models.Index(fields=["klass", "day"], name="diary_class_day_idx"),
            models.Index(fields=["child", "day"], name="diary_child_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.klass} {self.day} {self.get_kind_display()}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.child is not None and self.klass_id and self.child.klass_id != self.klass_id:
            errors["child"] = _("This child is not in this class.")
        if self.kind == DiaryKind.NAP:
            if self.nap_start is None:
                errors["nap_start"] = _("When did the nap start?")
            elif self.nap_end is not None and self.nap_end < self.nap_start:
                errors["nap_end"] = _("The nap cannot end before it starts.")
            if not self.child_id:
                errors["child"] = _("A nap is recorded for one child.")
        elif self.kind == DiaryKind.PHOTO:
            if not self.photo:
                errors["photo"] = _("Choose a photo.")
        elif not self.text.strip():
            errors["text"] = _("Write something.")
        if errors:
            raise ValidationError(errors)
