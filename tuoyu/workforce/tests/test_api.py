from datetime import date

from django.test import Client

from tuoyu.accounts.services import token_issue
from tuoyu.workforce import services
from tuoyu.workforce.models import Employment

from .factories import employ, make_id


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def _body(world, n, **extra):
    return {
        "institution_id": world.institutions["inst_xuanwu"].pk,
        "name": "李四",
        "id_number": make_id(n),
        "phone": "13800000000",
        "role": "caregiver",
        "start_on": "2025-06-01",
        **extra,
    }


def test_director_hires_and_the_id_number_never_appears_in_full(world):
    client = _client(world, "director")
    response = client.post("/api/v1/staff", _body(world, 1), content_type="application/json")
    assert response.status_code == 201, response.content
    assert make_id(1) not in response.content.decode()
    assert response.json()["masked_id"] == make_id(1)[:3] + "*" * 11 + make_id(1)[-4:]
    listing = client.get(f"/api/v1/staff?institution={world.institutions['inst_xuanwu'].pk}")
    assert listing.status_code == 200
    assert make_id(1) not in listing.content.decode()
    [item] = listing.json()["items"]
    assert {m["code"] for m in item["missing"]} >= {"health_certificate", "pre_hire_check"}
    person_page = Client()
    person_page.force_login(world.user("director"))
    for url in (
        f"/workforce/people/{item['person_id']}/",
        f"/workforce/institutions/{world.institutions['inst_xuanwu'].pk}/staff/",
    ):
        page = person_page.get(url)
        assert page.status_code == 200
        assert make_id(1) not in page.content.decode()


def test_invalid_id_number_answers_422_naming_the_field(world):
    body = _body(world, 1, id_number=make_id(1)[:17] + ("0" if make_id(1)[17] != "0" else "1"))
    response = _client(world, "director").post("/api/v1/staff", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "id_number"]


def test_banned_person_answers_409_with_the_reason(world, english):
    services.ban_record_add(
        actor=world.user("county_official"), id_number=make_id(2), name="王五", kind="lifetime",
        decision="虐待", decided_on=date(2025, 1, 2), decided_by="玄武区卫生健康委员会",
    )  # fmt: skip
    response = _client(world, "director").post(
        "/api/v1/staff", _body(world, 2), content_type="application/json"
    )
    assert response.status_code == 409
    assert "玄武区卫生健康委员会" in response.json()["detail"]
    assert make_id(2) not in response.content.decode()


def test_visible_but_not_changeable_is_403_and_invisible_is_404(world):
    for persona, status in [("county_official", 403), ("caregiver", 403), ("other_county_official", 404)]:
        response = _client(world, persona).post(
            "/api/v1/staff", _body(world, 3), content_type="application/json"
        )
        assert response.status_code == status, persona
    assert not Employment.objects.exists()


def test_staff_list_query_budget(world, django_assert_max_num_queries):
    institution = world.institutions["inst_xuanwu"]
    for n in range(15):
        employ(institution, n)
    client = _client(world, "director")
    client.get(f"/api/v1/staff?institution={institution.pk}")  # warm up
    with django_assert_max_num_queries(10):
        response = client.get(f"/api/v1/staff?institution={institution.pk}")
    assert response.json()["count"] == 15


def test_staff_page_query_budget(world, django_assert_max_num_queries):
    institution = world.institutions["inst_xuanwu"]
    for n in range(15):
        employ(institution, n)
    client = Client()
    client.force_login(world.user("director"))
    with django_assert_max_num_queries(20):
        response = client.get(f"/workforce/institutions/{institution.pk}/staff/")
    assert response.status_code == 200


def test_ban_search_answers_for_one_number_without_showing_it(world):
    services.ban_record_add(
        actor=world.user("province_official"), id_number=make_id(4), name="赵六", kind="lifetime",
        decision="虐待", decided_on=date(2025, 1, 2), decided_by="江苏省卫生健康委员会",
    )  # fmt: skip
    client = Client()
    client.force_login(world.user("county_official"))
    listing = client.get("/workforce/bans/").content.decode()
    assert "赵六" in listing and make_id(4) not in listing
    hit = client.post("/workforce/bans/", {"search-id_number": make_id(4)}).content.decode()
    miss = client.post("/workforce/bans/", {"search-id_number": make_id(5)}).content.decode()
    assert 'data-testid="ban-answer"' in hit and "江苏省卫生健康委员会 ·" in hit
    assert make_id(4) not in hit and make_id(5) not in miss
    assert "江苏省卫生健康委员会 ·" not in miss.split('data-testid="ban-answer"')[1].split("</p>")[0]
