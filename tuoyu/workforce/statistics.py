"""Workforce statistics for officials: staff by region and role, certified and trained shares, expired
and expiring documents, overdue background checks; and the workforce size per region for the plan's
indicator 托育服务从业人员数量.

Definitions (the data below carries the sources):

- **Current staff**: open jobs (`Employment` without an end date) at institutions the user may view.
- **Certified** (持证/岗位合格), per role, `CERTIFICATION_RULES`: a head holds a valid head's post
  training (负责人岗位培训), a health worker the MCH health-care training, a security guard a 保安员证
  (托育机构设置标准（试行）第18、21条); a caregiver holds a valid 保育师证 *or* has the caregiver training
  hours (the standard requires training, not a certificate: domain_rules.md §1.4, §5.2). Cooks and
  other staff have no role qualification and are outside the certified share.
- **Trained** (培训学时达标): staff whose role has a training-hours rule (heads 60, caregivers 120:
  `training.rules`) and whose completed credit hours (courses for their role or for every role) reach
  it, as `training.selectors.annotate_training_hours` computes them.
- **Documents expired / expiring**: every document `rules.QUALIFICATION_RULES` requires of the job's
  role (health certificate, no-criminal-record certificate, ...), counted once per job and document,
  with the same validity as the staff page (`selectors.employment_findings`): expired when the person
  holds it but no copy is valid today; expiring when one is valid today and none after
  `rules.WARNING_DAYS` (30) days. A missing document is neither (the staff page lists those).
- **Background checks overdue / due**: the last check (未成年人保护法 第62条) is more than a year old,
  or turns a year old within 30 days. A person never checked is counted as missing, not overdue.

How it is computed: one inner query yields a row per current job with a few small per-person
subqueries (each required document's state, training hours met, the last check's state); one outer
GROUP BY counts those rows per child region. The ORM has no derived tables, and without one each
per-person subquery would be repeated inside every aggregate that reads it; so the outer query is
plain SQL over the inner query's named columns, while the inner query (and with it the scoping through
`Institution.objects.for_user`) stays the ORM's. A page is a constant handful of queries whatever the
number of staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import grants_for
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import LEVEL_FIELD
from tuoyu.regions.constants import CODE_LENGTH, SIGNIFICANT_DIGITS
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import widest_region
from tuoyu.training.choices import BaseLevel
from tuoyu.training.rules import hours_rule
from tuoyu.training.selectors import active_bases, annotate_training_hours, base_coverage

from .choices import QualificationKind, StaffRole
from .models import BackgroundCheck, Employment, Qualification
from .ratios import RatioCounts, ratio_breach_counts
from .rules import (
    BACKGROUND_CHECK_RULE,
    EDUCATION_RANK,
    QUALIFICATION_RULES,
    SETTING_STANDARD,
    WARNING_DAYS,
)

# --- definitions as data --------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationRule:
    """What makes a member of staff in `role` count as certified: one valid qualification of `kinds`,
    or (when `or_training_hours`) the role's training hours met."""

    role: str
    kinds: tuple[str, ...]
    or_training_hours: bool
    source: str


CERTIFICATION_RULES: tuple[CertificationRule, ...] = (
    CertificationRule(
        StaffRole.HEAD, (QualificationKind.HEAD_TRAINING,), False, f"{SETTING_STANDARD} 第18条 负责人岗位培训"
    ),
    # No mandatory certificate for caregivers (设置标准 requires training): a 保育师证 (保育师国家职业技能
    # 标准) or the caregiver training hours (training/rules.py) both count.
    CertificationRule(
        StaffRole.CAREGIVER,
        (QualificationKind.CHILDCARE_CERTIFICATE,),
        True,
        f"{SETTING_STANDARD} 第18条; domain_rules.md §1.4, §5.2",
    ),
    CertificationRule(
        StaffRole.HEALTH,
        (QualificationKind.HEALTH_WORKER_TRAINING,),
        False,
        f"{SETTING_STANDARD} 第18、21条 妇幼保健机构组织的卫生保健培训",
    ),
    CertificationRule(
        StaffRole.SECURITY,
        (QualificationKind.SECURITY_CERTIFICATE,),
        False,
        f"{SETTING_STANDARD} 第18条 保安员证",
    ),
)


@dataclass(frozen=True)
class PlanFigure:
    """A figure of the province plan: the 2021 baseline and the 2025 target."""

    indicator: str
    unit: str
    baseline: int
    baseline_year: int
    target: int
    target_text: str
    target_year: int
    source: str


# Copied from the plan's indicator table (shared data plan_indicators.csv, row 6), not read at run time.
WORKFORCE_PLAN = PlanFigure(
    indicator="托育服务从业人员数量",
    unit="人",
    baseline=41_300,
    baseline_year=2021,
    target=70_000,
    target_text="7万左右",
    target_year=2025,
    source="《江苏省“十四五”托育服务发展规划》主要指标 第6项（预期性）",
)

# Document states computed per job and required document (NULL: not held, or not required of the role).
EXPIRED, EXPIRING, VALID = 0, 1, 2

ROLES: tuple[str, ...] = tuple(StaffRole.values)


# --- results --------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """The counts of one region, one institution or a total; every figure adds up over disjoint rows."""

    staff: int = 0
    by_role: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROLES, 0))
    institutions: int = 0  # institutions with current staff
    certified: int = 0
    certified_base: int = 0  # staff in a role that has a certification rule
    trained: int = 0
    trained_base: int = 0  # staff in a role that has a training-hours rule
    documents_expired: int = 0
    documents_expiring: int = 0
    checks_overdue: int = 0
    checks_due: int = 0

    COUNTS = (
        "staff",
        "institutions",
        "certified",
        "certified_base",
        "trained",
        "trained_base",
        "documents_expired",
        "documents_expiring",
        "checks_overdue",
        "checks_due",
    )

    @property
    def caregivers(self) -> int:
        return self.by_role.get(StaffRole.CAREGIVER, 0)

    @property
    def certified_share(self) -> float | None:
        """Percent of staff in certifiable roles who are certified (None: nobody in those roles)."""
        return _share(self.certified, self.certified_base)

    @property
    def trained_share(self) -> float | None:
        return _share(self.trained, self.trained_base)

    @property
    def has_issues(self) -> bool:
        return bool(
            self.documents_expired or self.documents_expiring or self.checks_overdue or self.checks_due
        )

    def add(self, other: Figures) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for role, n in other.by_role.items():
            self.by_role[role] = self.by_role.get(role, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in self.COUNTS},
            "by_role": dict(self.by_role),
            "caregivers": self.caregivers,
            "certified_share": self.certified_share,
            "trained_share": self.trained_share,
        }


@dataclass
class Row:
    """One line of the table: a child region, or (below a township) an institution."""

    name: str
    figures: Figures
    region: Region | None = None
    institution_id: int | None = None
    training_bases: int | None = None  # active bases serving this region (cities and counties only)
    # Classes short of caregivers (设置标准 第20条), counted for supervision; None: no classes recorded.
    ratios: RatioCounts | None = None

    @property
    def code(self) -> str | None:
        return self.region.code if self.region is not None else None


@dataclass
class BaseCoverage:
    """省市县托育实训基地覆盖率 within a region: province/city/county units with an active base."""

    covered: int
    units: int

    @property
    def share(self) -> float | None:
        return _share(self.covered, self.units)


@dataclass
class WorkforceStatistics:
    region: Region
    today: date
    rows: list[Row]
    totals: Figures
    rows_are_institutions: bool
    base_coverage: BaseCoverage
    plan: PlanFigure | None  # the province's baseline and target, at province level only
    definitions: list[tuple[str, str]]  # (what, source) shown under the table
    ratios: RatioCounts | None = None  # classes short of caregivers in the region's operating institutions


# --- the inner query: one row per current job -----------------------------------------------------


def _document_kinds(today: date) -> list[tuple[str, frozenset[str] | None, bool, int | None, str]]:
    """Every kind the statistics read: (kind, roles it is read for (None: all), required of them,
    valid_days, min_education). Required kinds come from rules.QUALIFICATION_RULES; the others only
    from CERTIFICATION_RULES."""
    kinds: dict[str, list[Any]] = {}
    for rule in QUALIFICATION_RULES:
        if rule.effective <= today:
            assert rule.kind not in kinds, "one rule per qualification kind"
            kinds[rule.kind] = [rule.kind, rule.roles, True, rule.valid_days, rule.min_education]
    for cert in CERTIFICATION_RULES:
        for kind in cert.kinds:
            if kind not in kinds:
                kinds[kind] = [kind, frozenset({cert.role}), False, None, ""]
            elif kinds[kind][1] is not None:
                kinds[kind][1] = kinds[kind][1] | {cert.role}
    return [tuple(k) for k in kinds.values()]  # type: ignore[misc]


def _ends_after(day: date, valid_days: int | None) -> Q:
    """Qualifications still valid after `day` (their last valid day is later than `day`)."""
    no_expiry = Q(expires_on__isnull=True)
    if valid_days is not None:
        # Without an expiry date a certificate with a validity period lasts that long after issue.
        no_expiry &= Q(issued_on__gt=day - timedelta(days=valid_days))
    return Q(expires_on__gt=day) | no_expiry


def _documents(kinds: list[tuple[str, Any, bool, int | None, str]], today: date) -> Any:
    """One pass over the person's qualifications giving, for kind number i, one base-4 digit i:
    0 none held, 1 + EXPIRED/EXPIRING/VALID for the best copy held. Decoded by the outer query."""
    soon = today + timedelta(days=WARNING_DAYS)
    code: Any = None
    for index, (kind, _roles, _required, valid_days, min_education) in enumerate(kinds):
        held = Q(kind=kind)
        if min_education:
            need = EDUCATION_RANK[min_education]
            held &= Q(level__in=[level for level, rank in EDUCATION_RANK.items() if rank >= need])
        digit = Max(
            Case(
                When(held & _ends_after(soon, valid_days), then=Value(1 + VALID)),
                When(held & _ends_after(today - timedelta(days=1), valid_days), then=Value(1 + EXPIRING)),
                When(held, then=Value(1 + EXPIRED)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        term = digit * Value(4**index) if index else digit
        code = term if code is None else code + term
    quals = (
        Qualification.objects.filter(person=OuterRef("person_id"), issued_on__lte=today)
        .order_by()
        .values("person_id")
        .annotate(code=code)
        .values("code")[:1]
    )
    return Coalesce(Subquery(quals, output_field=IntegerField()), Value(0))


def _check_state(today: date) -> Subquery:
    """The state of the person's last background check: EXPIRED (overdue), EXPIRING (due in 30 days),
    VALID; NULL when never checked."""
    interval = timedelta(days=BACKGROUND_CHECK_RULE.interval_days)
    soon = today + timedelta(days=WARNING_DAYS)
    last = (
        BackgroundCheck.objects.filter(person=OuterRef("person_id"), checked_on__lte=today)
        .annotate(
            state=Case(
                When(checked_on__lt=today - interval, then=Value(EXPIRED)),
                When(checked_on__lte=soon - interval, then=Value(EXPIRING)),
                default=Value(VALID),
                output_field=IntegerField(),
            )
        )
        .order_by("-checked_on", "-id")
        .values("state")[:1]
    )
    return Subquery(last)


def figures_grouped(jobs: QuerySet[Employment], group: Any, today: date) -> dict[Any, Figures]:
    """Figures per value of `group` (an expression over the job), in one query.

    Inner query (ORM): per job its group `g`, role `r`, institution, the documents code `docs`, 1/0
    for whether the training hours are met `training_met`, the last check's state `chk`. Outer query (SQL):
    conditional sums over those columns, grouped by `g`.
    """
    kinds = _document_kinds(today)
    # training_met: NULL when the role has no hours rule, else whether the credited hours reach it
    # (training/selectors.py, the same ledger as the person's training page).
    jobs = annotate_training_hours(jobs, today)
    annotations: dict[str, Any] = {"g": group, "r": F("role"), "docs": _documents(kinds, today)}
    checks = BACKGROUND_CHECK_RULE.effective <= today
    if checks:
        annotations["chk"] = _check_state(today)
    inner = jobs.order_by().annotate(**annotations).values(*annotations, "institution_id", "training_met")
    inner_sql, inner_params = inner.query.sql_with_params()

    qn = connection.ops.quote_name
    role, docs = qn("r"), qn("docs")
    met = qn("training_met")  # a boolean column: 1/0 on SQLite, true/false on PostgreSQL
    select: list[str] = []
    params: list[Any] = []

    def digit(kind: str) -> str:
        index = next(i for i, k in enumerate(kinds) if k[0] == kind)
        return f"(({docs} / {4**index}) %% 4)"  # %% : a literal % beside the parameters

    def role_in(roles: Any) -> str:
        params.extend(sorted(roles))
        return f"{role} IN ({', '.join(['%s'] * len(roles))})"

    def count(name: str, condition: str) -> None:
        select.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {qn(name)}")

    for value in ROLES:
        count(f"role_{value}", role_in([value]))
    certified = []
    for cert in CERTIFICATION_RULES:
        held = [f"{digit(kind)} >= {1 + EXPIRING}" for kind in cert.kinds]
        if cert.or_training_hours:
            held.append(met)
        certified.append(f"({role_in([cert.role])} AND ({' OR '.join(held)}))")
    count("certified", " OR ".join(certified))
    count("certified_base", role_in({c.role for c in CERTIFICATION_RULES}))
    count("trained", f"{met} IS NOT NULL AND {met}")
    count("trained_base", f"{qn('training_met')} IS NOT NULL")
    for name, state in (("documents_expired", EXPIRED), ("documents_expiring", EXPIRING)):
        terms = []
        for kind, roles, required, _valid_days, _education in kinds:
            if required:
                applies = f"{role_in(roles)} AND " if roles is not None else ""
                terms.append(f"SUM(CASE WHEN {applies}{digit(kind)} = {1 + state} THEN 1 ELSE 0 END)")
        select.append(f"{' + '.join(terms) or '0'} AS {qn(name)}")
    if checks:
        count("checks_overdue", f"{qn('chk')} = {EXPIRED}")
        count("checks_due", f"{qn('chk')} = {EXPIRING}")
    # MATERIALIZED: computed once, not folded into the outer query (which would repeat the per-person
    # subqueries in each SUM that reads their column). SQLite 3.35+ and PostgreSQL 12+.
    # S608: every interpolated piece is a quoted name, a constant or the ORM's own compiled SQL; values
    # travel as parameters.
    sql = (
        f"WITH {qn('jobs')} AS MATERIALIZED ({inner_sql}) "  # noqa: S608
        f"SELECT {qn('g')}, COUNT(*) AS {qn('staff')}, COUNT(DISTINCT {qn('institution_id')}) AS "
        f"{qn('institutions')}, {', '.join(select)} FROM {qn('jobs')} GROUP BY {qn('g')}"
    )
    result: dict[Any, Figures] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, *params])
        names = [c[0] for c in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            figures = Figures(by_role={r: int(row[f"role_{r}"] or 0) for r in ROLES})
            for name in Figures.COUNTS:
                if name in row:
                    setattr(figures, name, int(row[name] or 0))
            result[row["g"]] = figures
    return result


# --- selectors ------------------------------------------------------------------------------------


def may_see_statistics(user: Any) -> bool:
    """Officials with a region grant (or everything); institution staff and parents may not."""
    grants = grants_for(user, "view")
    return bool(grants.everything or grants.region_ranges)


def default_region(user: Any) -> Region | None:
    """The official's widest granted region (a national observer's: the first province)."""
    return widest_region(grants_for(user, "view"))


def visible_jobs(user: Any, region: Region) -> QuerySet[Employment]:
    """Current jobs at institutions in `region` the user may view."""
    lo, hi = region.subtree_bounds()
    institutions = Institution.objects.for_user(user, "view").filter(township_id__gte=lo, township_id__lte=hi)
    return Employment.objects.open().filter(institution__in=institutions.values("pk"))


def _base_coverage(region: Region, today: date) -> tuple[BaseCoverage, dict[str, int]]:
    """Training bases in the region's subtree (training/selectors.py): coverage of its province, city
    and county units, and the number of active bases per region code (two queries)."""
    lo, hi = region.subtree_bounds()
    rows = base_coverage(within=region, today=today)
    bases = dict(
        active_bases(today)
        .filter(region_id__gte=lo, region_id__lte=hi)
        .order_by()
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    return BaseCoverage(covered=sum(r.covered for r in rows), units=sum(r.regions for r in rows)), bases


def _definitions(province: str, today: date) -> list[tuple[str, str]]:
    labels = dict(StaffRole.choices)
    items = []
    for rule in CERTIFICATION_RULES:
        kinds = " / ".join(str(QualificationKind(k).label) for k in rule.kinds)
        if rule.or_training_hours:
            kinds = _("{kinds} or the training hours").format(kinds=kinds)
        items.append((_("Certified {role}: {what}").format(role=labels[rule.role], what=kinds), rule.source))
    for role in ROLES:
        hours = hours_rule(role, province, today)
        if hours is not None:
            items.append(
                (
                    _("Trained {role}: at least {hours} credit hours").format(
                        role=labels[role], hours=f"{hours.min_hours:g}"
                    ),
                    hours.source if hours.verified else f"{hours.source} · {_('figure not verified')}",
                )
            )
    return items


def workforce_statistics(user: Any, region: Region, today: date | None = None) -> WorkforceStatistics:
    """The workforce of `region` as the user may see it: one row per child region (per institution
    below a township) and the totals. About five queries whatever the number of staff.

    The caller checks that the user may see statistics and the region (`may_see_statistics`,
    `grants_for(user, "view").covers_code`); the figures count only institutions the user may view.
    """
    today = today or timezone.localdate()
    province = region.code[:2]
    jobs = visible_jobs(user, region)
    child_level = region.child_level
    column = LEVEL_FIELD.get(child_level or "")
    rows: list[Row] = []
    coverage, bases = _base_coverage(region, today)
    lo, hi = region.subtree_bounds()
    institutions = Institution.objects.for_user(user, "view").filter(township_id__gte=lo, township_id__lte=hi)
    ratios = ratio_breach_counts(institutions.operating(), group_by=column or "institution", today=today)
    if column:
        figures = figures_grouped(jobs, F(f"institution__{column}"), today)
        for child in region.children.order_by("code"):
            rows.append(
                Row(
                    name=child.name,
                    region=child,
                    figures=figures.pop(child.code, Figures()),
                    training_bases=bases.get(child.code, 0) if child.level in BaseLevel.values else None,
                    ratios=ratios.get(child.code),
                )
            )
    else:
        # A township: one row per institution the user may view there, with or without staff.
        figures = figures_grouped(jobs, F("institution_id"), today)
        for pk, name in institutions.order_by("name", "id").values_list("pk", "name"):
            rows.append(
                Row(name=name, institution_id=pk, figures=figures.pop(pk, Figures()), ratios=ratios.get(pk))
            )
    ratio_totals = RatioCounts(
        *(sum(getattr(r, name) for r in ratios.values()) for name in RatioCounts.__dataclass_fields__)
    )
    totals = Figures()
    for row in rows:
        totals.add(row.figures)
    for rest in figures.values():  # staff of institutions filed under no listed child (bad data)
        totals.add(rest)
    return WorkforceStatistics(
        region=region,
        today=today,
        rows=rows,
        totals=totals,
        rows_are_institutions=not column,
        base_coverage=coverage,
        plan=WORKFORCE_PLAN if region.level == "province" else None,
        definitions=_definitions(province, today),
        ratios=ratio_totals,
    )


@dataclass
class InstitutionIssues:
    """An institution with expired or expiring documents or overdue checks (the export's second sheet)."""

    institution_id: int
    name: str
    county: str
    township: str
    figures: Figures


def institutions_with_issues(user: Any, region: Region, today: date | None = None) -> list[InstitutionIssues]:
    """Institutions in `region` the user may view whose staff have expired or expiring documents or
    overdue or due checks, by county and name (two queries)."""
    today = today or timezone.localdate()
    figures = figures_grouped(visible_jobs(user, region), F("institution_id"), today)
    flagged = {pk: f for pk, f in figures.items() if f.has_issues}
    names = (
        Institution.objects.filter(pk__in=list(flagged))
        .order_by("county_id", "township_id", "name", "id")
        .values_list("pk", "name", "county__name", "township__name")
    )
    return [
        InstitutionIssues(pk, name, county, township, flagged[pk]) for pk, name, county, township in names
    ]


# --- for the planning indicators ------------------------------------------------------------------


@dataclass(frozen=True)
class RegionWorkforce:
    staff: int
    caregivers: int


NO_WORKFORCE = RegionWorkforce(0, 0)


def workforce_totals_by_region(level: str, *, user: Any = None) -> dict[str, RegionWorkforce]:
    """Current staff and caregivers for every region of `level` ("province", "city", "county",
    "township") that has staff, keyed by region code, in one query: `.get(code, NO_WORKFORCE)` for
    regions without staff.

    `user=None` counts every institution (the published indicator 托育服务从业人员数量, no personal data);
    with a user, only institutions that user may view.
    """
    if level not in SIGNIFICANT_DIGITS or level == "community":
        raise ValueError(f"not an institution level: {level}")
    institutions = Institution.objects.all() if user is None else Institution.objects.for_user(user, "view")
    column = LEVEL_FIELD.get(level)
    if column:
        group: Any = F(f"institution__{column}")
    else:
        digits = SIGNIFICANT_DIGITS[level]
        group = Concat(Substr("institution__township_id", 1, digits), Value("0" * (CODE_LENGTH - digits)))
    rows = (
        Employment.objects.open()
        .filter(institution__in=institutions.values("pk"))
        .order_by()
        .annotate(code=group)
        .values("code")
        .annotate(staff=Count("id"), caregivers=Count("id", filter=Q(role=StaffRole.CAREGIVER)))
        .values_list("code", "staff", "caregivers")
    )
    return {code: RegionWorkforce(staff, caregivers) for code, staff, caregivers in rows}
