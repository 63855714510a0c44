"""Staff-to-child ratios per class (班级师幼比): caregivers assigned against the rule for the class type.

The rules are data in institutions/rules.py: `class_rule()` (设置标准 第20条: 乳儿班 1:3, 托小班 1:5,
托大班 1:7; 混合班 has no national ratio, so it comes from `TUOYU_MIXED_CLASS_RATIO` or
`PROVINCE_OVERRIDES`, else stays unknown), and for family childcare points `FAMILY_POINT_RULE` (1:3 for
the whole point, as strict as or stricter than any class rule).

Children counted: `children_counted()`, the one expression every figure here reads. It is the
children register's current enrolment of the class (falling back to the declared
`InstitutionClass.enrolled` for a class with nobody on the register); once daily attendance exists it
can become the children checked in today, and the page, the API and the supervision counts follow.

Caregivers counted: open, started assignments of open caregiver jobs (`ClassAssignment.counting`); a
job has at most one open assignment, so nobody counts twice.

A class is in breach when caregivers × children per caregiver < children, i.e. it has fewer
caregivers than ceil(children / children per caregiver).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tuoyu.institutions.choices import InstitutionType
from tuoyu.institutions.models import Institution, InstitutionClass
from tuoyu.institutions.rules import FAMILY_POINT_RULE, ClassKind, class_rule

from .models import ClassAssignment

# The province whose overrides apply (Jiangsu); per-province rules would read the institution's code.
PROVINCE_PREFIX = "32"


@dataclass(frozen=True)
class RatioRule:
    """How many children one caregiver may look after in a class, and where that comes from."""

    children_per_caregiver: int | None  # None: no ratio is set (a mixed class without configuration)
    source: str


def ratio_rule(kind: str, *, family_point: bool = False) -> RatioRule:
    """The ratio rule for a class of `kind`; at a family childcare point, the point's own rule."""
    if family_point:
        # 家庭托育点管理办法（试行）: 照护人员与婴幼儿比例不低于1:3, for every child of the point.
        return RatioRule(FAMILY_POINT_RULE.children_per_carer, FAMILY_POINT_RULE.source)
    rule = class_rule(kind, PROVINCE_PREFIX)
    return RatioRule(rule.children_per_caregiver, rule.source)


# --- SQL expressions on InstitutionClass ------------------------------------------------------------


def children_counted() -> Any:
    """Children counted against the ratio in each class: the children register's current enrolments
    (children whose current class it is), one correlated count inside the caller's query.

    A class with nobody on the register yet keeps the count its institution declared
    (`InstitutionClass.enrolled`): institutions move onto the register one by one, and the register's
    services keep `enrolled` equal to the register count (0 once the last child leaves)."""
    from tuoyu.children.models import Child

    on_register = (
        Child.objects.filter(klass=OuterRef("pk"))
        .order_by()
        .values("klass")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(
        Subquery(on_register, output_field=IntegerField()), F("enrolled"), output_field=IntegerField()
    )


def caregivers_counted(today: date | None = None) -> Any:
    """Caregivers counting toward each class's ratio on `today` (a correlated count)."""
    assignments = (
        ClassAssignment.objects.counting(today)
        .filter(institution_class=OuterRef("pk"))
        .order_by()
        .values("institution_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(assignments, output_field=IntegerField()), Value(0))


def children_per_caregiver() -> Any:
    """The ratio of each class from the rules (NULL where none is set), as one CASE expression."""
    whens = [
        When(
            institution__type=InstitutionType.FAMILY,
            then=Value(ratio_rule(ClassKind.MIXED, family_point=True).children_per_caregiver),
        )
    ]
    for kind in ClassKind:
        per = ratio_rule(kind).children_per_caregiver
        if per is not None:
            whens.append(When(kind=kind, then=Value(per)))
    return Case(*whens, default=Value(None), output_field=IntegerField())


# --- One institution: each class with its figures ---------------------------------------------------


@dataclass
class ClassRatio:
    """One class's ratio figures (now: from enrolment)."""

    institution_class: InstitutionClass
    children: int
    rule: RatioRule
    assignments: list[ClassAssignment] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        return self.institution_class.capacity

    @property
    def assigned(self) -> int:
        return len(self.assignments)

    @property
    def required(self) -> int | None:
        per = self.rule.children_per_caregiver
        return None if per is None else -(-self.children // per)

    @property
    def breach(self) -> bool | None:
        """True when too few caregivers; None when no ratio is set for the class."""
        required = self.required
        return None if required is None else self.assigned < required

    @property
    def over_capacity(self) -> bool:
        return self.children > self.capacity

    @property
    def messages(self) -> list[str]:
        """What is wrong with the class, in words for the director."""
        klass = self.institution_class
        found: list[str] = []
        if self.required is None:
            found.append(
                _(
                    "No national ratio for mixed-age classes; configure one (TUOYU_MIXED_CLASS_RATIO "
                    "or the province's rules)."
                )
            )
        elif self.breach:
            found.append(
                ngettext(
                    "{name} needs {required} caregiver for {children} children (1:{per}), has {assigned}.",
                    "{name} needs {required} caregivers for {children} children (1:{per}), has {assigned}.",
                    self.required,
                ).format(
                    name=klass.name,
                    required=self.required,
                    children=self.children,
                    per=self.rule.children_per_caregiver,
                    assigned=self.assigned,
                )
            )
        if self.over_capacity:
            found.append(
                _("{name} has {children} children enrolled, more than its {capacity} places.").format(
                    name=klass.name, children=self.children, capacity=self.capacity
                )
            )
        return found


def institution_class_ratios(institution: Institution, *, today: date | None = None) -> list[ClassRatio]:
    """Every class of the institution with children, caregivers, required caregivers: 2 queries."""
    today = today or timezone.localdate()
    family = institution.type == InstitutionType.FAMILY
    classes = list(
        InstitutionClass.objects.filter(institution=institution)
        .annotate(children=children_counted())
        .order_by("name", "id")
    )
    rows = {
        c.pk: ClassRatio(c, c.children, ratio_rule(c.kind, family_point=family))  # type: ignore[attr-defined]
        for c in classes
    }
    assignments = (
        ClassAssignment.objects.counting(today)
        .filter(institution_class__institution=institution)
        .select_related("employment__person")
        .order_by("employment__person__name", "id")
    )
    for assignment in assignments:
        rows[assignment.institution_class_id].assignments.append(assignment)
    return list(rows.values())


# --- Many institutions: breach counts for supervision, one aggregate query ---------------------------

GROUPS = {
    "county_id": "institution__county_id",
    "city_id": "institution__city_id",
    "township_id": "institution__township_id",
    "institution": "institution_id",
}


@dataclass(frozen=True)
class RatioCounts:
    """Ratio figures of the classes of a group of institutions."""

    classes: int
    classes_in_breach: int
    institutions_in_breach: int
    classes_over_capacity: int
    classes_without_ratio: int  # mixed classes while no ratio is configured


def ratio_breach_counts(
    institutions: QuerySet[Institution], *, group_by: str = "county_id", today: date | None = None
) -> dict[Any, RatioCounts]:
    """Classes in breach and institutions with any breach, per county/city/township code or institution id.

    `institutions` is already scoped by the caller (e.g. `Institution.objects.for_user(user).operating()`).
    One aggregate query (a correlated count per class inside it); groups without classes are absent.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    key = GROUPS[group_by]
    breach = Q(per__isnull=False, children__gt=F("assigned") * F("per"))
    rows = (
        InstitutionClass.objects.filter(institution__in=institutions.values("pk"))
        .alias(children=children_counted(), assigned=caregivers_counted(today), per=children_per_caregiver())
        .values(key)
        .annotate(
            n_classes=Count("pk"),
            n_breach=Count("pk", filter=breach),
            n_institutions=Count("institution_id", filter=breach, distinct=True),
            n_over=Count("pk", filter=Q(children__gt=F("capacity"))),
            n_unrated=Count("pk", filter=Q(per__isnull=True)),
        )
        .order_by()
    )
    return {
        row[key]: RatioCounts(
            classes=row["n_classes"],
            classes_in_breach=row["n_breach"],
            institutions_in_breach=row["n_institutions"],
            classes_over_capacity=row["n_over"],
            classes_without_ratio=row["n_unrated"],
        )
        for row in rows
    }
