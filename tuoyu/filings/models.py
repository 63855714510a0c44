"""Filings (备案) of childcare institutions with the county health commission, and their documents."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import OPEN_STATUSES, DocumentKind, FilingKind, FilingStatus
from .storage import filing_storage


class FilingQuerySet(ScopedQuerySet["Filing"]):
    def scope_q(self, grants: Grants) -> Q:
        # Officials see filings of institutions in their regions; staff those of their institution.
        return grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)

    def open(self) -> FilingQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def with_due(self, today: date) -> FilingQuerySet:
        """Annotate `due` (the receipt deadline while submitted, then the verification deadline; none
        once decided) and `overdue` (an open filing whose deadline is before `today`), in SQL."""
        return self.annotate(
            due=Case(
                When(status=FilingStatus.SUBMITTED, then=F("receipt_due")),
                When(status=FilingStatus.RECEIVED, then=F("verification_due")),
                default=Value(None),
                output_field=models.DateField(),
            )
        ).annotate(overdue=ExpressionWrapper(Q(due__lt=Value(today)), output_field=models.BooleanField()))


class Filing(models.Model):
    """One filing an institution makes with its county health commission: initial, change or cancellation."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="filings",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FilingKind.choices, default=FilingKind.INITIAL)
    status = models.CharField(
        _("status"), max_length=12, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    # The 备案书 as filled in (a snapshot: the institution record may change later).
    form = models.JSONField(_("filing form"), default=dict, blank=True)
    commitment_accepted_at = models.DateTimeField(_("commitment accepted at"), null=True, blank=True)
    commitment_text = models.TextField(_("commitment text"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    receipt_due = models.DateField(_("receipt due"), null=True, blank=True)
    received_at = models.DateTimeField(_("receipt issued at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receipt issued by"),
    )
    verification_due = models.DateField(_("verification due"), null=True, blank=True)
    # A due date that crossed a year whose holiday schedule is not loaded yet counts Monday–Friday
    # there; it is recounted by `recompute_filing_deadlines` once the schedule is added.
    deadlines_provisional = models.BooleanField(_("deadlines are estimates"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    # When the non-compliance notice was made public (备案办法: disclosed to the public).
    notice_published_at = models.DateTimeField(_("notice published at"), null=True, blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        indexes = [
            models.Index(fields=["status", "receipt_due"], name="filing_status_receipt_due"),
            models.Index(fields=["status", "verification_due"], name="filing_status_verif_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="filing_one_open_per_institution",
            ),
            models.CheckConstraint(
                condition=~Q(status=FilingStatus.REJECTED) | ~Q(decision_reason=""),
                name="filing_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.get_kind_display()} · {self.get_status_display()}"

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)


class FilingTransition(models.Model):
    """One step of a filing's life: from which status to which, who did it, when and why."""

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("filing")
    )
    from_status = models.CharField(_("from"), max_length=12, choices=FilingStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=FilingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("filing transition")
        verbose_name_plural = _("filing transitions")

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.from_status} → {self.to_status}"


def _document_path(instance: FilingDocument, filename: str) -> str:
    # Never the uploaded name: a random name under the filing's folder (no path tricks, no clashes).
    ext = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    return f"{instance.filing_id}/{uuid.uuid4().hex}{ext}"


class FilingDocumentQuerySet(ScopedQuerySet["FilingDocument"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("filing__institution__township_id") | Q(
            filing__institution_id__in=grants.institution_ids
        )


class FilingDocument(models.Model):
    """A scanned document attached to a filing (a licence, a certificate, a report)."""

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="documents", verbose_name=_("filing")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    file = models.FileField(_("file"), storage=filing_storage, upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = FilingDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["filing", "kind", "id"]
        verbose_name = _("filing document")
        verbose_name_plural = _("filing documents")

    def __str__(self) -> str:
        return self.original_name

    @property
    def audit_region_code(self) -> Any:
        return self.filing.audit_region_code
