"""Credit (信用) of institutions: the records that build it and the tier computed from them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import CreditSource


class CreditRecordQuerySet(ScopedQuerySet["CreditRecord"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)

    def in_force(self) -> CreditRecordQuerySet:
        """Not revoked (whether it still counts also depends on the window: `counting`)."""
        return self.filter(revoked_at__isnull=True)

    def counting(self, as_of: date, window_start: date) -> CreditRecordQuerySet:
        """Records that count for a computation on `as_of`: not revoked, occurred in the window."""
        return self.filter(revoked_at__isnull=True, occurred_on__gt=window_start, occurred_on__lte=as_of)


class CreditRecord(models.Model):
    """One fact that counts for or against an institution's credit (a finding, a late rectification,
    a substantiated complaint, an award), with its points and where it came from."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="credit_records",
        verbose_name=_("institution"),
    )
    # The responsible person it also counts against (负责人), by name; empty when it is the unit's alone.
    person_name = models.CharField(_("responsible person"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=CreditSource.choices)
    # The severity it was posted with (rules.POINTS keys: "high", "late", "abuse", "suspension"...);
    # it decides whether the record forces tier D (rules.OVERRIDES). Inferred from the points when the
    # poster gave none.
    severity = models.CharField(_("severity"), max_length=16, blank=True)
    # The originating row, e.g. "inspection:12:item:4" — unique per source, so posting twice is a no-op.
    source_ref = models.CharField(_("reference"), max_length=80)
    # Negative for bad records, positive for good ones; the weights are rule data (credit/rules.py).
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    occurred_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    objects = CreditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="credit_record_unique_source_ref")
        ]
        indexes = [models.Index(fields=["institution", "occurred_on"], name="credit_record_inst_date")]

    def __str__(self) -> str:
        return f"{self.institution} {self.points:+d} {self.reason}"


class Tier(models.TextChoices):
    A = "A", _("A (trustworthy)")
    B = "B", _("B (basically trustworthy)")
    C = "C", _("C (attention)")
    D = "D", _("D (untrustworthy)")


class CreditStandingQuerySet(ScopedQuerySet["CreditStanding"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)


class CreditStanding(models.Model):
    """An institution's current credit tier and score, as last computed by the credit rule."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="credit_standing",
        verbose_name=_("institution"),
    )
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices)
    score = models.IntegerField(_("score"))
    # The latest date an overriding record keeps the institution in D (null when none does).
    override_until = models.DateField(_("in D until"), null=True, blank=True)
    as_of = models.DateField(_("computed for"))
    computed_at = models.DateTimeField(_("computed at"))
    # When the tier last changed (the date shown on the trust card).
    tier_since = models.DateTimeField(_("tier since"))

    objects = CreditStandingQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit standing")
        verbose_name_plural = _("credit standings")
        indexes = [models.Index(fields=["tier"], name="credit_standing_tier")]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier__in=["A", "B", "C", "D"]), name="credit_standing_tier_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.tier} ({self.score})"


class CreditTierChangeQuerySet(ScopedQuerySet["CreditTierChange"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)


class CreditTierChange(models.Model):
    """A change of an institution's credit tier, with the records that caused it: those added,
    revoked or expired (or whose overriding period ended) since the previous computation."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="credit_tier_changes",
        verbose_name=_("institution"),
    )
    from_tier = models.CharField(_("from tier"), max_length=1, choices=Tier.choices)
    to_tier = models.CharField(_("to tier"), max_length=1, choices=Tier.choices)
    from_score = models.IntegerField(_("previous score"))
    score = models.IntegerField(_("score"))
    overridden = models.BooleanField(_("forced to D by an overriding record"), default=False)
    as_of = models.DateField(_("computed for"))
    changed_at = models.DateTimeField(_("changed at"))
    causes = models.ManyToManyField(
        CreditRecord, related_name="tier_changes", blank=True, verbose_name=_("records that caused it")
    )

    objects = CreditTierChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("credit tier change")
        verbose_name_plural = _("credit tier changes")
        indexes = [
            models.Index(fields=["institution", "changed_at"], name="credit_change_inst_when"),
            models.Index(fields=["changed_at"], name="credit_change_when"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.from_tier}→{self.to_tier}"

    @property
    def downgrade(self) -> bool:
        return self.to_tier > self.from_tier
