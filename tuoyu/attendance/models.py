"""Attendance: the append-only log of check-ins and check-outs, one row per child per day, absences and
their follow-up (缺勤追踪), and staff attendance.

Sized for ~100M events a year: every table carries the institution (and class) denormalised, so "who is
present now" and daily counts are one indexed query on (institution, day) or (klass, day), never a join
through enrolments and never a Python loop over rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import AbsenceReason, DayStatus, EventKind, PersonKind, ReportedVia, Via


def _child_scope(grants: Grants) -> Q:
    from tuoyu.children.models import child_scope_q

    return child_scope_q(grants, "child__")


class AttendanceEventQuerySet(ScopedQuerySet["AttendanceEvent"]):
    def scope_q(self, grants: Grants) -> Q:
        return _child_scope(grants)


class AttendanceEvent(models.Model):
    """One check-in or check-out of a child at the door, as recorded (never edited or deleted).

    `client_ref` is the recording device's own id for the event: a retried request carries the same
    ref and is answered with the original event. Refs are unique per institution (not globally): devices
    of one institution generate them, and a per-institution scope means one institution's refs can
    never collide with, or reveal, another's.
    """

    # CASCADE: erasing a child's record (or the demo's reset of the register) takes their log with it.
    # No single-column indexes where a composite one below starts with the column: every index is written
    # on each of the morning's check-ins (see Meta).
    # The database checks the child; institution, class and recorder are Django relations without a
    # database constraint: the writes copy institution and class from the child's row in the same
    # statement and the recorder is the authenticated user, and Django's on_delete still applies to
    # deletions through the ORM. A constraint check locks the referenced row (FOR KEY SHARE) at every
    # commit: forty check-ins of one centre at 7:30 all locked the same institution row, and the checks
    # cost about 0.15 ms of PostgreSQL CPU per check-in (ARCHITECTURE.md, "Attendance").
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("child"),
        db_index=False,
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
        db_index=False,
        db_constraint=False,
    )
    klass = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
        db_constraint=False,
    )
    kind = models.CharField(_("event"), max_length=3, choices=EventKind.choices)
    at = models.DateTimeField(_("time"))
    day = models.DateField(_("day"), help_text=_("The local date of the event."))
    client_ref = models.CharField(_("client reference"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        db_constraint=False,
    )
    via = models.CharField(_("recorded via"), max_length=5, choices=Via.choices, default=Via.STAFF)
    person_kind = models.CharField(_("person"), max_length=8, choices=PersonKind.choices, blank=True)
    guardian = models.ForeignKey(
        "children.Guardian",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    pickup_person = models.ForeignKey(
        "children.PickupPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    person_name = models.CharField(_("name of the person"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = AttendanceEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("attendance event")
        verbose_name_plural = _("attendance events")
        constraints = [
            models.UniqueConstraint(fields=["institution", "client_ref"], name="attendance_event_unique_ref"),
        ]
        # Check-ins by staff or the API name no guardian or pick-up person: partial indexes (rows with an
        # id only, for SET_NULL when a guardian is removed) cost such a check-in nothing.
        indexes = [
            models.Index(fields=["institution", "day"], name="attendance_event_inst_day"),
            models.Index(fields=["child", "day"], name="attendance_event_child_day"),
            models.Index(
                fields=["guardian"], name="attendance_event_guardian", condition=Q(guardian__isnull=False)
            ),
            models.Index(
                fields=["pickup_person"],
                name="attendance_event_pickup",
                condition=Q(pickup_person__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class AttendanceDayQuerySet(ScopedQuerySet["AttendanceDay"]):
    def scope_q(self, grants: Grants) -> Q:
        return _child_scope(grants)


class AttendanceDay(models.Model):
    """A child's day at the centre: first arrival, last departure, who brought and who collected them.

    Written in the same transaction as each event (an upsert), so presence and daily counts never
    aggregate the event log.
    """

    # Indexed by the composite keys in Meta (each starts with its column), not one by one. Institution and
    # class without a database constraint, as on AttendanceEvent (see there).
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("child"),
        db_index=False,
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("institution"),
        db_index=False,
        db_constraint=False,
    )
    klass = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField(_("day"))
    in_at = models.DateTimeField(_("checked in"))
    out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    dropped_off_by = models.CharField(_("dropped off by"), max_length=80, blank=True)
    picked_up_by = models.CharField(_("picked up by"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=DayStatus.choices, default=DayStatus.PRESENT)

    objects = AttendanceDayQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "child"]
        verbose_name = _("attendance day")
        verbose_name_plural = _("attendance days")
        constraints = [models.UniqueConstraint(fields=["child", "day"], name="attendance_day_unique")]
        indexes = [
            models.Index(fields=["institution", "day", "status"], name="attendance_day_inst_day"),
            models.Index(fields=["klass", "day"], name="attendance_day_class_day"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.day} {self.status}"


class AbsenceQuerySet(ScopedQuerySet["Absence"]):
    def scope_q(self, grants: Grants) -> Q:
        return _child_scope(grants)


class Absence(models.Model):
    """A day a child does not come, with the reason given by a parent or found out by staff (缺勤追踪)."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="+", verbose_name=_("child")
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+", verbose_name=_("institution")
    )
    klass = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
    )
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=12, choices=AbsenceReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_via = models.CharField(_("reported by"), max_length=6, choices=ReportedVia.choices)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )
    outcome = models.CharField(_("outcome of the follow-up"), max_length=300, blank=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "child"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [models.UniqueConstraint(fields=["child", "day"], name="absence_unique_day")]
        indexes = [models.Index(fields=["institution", "day"], name="absence_inst_day")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.day} {self.reason}"


class StaffAttendanceQuerySet(ScopedQuerySet["StaffAttendance"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)


class StaffAttendance(models.Model):
    """A staff member's day at work: when they came and left (counts toward the live ratio while in)."""

    employment = models.ForeignKey(
        "workforce.Employment", on_delete=models.CASCADE, related_name="+", verbose_name=_("job")
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+", verbose_name=_("institution")
    )
    day = models.DateField(_("day"))
    in_at = models.DateTimeField(_("arrived"))
    out_at = models.DateTimeField(_("left"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = StaffAttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "employment"]
        verbose_name = _("staff attendance")
        verbose_name_plural = _("staff attendance")
        constraints = [models.UniqueConstraint(fields=["employment", "day"], name="staff_attendance_unique")]
        indexes = [models.Index(fields=["institution", "day"], name="staff_attendance_inst_day")]

    def __str__(self) -> str:
        return f"{self.employment_id} {self.day}"


class KioskCode(models.Model):
    """A guardian's personal code for the kiosk at the door. Only a keyed hash is stored; the code itself
    is shown to the guardian once, when issued or rotated."""

    guardian = models.OneToOneField(
        "children.Guardian", on_delete=models.CASCADE, related_name="kiosk_code", verbose_name=_("guardian")
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now=True)

    class Meta:
        verbose_name = _("kiosk code")
        verbose_name_plural = _("kiosk codes")

    def __str__(self) -> str:
        return f"{self.guardian_id} {self.issued_at:%Y-%m-%d}"
