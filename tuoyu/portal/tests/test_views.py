"""The UI shell: each end's home shows the right region and figures."""

from __future__ import annotations

from tuoyu.core.tests.factories import InstitutionFactory


def _get(client, world, persona, url):
    client.force_login(world.user(persona))
    return client.get(url)


def test_county_official_lands_on_own_county_with_only_its_institutions(client, world):
    client.force_login(world.user("county_official"))
    response = client.get("/gov/", follow=True)
    body = response.content.decode()
    assert "玄武区" in body and "梅园新村街道" in body
    listing = client.get("/gov/regions/320102000000/institutions/").content.decode()
    assert "梅园托育中心" in listing and "东山托育园" not in listing


def test_city_page_lists_counties_with_counts_and_places(client, world):
    body = _get(client, world, "city_official", "/gov/regions/320100000000/").content.decode()
    assert "玄武区" in body and "江宁区" in body and "80" in body and "50" in body
    assert "每千人口托位数" in body  # Chinese by default


def test_places_per_1000_uses_census_population(client, world):
    response = _get(client, world, "city_official", "/gov/regions/320100000000/")
    figures = response.context["figures"]
    assert figures["population"] == 9314685
    assert round(figures["per_1000"], 4) == round(130 * 1000 / 9314685, 4)


def test_gov_region_page_query_budget(client, world, django_assert_max_num_queries):
    for _ in range(20):
        InstitutionFactory(township=world.regions["dongshan"])
    client.force_login(world.user("province_official"))
    with django_assert_max_num_queries(14):
        assert client.get("/gov/regions/320000000000/").status_code == 200


def test_director_home_shows_their_institution(client, world):
    body = _get(client, world, "director", "/inst/").content.decode()
    assert "梅园托育中心" in body and "东山托育园" not in body


def test_public_register_shows_filed_institutions_only(client, world):
    from tuoyu.institutions.choices import FilingStatus

    InstitutionFactory(
        name="未备案托育点", township=world.regions["meiyuan"], filing_status=FilingStatus.PENDING
    )
    body = client.get("/public/?region=320100000000").content.decode()
    assert "梅园托育中心" in body and "东山托育园" in body
    assert "未备案托育点" not in body and "东亭托育中心" not in body


def test_chinese_by_default_whatever_the_browser_asks(client, world):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "三岁以下" in body or "3岁以下" in body


def test_english_is_available_with_the_switcher(client, world):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert "Childcare for children under three" in body


def test_nav_shows_only_the_ends_the_user_may_open(client, world):
    body = _get(client, world, "parent", "/").content.decode()
    assert 'data-end="parent"' in body and 'data-end="gov"' not in body and 'data-end="inst"' not in body


def test_institution_page_names_the_registering_authority_for_its_legal_form(client, world):
    from tuoyu.institutions.services import institution_update

    institution = world.institutions["inst_xuanwu"]
    institution_update(actor=None, institution=institution, legal_form="social_service")
    body = _get(client, world, "county_official", f"/gov/institutions/{institution.pk}/").content.decode()
    assert "社会服务机构" in body and "民政部门" in body
