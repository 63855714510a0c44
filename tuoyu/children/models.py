"""The children register: a child, guardians, who may pick up, applications and enrolments.

Children's data is sensitive personal information (个人信息保护法 第28条): every read goes through
`for_user()`, ID numbers are shown masked, and pages that show a child audit the view.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tuoyu.core.scoping import Grants, ScopedQuerySet
from tuoyu.core.validators import mask_middle
from tuoyu.institutions.choices import ServiceMode
from tuoyu.workforce.validators import validate_id_number

from .choices import ApplicationStatus, EntryCheckKind, Relation, Sex


def child_scope_q(grants: Grants, prefix: str = "") -> Q:
    """Children a user may reach: staff of the child's current institution, officials over its
    township, a guardian's own account, and staff of an institution the child has applied to."""
    q = grants.region_q(f"{prefix}institution__township_id") | Q(
        **{f"{prefix}institution_id__in": grants.institution_ids}
    )
    child_ref = OuterRef(f"{prefix}pk") if not prefix else OuterRef(prefix.removesuffix("__") + "_id")
    if grants.institution_ids:
        q |= Q(
            Exists(
                Application.objects.filter(
                    child_id=child_ref,
                    institution_id__in=grants.institution_ids,
                    status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED],
                )
            )
        )
    if grants.personal and grants.user_id is not None:
        q |= Q(Exists(Guardian.objects.filter(child_id=child_ref, user_id=grants.user_id)))
    return q


class ChildQuerySet(ScopedQuerySet["Child"]):
    def scope_q(self, grants: Grants) -> Q:
        return child_scope_q(grants)

    def enrolled(self) -> ChildQuerySet:
        return self.filter(institution__isnull=False)


class Child(models.Model):
    """A child under three known to the platform: applying to, enrolled at, or once at an institution."""

    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    # Optional: a newborn may not have one yet. Never shown in full (masked_id).
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, validators=[validate_id_number])
    allergies = models.CharField(
        _("allergies"), max_length=200, blank=True, help_text=_("Foods or substances, separated by commas.")
    )
    special_needs = models.CharField(_("special needs"), max_length=300, blank=True)
    # The institution the child is enrolled at now (set only by enrolment services), so scoping and
    # counts are one indexed column rather than a join through enrolments.
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="current_children",
        verbose_name=_("institution"),
    )
    klass = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="current_children",
        verbose_name=_("class"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="child_unique_id_number"
            )
        ]
        indexes = [models.Index(fields=["institution", "klass"], name="child_institution_class_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        return mask_middle(self.id_number, 6, 4) if self.id_number else ""

    @property
    def audit_region_code(self) -> str:
        """The township of the child's institution, so county audit logs show who viewed its children."""
        return self.institution.township_id if self.institution_id and self.institution else ""

    def allergy_list(self) -> list[str]:
        raw = self.allergies.replace("，", ",").replace("、", ",")
        return [a.strip() for a in raw.split(",") if a.strip()]


class GuardianQuerySet(ScopedQuerySet["Guardian"]):
    def scope_q(self, grants: Grants) -> Q:
        return child_scope_q(grants, "child__")


class Guardian(models.Model):
    """A parent or guardian of a child (at most two), optionally linked to their platform account."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardians")
    position = models.PositiveSmallIntegerField(
        _("guardian number"), default=1, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardianships",
        verbose_name=_("account"),
    )

    objects = GuardianQuerySet.as_manager()

    class Meta:
        ordering = ["child", "position"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        constraints = [
            models.UniqueConstraint(fields=["child", "position"], name="guardian_unique_position"),
            models.UniqueConstraint(
                fields=["child", "user"], condition=Q(user__isnull=False), name="guardian_unique_user"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=2), name="guardian_at_most_two"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"

    @property
    def masked_phone(self) -> str:
        return mask_middle(self.phone, 3, 4)


class PickupPerson(models.Model):
    """Someone a guardian authorises to collect the child (guardians are authorised themselves)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="pickup_people")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20)
    active = models.BooleanField(_("authorised"), default=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["child", "name"]
        verbose_name = _("authorised pick-up person")
        verbose_name_plural = _("authorised pick-up people")

    def __str__(self) -> str:
        return self.name


class ApplicationQuerySet(ScopedQuerySet["Application"]):
    def scope_q(self, grants: Grants) -> Q:
        q = grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)
        if grants.personal and grants.user_id is not None:
            q |= Q(applicant_id=grants.user_id)
        return q


class Application(models.Model):
    """A guardian's application for a place at an institution (入托申请)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="applications")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    service_mode = models.CharField(_("service mode"), max_length=12, choices=ServiceMode.choices)
    start_month = models.DateField(_("start month"), help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    note = models.CharField(_("note from the guardian"), max_length=300, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("application", "submitted"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["institution", "status"], name="application_inst_status_idx")]
        constraints = [
            # One open application per child and institution (a second one is refused with 409).
            models.UniqueConstraint(
                fields=["child", "institution"],
                condition=Q(status__in=["submitted", "waitlisted"]),
                name="application_one_open_per_institution",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.institution}"


class ApplicationTransition(models.Model):
    """One step of an application: who moved it, when, from which status to which, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["application", "at", "id"]
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ChildEnrolmentQuerySet(ScopedQuerySet["Enrolment"]):
    def scope_q(self, grants: Grants) -> Q:
        q = grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)
        if grants.personal and grants.user_id is not None:
            q |= Q(Exists(Guardian.objects.filter(child_id=OuterRef("child_id"), user_id=grants.user_id)))
        return q

    def current(self) -> ChildEnrolmentQuerySet:
        return self.filter(left_on__isnull=True)


class Enrolment(models.Model):
    """A child's place at an institution from admission to leaving, with the service agreement (服务协议)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="enrolments")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="enrolments"
    )
    klass = models.ForeignKey(
        "institutions.InstitutionClass",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("class"),
    )
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolment"
    )
    service_mode = models.CharField(_("service mode"), max_length=12, choices=ServiceMode.choices)
    start_on = models.DateField(_("start date"))
    # 服务协议 (管理规范 第8、9条): reference and signing date; the fee agreed per month.
    agreement_ref = models.CharField(_("service agreement number"), max_length=40, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed"), null=True, blank=True)
    monthly_fee = models.DecimalField(
        _("monthly fee (yuan)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    objects = ChildEnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "-id"]
        verbose_name = pgettext_lazy("children", "enrolment")
        verbose_name_plural = pgettext_lazy("children", "enrolments")
        constraints = [
            # One current place per child.
            models.UniqueConstraint(
                fields=["child"], condition=Q(left_on__isnull=True), name="enrolment_one_current_per_child"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("start_on")),
                name="enrolment_leaves_after_start",
            ),
        ]
        indexes = [models.Index(fields=["institution", "left_on"], name="enrolment_inst_current_idx")]

    def __str__(self) -> str:
        return f"{self.child} @ {self.institution}"


class EntryCheckQuerySet(ScopedQuerySet["EntryCheck"]):
    def scope_q(self, grants: Grants) -> Q:
        return child_scope_q(grants, "child__")


class EntryCheck(models.Model):
    """A health or vaccination-certificate check tied to admission, the year-end re-check, or a return."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="entry_checks")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="entry_checks"
    )
    kind = models.CharField(_("check"), max_length=20, choices=EntryCheckKind.choices)
    checked_on = models.DateField(_("date"))
    passed = models.BooleanField(
        _("passed"), help_text=_("Health check passed, or vaccination certificate complete.")
    )
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = EntryCheckQuerySet.as_manager()

    class Meta:
        ordering = ["child", "-checked_on"]
        indexes = [models.Index(fields=["child", "kind", "checked_on"], name="entrycheck_child_kind_idx")]
        verbose_name = _("admission check")
        verbose_name_plural = _("admission checks")

    def __str__(self) -> str:
        return f"{self.child} {self.get_kind_display()} {self.checked_on}"


def child_for_user(user: Any, pk: int, action: str = "view") -> Child | None:
    """The child if the user may reach it for `action`, else None (callers answer 404)."""
    return Child.objects.for_user(user, action).filter(pk=pk).first()
