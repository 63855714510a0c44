"""Demo data the plan indicators need that no other generator makes: `manage.py demo_planning --seed 1`.

Run after `demo_data` (institutions, community points, synthetic county populations) and, for the
workforce and training indicators, `demo_staff` and `demo_training`. Adds:

- new residential projects: 3–6 per county (市辖区/县/县级市), in its subdistricts and towns, a mix of
  homes delivered or not, with a childcare facility delivered, accepted, built, planned, or none;
- demonstration (示范性) designations: one operating centre in about four counties of five
  ("一县区一示范" still has gaps to show);
- comprehensive service centre (托育综合服务中心) designations: the largest operating public centre in
  ten of the thirteen cities;
- a monthly history of indicator snapshots (`demo_indicator_history`): the 1st of each of the last 24
  months, computed from the institutions' operating dates, so the dashboard's trends have something
  to show. These dates follow today (snapshots cannot be in the future); the records above do not.

Everything is drawn from one ``random.Random(seed)`` while walking regions in code order and
institutions by credit code, against the fixed `REFERENCE_DATE` (never today), so a seed always gives
the same data. Idempotent: each part is skipped if such records already exist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

from django.db import transaction
from django.db.models import Q

from tuoyu.institutions.choices import (
    DesignationKind,
    DesignationLevel,
    FilingStatus,
    InstitutionType,
    OperatingStatus,
    Ownership,
)
from tuoyu.institutions.models import Designation, Institution
from tuoyu.regions.choices import RegionKind
from tuoyu.regions.models import Region

from .choices import FacilityStatus
from .models import ResidentialProject

REFERENCE_DATE = date(2026, 11, 1)
PROJECTS_PER_COUNTY = (3, 6)
DEMONSTRATION_SHARE = 0.8  # of counties with a demonstration institution
SERVICE_CENTRE_CITIES = 10  # of 13
PROVINCE_COMMISSION = "江苏省卫生健康委员会"
COUNTY_KINDS = (RegionKind.DISTRICT, RegionKind.COUNTY, RegionKind.COUNTY_CITY)
ESTATE_WORDS = ("锦绣", "翠湖", "御景", "星河", "金域", "滨江", "书香", "云栖", "澜岸", "世纪", "阳光",
                "紫薇", "玉兰", "银杏", "香樟", "和园")  # fmt: skip
ESTATE_SUFFIXES = ("花园", "家园", "华庭", "雅苑", "名邸", "府", "公馆", "新城")
DEVELOPERS = ("城建置业", "安居集团", "城投地产", "华润置地", "中海地产", "保利发展", "万科企业", "招商蛇口")


@dataclass
class DemoPlanningSummary:
    projects: int
    demonstration: int
    service_centres: int


def _stem(name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def _project(rng: random.Random, township: Region, county_code: str, name: str) -> ResidentialProject:
    homes = rng.randrange(300, 3001, 10)
    project = ResidentialProject(
        county_id=county_code,
        township=township,
        name=name,
        developer=f"{_stem(township.name)}{rng.choice(DEVELOPERS)}",
        homes=homes,
    )
    delivered = rng.random() < 0.55
    facility = rng.random() < (0.75 if delivered else 0.8)
    if delivered:
        project.delivered_on = _day(rng, date(2021, 6, 1), REFERENCE_DATE - timedelta(days=40))
    if not facility:
        return project
    project.has_childcare_facility = True
    project.facility_places = min(200, max(20, round(homes * rng.uniform(0.03, 0.06) / 10) * 10))
    planned = (project.delivered_on or REFERENCE_DATE) - timedelta(days=rng.randrange(700, 1200))
    project.facility_planned_on = planned
    project.facility_status = FacilityStatus.PLANNED
    if project.delivered_on is None:
        if rng.random() < 0.5:
            project.facility_built_on = _day(rng, planned + timedelta(days=200), REFERENCE_DATE)
            project.facility_status = FacilityStatus.BUILT
        return project
    # Homes delivered: most facilities were delivered with them, some only accepted, a few still lag.
    step = rng.choices(
        [FacilityStatus.DELIVERED, FacilityStatus.ACCEPTED, FacilityStatus.BUILT], weights=[65, 20, 15]
    )[0]
    project.facility_built_on = project.delivered_on - timedelta(days=rng.randrange(90, 300))
    project.facility_status = step
    if step in (FacilityStatus.ACCEPTED, FacilityStatus.DELIVERED):
        project.facility_accepted_on = project.delivered_on - timedelta(days=rng.randrange(0, 60))
    if step == FacilityStatus.DELIVERED:
        project.facility_delivered_on = project.delivered_on + timedelta(days=rng.randrange(0, 30))
    return project


def _projects(rng: random.Random) -> list[ResidentialProject]:
    counties = list(Region.objects.filter(level="county", kind__in=COUNTY_KINDS).order_by("code"))
    townships: dict[str, list[Region]] = {}
    for township in Region.objects.filter(
        level="township", kind__in=[RegionKind.SUBDISTRICT, RegionKind.TOWN]
    ).order_by("code"):
        townships.setdefault(str(township.parent_id), []).append(township)
    projects: list[ResidentialProject] = []
    for county in counties:
        candidates = townships.get(county.code, [])
        if not candidates:
            continue
        used: set[tuple[str, str]] = set()
        for _ in range(rng.randint(*PROJECTS_PER_COUNTY)):
            township = rng.choice(candidates)
            name = f"{_stem(township.name)}{rng.choice(ESTATE_WORDS)}{rng.choice(ESTATE_SUFFIXES)}"
            if (township.code, name) in used:
                continue
            used.add((township.code, name))
            projects.append(_project(rng, township, county.code, name))
    return projects


def _eligible() -> Q:
    return Q(status=OperatingStatus.OPERATING, filing_status=FilingStatus.FILED) & ~Q(
        type=InstitutionType.FAMILY
    )


def _demonstration(rng: random.Random) -> list[Designation]:
    """The largest filed centre of about four counties in five, designated at city or province level."""
    best: dict[str, Institution] = {}
    for institution in (
        Institution.objects.filter(_eligible(), county__kind__in=COUNTY_KINDS)
        .select_related("city")
        .order_by("county_id", "-places", "uscc")
    ):
        best.setdefault(str(institution.county_id), institution)
    designations = []
    for county_code in sorted(best):
        if rng.random() >= DEMONSTRATION_SHARE:
            continue
        institution = best[county_code]
        province = rng.random() < 0.3
        designations.append(
            Designation(
                institution=institution,
                kind=DesignationKind.DEMONSTRATION,
                level=DesignationLevel.PROVINCE if province else DesignationLevel.CITY,
                granted_on=_day(rng, date(2022, 3, 1), date(2025, 12, 1)),
                granted_by=PROVINCE_COMMISSION if province else f"{institution.city.name}卫生健康委员会",
            )
        )
    return designations


def _service_centres(rng: random.Random) -> list[Designation]:
    """The largest public centre (else the largest centre) of ten cities in thirteen."""
    best: dict[str, Institution] = {}
    for institution in (
        Institution.objects.filter(_eligible()).select_related("city").order_by("city_id", "-places", "uscc")
    ):
        current = best.get(str(institution.city_id))
        if current is None or (
            current.ownership != Ownership.PUBLIC and institution.ownership == Ownership.PUBLIC
        ):
            best[str(institution.city_id)] = institution
    cities = sorted(best)
    chosen = sorted(rng.sample(cities, min(SERVICE_CENTRE_CITIES, len(cities))))
    return [
        Designation(
            institution=best[code],
            kind=DesignationKind.SERVICE_CENTRE,
            level=DesignationLevel.CITY,
            granted_on=_day(rng, date(2023, 1, 1), date(2025, 12, 1)),
            granted_by=f"{best[code].city.name}卫生健康委员会",
        )
        for code in chosen
    ]


@transaction.atomic
def demo_planning_generate(*, seed: int, stdout: TextIO | None = None) -> DemoPlanningSummary:
    """Add the planning demo records that are missing (see the module docstring)."""
    rng = random.Random(seed * 1_000_003 + 61)
    summary = DemoPlanningSummary(0, 0, 0)
    # Each part draws from its own generator so that skipping one does not change the others.
    if not ResidentialProject.objects.exists():
        projects = _projects(random.Random(rng.random()))
        for project in projects:
            project.full_clean(exclude=["county"])  # the rules the service enforces, in bulk
        ResidentialProject.objects.bulk_create(projects, batch_size=1000)
        summary.projects = len(projects)
    parts = (
        (DesignationKind.DEMONSTRATION, _demonstration, "demonstration"),
        (DesignationKind.SERVICE_CENTRE, _service_centres, "service_centres"),
    )
    for kind, make, attribute in parts:
        part_rng = random.Random(rng.random())
        if Designation.objects.filter(kind=kind).exists():
            continue
        designations = make(part_rng)
        for designation in designations:
            designation.full_clean()
        Designation.objects.bulk_create(designations)
        setattr(summary, attribute, len(designations))
    if stdout is not None:
        stdout.write(
            f"Planning demo: {summary.projects} residential projects, {summary.demonstration} demonstration "
            f"and {summary.service_centres} service-centre designations added.\n"
        )
    return summary


HISTORY_MONTHS = 24


def history_dates(today: date, months: int = HISTORY_MONTHS) -> list[date]:
    """The 1st of each of the last `months` months up to today, oldest first (today's 1st included)."""
    index = today.year * 12 + today.month - 1
    return [date((i) // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def demo_indicator_history(
    *, today: date, months: int = HISTORY_MONTHS, stdout: TextIO | None = None
) -> list[date]:
    """Store the snapshots of the monthly dates that have none yet; returns the dates computed."""
    from .models import IndicatorSnapshot
    from .services import indicators_recompute

    province = Region.objects.filter(level="province").order_by("code").first()
    if province is None:
        return []
    wanted = history_dates(today, months)
    have = set(
        IndicatorSnapshot.objects.filter(region=province, as_of__in=wanted).values_list("as_of", flat=True)
    )
    done = []
    for day in wanted:
        if day in have:
            continue
        result = indicators_recompute(as_of=day)
        done.append(day)
        if stdout is not None:
            stdout.write(f"  snapshot {day}: {result.rows} rows in {result.seconds:.2f} s\n")
    return done
