"""Tests of the demo-data generator (``manage.py demo_data``) and the bulk institution service it uses.

The allocation arithmetic is tested as pure functions with the province's real inputs (fast). The
database tests run the small scale; the test database starts without regions, so each of them also
exercises the generator's automatic load of the Jiangsu tree (about two seconds).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.core.validators import validate_uscc
from tuoyu.devtools.demo import (
    NANJING_CODE,
    SYNTHETIC_POPULATION_SOURCE,
    TYPE_SHARES,
    XUANWU_CODE,
    draw_places,
    expand_shares,
    largest_remainder,
    make_uscc,
    place_stem,
    scale_places,
    scale_to_total,
)
from tuoyu.institutions.choices import FilingStatus, InstitutionType, OperatingStatus
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services import institutions_bulk_create
from tuoyu.regions.geo import get_boundaries
from tuoyu.regions.models import Region, RegionPopulation

POPULATION_CSV = Path(__file__).resolve().parents[2] / "regions" / "data" / "jiangsu_population.csv"
PASSWORD = "demo-pass"


@pytest.fixture(autouse=True)
def fast_password_hashing() -> Iterator[None]:
    # Argon2 takes a quarter of a second per demo login; these tests check roles, not hashing.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def city_populations() -> list[int]:
    """The 13 cities' 2020 census figures in code order, as shipped with the project."""
    with POPULATION_CSV.open(encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["code"])
    return [int(r["population"]) for r in rows if r["code"].endswith("00000000")]


def demo_data(*args: str) -> str:
    """Run the command like a developer would and return what it printed."""
    out = StringIO()
    call_command("demo_data", *args, "--password", PASSWORD, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


def institution_rows() -> list[tuple[str, str, int, float | None, float | None]]:
    return list(Institution.objects.order_by("id").values_list("name", "uscc", "places", "lat", "lng"))


# --- Pure functions -----------------------------------------------------------------------------


def test_largest_remainder_splits_4423_institutions_over_the_13_cities_exactly() -> None:
    populations = city_populations()
    assert len(populations) == 13 and sum(populations) == 84_748_016
    counts = largest_remainder(populations, 4423)
    assert sum(counts) == 4423
    for population, count in zip(populations, counts, strict=True):
        assert abs(count - 4423 * population / sum(populations)) < 1
    assert counts[4] == max(counts)  # 苏州市, the most populous city


def test_largest_remainder_splits_187_inclusive_institutions_over_the_cities_exactly() -> None:
    populations = city_populations()
    counts = largest_remainder(populations, 187)
    assert sum(counts) == 187
    for population, count in zip(populations, counts, strict=True):
        assert abs(count - 187 * population / sum(populations)) < 1


def test_largest_remainder_gives_ties_to_the_earlier_weight() -> None:
    assert largest_remainder([1, 1, 1], 2) == [1, 1, 0]
    assert largest_remainder([0.5, 0.5], 1) == [1, 0]
    assert largest_remainder([3, 0], 0) == [0, 0]


def test_places_scale_to_exactly_221000_with_family_points_at_most_5_and_others_at_least_10() -> None:
    rng = random.Random(1)
    types = expand_shares(TYPE_SHARES, 4423, rng)
    raw = [draw_places(rng, t) for t in types]
    places = scale_places(raw, types, 221_000)
    assert sum(places) == 221_000
    family = [p for p, t in zip(places, types, strict=True) if t == InstitutionType.FAMILY]
    others = [p for p, t in zip(places, types, strict=True) if t != InstitutionType.FAMILY]
    assert len(family) == round(4423 * 0.07) and all(3 <= p <= 5 for p in family)
    assert min(others) >= 10 and max(others) <= 2000


def test_scaling_down_pins_small_values_at_the_minimum_and_still_hits_the_total() -> None:
    parts = scale_to_total([1, 1, 100, 100], 60, minimum=10)
    assert sum(parts) == 60
    assert parts[:2] == [10, 10]


def test_generated_credit_codes_pass_the_national_check() -> None:
    rng = random.Random(5)
    for registrar, enterprise in (("91", True), ("52", False), ("12", False), ("92", True)):
        for _ in range(200):
            code = make_uscc(rng, registrar, "320102000000", enterprise)
            validate_uscc(code)  # raises on a wrong check character
            assert code[:2] == registrar and code[2:8] == "320102"


def test_township_stems_drop_suffixes_but_keep_names_that_start_like_the_county() -> None:
    assert place_stem("梅园新村街道", ("南京市", "南京", "玄武区", "玄武")) == "梅园"
    assert place_stem("玄武门街道", ("南京市", "南京", "玄武区", "玄武")) == "玄武门"
    assert place_stem("经济开发区", ("玄武区", "玄武")) == ""


# --- Generating into the database ---------------------------------------------------------------


@pytest.mark.django_db
def test_small_scale_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    demo_data("--scale", "small", "--seed", "7")
    first = institution_rows()
    demo_data("--scale", "small", "--seed", "7", "--reset")
    assert institution_rows() == first
    assert all(lat is not None for _n, _u, _p, lat, _lng in first)
    demo_data("--scale", "small", "--seed", "8", "--reset")
    assert institution_rows() != first
    # --reset replaced the earlier run instead of adding to it.
    assert User.objects.filter(username__startswith="demo_").count() == 8
    assert RegionPopulation.objects.filter(source=SYNTHETIC_POPULATION_SOURCE).count() == 104


@pytest.mark.django_db
def test_small_scale_creates_demo_logins_with_their_roles_and_password() -> None:
    demo_data("--scale", "small", "--seed", "1")
    roles = {
        (a.user.username, a.role, a.region_id, a.institution_id is not None)
        for a in RoleAssignment.objects.select_related("user")
    }
    assert roles == {
        ("demo_province", Role.OFFICIAL_ADMIN, "320000000000", False),
        ("demo_city_nanjing", Role.OFFICIAL_ADMIN, NANJING_CODE, False),
        ("demo_county_xuanwu", Role.OFFICIAL_ADMIN, XUANWU_CODE, False),
        ("demo_county_jiangning", Role.OFFICIAL_ADMIN, "320115000000", False),
        ("demo_director", Role.DIRECTOR, None, True),
        ("demo_caregiver", Role.CAREGIVER, None, True),
        ("demo_parent", Role.PARENT, None, False),
        ("demo_national", Role.NATIONAL_OBSERVER, None, False),
    }
    assert RoleAssignment.objects.get(user__username="demo_county_xuanwu").unit == "玄武区卫生健康委员会"
    director = RoleAssignment.objects.get(user__username="demo_director").institution
    caregiver = RoleAssignment.objects.get(user__username="demo_caregiver").institution
    assert director == caregiver
    assert director.county_id == XUANWU_CODE
    assert (director.status, director.filing_status) == (OperatingStatus.OPERATING, FilingStatus.FILED)
    user = User.objects.get(username="demo_province")
    assert user.check_password(PASSWORD) and user.display_name


@pytest.mark.django_db
def test_small_scale_puts_three_institutions_per_nanjing_district_each_inside_its_county() -> None:
    output = demo_data("--scale", "small", "--seed", "3")
    operating = Institution.objects.operating()
    assert set(Institution.objects.values_list("city_id", flat=True)) == {NANJING_CODE}
    nanjing_counties = Region.objects.filter(parent_id=NANJING_CODE).count()
    assert operating.count() == 3 * nanjing_counties
    assert operating.filter(inclusive=True).count() >= 2
    assert operating.filter(filing_status=FilingStatus.FILED).count() >= 0.8 * operating.count()
    rows = list(Institution.objects.values_list("county_id", "lng", "lat"))
    found = get_boundaries().counties_at([(lng, lat) for _c, lng, lat in rows])
    assert found == [county for county, _lng, _lat in rows]
    assert "Places per 1,000 residents" in output and "demo_director" in output


@pytest.mark.django_db
def test_synthetic_county_population_adds_up_to_each_city_census_figure() -> None:
    demo_data("--scale", "small", "--seed", "1")
    synthetic = RegionPopulation.objects.filter(source=SYNTHETIC_POPULATION_SOURCE, year=2020)
    assert set(synthetic.values_list("region__level", flat=True)) == {"county"}
    for city in RegionPopulation.objects.filter(year=2020, region__level="city"):
        parts = synthetic.filter(region__parent_id=city.region_id).values_list("population", flat=True)
        assert sum(parts) == city.population


@pytest.mark.django_db
def test_if_empty_leaves_existing_institutions_alone() -> None:
    demo_data("--scale", "small", "--seed", "1")
    before = institution_rows()
    output = demo_data("--scale", "small", "--seed", "2", "--if-empty")
    assert institution_rows() == before
    assert "already exist" in output


@pytest.mark.django_db
def test_without_reset_or_if_empty_the_command_refuses_to_add_to_existing_institutions() -> None:
    demo_data("--scale", "small", "--seed", "1")
    before = institution_rows()
    with pytest.raises(CommandError, match="--reset"):
        demo_data("--scale", "small", "--seed", "2")
    assert institution_rows() == before


# --- The bulk service ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_create_names_the_item_of_each_error_and_creates_nothing() -> None:
    province = Region.objects.create(code="320000000000", name="江苏省", level="province", kind="province")
    city = Region.objects.create(
        code=NANJING_CODE, name="南京市", level="city", kind="prefecture_city", parent=province
    )
    county = Region.objects.create(
        code=XUANWU_CODE, name="玄武区", level="county", kind="district", parent=city
    )
    Region.objects.create(
        code="320102002000", name="梅园新村街道", level="township", kind="subdistrict", parent=county
    )
    rng = random.Random(1)
    codes = [make_uscc(rng, "91", XUANWU_CODE, True) for _ in range(2)]

    def item(uscc: str, township: str = "320102002000") -> Institution:
        return Institution(
            name="梅园小太阳托育中心",
            uscc=uscc,
            type=InstitutionType.PRIVATE_RUN,
            ownership="private",
            places=40,
            address="中山路1号",
            township_id=township,
        )

    with pytest.raises(ValidationError) as caught:
        institutions_bulk_create(
            actor=None,
            institutions=[
                item(codes[0]),
                item(codes[1], township=XUANWU_CODE),
                item(codes[0]),
                item("not-a-code"),
            ],
        )
    errors = caught.value.message_dict
    assert set(errors) == {"1.township", "2.uscc", "3.uscc"}
    assert not Institution.objects.exists()

    created = institutions_bulk_create(actor=None, institutions=[item(codes[0]), item(codes[1])])
    assert [i.county_id for i in created] == [XUANWU_CODE, XUANWU_CODE]
    assert {i.city_id for i in Institution.objects.all()} == {NANJING_CODE}


@pytest.mark.django_db
def test_demo_records_keep_every_rule_the_services_enforce() -> None:
    from django.db.models import F, Sum

    from tuoyu.institutions.models import Designation, InstitutionClass
    from tuoyu.institutions.rules import CLASS_RULES

    demo_data("--scale", "small", "--seed", "5")
    totals = Institution.objects.annotate(total=Sum("classes__capacity"))
    assert not totals.exclude(total=F("places")).exists()
    for klass in InstitutionClass.objects.all():
        assert klass.capacity <= CLASS_RULES[klass.kind].max_children
    for institution in Institution.objects.all():
        institution.full_clean(validate_unique=False)  # lease ≥ 3 years, floor ≤ 3, dates not in the future
    inclusive = Institution.objects.filter(inclusive=True).count()
    assert Designation.objects.filter(kind="inclusive", revoked_on__isnull=True).count() == inclusive
