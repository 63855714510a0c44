"""The care rules: who is told by severity, the allergen synonyms, the medication times."""

import pytest

from tuoyu.care.models import parse_times
from tuoyu.care.rules import MANDATORY_REPORT, REPORTABLE_SEVERITIES, allergy_match, severity_rule


@pytest.mark.parametrize(
    ("severity", "urgent", "officials"),
    [("minor", False, False), ("moderate", False, False), ("serious", True, True), ("critical", True, True)],
)
def test_severity_decides_who_is_told_at_once(severity, urgent, officials):
    rule = severity_rule(severity)
    assert (rule.guardian_urgent, rule.officials_at_once) == (urgent, officials)
    assert (severity in REPORTABLE_SEVERITIES) == officials


def test_mandatory_report_goes_to_the_county_and_not_automatically_to_guardians():
    assert MANDATORY_REPORT.first_recipient == "县级卫生健康部门"
    assert "第11条" in MANDATORY_REPORT.source
    assert MANDATORY_REPORT.notify_guardians is False


@pytest.mark.parametrize(
    ("allergy", "text", "found"),
    [
        ("花生", "花生酥, 面粉", "花生"),
        ("花生过敏", "凉拌菠菜, 花生酱", "花生酱"),
        ("Peanut ", "PEANUT butter", "peanut"),
        ("牛奶", "酸奶", "酸奶"),
        ("乳制品", "奶酪饼", "奶酪"),
        ("鸡蛋", "番茄炒蛋", "蛋"),
        ("egg", "蛋糕", "蛋"),
        ("海鲜", "清蒸鲈鱼", "鱼"),
        ("虾", "蟹黄豆腐", "蟹"),
        ("小麦", "西红柿鸡蛋面", "面"),
        ("大豆", "豆腐脑", "豆腐"),
        ("坚果", "核桃仁", "核桃"),
        ("芒果", "芒果布丁", "芒果"),
    ],
)
def test_allergy_matches_synonyms(allergy, text, found):
    assert allergy_match(allergy, text) == found


@pytest.mark.parametrize(
    ("allergy", "text"), [("花生", "米饭, 青菜"), ("鸡蛋", "清蒸鲈鱼"), ("芒果", "苹果"), ("", "花生")]
)
def test_allergy_does_not_match_other_foods(allergy, text):
    assert allergy_match(allergy, text) is None


def test_times_are_parsed_and_sorted():
    assert parse_times("15:00，8:30 12:00, 8:30") == ["08:30", "12:00", "15:00"]
    for bad in ("25:00", "9", "9:5", "ab:cd"):
        with pytest.raises(ValueError):
            parse_times(bad)
