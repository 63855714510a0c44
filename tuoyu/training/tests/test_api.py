from datetime import date

from django.test import Client

from tuoyu.accounts.services import token_issue
from tuoyu.training.models import Enrolment
from tuoyu.workforce.models import Qualification
from tuoyu.workforce.tests.factories import employ, make_id

from .factories import TrainerFactory, TrainingBaseFactory, completed, course, session


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_base_list_filters_by_region_and_level(world):
    TrainingBaseFactory(region=world.regions["province"])
    TrainingBaseFactory(region=world.regions["xuanwu"])
    TrainingBaseFactory(region=world.regions["xishan"], active=False)
    client = _client(world, "caregiver")
    assert client.get("/api/v1/training/bases").json()["count"] == 3
    nanjing = client.get("/api/v1/training/bases?region=320100000000").json()
    assert [b["region_code"] for b in nanjing["items"]] == ["320102000000"]
    assert client.get("/api/v1/training/bases?level=province").json()["count"] == 1
    assert client.get("/api/v1/training/bases?in_service=false").json()["count"] == 1


def test_bad_or_unknown_region_answers_422_naming_it(world):
    client = _client(world, "county_official")
    assert client.get("/api/v1/training/sessions?region=32").status_code == 422
    response = client.get("/api/v1/training/trainers?region=329900000000")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "region"]


def test_sessions_upcoming_and_courses_for_a_role(world):
    upcoming = session(world, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2))
    session(world, starts_on=date(2024, 1, 1), ends_on=date(2024, 1, 2))
    course(world, role="head", hours=60)
    course(world, role="", hours=10)
    client = _client(world, "director")
    body = client.get("/api/v1/training/sessions?upcoming=true&level=county").json()
    assert upcoming.pk in [s["id"] for s in body["items"]]
    assert all(s["ends_on"] >= "2026-01-01" for s in body["items"])
    assert client.get("/api/v1/training/sessions?upcoming=false").json()["count"] == 1
    roles = {c["target_role"] for c in client.get("/api/v1/training/courses?role=head").json()["items"]}
    assert roles == {"head", ""}


def test_ledger_shows_hours_and_only_the_masked_id(world):
    job = employ(world.institutions["inst_xuanwu"], 1)
    completed(job, course(world, hours=100))
    response = _client(world, "director").get(f"/api/v1/training/ledger?person={job.person_id}")
    assert response.status_code == 200
    body = response.json()
    assert make_id(1) not in response.content.decode()
    assert body["masked_id"] == job.person.masked_id
    [line] = body["lines"]
    assert (line["role"], line["required_hours"], line["hours_credited"], line["met"]) == (
        "caregiver", 120.0, 100.0, False,
    )  # fmt: skip
    assert line["remaining_hours"] == 20.0 and line["rule_verified"] is False


def test_ledger_of_another_county_is_404(world):
    job = employ(world.institutions["inst_xuanwu"], 2)
    for persona, status in [("other_county_official", 404), ("parent", 404), ("county_official", 200)]:
        response = _client(world, persona).get(f"/api/v1/training/ledger?person={job.person_id}")
        assert response.status_code == status, persona


def test_director_enrols_staff_then_duplicate_and_full_answer_409(world):
    run = session(world, capacity=1)
    first = employ(world.institutions["inst_xuanwu"], 3)
    second = employ(world.institutions["inst_xuanwu"], 4)
    client = _client(world, "director")
    created = _post(
        client, "/api/v1/training/enrolments", {"session_id": run.pk, "person_id": first.person_id}
    )
    assert created.status_code == 201, created.content
    assert created.json()["masked_id"] == first.person.masked_id
    assert make_id(3) not in created.content.decode()
    again = _post(client, "/api/v1/training/enrolments", {"session_id": run.pk, "person_id": first.person_id})
    assert again.status_code == 409
    full = _post(client, "/api/v1/training/enrolments", {"session_id": run.pk, "person_id": second.person_id})
    assert full.status_code == 409


def test_director_cannot_enrol_another_institutions_staff(world):
    run = session(world, region="nanjing")
    other = employ(world.institutions["inst_jiangning"], 5)
    client = _client(world, "director")
    # Not visible at all: 404.
    body = {"session_id": run.pk, "person_id": other.person_id}
    assert _post(client, "/api/v1/training/enrolments", body).status_code == 404
    # Visible (a part-time job at 玄武 too) but enrolled from 江宁: 403.
    employ(world.institutions["inst_xuanwu"], 5, full_time=False)
    assert _post(client, "/api/v1/training/enrolments", body).status_code == 403
    assert not Enrolment.objects.exists()


def test_organiser_completes_over_the_api_idempotently(world):
    job = employ(world.institutions["inst_xuanwu"], 6, role="head")
    run = session(world, course=course(world, role="head", hours=60, leads_to="head_training"))
    director = _client(world, "director")
    enrolment = _post(
        director, "/api/v1/training/enrolments", {"session_id": run.pk, "person_id": job.person_id}
    )
    url = f"/api/v1/training/enrolments/{enrolment.json()['id']}/complete"
    assert _post(director, url, {}).status_code == 403
    organiser = _client(world, "county_official")
    done = _post(organiser, url, {"hours_credited": "60"})
    assert done.status_code == 200, done.content
    assert done.json()["certificate_no"].startswith(f"PX{run.pk:06d}-")
    assert _post(organiser, url, {}).json() == done.json()
    assert _post(organiser, url, {"hours_credited": "30"}).status_code == 409
    assert Qualification.objects.filter(person=job.person, kind="head_training").count() == 1


def test_completion_above_the_course_hours_is_422_naming_the_field(world):
    job = employ(world.institutions["inst_xuanwu"], 7)
    run = session(world)
    enrolment = Enrolment.objects.create(session=run, person=job.person, institution=job.institution)
    response = _post(
        _client(world, "county_official"),
        f"/api/v1/training/enrolments/{enrolment.pk}/complete",
        {"hours_credited": "40.5"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "hours_credited"]


def test_list_query_budgets(world, django_assert_max_num_queries):
    for _ in range(12):
        TrainerFactory(region=world.regions["xuanwu"])
        TrainingBaseFactory(region=world.regions["xuanwu"])
        session(world)
    client = _client(world, "county_official")
    for url in ("bases", "trainers", "courses", "sessions"):
        client.get(f"/api/v1/training/{url}")  # warm up
        with django_assert_max_num_queries(8):
            response = client.get(f"/api/v1/training/{url}")
        assert response.json()["count"] >= 12, url
