"""Writes to the administrative tree: loading division codes and population figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from tuoyu.core.audit import audit
from tuoyu.core.imports import ImportFailed, RowError, read_csv

from .choices import KIND_FROM_CHINESE, PointSource, RegionKind, RegionLevel
from .constants import CODE_LENGTH, LEVEL_ORDER, PARENT_LEVEL, SIGNIFICANT_DIGITS
from .models import Region, RegionPopulation

DATA_DIR = Path(__file__).resolve().parent / "data"
JIANGSU_FILES = [DATA_DIR / "jiangsu_divisions.csv", DATA_DIR / "jiangsu_communities.csv"]
JIANGSU_POPULATION = DATA_DIR / "jiangsu_population.csv"


@dataclass
class LoadReport:
    """What a load changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "{created} created, {updated} updated, {unchanged} unchanged, "
            "{missing} in the database but not in the file"
        ).format(
            created=len(self.created),
            updated=len(self.updated),
            unchanged=self.unchanged,
            missing=len(self.not_in_file),
        )


def _parse_region_rows(
    rows: list[tuple[int, dict[str, str]]], known: dict[str, tuple[str, str]]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Validate division rows against each other and the regions already known (code → (level, parent))."""
    errors: list[RowError] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    levels_in_file: dict[str, str] = {}
    for number, row in rows:
        code = row.get("code", "")
        if not (len(code) == CODE_LENGTH and code.isdigit()):
            errors.append(
                RowError(number, "code", _("“{code}” is not a 12-digit division code.").format(code=code))
            )
            continue
        if code in seen:
            errors.append(
                RowError(
                    number,
                    "code",
                    _("Duplicate code {code} (first on row {row}).").format(code=code, row=seen[code]),
                )
            )
            continue
        seen[code] = number
        if "township_code" in row:  # the community file: code,name,township_code,kind
            level, parent_code = RegionLevel.COMMUNITY.value, row["township_code"]
        else:
            level, parent_code = row.get("level", ""), row.get("parent_code", "")
        if level not in SIGNIFICANT_DIGITS:
            errors.append(RowError(number, "level", _("Unknown level “{level}”.").format(level=level)))
            continue
        levels_in_file[code] = level
        parsed.append(
            {
                "row": number,
                "code": code,
                "name": row.get("name", ""),
                "level": level,
                "parent_code": parent_code,
                "kind": row.get("kind", ""),
            }
        )

    for item in parsed:
        number, code, level, parent_code = item["row"], item["code"], item["level"], item["parent_code"]
        if not item["name"]:
            errors.append(RowError(number, "name", _("The name is empty.")))
        kind = KIND_FROM_CHINESE.get(item["kind"], item["kind"])
        if kind not in RegionKind.values:
            errors.append(RowError(number, "kind", _("Unknown kind “{kind}”.").format(kind=item["kind"])))
        item["kind"] = kind
        digits = SIGNIFICANT_DIGITS[level]
        if code[digits:].strip("0"):
            errors.append(
                RowError(
                    number,
                    "code",
                    _("A {level} code must end in {n} zeros.").format(
                        level=RegionLevel(level).label.lower(), n=CODE_LENGTH - digits
                    ),
                )
            )
        if level == RegionLevel.PROVINCE:
            if parent_code:
                errors.append(RowError(number, "parent_code", _("A province has no parent.")))
            item["parent_code"] = None
            continue
        parent_level = levels_in_file.get(parent_code) or (known.get(parent_code) or (None,))[0]
        if parent_level is None:
            errors.append(
                RowError(
                    number, "parent_code", _("Unknown parent code {code}.").format(code=parent_code or "-")
                )
            )
        elif parent_level != PARENT_LEVEL[level]:
            errors.append(
                RowError(
                    number,
                    "parent_code",
                    _("The parent of a {level} must be a {parent}, not a {found}.").format(
                        level=RegionLevel(level).label.lower(),
                        parent=RegionLevel(PARENT_LEVEL[level]).label.lower(),
                        found=RegionLevel(parent_level).label.lower(),
                    ),
                )
            )
        elif code[: SIGNIFICANT_DIGITS[parent_level]] != parent_code[: SIGNIFICANT_DIGITS[parent_level]]:
            # The code prefix is what makes subtree queries a range scan, so it must hold.
            errors.append(
                RowError(
                    number,
                    "code",
                    _("Code {code} does not start with its parent's code {parent}.").format(
                        code=code, parent=parent_code
                    ),
                )
            )
    return parsed, errors


@transaction.atomic
def regions_load(*, sources: Iterable[str | Path | IO[bytes]], actor: Any = None) -> LoadReport:
    """Load division codes from CSV files, all or nothing; loading the same files again changes nothing."""
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    for source in sources:
        try:
            first = read_csv(source, ["code", "name", "kind"])
        except ImportFailed as exc:
            errors.extend(exc.errors)
            continue
        header = set(first[0][1])
        if "township_code" not in header and not {"level", "parent_code"} <= header:
            errors.append(
                RowError(
                    1,
                    "level",
                    _("Columns must be code,name,level,parent_code,kind or code,name,township_code,kind."),
                )
            )
        rows.extend(first)
    if errors:
        raise ImportFailed(errors)

    existing: dict[str, dict[str, Any]] = {
        r["code"]: dict(r) for r in Region.objects.values("code", "name", "level", "kind", "parent_id")
    }
    known = {c: (r["level"], r["parent_id"]) for c, r in existing.items()}
    parsed, errors = _parse_region_rows(rows, known)
    if errors:
        raise ImportFailed(errors)

    report = LoadReport()
    to_create: list[Region] = []
    to_update: list[Region] = []
    for item in sorted(parsed, key=lambda i: LEVEL_ORDER.index(i["level"])):
        values = {
            "name": item["name"],
            "level": item["level"],
            "kind": item["kind"],
            "parent_id": item["parent_code"],
        }
        old = existing.get(item["code"])
        if old is None:
            to_create.append(Region(code=item["code"], **values))
            report.created.append(item["code"])
        elif any(old[k] != v for k, v in values.items()):
            to_update.append(Region(code=item["code"], **values))
            report.updated.append(item["code"])
        else:
            report.unchanged += 1
    # Parents first: bulk_create in level order keeps foreign keys valid on PostgreSQL too.
    Region.objects.bulk_create(to_create, batch_size=2000)
    Region.objects.bulk_update(to_update, ["name", "level", "kind", "parent_id"], batch_size=2000)

    file_codes = {i["code"] for i in parsed}
    file_levels = {i["level"] for i in parsed}
    provinces = {i["code"][:2] for i in parsed}
    report.not_in_file = sorted(
        c
        for c, r in existing.items()
        if c not in file_codes and r["level"] in file_levels and c[:2] in provinces
    )
    if report.created or report.updated:
        audit(
            actor=actor,
            action="regions.load",
            detail={"created": len(report.created), "updated": len(report.updated)},
        )
    return report


@transaction.atomic
def regions_set_boundary_points(*, actor: Any = None) -> int:
    """Give county-level regions a representative point from the boundary file (for maps)."""
    from .geo import get_boundaries

    boundaries = get_boundaries()
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY, code__in=boundaries.codes()))
    changed = []
    for region in counties:
        geom = boundaries.geometry(region.code)
        if geom is None:
            continue
        point = geom.representative_point()
        lng, lat = round(point.x, 5), round(point.y, 5)
        if (region.lng, region.lat, region.point_source) != (lng, lat, PointSource.BOUNDARY):
            region.lng, region.lat, region.point_source = lng, lat, PointSource.BOUNDARY
            changed.append(region)
    Region.objects.bulk_update(changed, ["lat", "lng", "point_source"])
    return len(changed)


@transaction.atomic
def population_load(
    *, source: str | Path | IO[bytes], default_source: str = "", actor: Any = None
) -> LoadReport:
    """Load resident population figures (code,year,population[,source]) all or nothing, idempotently."""
    rows = read_csv(source, ["code", "year", "population"])
    known = set(Region.objects.filter(code__in=[r["code"] for _n, r in rows]).values_list("code", flat=True))
    errors: list[RowError] = []
    seen: dict[tuple[str, int], int] = {}
    parsed: list[tuple[str, int, int, str]] = []
    for number, row in rows:
        code = row["code"]
        if code not in known:
            errors.append(RowError(number, "code", _("Unknown region code {code}.").format(code=code or "-")))
        try:
            year = int(row["year"])
            if not 1949 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors.append(RowError(number, "year", _("“{value}” is not a year.").format(value=row["year"])))
            continue
        try:
            population = int(row["population"].replace(",", ""))
            if population <= 0:
                raise ValueError
        except ValueError:
            errors.append(
                RowError(
                    number,
                    "population",
                    _("“{value}” is not a positive whole number.").format(value=row["population"]),
                )
            )
            continue
        if (code, year) in seen:
            errors.append(
                RowError(
                    number,
                    "code",
                    _("Duplicate figure for {code} in {year} (first on row {row}).").format(
                        code=code, year=year, row=seen[(code, year)]
                    ),
                )
            )
            continue
        seen[(code, year)] = number
        source_text = row.get("source") or default_source
        if not source_text:
            errors.append(
                RowError(
                    number, "source", _("Say where the figure comes from (a source column or --source).")
                )
            )
        parsed.append((code, year, population, source_text[:200]))
    if errors:
        raise ImportFailed(errors)

    existing = {(p.region_id, p.year): p for p in RegionPopulation.objects.filter(region_id__in=known)}
    report = LoadReport()
    to_create, to_update = [], []
    for code, year, population, source_text in parsed:
        old = existing.get((code, year))
        if old is None:
            to_create.append(
                RegionPopulation(region_id=code, year=year, population=population, source=source_text)
            )
            report.created.append(f"{code}/{year}")
        elif (old.population, old.source) != (population, source_text):
            old.population, old.source = population, source_text
            to_update.append(old)
            report.updated.append(f"{code}/{year}")
        else:
            report.unchanged += 1
    for obj in to_create:
        obj.full_clean(validate_unique=False)
    RegionPopulation.objects.bulk_create(to_create, batch_size=2000)
    RegionPopulation.objects.bulk_update(to_update, ["population", "source"], batch_size=2000)
    if report.created or report.updated:
        audit(
            actor=actor,
            action="population.load",
            detail={"created": len(report.created), "updated": len(report.updated)},
        )
    return report


def regions_load_jiangsu(*, actor: Any = None) -> tuple[LoadReport, LoadReport]:
    """Load the Jiangsu tree and its census population shipped with the project."""
    with transaction.atomic():
        regions = regions_load(sources=JIANGSU_FILES, actor=actor)
        population = population_load(source=JIANGSU_POPULATION, actor=actor)
        regions_set_boundary_points(actor=actor)
    return regions, population


@transaction.atomic
def regions_set_points(*, points: Sequence[tuple[str, float, float]], source: str) -> int:
    """Set representative points (code, lng, lat) on many regions at once.

    One prepared UPDATE run for every row (executemany): Django's bulk_update builds a CASE
    expression per batch, which took ten seconds for the province's 23,000 township and community points.
    """
    if source not in PointSource.values:
        raise ValueError(f"unknown point source {source!r}")
    table = connection.ops.quote_name(Region._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET lat = %s, lng = %s, point_source = %s WHERE code = %s",  # noqa: S608 - table name from model meta
            [(lat, lng, source, code) for code, lng, lat in points],
        )
    return len(points)
