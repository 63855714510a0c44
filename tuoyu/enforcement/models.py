"""Enforcement: administrative measures against institutions (warnings, orders, fines, suspension,
closure, bans), the closure workflow that places every child, and emergencies (突发事件).

Who sees what (one `scope_q` per model, read by `for_user`):
- Actions, closure cases and emergencies: officials over the institution's township (a grant on a
  region covers its subtree) and the institution's own staff. Parents and the public see actions only
  as published on the trust card (kind, date, basis, amount), never through these models' querysets.
- A closure case's children: the same people as the case (officials in scope and the institution's
  staff) — the children's names are personal data and are shown only on the case page.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import (
    ActionKind,
    ClosureStatus,
    EmergencyKind,
    EmergencySeverity,
    EmergencyStatus,
    EntryKind,
    FeeStatus,
    HandoverItem,
    PlacementOutcome,
)
from .rules import RULE_CHOICES, rule_for


def institution_scope_q(grants: Grants, prefix: str = "") -> Q:
    """Officials over the institution's township, and its own staff."""
    return grants.region_q(f"{prefix}institution__township_id") | Q(
        **{f"{prefix}institution_id__in": grants.institution_ids}
    )


class EnforcementActionQuerySet(ScopedQuerySet["EnforcementAction"]):
    def scope_q(self, grants: Grants) -> Q:
        return institution_scope_q(grants)

    def published(self) -> EnforcementActionQuerySet:
        return self.filter(published=True)


class EnforcementAction(models.Model):
    """A decision taken against an institution by a health commission (行政处理/处罚决定): a warning,
    an order to correct, a fine, a suspension, a closure or a lifetime ban of responsible persons."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices)
    rule = models.CharField(_("legal basis"), max_length=20, choices=RULE_CHOICES)
    decision_number = models.CharField(
        _("decision number"), max_length=60, unique=True, help_text=_("For example 玄卫罚〔2026〕12号.")
    )
    decided_on = models.DateField(_("decided on"))
    facts = models.TextField(_("facts"), max_length=3000)
    amount = models.DecimalField(
        _("fine (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    correct_by = models.DateField(_("correct by"), null=True, blank=True)
    inspection = models.ForeignKey(
        "supervision.Inspection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enforcement_actions",
        verbose_name=_("inspection"),
    )
    complaint_ref = models.CharField(_("complaint reference"), max_length=40, blank=True)
    bans = models.ManyToManyField(
        "workforce.BanRecord", blank=True, related_name="enforcement_actions", verbose_name=_("bans")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    # 行政处罚公示: published on the trust card (kind, date, basis, amount) unless withheld by law.
    published = models.BooleanField(_("published on the trust card"), default=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = EnforcementActionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("enforcement action")
        verbose_name_plural = _("enforcement actions")
        indexes = [
            models.Index(fields=["institution", "decided_on"], name="enf_action_inst_idx"),
            models.Index(fields=["decided_on"], name="enf_action_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="enf_action_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} · {self.get_kind_display()}"

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id) if self.institution_id else ""

    @property
    def rule_obj(self) -> object:
        return rule_for(self.rule)

    @property
    def basis(self) -> str:
        rule = rule_for(self.rule)
        return rule.basis if rule else self.rule

    def clean(self) -> None:
        errors: dict[str, str] = {}
        rule = rule_for(self.rule)
        if rule is None:
            errors["rule"] = str(_("Unknown legal basis."))
        else:
            if self.kind and self.kind not in rule.kinds:
                errors["kind"] = str(
                    _("{basis} does not provide for this kind of action.").format(basis=rule.basis)
                )
            else:
                refusal = rule.amount_refusal(self.kind, self.amount)
                if refusal:
                    errors["amount"] = refusal
        if self.kind == ActionKind.ORDER and self.correct_by is None:
            errors["correct_by"] = str(_("An order to correct needs a deadline."))
        if self.correct_by and self.decided_on and self.correct_by < self.decided_on:
            errors["correct_by"] = str(_("The deadline cannot be before the decision."))
        if errors:
            raise ValidationError(errors)


# --- Closure --------------------------------------------------------------------------------------


class ClosureCaseQuerySet(ScopedQuerySet["ClosureCase"]):
    def scope_q(self, grants: Grants) -> Q:
        return institution_scope_q(grants)

    def open(self) -> ClosureCaseQuerySet:
        return self.filter(status=ClosureStatus.OPEN)


class ClosureCase(models.Model):
    """The closure of one institution (退出): enrolment stopped, parents told, every child placed,
    prepaid fees settled, records handed over, then the institution closed."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="closure_cases",
        verbose_name=_("institution"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClosureStatus.choices, default=ClosureStatus.OPEN
    )
    reason = models.TextField(_("reason"), max_length=2000)
    at_institution_request = models.BooleanField(_("at the institution's request"), default=False)
    action = models.OneToOneField(
        EnforcementAction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="closure_case",
        verbose_name=_("closure decision"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    enrolment_stopped_at = models.DateTimeField(_("enrolment stopped"), null=True, blank=True)
    parents_notified_at = models.DateTimeField(_("parents told"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)

    objects = ClosureCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("closure case")
        verbose_name_plural = _("closure cases")
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(status="open"),
                name="enf_one_open_closure_per_institution",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.get_status_display()}"

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id) if self.institution_id else ""


class ClosureTransition(models.Model):
    """One step of a closure case: who moved it, when, from which status to which, and why."""

    case = models.ForeignKey(ClosureCase, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=ClosureStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ClosureStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ClosureChildQuerySet(ScopedQuerySet["ClosureChild"]):
    def scope_q(self, grants: Grants) -> Q:
        return institution_scope_q(grants, "case__")


class ClosureChild(models.Model):
    """A child enrolled when the closure began: where they went and the settlement of prepaid fees."""

    case = models.ForeignKey(ClosureCase, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    class_kind = models.CharField(_("class type"), max_length=10, blank=True)
    outcome = models.CharField(
        _("placement"), max_length=12, choices=PlacementOutcome.choices, default=PlacementOutcome.PENDING
    )
    placed_institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new institution"),
    )
    placement_note = models.CharField(_("note"), max_length=300, blank=True)
    placed_on = models.DateField(_("placed on"), null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prepaid = models.DecimalField(
        _("prepaid (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    refunded = models.DecimalField(
        _("refunded (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    fee_status = models.CharField(
        _("fees"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.PENDING
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    fee_note = models.CharField(_("fee note"), max_length=300, blank=True)

    objects = ClosureChildQuerySet.as_manager()

    class Meta:
        ordering = ["case", "child__name", "id"]
        verbose_name = _("child of a closing institution")
        verbose_name_plural = _("children of a closing institution")
        constraints = [
            models.UniqueConstraint(fields=["case", "child"], name="enf_closure_child_once"),
            models.CheckConstraint(
                condition=Q(refunded__lte=F("prepaid")), name="enf_closure_refund_not_above_prepaid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.child_id}"

    @property
    def placed(self) -> bool:
        return self.outcome != PlacementOutcome.PENDING


class ClosureHandover(models.Model):
    """One item of a closure's hand-over checklist (records passed to the authority or the new carer)."""

    case = models.ForeignKey(ClosureCase, on_delete=models.CASCADE, related_name="handovers")
    item = models.CharField(_("item"), max_length=20, choices=HandoverItem.choices)
    received_by = models.CharField(_("received by"), max_length=100, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="enf_handover_item_once")]

    def __str__(self) -> str:
        return self.get_item_display()

    @property
    def done(self) -> bool:
        return self.received_on is not None


# --- Emergencies ----------------------------------------------------------------------------------


class EmergencyQuerySet(ScopedQuerySet["Emergency"]):
    def scope_q(self, grants: Grants) -> Q:
        return institution_scope_q(grants)

    def open(self) -> EmergencyQuerySet:
        return self.filter(status=EmergencyStatus.OPEN)


class Emergency(models.Model):
    """An emergency at an institution (突发事件: an outbreak, a safety incident), followed on a timeline
    and reported up the hierarchy."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="emergencies",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EmergencyKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=EmergencySeverity.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what happened"), max_length=3000)
    status = models.CharField(
        _("status"), max_length=8, choices=EmergencyStatus.choices, default=EmergencyStatus.OPEN
    )
    source_alert = models.ForeignKey(
        "health.SymptomClusterAlert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("symptom-cluster alert"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=3000, blank=True)

    objects = EmergencyQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")
        indexes = [models.Index(fields=["institution", "status"], name="enf_emergency_inst_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id) if self.institution_id else ""


class EmergencyEntry(models.Model):
    """One line of an emergency's timeline: who wrote what, when."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices, default=EntryKind.NOTE)
    text = models.TextField(_("text"), max_length=2000)
    severity = models.CharField(_("severity"), max_length=8, choices=EmergencySeverity.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return self.text[:40]
