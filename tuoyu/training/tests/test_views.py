from datetime import date

import pytest
from django.test import Client

from tuoyu.training.models import Enrolment, TrainingBase
from tuoyu.workforce.tests.factories import employ, make_id

from .factories import TrainingBaseFactory, completed, course, session


@pytest.fixture
def login(world):
    def client_for(persona):
        client = Client()
        client.force_login(world.user(persona))
        client.cookies["django_language"] = "en"
        return client

    return client_for


def test_county_official_sees_only_their_countys_completion_figures(world, login):
    xuanwu_head = employ(world.institutions["inst_xuanwu"], 1, role="head")
    completed(xuanwu_head, course(world, role="head", hours=60))
    employ(world.institutions["inst_jiangning"], 2)
    TrainingBaseFactory(region=world.regions["xuanwu"], name="玄武区托育实训基地")
    body = login("county_official").get("/training/").content.decode()
    assert 'data-testid="completion-by-institution"' in body
    assert "梅园托育中心" in body
    assert "东山托育园" not in body  # 江宁区's institution
    assert "玄武区托育实训基地" in body
    assert "heads meeting their hours (1 of 1)" in body
    # Another county's region is not theirs to look at.
    assert login("county_official").get("/training/?region=320115000000").status_code == 404


def test_province_official_sees_completion_by_city_and_base_coverage(world, login):
    TrainingBaseFactory(region=world.regions["province"])
    TrainingBaseFactory(region=world.regions["nanjing"])
    employ(world.institutions["inst_wuxi"], 3)
    body = login("province_official").get("/training/").content.decode()
    assert 'data-testid="completion-by-region"' in body and "无锡市" in body
    assert "City level: regions with a base in service" in body
    assert "1 / 2" in body  # one of two cities has a base


def test_director_sees_who_is_short_and_enrols_them(world, login):
    short = employ(world.institutions["inst_xuanwu"], 4, name="短学时")
    run = session(world)
    client = login("director")
    home = client.get("/training/").content.decode()
    assert "1 staff member is short of training hours." in home
    assert "短学时" in home and f"/training/sessions/{run.pk}/" in home
    page = client.get(f"/training/sessions/{run.pk}/").content.decode()
    assert 'data-testid="enrol-form"' in page
    response = client.post(f"/training/sessions/{run.pk}/", {"action": "enrol", "employment": short.pk})
    assert response.status_code == 302
    assert Enrolment.objects.get().person_id == short.person_id


def test_organiser_records_completion_and_the_certificate_is_listed(world, login):
    job = employ(world.institutions["inst_xuanwu"], 5)
    run = session(world)
    enrolment = Enrolment.objects.create(session=run, person=job.person, institution=job.institution)
    client = login("county_official")
    response = client.post(
        f"/training/sessions/{run.pk}/",
        {"action": "complete", "enrolment": enrolment.pk, "hours_credited": "40", "certificate_no": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/training/sessions/{run.pk}/").content.decode()
    assert f"PX{run.pk:06d}-{enrolment.pk:06d}" in page
    assert make_id(5) not in page
    # The director sees the enrolment but may not record attendance.
    assert (
        login("director")
        .post(f"/training/sessions/{run.pk}/", {"action": "absent", "enrolment": enrolment.pk})
        .status_code
        == 403
    )


def test_completion_errors_come_back_on_the_page(world, login):
    job = employ(world.institutions["inst_xuanwu"], 6)
    run = session(world)
    enrolment = Enrolment.objects.create(session=run, person=job.person, institution=job.institution)
    response = login("county_official").post(
        f"/training/sessions/{run.pk}/",
        {"action": "complete", "enrolment": enrolment.pk, "hours_credited": "99"},
    )
    assert response.status_code == 200
    assert "At most the course" in response.content.decode()


def test_county_official_adds_a_base_for_their_county_but_not_another(world, login):
    client = login("county_official")
    form = {
        "name": "玄武区托育实训基地", "level": "county", "region": "320102000000", "capacity": "80",
        "accredited_by": "玄武区卫生健康委员会", "accredited_on": "2025-01-01",
    }  # fmt: skip
    assert client.post("/training/bases/new/", form).status_code == 302
    assert TrainingBase.objects.get().region_id == "320102000000"
    refused = client.post("/training/bases/new/", {**form, "region": "320115000000", "name": "江宁"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert TrainingBase.objects.count() == 1


def test_session_form_schedules_and_goes_to_the_session(world, login):
    the_course = course(world)
    response = login("county_official").post(
        "/training/sessions/new/",
        {"course": the_course.pk, "region": "320102000000", "starts_on": "2027-01-10",
         "ends_on": "2027-01-12", "capacity": "30", "location": "玄武区卫健委"},
    )  # fmt: skip
    assert response.status_code == 302 and "/training/sessions/" in response["Location"]


def test_person_ledger_page_never_shows_the_full_id(world, login):
    job = employ(world.institutions["inst_xuanwu"], 7)
    completed(job, course(world, hours=120), on=date(2026, 3, 1))
    body = login("director").get(f"/training/people/{job.person_id}/").content.decode()
    assert "120 of 120 hours" in body
    assert make_id(7) not in body and job.person.masked_id in body


def test_home_page_query_budgets(world, login, django_assert_max_num_queries):
    for n in range(10):
        job = employ(world.institutions["inst_xuanwu"], 10 + n, role="head" if n == 0 else "caregiver")
        completed(job, course(world, hours=60))
        TrainingBaseFactory(region=world.regions["xuanwu"])
        session(world)
    for persona, budget in [("county_official", 30), ("director", 20)]:
        client = login(persona)
        with django_assert_max_num_queries(budget):
            assert client.get("/training/").status_code == 200
