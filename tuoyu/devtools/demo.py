"""The demo-data generator: a synthetic but plausible Jiangsu childcare landscape.

Two scales:

* ``province`` rebuilds the plan's 2021 baseline (``shared/data/jiangsu/plan_baseline_2021.csv``):
  4,423 operating institutions with 221,000 places (2.6 per 1,000 of the 2020 census population
  84,748,016), 187 of them province-level inclusive (普惠), spread over the 13 cities in proportion
  to their census population, plus a few preparing and closed ones so every status appears.
* ``small`` keeps the whole tree but puts three operating institutions in each county-level unit of
  南京市 only: enough for clicking through the pages, fast enough for tests.

Everything is drawn from one ``random.Random(seed)`` while walking regions in code order, so a seed
always gives the same names, codes, places and points. Nothing depends on database ids or on the
iteration order of sets.

What is invented, and marked as such: county-level population figures (``SYNTHETIC_POPULATION_SOURCE``),
township and community points (``PointSource.SYNTHETIC``), and of course every institution and login.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TextIO, cast

import shapely
from django.db import transaction
from django.db.models import Count, Field, ProtectedError, Q, Sum

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import User
from tuoyu.accounts.services import role_assign
from tuoyu.core.audit import audit
from tuoyu.core.validators import USCC_CHARSET, uscc_check_char
from tuoyu.institutions.choices import FilingStatus, InstitutionType, OperatingStatus, Ownership
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services import institutions_bulk_create
from tuoyu.regions.choices import PointSource, RegionKind, RegionLevel
from tuoyu.regions.constants import subtree_bounds
from tuoyu.regions.geo import CountyBoundaries, get_boundaries
from tuoyu.regions.models import Region, RegionPopulation
from tuoyu.regions.services import regions_load_jiangsu, regions_set_points

from .progress import ProgressBar

# --- Fixed inputs -------------------------------------------------------------------------------

PROVINCE_CODE = "320000000000"  # 江苏省
NANJING_CODE = "320100000000"  # 南京市
XUANWU_CODE = "320102000000"  # 南京市玄武区
JIANGNING_CODE = "320115000000"  # 南京市江宁区

POPULATION_YEAR = 2020  # the 7th national census, the plan's denominator
# Marks the county rows this generator writes: demo-only, and how they were made. --reset deletes
# exactly these rows, so the text must not change without a migration of old demo databases.
SYNTHETIC_POPULATION_SOURCE = "演示数据：按乡镇数拆分的合成人口（非官方数据）"

# Within a county, how strongly each kind of township attracts institutions: urban subdistricts
# most, rural townships least, parks, farms and the like (其他) hardly.
TOWNSHIP_KIND_WEIGHTS: dict[str, float] = {
    RegionKind.SUBDISTRICT: 3.0,
    RegionKind.TOWN: 2.0,
    RegionKind.TOWNSHIP: 1.0,
    RegionKind.OTHER: 0.5,
}

# Shares in percent, in a fixed order (largest-remainder ties go to the earlier entry).
TYPE_SHARES: tuple[tuple[str, int], ...] = (
    (InstitutionType.PRIVATE_RUN, 55),
    (InstitutionType.KINDERGARTEN, 20),
    (InstitutionType.COMMUNITY, 10),
    (InstitutionType.FAMILY, 7),
    (InstitutionType.EMPLOYER, 5),
    (InstitutionType.MEDICAL, 3),
)
FILING_SHARES: tuple[tuple[str, int], ...] = (
    (FilingStatus.FILED, 93),
    (FilingStatus.PENDING, 4),
    (FilingStatus.NONCOMPLIANT, 1),
    (FilingStatus.NOT_FILED, 2),
)
# Chance of public ownership by type; overall about 8 % (the plan: over 90 % private).
PUBLIC_PROBABILITY: dict[str, float] = {
    InstitutionType.PRIVATE_RUN: 0.01,
    InstitutionType.KINDERGARTEN: 0.20,
    InstitutionType.COMMUNITY: 0.30,
    InstitutionType.FAMILY: 0.0,
    InstitutionType.EMPLOYER: 0.05,
    InstitutionType.MEDICAL: 0.15,
}
# Median places by type before scaling; places are lognormal (a few large centres, many small).
PLACES_MEDIAN: dict[str, float] = {
    InstitutionType.PRIVATE_RUN: 52,
    InstitutionType.KINDERGARTEN: 35,
    InstitutionType.COMMUNITY: 40,
    InstitutionType.EMPLOYER: 60,
    InstitutionType.MEDICAL: 50,
}
PLACES_SIGMA = 0.5
PLACES_RAW_RANGE = (15, 200)
FAMILY_PLACES_RANGE = (3, 5)
MIN_PLACES_AFTER_SCALING = 10
# Weights for choosing which filed institutions of a city are inclusive.
INCLUSIVE_WEIGHT_PUBLIC = 3.0
INCLUSIVE_WEIGHT_BY_TYPE: dict[str, float] = {
    InstitutionType.KINDERGARTEN: 2.0,
    InstitutionType.COMMUNITY: 2.0,
}


@dataclass(frozen=True)
class Scale:
    """How much to generate and where."""

    name: str
    city_codes: tuple[str, ...] | None  # None: every city
    operating: int | None  # spread over cities by census population...
    per_county: int | None  # ...or this many in every county-level unit
    places_total: int | None  # operating places scaled to exactly this; None keeps the drawn values
    inclusive: int
    preparing: int
    closed: int


SCALES: dict[str, Scale] = {
    # plan_baseline_2021.csv: 4423 institutions, 221000 places, 187 province-level inclusive.
    "province": Scale(
        "province",
        None,
        operating=4423,
        per_county=None,
        places_total=221_000,
        inclusive=187,
        preparing=40,
        closed=15,
    ),
    "small": Scale(
        "small",
        (NANJING_CODE,),
        operating=None,
        per_county=3,
        places_total=None,
        inclusive=3,
        preparing=2,
        closed=1,
    ),
}

# When the demo institutions started operating: more each year, so the number operating grows and a
# past date (the plan's 2021 baseline) shows fewer than today. Inclusive and public ones opened before
# their designations (2021 and 2020, `fill_demo_records`). Closed ones opened 2016–2023 and closed at
# least a year later. All before the demo's fixed reference date, so today's figures are the baseline.
OPENING_YEAR_WEIGHTS: tuple[tuple[int, int], ...] = (
    (2016, 3), (2017, 4), (2018, 6), (2019, 8), (2020, 10), (2021, 12),
    (2022, 12), (2023, 12), (2024, 12), (2025, 11), (2026, 10),
)  # fmt: skip
LATEST_OPENING = date(2026, 10, 31)  # the day before the demo's reference date (2026-11-01)


def draw_operating_dates(
    rng: random.Random, status: str, designated_from: int | None
) -> tuple[date | None, date | None]:
    """(operating_since, closed_on) of one demo institution; preparing ones have neither."""
    if status == OperatingStatus.PREPARING:
        return None, None
    last_year = 2023 if status == OperatingStatus.CLOSED else LATEST_OPENING.year
    if designated_from is not None:
        last_year = min(last_year, designated_from - 1)
    years = [(y, w) for y, w in OPENING_YEAR_WEIGHTS if y <= last_year] or [OPENING_YEAR_WEIGHTS[0]]
    year = rng.choices([y for y, _ in years], weights=[w for _, w in years])[0]
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), LATEST_OPENING)
    since = start + timedelta(days=rng.randrange((end - start).days + 1))
    if status != OperatingStatus.CLOSED:
        return since, None
    earliest = since + timedelta(days=365)
    closed = earliest + timedelta(days=rng.randrange(max(1, (LATEST_OPENING - earliest).days + 1)))
    return since, min(closed, LATEST_OPENING)


# --- Word lists for names and addresses ---------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one space-separated string (compact, and stable under the formatter)."""
    return tuple(text.split())


BRAND_WORDS = _words(
    "小太阳 贝贝 童趣 爱心 阳光 星星 彩虹 蒲公英 小橡树 晨曦 启航 金色摇篮 小天使 乐童 育苗 向日葵 "
    "小蜜蜂 七色花 禾苗 童心 蓝天 爱贝 小海豚 小树苗 新芽 萌芽 春蕾 朵朵 童乐 嘉禾 悦宝 启蒙 "
    "小白兔 月亮船 暖阳 安安 快乐宝贝 小脚丫 贝乐 葡萄树 初心 好孩子 小橘灯 青苗 雏鹰 百灵鸟 "
    "小鹿 云朵 麦田 小象 满天星 花蕾 哈哈 乐贝 睿宝 伊顿 爱弥尔 童年 凯蒂 小牛顿 宝宝树 三叶草 "
    "金苹果 银杏"
)
SUFFIX_BY_TYPE: dict[str, tuple[str, ...]] = {
    InstitutionType.PRIVATE_RUN: _words("托育中心 托育园 婴幼儿托育中心 托育服务中心 托育园 早教托育中心"),
    InstitutionType.KINDERGARTEN: ("幼儿园托班",),
    InstitutionType.COMMUNITY: _words("社区托育服务站 社区托育服务中心 嵌入式托育点"),
    InstitutionType.FAMILY: ("家庭托育点",),
    InstitutionType.EMPLOYER: _words("职工托育中心 职工托育园 职工子女托育室"),
    InstitutionType.MEDICAL: _words("医育结合托育中心 医育结合托育园"),
}
KINDERGARTEN_WORDS = _words("中心 实验 第一 第二 第三 机关")
EMPLOYER_WORDS = _words("人民医院 高新园区 科技园 产业园 供电公司 中学 电子 机关 开发区 软件园 物流园 制药")
MEDICAL_WORDS = _words("妇幼保健 社区卫生服务中心 卫生院 中医院 人民医院")
COMMUNITY_SUFFIXES = _words("托育服务站 嵌入式托育点 托育服务中心")
ROAD_WORDS = _words(
    "中山 建设 人民 解放 长江 和平 文化 新华 友谊 光明 学府 青年 健康 幸福 园林 东风 振兴 兴业 "
    "富民 朝阳 春江 望江 湖滨 迎宾 花园 北京 上海 太湖 运河 金桥"
)

# Name parts stripped to get a township's short name: "梅园新村街道" -> "梅园".
# Longest first, so "经济开发区" is stripped whole rather than as "区".
_NAME_SUFFIXES = tuple(
    sorted(
        _words(
            "街道办事处 街道 镇 乡 高新技术产业开发区 高新技术开发区 经济技术开发区 经济开发区 开发区 "
            "工业园区 产业园区 产业园 科技园 园区 旅游度假区 度假区 风景名胜区 风景区 景区 "
            "农场 林场 盐场 监狱 管委会 新区 新城 街区 办 区 县 市"
        ),
        key=len,
        reverse=True,
    )
)
_NAME_PREFIXES = _words("江苏省 江苏 国家 中国 省属 国营")
# Committee suffixes of community names and what is left in their place.
_COMMUNITY_SUFFIXES = (
    ("居民委员会", ""),
    ("村民委员会", "村"),
    ("居委会", ""),
    ("村委会", "村"),
    ("委员会", ""),
)
# Telephone area codes by the first four digits of the city's code.
CITY_AREA_CODES = {
    "3201": "025", "3202": "0510", "3203": "0516", "3204": "0519", "3205": "0512", "3206": "0513",
    "3207": "0518", "3208": "0517", "3209": "0515", "3210": "0514", "3211": "0511", "3212": "0523",
    "3213": "0527",
}  # fmt: skip
MOBILE_PREFIXES = _words("135 136 138 139 151 158 187 188")


# --- Pure functions (no database) ---------------------------------------------------------------


def largest_remainder(weights: Sequence[float], total: int) -> list[int]:
    """Split ``total`` into whole parts proportional to ``weights`` that sum exactly to ``total``.

    The Hamilton (largest remainder) method: everyone gets the floor of their quota and the units
    left over go to the largest fractional parts; ties go to the earlier weight, so the result is
    deterministic. Integer weights (census figures) are split in exact integer arithmetic, so a tie
    is a real tie and never float noise.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if total == 0:
        return [0] * len(weights)
    if weight_sum <= 0:
        raise ValueError("cannot split a positive total over zero weights")
    if all(isinstance(w, int) for w in weights):
        quotas = [
            (int(w) * total // int(weight_sum), (int(w) * total % int(weight_sum)) / weight_sum)
            for w in weights
        ]
    else:
        exact = [w * total / weight_sum for w in weights]
        quotas = [(math.floor(q), q - math.floor(q)) for q in exact]
    parts = [floor for floor, _rest in quotas]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-quotas[i][1], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def scale_to_total(values: Sequence[float], total: int, minimum: int = 0) -> list[int]:
    """Whole numbers proportional to ``values``, summing exactly to ``total``, none below ``minimum``.

    Values that would fall below the minimum are pinned at it and the rest are scaled again, until
    none falls below.
    """
    if minimum * len(values) > total:
        raise ValueError("the minimum times the count exceeds the total")
    pinned: set[int] = set()
    while True:
        free = [i for i in range(len(values)) if i not in pinned]
        parts = largest_remainder([values[i] for i in free], total - minimum * len(pinned)) if free else []
        low = [i for i, part in zip(free, parts, strict=True) if part < minimum]
        if not low:
            result = [minimum] * len(values)
            for i, part in zip(free, parts, strict=True):
                result[i] = part
            return result
        pinned.update(low)


def draw_places(rng: random.Random, institution_type: str) -> int:
    """Planned places for one institution before scaling: 3-5 for a family point, else 15-200, skewed."""
    if institution_type == InstitutionType.FAMILY:
        return rng.randint(*FAMILY_PLACES_RANGE)
    value = rng.lognormvariate(math.log(PLACES_MEDIAN[institution_type]), PLACES_SIGMA)
    low, high = PLACES_RAW_RANGE
    return int(min(max(round(value), low), high))


def scale_places(places: Sequence[int], types: Sequence[str], total: int) -> list[int]:
    """Places rescaled so they sum to exactly ``total``: family points keep their 3-5, others stay >= 10."""
    family = [i for i, t in enumerate(types) if t == InstitutionType.FAMILY]
    others = [i for i, t in enumerate(types) if t != InstitutionType.FAMILY]
    result = list(places)
    for i in family:
        # 家庭托育点 are small by definition; never scale them past the drawn 3-5.
        result[i] = min(max(places[i], FAMILY_PLACES_RANGE[0]), FAMILY_PLACES_RANGE[1])
    rest = total - sum(result[i] for i in family)
    scaled = scale_to_total([places[i] for i in others], rest, MIN_PLACES_AFTER_SCALING)
    for i, value in zip(others, scaled, strict=True):
        result[i] = value
    return result


def expand_shares(shares: Sequence[tuple[str, int]], n: int, rng: random.Random) -> list[str]:
    """``n`` values in the given percentage shares (exact by largest remainder), in random order."""
    counts = largest_remainder([share for _value, share in shares], n)
    values = [value for (value, _share), count in zip(shares, counts, strict=True) for _ in range(count)]
    rng.shuffle(values)
    return values


def weighted_sample(rng: random.Random, items: Sequence[int], weights: Sequence[float], k: int) -> list[int]:
    """``k`` distinct items, each more likely the heavier it is (Efraimidis-Spirakis keys), in item order."""
    if k >= len(items):
        return list(items)
    keys = [(rng.random() ** (1.0 / w), item) for item, w in zip(items, weights, strict=True)]
    keys.sort(key=lambda kv: (-kv[0], kv[1]))
    return sorted(item for _key, item in keys[:k])


def place_stem(name: str, prefixes: Sequence[str] = ()) -> str:
    """The short name of a place as used in institution and road names: "梅园新村街道" -> "梅园".

    Drops brackets, the province and the given (city, county) names in front, one administrative
    suffix behind, then keeps two characters of anything still longer than three. A prefix is only
    dropped if a name is left ("玄武门街道" in 玄武区 stays "玄武门"). Returns "" when nothing is left
    (e.g. "经济开发区"); the caller falls back to the county's stem.
    """
    text = name
    for open_, close in (("（", "）"), ("(", ")")):
        while open_ in text and close in text.split(open_, 1)[1]:
            head, tail = text.split(open_, 1)
            text = head + tail.split(close, 1)[1]
    text = text.split("-")[-1]
    for candidate in (
        _strip_prefixes(text, (*_NAME_PREFIXES, *prefixes)),
        _strip_prefixes(text, _NAME_PREFIXES),
    ):
        stem = _strip_suffix(candidate)
        if len(stem) >= 2:
            return stem[:2] if len(stem) > 3 else stem
    return ""


def _strip_prefixes(text: str, prefixes: Sequence[str]) -> str:
    """``text`` without any of ``prefixes`` in front (longest first, repeatedly)."""
    ordered = sorted((p for p in prefixes if p), key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for prefix in ordered:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix) :]
                changed = True
    return text


def _strip_suffix(text: str) -> str:
    """``text`` without one administrative suffix ("街道", "镇", "经济开发区"...); "" if it is only one."""
    for suffix in _NAME_SUFFIXES:
        if text == suffix:
            return ""
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def community_stem(name: str) -> str:
    """A community's name without its committee suffix.

    "大行宫社区居委会" -> "大行宫社区", "何庄村委会" -> "何庄村".
    """
    for suffix, replacement in _COMMUNITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stem = name[: -len(suffix)]
            return stem if stem.endswith(replacement) else stem + replacement
    return name


def organization_check_char(body8: str) -> str:
    """The GB 11714 check character of an 8-character organization code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_uscc(rng: random.Random, registrar: str, county_code: str, enterprise: bool) -> str:
    """A well-formed unified social credit code (GB 32100-2015) registered in ``county_code``.

    ``registrar`` is the first two characters (12 事业单位, 52 民办非企业单位, 91 企业, 92 个体工商户);
    characters 3-8 are the county's 6-digit division code; 9-17 an organization code whose body is
    "MA" plus six characters for enterprises registered after 2015 and eight digits otherwise.
    """
    if enterprise:
        body = "MA" + "".join(rng.choice(USCC_CHARSET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = registrar + county_code[:6] + body + organization_check_char(body)
    return first17 + uscc_check_char(first17)


# --- Geometry -----------------------------------------------------------------------------------


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the areal part of a geometry; intersections can add stray lines and points."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def sample_points(geom: shapely.Geometry, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """``n`` random (lng, lat) points inside ``geom``, already rounded to 6 decimals, drawn only from ``rng``.

    Like CountyBoundaries.random_points_in but testing the *rounded* point (what is stored is what
    must lie inside) and testing candidates in vectorised batches, which matters for the ~22,000
    community points of the province scale.
    """
    if n <= 0:
        return []
    shapely.prepare(geom)
    min_x, min_y, max_x, max_y = geom.bounds
    points: list[tuple[float, float]] = []
    budget = 1000 * (n + 10)  # stops a degenerate polygon from looping forever
    while len(points) < n:
        k = max(2 * (n - len(points)), 8)
        budget -= k
        if budget < 0:
            raise ValueError("could not place points inside the polygon")
        xs = [round(rng.uniform(min_x, max_x), 6) for _ in range(k)]
        ys = [round(rng.uniform(min_y, max_y), 6) for _ in range(k)]
        inside = shapely.contains_xy(geom, xs, ys)
        for x, y, ok in zip(xs, ys, inside.tolist(), strict=True):
            if ok and len(points) < n:
                points.append((x, y))
    return points


def owned_polygon(boundaries: CountyBoundaries, code: str) -> shapely.Geometry:
    """The part of a county's polygon that lookups give to that county.

    The simplified neighbours overlap a little and a lookup gives an overlap to the lowest code, so
    a point is only sure to map back to ``code`` outside every lower-coded neighbour.
    """
    geom = boundaries.geometry(code)
    if geom is None:
        raise KeyError(code)
    lower = [c for c in boundaries.codes() if c < code]
    neighbours = [boundaries.geometry(c) for c in lower]
    overlapping = [g for g in neighbours if g is not None and shapely.intersects(geom, g)]
    if overlapping:
        geom = _polygonal(shapely.difference(geom, shapely.union_all(overlapping)))
    return geom


def voronoi_cells(points: Sequence[tuple[float, float]], area: shapely.Geometry) -> list[shapely.Geometry]:
    """The Voronoi cell of each point, clipped to ``area``, in the order of ``points``."""
    if len(points) == 1:
        return [area]
    diagram = shapely.voronoi_polygons(shapely.multipoints(list(points)), extend_to=area, ordered=True)
    cells = list(shapely.get_parts(diagram))
    if len(cells) != len(points):
        raise ValueError("duplicate points: the Voronoi diagram has fewer cells than points")
    result = []
    for cell in shapely.intersection(cells, area).tolist():
        cell = _polygonal(cell)
        # A generator point rounded onto the area's edge could leave an empty cell; fall back to the area.
        result.append(cell if not cell.is_empty and cell.area > 0 else area)
    return result


# --- The generator ------------------------------------------------------------------------------


class DemoDataError(Exception):
    """The demo data cannot be generated as asked (message for the person running the command)."""


@dataclass
class _Township:
    """A township-level unit as the generator sees it: its communities, short name, point and cell."""

    code: str
    name: str
    kind: str
    county: _County
    communities: list[tuple[str, str]] = field(default_factory=list)  # (code, name) in code order
    stem: str = ""
    point: tuple[float, float] | None = None  # (lng, lat)
    cell: shapely.Geometry | None = None


@dataclass
class _County:
    """A county-level unit: its townships and its synthetic share of the city's population."""

    code: str
    name: str
    kind: str
    city: _City
    townships: list[_Township] = field(default_factory=list)
    synthetic_population: int = 0
    has_boundary: bool = False


@dataclass
class _City:
    """A prefecture-level city with its 2020 census population."""

    code: str
    name: str
    census_population: int
    counties: list[_County] = field(default_factory=list)


@dataclass
class _Spec:
    """One institution to create, before it becomes a model instance."""

    township: _Township
    status: str
    type: str = ""
    filing_status: str = ""
    ownership: str = Ownership.PRIVATE
    inclusive: bool = False
    places: int = 0
    name: str = ""
    uscc: str = ""
    address: str = ""
    phone: str = ""
    point: tuple[float, float] | None = None


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as printed at the end: who to log in as and what they can see."""

    username: str
    display_name: str
    role: str
    scope: str


@dataclass
class DemoOutcome:
    """What a run did: skipped (and why), or the logins it created and how long each stage took."""

    skipped: bool = False
    message: str = ""
    logins: list[DemoLogin] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoSummary:
    """Figures read back from the database after a run."""

    by_status: dict[str, int]
    operating_places: int
    population: int
    places_per_thousand: float | None
    inclusive: int


ProgressFactory = Callable[[str, int], ProgressBar]


class DemoGenerator:
    """Builds the demo data for one scale and seed; ``run()`` writes it (call inside a transaction)."""

    def __init__(self, *, scale: Scale, seed: int, password: str, progress: ProgressFactory) -> None:
        self.scale = scale
        self.seed = seed
        self.password = password
        self.rng = random.Random(seed)
        self.progress = progress
        self.boundaries = get_boundaries()
        self.all_cities: list[_City] = []  # every city, for the population split
        self.cities: list[_City] = []  # the cities that get institutions
        self.community_points: list[tuple[str, tuple[float, float]]] = []  # (code, (lng, lat))
        self.stage_seconds: dict[str, float] = {}

    # The stages, in the order they draw from the random generator. Changing the order changes
    # every seed's output, which is fine but makes old screenshots differ.
    def run(self) -> list[DemoLogin]:
        self._timed("tree", self._load_tree)
        self._timed("population", self._write_population)
        self._timed("points", self._place_townships_and_communities)
        specs = self._timed("allocation", self._allocate)
        self._timed("details", lambda: self._fill_details(specs))
        institutions = self._timed("institutions", lambda: self._save_institutions(specs))
        self._timed("region points", self._save_region_points)
        logins = self._timed("accounts", lambda: self._create_accounts(specs, institutions))
        self._timed("records", lambda: fill_demo_records(institutions, seed=self.seed))
        self._check_totals()
        audit(
            actor=None,
            action="demo_data.generate",
            detail={"scale": self.scale.name, "seed": self.seed, "institutions": len(institutions)},
        )
        return logins

    def _timed(self, stage: str, fn: Callable[[], Any]) -> Any:
        """Run one stage and remember how long it took (printed with --verbosity 2)."""
        started = time.monotonic()
        result = fn()
        self.stage_seconds[stage] = time.monotonic() - started
        return result

    # -- tree ---------------------------------------------------------------------------------

    def _load_tree(self) -> None:
        """Every city, county and township, and the communities in scope, in code order (three queries).

        The whole tree is cheap (1,600 rows) and the population split needs every city; the
        ~22,000 communities are read only where points are made.
        """
        census = dict(
            RegionPopulation.objects.filter(year=POPULATION_YEAR, region__level=RegionLevel.CITY)
            .exclude(source=SYNTHETIC_POPULATION_SOURCE)
            .values_list("region_id", "population")
        )
        with self.progress("regions", 3) as bar:
            cities: dict[str, _City] = {}
            for code, name in (
                Region.objects.filter(level=RegionLevel.CITY).order_by("code").values_list("code", "name")
            ):
                if code not in census:
                    raise DemoDataError(
                        f"{name} ({code}) has no {POPULATION_YEAR} census population: "
                        "run `manage.py load_regions` first."
                    )
                cities[code] = _City(code, name, census[code])
            bar.advance()
            boundary_codes = set(self.boundaries.codes())
            counties: dict[str, _County] = {}
            townships: dict[str, _Township] = {}
            rows = (
                Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
                .order_by("code")
                .values_list("code", "name", "level", "kind", "parent_id")
            )
            for code, name, level, kind, parent_id in rows:
                if level == RegionLevel.COUNTY and parent_id in cities:
                    county = _County(code, name, kind, cities[parent_id], has_boundary=code in boundary_codes)
                    cities[parent_id].counties.append(county)
                    counties[code] = county
                elif level == RegionLevel.TOWNSHIP and parent_id in counties:
                    parent = counties[parent_id]
                    township = _Township(code, name, kind, parent)
                    parent.townships.append(township)
                    townships[code] = township
            bar.advance()
            self.all_cities = list(cities.values())
            wanted = self.scale.city_codes
            self.cities = [c for c in self.all_cities if wanted is None or c.code in wanted]
            if not self.cities:
                raise DemoDataError("No cities in scope: run `manage.py load_regions` first.")
            communities = Region.objects.filter(level=RegionLevel.COMMUNITY)
            if wanted is not None:
                in_scope = Q()
                for city in self.cities:
                    lo, hi = subtree_bounds(city.code, RegionLevel.CITY)
                    in_scope |= Q(code__gte=lo, code__lte=hi)
                communities = communities.filter(in_scope)
            for code, name, parent_id in communities.order_by("code").values_list(
                "code", "name", "parent_id"
            ):
                if parent_id in townships:
                    townships[parent_id].communities.append((code, name))
            bar.advance()
        for city in self.cities:
            city_stem = place_stem(city.name)
            for county in city.counties:
                county_stem = place_stem(county.name, (city.name, city_stem)) or city_stem
                for township in county.townships:
                    township.stem = (
                        place_stem(township.name, (city.name, city_stem, county.name, county_stem))
                        or county_stem
                    )

    def _counties(self) -> Iterator[_County]:
        for city in self.cities:
            yield from city.counties

    def _townships(self) -> Iterator[_Township]:
        for county in self._counties():
            yield from county.townships

    # -- population ---------------------------------------------------------------------------

    def _write_population(self) -> None:
        """Split each city's census figure over its county-level units by their number of townships.

        Written for every city, not only those in scope, so per-1,000 figures exist for every county
        whatever the scale. A county that already has a non-synthetic figure for the year keeps it:
        demo data never overwrites real data (the split then no longer sums to the city's figure).
        """
        real = set(
            RegionPopulation.objects.filter(year=POPULATION_YEAR, region__level=RegionLevel.COUNTY)
            .exclude(source=SYNTHETIC_POPULATION_SOURCE)
            .values_list("region_id", flat=True)
        )
        rows: list[RegionPopulation] = []
        with self.progress("population", len(self.all_cities)) as bar:
            for city in self.all_cities:
                self._split_population(city)
                rows.extend(
                    RegionPopulation(
                        region_id=county.code,
                        year=POPULATION_YEAR,
                        population=county.synthetic_population,
                        source=SYNTHETIC_POPULATION_SOURCE,
                    )
                    for county in city.counties
                    if county.code not in real and county.synthetic_population > 0
                )
                bar.advance()
        # Rows an earlier run left behind (e.g. --if-empty after deleting institutions by hand) are
        # replaced, so the figures always match this tree.
        RegionPopulation.objects.filter(source=SYNTHETIC_POPULATION_SOURCE).delete()
        RegionPopulation.objects.bulk_create(rows, batch_size=1000)

    @staticmethod
    def _split_population(city: _City) -> None:
        shares = largest_remainder([len(c.townships) for c in city.counties], city.census_population)
        for county, population in zip(city.counties, shares, strict=True):
            county.synthetic_population = population

    # -- points -------------------------------------------------------------------------------

    def _place_townships_and_communities(self) -> None:
        """A point for every township and community in scope, and each township's Voronoi cell."""
        counties = list(self._counties())
        owned: dict[str, shapely.Geometry] = {}
        with self.progress("points", len(counties)) as bar:
            for county in counties:
                if county.has_boundary:
                    owned[county.code] = owned_polygon(self.boundaries, county.code)
            for county in counties:
                bar.advance()
                if not county.townships:
                    continue
                if county.has_boundary:
                    area = owned[county.code]
                    raw = self.boundaries.random_points_in(county.code, len(county.townships), self.rng)
                else:
                    # Economic zones (经济功能区) have no boundary of their own: their townships are
                    # spread over the union of their city's counties. Those points then map to a real
                    # county in lookups, which is accepted for demo data (and why they are not checked).
                    parts = [owned[c.code] for c in county.city.counties if c.code in owned]
                    if not parts:
                        continue
                    area = shapely.union_all(parts)
                    raw = self.boundaries.random_points_in(area, len(county.townships), self.rng)
                points = [(round(lng, 6), round(lat, 6)) for lng, lat in raw]
                for township, point, cell in zip(
                    county.townships, points, voronoi_cells(points, area), strict=True
                ):
                    township.point = point
                    township.cell = cell
                    shapely.prepare(cell)
                for township in county.townships:
                    assert township.cell is not None
                    points = sample_points(township.cell, len(township.communities), self.rng)
                    self.community_points.extend(
                        (code, point)
                        for (code, _name), point in zip(township.communities, points, strict=True)
                    )

    # -- allocation ---------------------------------------------------------------------------

    def _township_counts(self, county: _County, n: int) -> list[int]:
        """How many of a county's ``n`` institutions each township gets: by kind, with some luck."""
        if n == 0 or not county.townships:
            return [0] * len(county.townships)
        # The jitter keeps equal-kind townships from all getting the same number.
        weights = [
            TOWNSHIP_KIND_WEIGHTS.get(t.kind, 0.5) * self.rng.lognormvariate(0, 0.35)
            for t in county.townships
        ]
        return largest_remainder(weights, n)

    def _allocate(self) -> list[_Spec]:
        """Where the operating institutions go and what they are; then the preparing and closed extras."""
        scale = self.scale
        with self.progress("allocation", 4) as bar:
            operating: list[_Spec] = []
            if scale.operating is not None:
                city_counts = largest_remainder([c.census_population for c in self.cities], scale.operating)
            else:
                city_counts = [0] * len(self.cities)
            for city, city_count in zip(self.cities, city_counts, strict=True):
                if scale.per_county is not None:
                    county_counts = [scale.per_county if c.townships else 0 for c in city.counties]
                else:
                    county_counts = largest_remainder(
                        [c.synthetic_population for c in city.counties], city_count
                    )
                for county, county_count in zip(city.counties, county_counts, strict=True):
                    for township, n in zip(
                        county.townships, self._township_counts(county, county_count), strict=True
                    ):
                        operating.extend(_Spec(township, OperatingStatus.OPERATING) for _ in range(n))
            bar.advance()

            types = expand_shares(TYPE_SHARES, len(operating), self.rng)
            filings = expand_shares(FILING_SHARES, len(operating), self.rng)
            for spec, type_, filing in zip(operating, types, filings, strict=True):
                spec.type, spec.filing_status = type_, filing
                spec.ownership = (
                    Ownership.PUBLIC if self.rng.random() < PUBLIC_PROBABILITY[type_] else Ownership.PRIVATE
                )
            bar.advance()

            raw = [draw_places(self.rng, spec.type) for spec in operating]
            places = scale_places(raw, types, scale.places_total) if scale.places_total is not None else raw
            for spec, value in zip(operating, places, strict=True):
                spec.places = value
            bar.advance()

            self._choose_inclusive(operating)
            self._ensure_director_institution(operating)
            extras = [
                *self._extras(scale.preparing, OperatingStatus.PREPARING),
                *self._extras(scale.closed, OperatingStatus.CLOSED),
            ]
            bar.advance()
        return operating + extras

    def _choose_inclusive(self, operating: list[_Spec]) -> None:
        """Mark the inclusive (普惠) ones per city: filed centres, public and nursery classes favoured."""
        if self.scale.operating is not None:
            per_city = largest_remainder([c.census_population for c in self.cities], self.scale.inclusive)
        else:
            per_city = largest_remainder([1] * len(self.cities), self.scale.inclusive)
        for city, k in zip(self.cities, per_city, strict=True):
            eligible = [
                i
                for i, s in enumerate(operating)
                if s.township.county.city is city
                and s.filing_status == FilingStatus.FILED
                and s.type != InstitutionType.FAMILY
            ]
            if len(eligible) < k:
                raise DemoDataError(
                    f"{city.name}: only {len(eligible)} filed centres for {k} inclusive ones."
                )
            weights = [
                INCLUSIVE_WEIGHT_PUBLIC
                if operating[i].ownership == Ownership.PUBLIC
                else INCLUSIVE_WEIGHT_BY_TYPE.get(operating[i].type, 1.0)
                for i in eligible
            ]
            for i in weighted_sample(self.rng, eligible, weights, k):
                operating[i].inclusive = True

    def _ensure_director_institution(self, operating: list[_Spec]) -> None:
        """Make sure 玄武区 has a filed, operating centre for the demo director and caregiver."""
        in_xuanwu = [s for s in operating if s.township.county.code == XUANWU_CODE]
        if not in_xuanwu:
            return  # only when the scale excludes Nanjing; the accounts stage reports it
        if not any(s.filing_status == FilingStatus.FILED for s in in_xuanwu):
            # Swap with a filed one elsewhere so the filing shares stay exact.
            donor = next(
                (s for s in operating if s.filing_status == FilingStatus.FILED and not s.inclusive), None
            )
            target = next((s for s in in_xuanwu if s.type != InstitutionType.FAMILY), in_xuanwu[0])
            if donor is not None:
                donor.filing_status = target.filing_status
            target.filing_status = FilingStatus.FILED

    def _extras(self, n: int, status: str) -> list[_Spec]:
        """``n`` institutions outside the baseline: preparing ones and closed ones."""
        specs = []
        cities = [c for c in self.cities if any(county.townships for county in c.counties)]
        for _ in range(n):
            city = self.rng.choices(cities, weights=[c.census_population for c in cities])[0]
            counties = [c for c in city.counties if c.townships]
            county = self.rng.choices(counties, weights=[max(c.synthetic_population, 1) for c in counties])[0]
            township = self.rng.choices(
                county.townships, weights=[TOWNSHIP_KIND_WEIGHTS.get(t.kind, 0.5) for t in county.townships]
            )[0]
            spec = _Spec(township, status)
            spec.type = self.rng.choices([t for t, _ in TYPE_SHARES], weights=[s for _, s in TYPE_SHARES])[0]
            if status == OperatingStatus.CLOSED:
                spec.filing_status = FilingStatus.CANCELLED
            else:
                spec.filing_status = self.rng.choice((FilingStatus.NOT_FILED, FilingStatus.PENDING))
            spec.ownership = (
                Ownership.PUBLIC if self.rng.random() < PUBLIC_PROBABILITY[spec.type] else Ownership.PRIVATE
            )
            spec.places = draw_places(self.rng, spec.type)
            specs.append(spec)
        return specs

    # -- details ------------------------------------------------------------------------------

    def _fill_details(self, specs: list[_Spec]) -> None:
        """Name, credit code, address, phone and point of every institution, in allocation order."""
        names: set[str] = set()
        codes: set[str] = set()
        used_communities: set[str] = set()
        with self.progress("details", len(specs)) as bar:
            for spec in specs:
                spec.name = self._unique_name(spec, names, used_communities)
                names.add(spec.name)
                spec.uscc = self._unique_uscc(spec, codes)
                codes.add(spec.uscc)
                spec.address = self._address(spec)
                spec.phone = self._phone(spec)
                if spec.township.cell is not None:
                    spec.point = sample_points(spec.township.cell, 1, self.rng)[0]
                bar.advance()

    def _name(self, spec: _Spec, used_communities: set[str]) -> str:
        stem = spec.township.stem
        brand = self.rng.choice(BRAND_WORDS)
        suffix = self.rng.choice(SUFFIX_BY_TYPE[spec.type])
        if spec.type == InstitutionType.KINDERGARTEN:
            # Public kindergartens are named after the place ("梅园中心幼儿园"), private ones after a brand.
            word = self.rng.choice(KINDERGARTEN_WORDS) if spec.ownership == Ownership.PUBLIC else brand
            return f"{stem}{word}{suffix}"
        if spec.type == InstitutionType.COMMUNITY:
            # Named after one of the township's communities ("大行宫社区托育服务站"), each used once.
            # "虚拟社区" are bookkeeping units with nobody living in them.
            free = [
                (c, n) for c, n in spec.township.communities if c not in used_communities and "虚拟" not in n
            ]
            if free:
                code, name = self.rng.choice(free)
                used_communities.add(code)
                return f"{community_stem(name)}{self.rng.choice(COMMUNITY_SUFFIXES)}"
            return f"{stem}{brand}{suffix}"
        if spec.type == InstitutionType.EMPLOYER:
            return f"{stem}{self.rng.choice(EMPLOYER_WORDS)}{suffix}"
        if spec.type == InstitutionType.MEDICAL:
            return f"{stem}{self.rng.choice(MEDICAL_WORDS)}{suffix}"
        return f"{stem}{brand}{suffix}"

    def _unique_name(self, spec: _Spec, names: set[str], used_communities: set[str]) -> str:
        for _ in range(20):
            name = self._name(spec, used_communities)
            if name not in names:
                return name
        # Twenty misses in a row means the township is crowded: number the branches.
        number = 2
        while f"{name}（{number}部）" in names:
            number += 1
        return f"{name}（{number}部）"

    def _unique_uscc(self, spec: _Spec, codes: set[str]) -> str:
        registrar = self._registrar(spec)
        while True:
            code = make_uscc(
                self.rng, registrar, spec.township.county.code, enterprise=registrar.startswith("9")
            )
            if code not in codes:
                return code

    def _registrar(self, spec: _Spec) -> str:
        """The first two characters of the credit code: who registered the institution, as what."""
        if spec.ownership == Ownership.PUBLIC:
            return "12"  # 机构编制部门 · 事业单位
        if spec.type == InstitutionType.FAMILY:
            return "92"  # 市场监管部门 · 个体工商户
        if spec.type in (InstitutionType.KINDERGARTEN, InstitutionType.COMMUNITY):
            return "52"  # 民政部门 · 民办非企业单位
        if spec.type == InstitutionType.EMPLOYER:
            return "91"
        return "91" if self.rng.random() < 0.7 else "52"

    def _address(self, spec: _Spec) -> str:
        stem = spec.township.stem
        road = (
            # A stem like "大光路" is already a road name.
            (stem if stem.endswith(("路", "街")) else f"{stem}路")
            if self.rng.random() < 0.3
            else f"{self.rng.choice(ROAD_WORDS)}{self.rng.choice(('路', '路', '路', '街', '大道'))}"
        )
        number = self.rng.randint(1, 399)
        if spec.type == InstitutionType.FAMILY:
            # Family points are flats in residential compounds.
            building, floor, flat = self.rng.randint(1, 30), self.rng.randint(1, 3), self.rng.randint(1, 4)
            return f"{road}{number}号{building}幢{floor}0{flat}室"
        return f"{road}{number}号"

    def _phone(self, spec: _Spec) -> str:
        if spec.type == InstitutionType.FAMILY:
            return f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randint(0, 99_999_999):08d}"
        area = CITY_AREA_CODES.get(spec.township.county.city.code[:4], "025")
        return f"{area}-8{self.rng.randint(0, 9_999_999):07d}"

    # -- saving -------------------------------------------------------------------------------

    def _check_points_map_back(self, specs: list[_Spec]) -> None:
        """Every point in a county with a boundary must be found in that county by the bulk lookup."""
        checked = [s for s in specs if s.point is not None and s.township.county.has_boundary]
        found = self.boundaries.counties_at([s.point for s in checked if s.point is not None])
        wrong = [
            (s.name, s.township.county.code, code)
            for s, code in zip(checked, found, strict=True)
            if code != s.township.county.code
        ]
        if wrong:
            raise AssertionError(f"{len(wrong)} institution point(s) map to another county, e.g. {wrong[:3]}")

    def _save_institutions(self, specs: list[_Spec]) -> list[Institution]:
        self._check_points_map_back(specs)
        # A generator of its own, so that the dates do not change any other drawn value of a seed.
        dates_rng = random.Random(self.seed * 104_729 + 7)
        dates = [
            draw_operating_dates(
                dates_rng,
                s.status,
                2021 if s.inclusive else 2020 if s.ownership == Ownership.PUBLIC else None,
            )
            for s in specs
        ]
        institutions = [
            Institution(
                name=s.name,
                uscc=s.uscc,
                type=s.type,
                ownership=s.ownership,
                inclusive=s.inclusive,
                places=s.places,
                status=s.status,
                filing_status=s.filing_status,
                address=s.address,
                township_id=s.township.code,
                lat=s.point[1] if s.point else None,
                lng=s.point[0] if s.point else None,
                phone=s.phone,
                operating_since=since,
                closed_on=closed,
            )
            for s, (since, closed) in zip(specs, dates, strict=True)
        ]
        with self.progress("saving institutions", len(institutions)) as bar:
            created = institutions_bulk_create(actor=None, institutions=institutions)
            bar.update(len(created))
        return created

    def _save_region_points(self) -> None:
        """Township and community points on Region, marked synthetic."""
        points = [(t.code, t.point[0], t.point[1]) for t in self._townships() if t.point is not None]
        points += [(code, point[0], point[1]) for code, point in self.community_points]
        batch = 5000
        with self.progress("region points", len(points)) as bar:
            for start in range(0, len(points), batch):
                chunk = points[start : start + batch]
                regions_set_points(points=chunk, source=PointSource.SYNTHETIC)
                bar.advance(len(chunk))

    # -- accounts -----------------------------------------------------------------------------

    def _create_accounts(self, specs: list[_Spec], institutions: list[Institution]) -> list[DemoLogin]:
        """The demo logins, one per role a demo needs; roles are given through the accounts service."""
        candidates = [
            i
            for i, s in enumerate(specs)
            if s.township.county.code == XUANWU_CODE
            and s.status == OperatingStatus.OPERATING
            and s.filing_status == FilingStatus.FILED
        ]
        # A centre rather than a family point, when there is one: the director has staff to manage.
        centres = [i for i in candidates if specs[i].type != InstitutionType.FAMILY]
        director_index = next(iter(centres or candidates), None)
        if director_index is None:
            raise DemoDataError("No operating, filed institution in 玄武区 for the demo director.")
        workplace = institutions[director_index]

        regions = Region.objects.in_bulk([PROVINCE_CODE, NANJING_CODE, XUANWU_CODE, JIANGNING_CODE])
        missing = sorted({PROVINCE_CODE, NANJING_CODE, XUANWU_CODE, JIANGNING_CODE} - set(regions))
        if missing:
            raise DemoDataError(f"Regions missing for the demo officials: {', '.join(missing)}")
        plan: list[tuple[str, str, str, Region | None, Institution | None]] = [
            ("demo_province", "省卫健委管理员（演示）", Role.OFFICIAL_ADMIN, regions[PROVINCE_CODE], None),
            (
                "demo_city_nanjing",
                "南京市卫健委管理员（演示）",
                Role.OFFICIAL_ADMIN,
                regions[NANJING_CODE],
                None,
            ),
            (
                "demo_county_xuanwu",
                "玄武区卫健委管理员（演示）",
                Role.OFFICIAL_ADMIN,
                regions[XUANWU_CODE],
                None,
            ),
            (
                "demo_county_jiangning",
                "江宁区卫健委管理员（演示）",
                Role.OFFICIAL_ADMIN,
                regions[JIANGNING_CODE],
                None,
            ),
            ("demo_director", "李园长（演示）", Role.DIRECTOR, None, workplace),
            ("demo_caregiver", "王保育师（演示）", Role.CAREGIVER, None, workplace),
            ("demo_parent", "陈女士（演示家长）", Role.PARENT, None, None),
            ("demo_national", "国家卫健委观察员（演示）", Role.NATIONAL_OBSERVER, None, None),
        ]
        existing = User.objects.in_bulk([username for username, *_rest in plan], field_name="username")
        logins: list[DemoLogin] = []
        with self.progress("accounts", len(plan)) as bar:
            for username, display_name, role, region, institution in plan:
                user = existing.get(username) or User(username=username)
                user.display_name = display_name
                user.is_active = True
                # The accounts app has no user-creating service yet; demo users are plain saves.
                user.set_password(self.password)
                user.save()
                unit = f"{region.name}卫生健康委员会" if region is not None else ""
                role_assign(
                    actor=None, user=user, role=role, region=region, institution=institution, unit=unit
                )
                scope = (
                    region.name if region is not None else institution.name if institution is not None else ""
                )
                logins.append(DemoLogin(username, display_name, role, scope))
                bar.advance()
        return logins

    # -- checks -------------------------------------------------------------------------------

    def _check_totals(self) -> None:
        """The province scale promises exact baseline figures; read them back and fail loudly if not met."""
        if self.scale.operating is None:
            return
        figures = Institution.objects.operating().aggregate(
            n=Count("id"), places=Sum("places"), inclusive=Count("id", filter=Q(inclusive=True))
        )
        expected = {
            "n": self.scale.operating,
            "places": self.scale.places_total,
            "inclusive": self.scale.inclusive,
        }
        if figures != expected:
            raise AssertionError(f"demo totals {figures} differ from the baseline {expected}")


# --- Entry points -------------------------------------------------------------------------------


def demo_data_generate(
    *,
    scale: str,
    seed: int,
    password: str,
    reset: bool = False,
    if_empty: bool = False,
    progress_stream: TextIO | None = None,
) -> DemoOutcome:
    """Generate the demo data in one transaction; see the module docstring for what that is.

    ``if_empty``: do nothing when any institution exists. ``reset``: delete all institutions, the
    ``demo_`` users and the synthetic population and points first. With neither and institutions
    present, raise DemoDataError. ``progress_stream``: where progress bars go (None: nowhere).
    """
    if scale not in SCALES:
        raise DemoDataError(f"Unknown scale {scale!r}; choose one of {', '.join(sorted(SCALES))}.")
    if reset and if_empty:
        raise DemoDataError("Pass --reset or --if-empty, not both.")

    def progress(stage: str, total: int) -> ProgressBar:
        return ProgressBar(stage, total, stream=progress_stream, enabled=progress_stream is not None)

    with transaction.atomic():
        if Institution.objects.exists():
            if if_empty:
                return DemoOutcome(
                    skipped=True, message="Institutions already exist; leaving the data as it is."
                )
            if not reset:
                raise DemoDataError(
                    "Institutions already exist: pass --reset to replace them with demo data, "
                    "or --if-empty to leave them alone."
                )
        started = time.monotonic()
        stages: dict[str, float] = {}
        if reset:
            with progress("reset", 4) as bar:
                _reset(bar)
            stages["reset"] = time.monotonic() - started
        if not Region.objects.exists():
            load_started = time.monotonic()
            with progress("loading regions", 1) as bar:
                regions_load_jiangsu()
                bar.advance()
            stages["load regions"] = time.monotonic() - load_started
        generator = DemoGenerator(scale=SCALES[scale], seed=seed, password=password, progress=progress)
        logins = generator.run()
        stages.update(generator.stage_seconds)
        stages["total"] = time.monotonic() - started
        return DemoOutcome(logins=logins, stage_seconds=stages)


def _reset(bar: ProgressBar) -> None:
    """Delete what a previous run made (and every institution: demo data replaces the register)."""
    from tuoyu.filings.models import Filing, FilingDocument

    # Filings protect their institution (a filing record must not vanish with it in real use); demo
    # data replaces the whole register, so its filings and their stored files go first.
    for document in FilingDocument.objects.all().iterator():
        document.file.delete(save=False)
    Filing.objects.all().delete()
    try:
        Institution.objects.all().delete()
    except ProtectedError as exc:
        raise DemoDataError(
            "Some institutions are referenced by records that protect them; "
            "delete those first or use a fresh database."
        ) from exc
    bar.advance()
    User.objects.filter(username__startswith="demo_").delete()
    bar.advance()
    RegionPopulation.objects.filter(source=SYNTHETIC_POPULATION_SOURCE).delete()
    bar.advance()
    Region.objects.filter(point_source=PointSource.SYNTHETIC).update(lat=None, lng=None, point_source="")
    bar.advance()


def demo_summary() -> DemoSummary:
    """Institutions by status, operating places and places per 1,000 residents, read from the database."""
    by_status = dict(
        Institution.objects.values_list("status")
        .annotate(n=Count("id"))
        .order_by("status")
        .values_list("status", "n")
    )
    figures = Institution.objects.operating().aggregate(
        places=Sum("places"), inclusive=Count("id", filter=Q(inclusive=True))
    )
    # The province's own census figure if loaded, else the sum of its cities' (what the plan divides by).
    populations = RegionPopulation.objects.filter(year=POPULATION_YEAR).exclude(
        source=SYNTHETIC_POPULATION_SOURCE
    )
    population = (
        populations.filter(region_id=PROVINCE_CODE).aggregate(p=Sum("population"))["p"]
        or populations.filter(region__level=RegionLevel.CITY).aggregate(p=Sum("population"))["p"]
        or 0
    )
    places = figures["places"] or 0
    return DemoSummary(
        by_status=by_status,
        operating_places=places,
        population=population,
        places_per_thousand=places / population * 1000 if population else None,
        inclusive=figures["inclusive"] or 0,
    )


# --- The rest of each record: classes, fees, insurance, designations, premises -------------------
# Drawn from a generator of its own so that adding this stage did not change any earlier output.

PROVINCE_COMMISSION = "江苏省卫生健康委员会"


def _split_into_classes(places: int, family: bool) -> list[tuple[str, int]]:
    """Classes covering exactly `places`, none over its type's cap (rules.CLASS_RULES)."""
    from tuoyu.institutions.rules import CLASS_RULES, ClassKind

    if family:
        return [(ClassKind.MIXED, places)]
    cycle = [ClassKind.OLDER, ClassKind.TODDLER, ClassKind.OLDER, ClassKind.INFANT]
    classes: list[tuple[str, int]] = []
    left = places
    while left > 0:
        kind = cycle[len(classes) % len(cycle)]
        size = min(left, CLASS_RULES[kind].max_children)
        classes.append((kind, size))
        left -= size
    return classes


def fill_demo_records(institutions: Sequence[Institution], *, seed: int) -> None:
    """Give every demo institution classes, a fee catalogue, premises, insurance and designations."""
    from datetime import date, timedelta

    from tuoyu.institutions.choices import DesignationKind, DesignationLevel, FeeUnit, PremisesTenure
    from tuoyu.institutions.models import Designation, FeeItem, InstitutionClass, InsurancePolicy
    from tuoyu.institutions.rules import ClassKind

    rng = random.Random(seed * 7919 + 17)
    names: dict[str, str] = {
        ClassKind.INFANT: "乳儿班",
        ClassKind.TODDLER: "托小班",
        ClassKind.OLDER: "托大班",
        ClassKind.MIXED: "混合班",
    }
    today = date(2026, 11, 1)  # fixed, so a seed gives the same data whenever it runs
    classes, fees, policies, designations = [], [], [], []
    for institution in institutions:
        family = institution.type == InstitutionType.FAMILY
        counters: dict[str, int] = {}
        for kind, size in _split_into_classes(institution.places, family):
            counters[kind] = counters.get(kind, 0) + 1
            classes.append(
                InstitutionClass(
                    institution=institution, name=f"{names[kind]}{counters[kind]}", kind=kind, capacity=size
                )
            )
        public = institution.ownership == Ownership.PUBLIC
        monthly = (
            rng.randrange(1200, 1900, 50)
            if public
            else rng.randrange(1800, 2600, 50)
            if institution.inclusive
            else rng.randrange(2600, 6000, 100)
        )
        fees.append(
            FeeItem(
                institution=institution,
                item="保育费（全日托）",
                amount=monthly,
                unit=FeeUnit.MONTH,
                inclusive_price=public or institution.inclusive,
            )
        )
        fees.append(
            FeeItem(institution=institution, item="伙食费", amount=rng.randrange(15, 26), unit=FeeUnit.DAY)
        )
        if rng.random() < 0.35:
            fees.append(
                FeeItem(
                    institution=institution,
                    item="临时托（每小时）",
                    amount=rng.randrange(40, 90, 5),
                    unit=FeeUnit.HOUR,
                )
            )
        start = today - timedelta(days=rng.randrange(30, 700))
        # About one in ten policies has lapsed, so the trust card and warnings have something to show.
        end = (
            start + timedelta(days=365)
            if rng.random() > 0.1
            else today - timedelta(days=rng.randrange(1, 120))
        )
        if end > start:
            policies.append(
                InsurancePolicy(
                    institution=institution,
                    insurer=rng.choice(INSURERS),
                    policy_number=f"PZ{rng.randrange(10**9, 10**10)}",
                    starts_on=start,
                    expires_on=end,
                )
            )
        if institution.inclusive:
            designations.append(
                Designation(
                    institution=institution,
                    kind=DesignationKind.INCLUSIVE,
                    level=DesignationLevel.PROVINCE,
                    granted_on=date(2021, rng.randrange(3, 13), 1),
                    granted_by=PROVINCE_COMMISSION,
                )
            )
        if public:
            designations.append(
                Designation(
                    institution=institution,
                    kind=DesignationKind.PUBLIC,
                    level=DesignationLevel.COUNTY,
                    granted_on=date(2020, rng.randrange(1, 13), 1),
                    granted_by=f"{institution.county.name}卫生健康委员会",
                )
            )
        leased = rng.random() < 0.7
        institution.premises_tenure = PremisesTenure.LEASED if leased else PremisesTenure.OWNED
        institution.lease_start = date(rng.randrange(2018, 2025), rng.randrange(1, 13), 1) if leased else None
        institution.lease_end = (
            institution.lease_start.replace(year=institution.lease_start.year + rng.choice([3, 5, 8, 10]))
            if institution.lease_start
            else None
        )
        institution.children_rooms_floor = rng.choice([1, 1, 1, 2, 2, 3])
        institution.fire_safety_date = today - timedelta(days=rng.randrange(60, 1500))
        institution.cctv_retention_days = rng.choice([90, 90, 90, 60, 180])
        institution.opening_hours = rng.choice(["7:30-17:30", "8:00-17:00", "7:30-18:00"])
        institution.service_modes = ["full_day"] + (["hourly"] if rng.random() < 0.3 else [])
        institution.serves_meals = not family
    # Demo tooling writes in bulk; every value above is drawn inside the rules the services enforce
    # (class caps, lease ≥ 3 years, floor ≤ 3), which tests/test_demo checks.
    InstitutionClass.objects.bulk_create(classes, batch_size=2000)
    FeeItem.objects.bulk_create(fees, batch_size=2000)
    InsurancePolicy.objects.bulk_create(policies, batch_size=2000)
    Designation.objects.bulk_create(designations, batch_size=2000)
    _update_columns(
        institutions,
        ["premises_tenure", "lease_start", "lease_end", "children_rooms_floor", "fire_safety_date",
         "cctv_retention_days", "opening_hours", "service_modes", "serves_meals"],
    )  # fmt: skip


def _update_columns(objects: Sequence[Institution], names: list[str]) -> None:
    """UPDATE many rows with one prepared statement (bulk_update's CASE expressions took 12 s here)."""
    from django.db import connection

    fields = [cast("Field[Any, Any]", Institution._meta.get_field(n)) for n in names]
    table = connection.ops.quote_name(Institution._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)  # noqa: S608 - names from model meta


INSURERS = ["中国人民财产保险", "中国平安财产保险", "中国太平洋财产保险", "中华联合财产保险", "紫金财产保险"]
