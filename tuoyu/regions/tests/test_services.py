"""Loading division codes and population: all or nothing, idempotent, clear row-level messages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tuoyu.core.imports import ImportFailed
from tuoyu.regions.models import Region, RegionPopulation
from tuoyu.regions.selectors import population_for
from tuoyu.regions.services import population_load, regions_load, regions_load_jiangsu

HEADER = "code,name,level,parent_code,kind\n"
GOOD = HEADER + (
    "650000000000,新疆维吾尔自治区,province,,自治区\n"
    "650100000000,乌鲁木齐市,city,650000000000,地级市\n"
    "650102000000,天山区,county,650100000000,市辖区\n"
    "650102001000,燕儿窝街道,township,650102000000,街道\n"
)

pytestmark = pytest.mark.usefixtures("english")


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


@pytest.mark.django_db
def test_jiangsu_loads_with_every_level_and_census_population():
    regions, population = regions_load_jiangsu()
    assert len(regions.created) == 1 + 13 + 104 + 1487 + 21958
    assert (
        Region.objects.filter(level="township", kind__in=["subdistrict", "town", "township"]).count() == 1203
    )
    assert population_for([Region.objects.get(code="320000000000")])["320000000000"] == 84_748_016
    xuanwu = Region.objects.get(code="320102000000")
    assert xuanwu.name == "玄武区" and xuanwu.lat is not None  # a point from the boundary file


@pytest.mark.django_db
def test_loading_jiangsu_twice_changes_nothing_and_says_so():
    regions_load_jiangsu()
    regions, population = regions_load_jiangsu()
    assert regions.created == [] and regions.updated == [] and regions.unchanged == 23563
    assert population.unchanged == 13


@pytest.mark.django_db
def test_another_province_loads_from_csv_and_reports_renames():
    report = regions_load(sources=[_csv(GOOD)])
    assert len(report.created) == 4
    renamed = GOOD.replace("燕儿窝街道", "燕儿窝新街道")
    report = regions_load(sources=[_csv(renamed)])
    assert report.updated == ["650102001000"] and report.unchanged == 3
    assert Region.objects.get(code="650102001000").name == "燕儿窝新街道"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_row", "field", "fragment"),
    [
        ("65010200100,短码街道,township,650102000000,街道", "code", "12-digit"),
        ("650102002000,未知上级,township,650199000000,街道", "parent_code", "Unknown parent"),
        ("650102003000,错级,township,650100000000,街道", "parent_code", "must be a county"),
        ("650102004000,怪类,township,650102000000,宫殿", "kind", "Unknown kind"),
        ("650202005000,跨区,township,650102000000,街道", "code", "does not start with"),
        ("650102001000,重复,township,650102000000,街道", "code", "Duplicate"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(bad_row, field, fragment):
    with pytest.raises(ImportFailed) as caught:
        regions_load(sources=[_csv(GOOD + bad_row + "\n")])
    errors = caught.value.errors
    assert any(e.row == 6 and e.field == field and fragment in e.message for e in errors), errors
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_malformed_csv_missing_columns_is_refused():
    with pytest.raises(ImportFailed) as caught:
        regions_load(sources=[_csv("code,name\n650000000000,新疆\n")])
    assert caught.value.errors[0].field == "kind"


@pytest.mark.django_db
def test_gb18030_csv_from_excel_is_read():
    regions_load(sources=[io.BytesIO(GOOD.encode("gb18030"))])
    assert Region.objects.get(code="650100000000").name == "乌鲁木齐市"


@pytest.mark.django_db
def test_load_regions_command_reports_errors_and_fails(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "650100000000,乌鲁木齐市,city,640000000000,地级市\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_regions", str(path), stderr=err)
    assert "row 2, parent_code" in err.getvalue()


@pytest.mark.django_db
def test_population_rolls_up_only_when_every_child_has_a_figure():
    regions_load(sources=[_csv(GOOD + "650103000000,沙依巴克区,county,650100000000,市辖区\n")])
    population_load(source=_csv("code,year,population,source\n650102000000,2020,700000,test\n"))
    city = Region.objects.get(code="650100000000")
    assert population_for([city])[city.code] is None  # 沙依巴克区 has no figure: no partial sum
    population_load(source=_csv("code,year,population,source\n650103000000,2020,600000,test\n"))
    assert population_for([city])[city.code] == 1_300_000
    province = Region.objects.get(code="650000000000")
    assert population_for([province])[province.code] == 1_300_000


@pytest.mark.django_db
def test_own_population_figure_wins_over_sum_of_children():
    regions_load(sources=[_csv(GOOD)])
    population_load(
        source=_csv(
            "code,year,population,source\n650100000000,2020,4054369,census\n650102000000,2020,100,test\n"
        )
    )
    assert population_for([Region.objects.get(code="650100000000")])["650100000000"] == 4_054_369


@pytest.mark.django_db
def test_population_bad_rows_name_row_and_field_and_write_nothing():
    regions_load(sources=[_csv(GOOD)])
    text = (
        "code,year,population,source\n"
        "650100000000,2020,4054369,census\n"
        "999999999999,2020,5,census\n"
        "650102000000,20x0,5,census\n"
        "650102000000,2020,-3,census\n"
        "650100000000,2020,1,census\n"
    )
    with pytest.raises(ImportFailed) as caught:
        population_load(source=_csv(text))
    found = {(e.row, e.field) for e in caught.value.errors}
    assert {(3, "code"), (4, "year"), (5, "population"), (6, "code")} <= found
    assert not RegionPopulation.objects.exists()


@pytest.mark.django_db
def test_population_reload_is_idempotent_and_reports_updates():
    regions_load(sources=[_csv(GOOD)])
    text = "code,year,population,source\n650100000000,2020,4054369,census\n"
    assert len(population_load(source=_csv(text)).created) == 1
    assert population_load(source=_csv(text)).unchanged == 1
    report = population_load(source=_csv(text.replace("4054369", "4054370")))
    assert report.updated == ["650100000000/2020"]


@pytest.mark.django_db
def test_subtree_query_is_a_range_on_the_code():
    regions_load(sources=[_csv(GOOD)])
    city = Region.objects.get(code="650100000000")
    assert list(Region.objects.below(city).values_list("code", flat=True)) == ["650102000000", "650102001000"]
