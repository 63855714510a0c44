"""The Simplified Chinese catalogue (the default UI language) is complete, well-formed and uses the glossary.

Checked with polib on the .po file itself; no database and no compiled .mo are needed.
Terms: docs/glossary.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

PO_PATH = Path(__file__).resolve().parents[3] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# {name} as used with str.format(), and %(name)s as used by blocktranslate and %-formatting.
BRACE_PLACEHOLDER = re.compile(r"\{(\w*)\}")
PERCENT_PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

# Fixed terms from the glossary: where the msgid exists, its translation must be exactly this.
GLOSSARY = {
    "Tuoyu": "智慧托育",
    "Tuoyu childcare platform": "智慧托育平台",
    "Childcare services platform": "托育服务综合平台",
    "Simplified Chinese": "简体中文",
    "Government": "管理端",
    "Institution": "托育机构",
    "Parents": "家长端",
    "Public register": "公示名录",
    "Map": "托育地图",
    "Unified social credit code": "统一社会信用代码",
    "places per 1,000 residents": "每千人口托位数",
    "Audit log": "操作日志",
    "Official (viewer)": "卫健部门（查看）",
    "Official (reviewer)": "卫健部门（审核）",
    "Official (inspector)": "卫健部门（检查员）",
    "Official (administrator)": "卫健部门（管理员）",
    "National observer": "国家级观察员",
    "Director": "机构负责人",
    "Caregiver": "保育人员",
    "Health worker": "保健人员",
    "Province": "省",
    "City": "设区市",
    "County": "县（市、区）",
    "Township": "乡镇（街道）",
    "Community": "社区（村）",
    "Operating": "运营中",
    "Preparing": "筹建中",
    "Suspended": "停业整顿",
    "Closed": "已关闭",
    "Not filed": "未备案",
    "Filing in progress": "备案中",
    "Filed": "已备案",
    "Non-compliant": "不符合要求",
    "Cancelled": "已注销",
    "Socially run": "社会举办",
    "Community service": "社区服务",
    "Kindergarten nursery class": "托幼一体（幼儿园托班）",
    "Employer-provided": "单位服务",
    "Medical-childcare combined": "医育结合",
    "Family childcare point": "家庭托育点",
    "Public": "公办",
    "Private": "民办",
    "Subdistrict": "街道",
    "Town": "镇",
    "Rural township": "乡",
    "Other township-level unit": "其他乡级单位",
    "Residents' committee": "居委会",
    "Villagers' committee": "村委会",
    "City district": "市辖区",
    "County-level city": "县级市",
    "Prefecture-level city": "地级市",
    "Economic zone": "经济功能区",
}


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [e for e in catalogue if not e.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _placeholders(text: str) -> set[str]:
    braces = {"{" + name + "}" for name in BRACE_PLACEHOLDER.findall(text)}
    return braces | {m.group(0) for m in PERCENT_PLACEHOLDER.finditer(text)}


def test_every_string_has_a_chinese_translation(catalogue):
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    assert untranslated == []
    assert catalogue.percent_translated() == 100


def test_no_translation_is_marked_fuzzy(catalogue):
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy


def test_header_declares_simplified_chinese_with_one_plural_form(catalogue):
    assert catalogue.metadata["Language"] == "zh_Hans"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert catalogue.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_plural_strings_have_exactly_one_chinese_form(catalogue):
    plurals = [e for e in _entries(catalogue) if e.msgid_plural]
    wrong = {e.msgid: sorted(e.msgstr_plural) for e in plurals if sorted(e.msgstr_plural) != [0]}
    assert wrong == {}


def test_every_placeholder_survives_translation(catalogue):
    """Each msgid's {name} and %(name)s placeholders appear in its msgstr, and the msgstr adds none."""
    mismatches = []
    for entry in _entries(catalogue):
        expected = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        for translation in _translations(entry):
            found = _placeholders(translation)
            if found != expected:
                mismatches.append((entry.msgid, sorted(expected - found), sorted(found - expected)))
    assert mismatches == [], "msgid, missing from msgstr, not in msgid: " + repr(mismatches)


def test_translations_are_chinese_not_copied_english(catalogue):
    """Apart from a few proper names, a msgstr identical to its msgid is an untranslated string."""
    allowed = {"English"}
    copied = [e.msgid for e in _entries(catalogue) if e.msgstr == e.msgid and e.msgid not in allowed]
    assert copied == []


def test_the_discarded_product_name_is_not_used(catalogue):
    assert [e.msgid for e in _entries(catalogue) if any("托育通" in t for t in _translations(e))] == []


@pytest.mark.parametrize("msgid", sorted(GLOSSARY))
def test_glossary_terms_are_translated_as_fixed(catalogue, msgid):
    entry = catalogue.find(msgid, msgctxt=None)  # the entry without a context
    if entry is None or entry.obsolete:
        pytest.skip(f"{msgid!r} is no longer in the catalogue")
    assert entry.msgstr == GLOSSARY[msgid]


def test_the_institution_end_is_named_apart_from_an_institution(catalogue):
    # "Institution" is a 托育机构 in tables and forms; the end (nav, home) is 机构端, with its own context.
    assert catalogue.find("Institution", msgctxt="end").msgstr == "机构端"
    assert catalogue.find("Institution", msgctxt=None).msgstr == "托育机构"
