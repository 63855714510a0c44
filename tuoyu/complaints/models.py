"""Complaints (投诉) about childcare institutions: intake from anyone, handling by the county and up the
hierarchy when overdue, the institution's response, and the outcome the complainant can follow."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet, grants_for

from .choices import (
    OPEN_STATUSES,
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintStatus,
    EventKind,
    HandlingLevel,
)


class ComplaintQuerySet(ScopedQuerySet["Complaint"]):
    def scope_q(self, grants: Grants) -> Q:
        # Officials over the institution's township; staff only complaints forwarded to their institution.
        return grants.region_q("institution__township_id") | Q(
            institution_id__in=grants.institution_ids, forwarded_at__isnull=False
        )

    def for_official(self, user: Any, action: str = "view") -> ComplaintQuerySet:
        """What an official may reach through region grants only: a staff grant never opens the
        officials' pages or API (which carry the complainant's details)."""
        grants = grants_for(user, action)
        if grants.everything:
            return self.all()
        if not grants.region_ranges:
            return self.none()
        return self.filter(grants.region_q("institution__township_id"))

    def for_staff(self, user: Any) -> ComplaintQuerySet:
        """Complaints the county forwarded to institutions whose director (`change`) the user is."""
        grants = grants_for(user, "change")
        if not grants.institution_ids:
            return self.none()
        return self.filter(institution_id__in=grants.institution_ids, forwarded_at__isnull=False)

    def open(self) -> ComplaintQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def with_overdue(self, today: Any = None) -> ComplaintQuerySet:
        today = today or timezone.localdate()
        return self.annotate(
            overdue=ExpressionWrapper(
                Q(status__in=OPEN_STATUSES, due_on__lt=Value(today)), output_field=models.BooleanField()
            )
        )


class Complaint(models.Model):
    """A complaint somebody made about one institution, and how the health commission handled it."""

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("institution"),
    )
    category = models.CharField(_("category"), max_length=12, choices=ComplaintCategory.choices)
    # Copied from rules.CATEGORY_RULES when received, so a later change of the rule does not rewrite history.
    serious = models.BooleanField(_("serious"), default=False)
    description = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("date of the event"), null=True, blank=True)
    # The complainant: never shown to the institution, nor whether they gave their name.
    anonymous = models.BooleanField(_("anonymous"), default=True)
    contact_name = models.CharField(_("name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    level = models.CharField(
        _("handling level"), max_length=10, choices=HandlingLevel.choices, default=HandlingLevel.COUNTY
    )
    handling_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("handled by")
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    # The due date crossed a year the working-day calendar does not know yet (counted Monday–Friday).
    due_provisional = models.BooleanField(_("due date is an estimate"), default=False)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    inspection = models.ForeignKey(
        "supervision.Inspection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspection"),
    )
    forwarded_at = models.DateTimeField(_("forwarded to the institution"), null=True, blank=True)
    institution_response = models.TextField(_("institution's response"), blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ComplaintOutcome.choices, blank=True)
    reply = models.TextField(_("reply to the complainant"), blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["status", "due_on"], name="complaint_status_due"),
            models.Index(fields=["institution", "received_at"], name="complaint_inst_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ComplaintStatus.CONCLUDED, concluded_at__isnull=False) & ~Q(outcome="")
                | ~Q(status=ComplaintStatus.CONCLUDED) & Q(outcome=""),
                name="complaint_outcome_iff_concluded",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=True, contact_name="", contact_phone="") | Q(anonymous=False),
                name="complaint_anonymous_has_no_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ComplaintEvent(models.Model):
    """One step in a complaint's handling: a status change, an escalation, a forward to the institution,
    its response — who did it, when and why."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("complaint")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=ComplaintStatus.choices, blank=True)
    from_level = models.CharField(_("from level"), max_length=10, choices=HandlingLevel.choices, blank=True)
    to_level = models.CharField(_("to level"), max_length=10, choices=HandlingLevel.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.kind}"
