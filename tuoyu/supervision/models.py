"""Inspections (监督检查) of institutions: the checklist, findings, rectification and publication.

Who sees what (decided here, tested in tests/test_scoping.py):
- officials see inspections of institutions in their regions, in every state;
- an institution's staff see their inspections only once the result is known (submitted, rectifying,
  closed): a planned inspection is unannounced (双随机 checks are not told in advance);
- staff see each finding's note (they must know what to correct) but never the inspectors'
  `internal_note` nor the photos (which may show children); the public sees only published results:
  item titles and whether each was corrected.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.files import PrivateStorage
from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import (
    CONCLUDED_STATUSES,
    InspectionKind,
    InspectionStatus,
    ItemCategory,
    ItemKind,
    RectificationAction,
    RectificationStatus,
    Result,
    Risk,
    SignatureRole,
    SourceTag,
)

VISIBLE_TO_STAFF = [s.value for s in CONCLUDED_STATUSES]


class InspectionItem(models.Model):
    """One line of the 随机抽查事项清单: what inspectors check, its risk and the rule it comes from."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices)
    category = models.CharField(_("category"), max_length=12, choices=ItemCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    source_document = models.CharField(_("source document"), max_length=100)
    source_article = models.CharField(_("article"), max_length=100, blank=True)
    source_tag = models.CharField(_("source checked"), max_length=1, choices=SourceTag.choices)
    in_force = models.BooleanField(_("in force"), default=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def verified(self) -> bool:
        return self.source_tag == SourceTag.VERIFIED

    @property
    def source(self) -> str:
        return f"{self.source_document} {self.source_article}".strip()


class InspectionQuerySet(ScopedQuerySet["Inspection"]):
    def scope_q(self, grants: Grants) -> Q:
        # Officials see inspections of institutions in their regions; staff those of their institution
        # once the result is known (an inspection is not announced in advance).
        return grants.region_q("institution__township_id") | Q(
            institution_id__in=grants.institution_ids, status__in=VISIBLE_TO_STAFF
        )


class Inspection(models.Model):
    """One inspection of one institution by a team of at least two inspectors (routine from a draw,
    complaint-triggered, follow-up or ad-hoc)."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InspectionKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    planned_on = models.DateField(_("planned for"))
    reason = models.TextField(_("reason"), blank=True)
    # Where it came from, for people: "draw 12", "complaint TY-2026-000123"; the link rows live in the
    # originating app (spotchecks, complaints), which point here.
    origin = models.CharField(_("origin"), max_length=80, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", blank=True, verbose_name=_("inspectors")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Added by 0002: the flow after opening.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    publish_due = models.DateField(_("publish by"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Officials only: never shown to the institution or the public.
    internal_note = models.TextField(_("internal note"), blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["institution", "status"], name="inspection_inst_status"),
            models.Index(fields=["status", "publish_due"], name="inspection_status_pubdue"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.get_kind_display()} · {self.planned_on}"

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)


class InspectionTransition(models.Model):
    """One step of an inspection's life: from which status to which, who did it, when and why."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=12, choices=InspectionStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=InspectionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("inspection transition")
        verbose_name_plural = _("inspection transitions")

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.from_status} → {self.to_status}"


class ChecklistEntry(models.Model):
    """One item of one inspection's checklist, fixed when the inspection starts, with its result."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="+")
    # A copy of the item as it was when the inspection started (the list may be edited later).
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices)
    source = models.CharField(_("source"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True, default="")
    note = models.TextField(_("note"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_ref = models.CharField(_("client reference"), max_length=64, blank=True)

    class Meta:
        ordering = ["inspection", "position", "id"]
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="checklist_entry_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} · {self.code} · {self.result or '-'}"


def _private_path(instance: Any, filename: str) -> str:
    ext = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    return f"{instance.inspection_id}/{uuid.uuid4().hex}{ext}"


class ChecklistPhoto(models.Model):
    """A photo taken on site for one checklist entry, with the time it was taken (officials only)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    entry = models.ForeignKey(ChecklistEntry, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(storage=PrivateStorage("inspections"), upload_to=_private_path, max_length=200)
    content_type = models.CharField(max_length=20)
    taken_at = models.DateTimeField(_("taken at"))
    client_ref = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "client_ref"], name="checklist_photo_unique_ref"),
        ]

    def __str__(self) -> str:
        return f"photo {self.pk} of entry {self.entry_id}"


class InspectionSignature(models.Model):
    """A signature drawn on the phone (PNG): the inspector's and the institution representative's."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("signed as"), max_length=12, choices=SignatureRole.choices)
    signer_name = models.CharField(_("name"), max_length=50)
    file = models.FileField(storage=PrivateStorage("inspections"), upload_to=_private_path, max_length=200)
    signed_at = models.DateTimeField(_("signed at"))
    client_ref = models.CharField(max_length=64)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "role"], name="inspection_signature_one_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.signer_name}"


class SyncReceipt(models.Model):
    """A client reference already received from a phone, with a digest of what it carried: the same
    reference again changes nothing; the same reference with other content is refused (409)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="receipts")
    client_ref = models.CharField(max_length=64)
    kind = models.CharField(max_length=12)  # answer, signature
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "client_ref"], name="sync_receipt_unique_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.client_ref}"


class RectificationQuerySet(ScopedQuerySet["RectificationOrder"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("inspection__institution__township_id") | Q(
            inspection__institution_id__in=grants.institution_ids
        )


class RectificationOrder(models.Model):
    """A rectification notice (整改通知) for one failed checklist item, with its deadline and the
    institution's answer; closed when an inspector verifies the correction."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="orders")
    entry = models.OneToOneField(ChecklistEntry, on_delete=models.CASCADE, related_name="order")
    status = models.CharField(
        _("status"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("deadline"))
    overdue_on = models.DateField(_("marked overdue on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        indexes = [models.Index(fields=["status", "deadline"], name="rectification_status_deadline")]

    def __str__(self) -> str:
        return f"{self.entry.code} · {self.get_status_display()} · {self.deadline}"

    @property
    def audit_region_code(self) -> str:
        return str(self.inspection.institution.township_id)


class RectificationEvent(models.Model):
    """One step of a rectification order: issued, answered, returned, verified, marked overdue."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=RectificationAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.action}"


def _evidence_path(instance: Any, filename: str) -> str:
    ext = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    return f"{instance.order_id}/{uuid.uuid4().hex}{ext}"


class RectificationEvidence(models.Model):
    """A file the institution sends to show a finding corrected (a photo, a certificate, a PDF)."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=PrivateStorage("rectification"), upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=30)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
