"""WHO 2006 Child Growth Standards: z-scores by the LMS method, from WHO's expanded tables shipped in data/.

Pure arithmetic, no database: the API's public z-score endpoint, the measurement service and the demo
all use `zscores()`. Sources of the tables: data/SOURCES.md. Rules (domain_rules.md §8.1):

- z = ((x/M)^L − 1)/(L·S); when L = 0, z = ln(x/M)/S.
- Weight-based indicators (weight-for-age, weight-for-length/height, BMI-for-age) use WHO's restricted
  tail beyond ±3 SD: z = ±3 + (x − SD±3)/(distance between the ±2 and ±3 SD lines). Not for
  length/height-for-age or head circumference (L = 1 there, so the tail is the plain LMS z anyway).
- Age in completed days (0–1856 in the tables). Length is measured lying before 731 days, height
  standing from 731 days; measured in the other position the value is adjusted by 0.7 cm (standing
  before 731 days → +0.7; lying at/after 731 days → −0.7), as WHO Anthro does.
- Weight-for-length (45–110 cm) before 731 days, weight-for-height (65–120 cm) from 731 days; between
  the 0.1 cm rows L, M and S are interpolated linearly.
- BMI = kg/m² with the adjusted length/height.
- Results are rounded to two decimals; None where an indicator does not apply (outside the tables,
  missing value). Never extrapolated.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).resolve().parent / "data"

STANDARD_VERSION = "WHO 2006 (expanded tables)"
# Age (completed days) from which height is measured standing and weight-for-height applies.
STANDING_FROM_DAYS = 731
POSITION_ADJUSTMENT_CM = 0.7
MAX_AGE_DAYS = 1856
WFL_RANGE = (45.0, 110.0)
WFH_RANGE = (65.0, 120.0)

Sex = Literal["M", "F"]
Position = Literal["lying", "standing"]
INDICATORS = ("wfa", "lhfa", "wflh", "bfa", "hcfa")
# Indicators whose tail beyond ±3 SD follows WHO's restricted rule (§8.1).
RESTRICTED = frozenset({"wfa", "wflh", "bfa"})

_SEX_FILE = {"M": "boys", "F": "girls"}


@dataclass(frozen=True)
class LMS:
    l: float  # noqa: E741 - the standard's name for the Box-Cox power
    m: float
    s: float

    def sd(self, k: float) -> float:
        """The measurement at k standard deviations: M·(1 + L·S·k)^(1/L), or M·exp(S·k) when L = 0."""
        if self.l == 0:
            return self.m * math.exp(self.s * k)
        return self.m * (1 + self.l * self.s * k) ** (1 / self.l)


@dataclass(frozen=True)
class ZScores:
    wfa: float | None = None
    lhfa: float | None = None
    wflh: float | None = None
    bfa: float | None = None
    hcfa: float | None = None
    # Length/height after the 0.7 cm adjustment, and the BMI computed from it (None when not measured).
    length_adjusted_cm: float | None = None
    bmi: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in INDICATORS}


def _read(name: str) -> list[tuple[float, LMS]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [(float(x), LMS(float(l_), float(m), float(s))) for x, l_, m, s in reader]


@cache
def age_table(indicator: str, sex: Sex) -> tuple[LMS, ...]:
    """LMS by completed day of age, index = age in days (0–1856). Indicator: wfa, lhfa, bfa, hcfa."""
    rows = _read(f"{indicator}_{_SEX_FILE[sex]}.csv")
    assert [int(x) for x, _ in rows] == list(range(len(rows))), f"{indicator} rows must be daily from 0"
    return tuple(lms for _, lms in rows)


@cache
def length_table(indicator: str, sex: Sex) -> tuple[float, tuple[LMS, ...]]:
    """(first length in cm, LMS per 0.1 cm step) for wfl (45–110 cm) or wfh (65–120 cm)."""
    rows = _read(f"{indicator}_{_SEX_FILE[sex]}.csv")
    return rows[0][0], tuple(lms for _, lms in rows)


def lms_for_age(indicator: str, sex: Sex, age_days: int) -> LMS | None:
    table = age_table(indicator, sex)
    if age_days < 0 or age_days >= len(table):
        return None
    return table[age_days]


def lms_for_length(indicator: str, sex: Sex, length_cm: float) -> LMS | None:
    """LMS at a length/height, interpolated between the two 0.1 cm rows around it; None outside."""
    start, rows = length_table(indicator, sex)
    position = round((length_cm - start) * 10, 6)
    if position < 0 or position > len(rows) - 1:
        return None
    low = math.floor(position)
    if low == position:
        return rows[low]
    a, b = rows[low], rows[low + 1]
    t = position - low
    return LMS(a.l + (b.l - a.l) * t, a.m + (b.m - a.m) * t, a.s + (b.s - a.s) * t)


def z_lms(x: float, lms: LMS, *, restricted: bool) -> float:
    """The z-score of x, unrounded; WHO's restricted tail beyond ±3 SD when `restricted`."""
    z = math.log(x / lms.m) / lms.s if lms.l == 0 else ((x / lms.m) ** lms.l - 1) / (lms.l * lms.s)
    if restricted and z > 3:
        sd3, sd2 = lms.sd(3), lms.sd(2)
        z = 3 + (x - sd3) / (sd3 - sd2)
    elif restricted and z < -3:
        sd3neg, sd2neg = lms.sd(-3), lms.sd(-2)
        z = -3 + (x - sd3neg) / (sd2neg - sd3neg)
    return z


def round2(value: float) -> float:
    """Two decimals, halves away from zero (as WHO Anthro prints them)."""
    # Float arithmetic (the demo scores ~155,000 rows); the 1e-9 nudge makes a printed half such as
    # 2.675 (stored as 2.67499999…) round up, as Decimal(repr(x)).quantize(ROUND_HALF_UP) would.
    scaled = math.floor(abs(value) * 100 + 0.5 + 1e-9) / 100
    return scaled if value >= 0 else -scaled


def expected_position(age_days: int) -> Position:
    return "lying" if age_days < STANDING_FROM_DAYS else "standing"


def adjusted_length(age_days: int, length_cm: float, position: Position | None) -> float:
    """Length/height in the position the standard expects at this age (WHO's 0.7 cm convention)."""
    if position is None or position == expected_position(age_days):
        return length_cm
    if position == "standing":  # measured standing before 731 days: a lying length is 0.7 cm more
        return length_cm + POSITION_ADJUSTMENT_CM
    return length_cm - POSITION_ADJUSTMENT_CM  # measured lying at/after 731 days


def _z(indicator: str, x: float, lms: LMS | None) -> float | None:
    if lms is None or x <= 0:
        return None
    return round2(z_lms(x, lms, restricted=indicator in RESTRICTED))


def zscores(
    *,
    sex: Sex,
    age_days: int,
    weight_kg: float | None = None,
    length_cm: float | None = None,
    position: Position | None = None,
    head_cm: float | None = None,
) -> ZScores:
    """All indicators for one measurement. `position` None means "as the age requires" (no adjustment)."""
    if sex not in _SEX_FILE:
        raise ValueError("sex must be 'M' or 'F'")
    if age_days < 0:
        raise ValueError("age_days must not be negative")
    length = adjusted_length(age_days, length_cm, position) if length_cm is not None else None
    bmi = weight_kg / (length / 100) ** 2 if weight_kg is not None and length else None
    wflh: float | None = None
    if weight_kg is not None and length is not None:
        table = "wfl" if age_days < STANDING_FROM_DAYS else "wfh"
        wflh = _z("wflh", weight_kg, lms_for_length(table, sex, length))
    return ZScores(
        wfa=_z("wfa", weight_kg, lms_for_age("wfa", sex, age_days)) if weight_kg is not None else None,
        lhfa=_z("lhfa", length, lms_for_age("lhfa", sex, age_days)) if length is not None else None,
        wflh=wflh,
        bfa=_z("bfa", bmi, lms_for_age("bfa", sex, age_days)) if bmi is not None else None,
        hcfa=_z("hcfa", head_cm, lms_for_age("hcfa", sex, age_days)) if head_cm is not None else None,
        length_adjusted_cm=round(length, 2) if length is not None else None,
        bmi=round(bmi, 2) if bmi is not None else None,
    )


def value_at_z(
    *, indicator: str, sex: Sex, z: float, age_days: int | None = None, length_cm: float | None = None
) -> float | None:
    """The measurement at z (a WHO curve point), or None outside the tables. For wfl/wfh give length_cm."""
    if indicator in ("wfl", "wfh"):
        lms = lms_for_length(indicator, sex, length_cm) if length_cm is not None else None
    else:
        lms = lms_for_age(indicator, sex, age_days) if age_days is not None else None
    return lms.sd(z) if lms is not None else None


def value_from_z(lms: LMS, z: float) -> float:
    """Invert the LMS transform (the demo samples z ~ N(0, 1) and turns it into a measurement)."""
    return lms.sd(z)
