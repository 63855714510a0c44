"""One person's record through the API: masked ID, visible jobs, qualifications, checks, ending a job."""

from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue
from tuoyu.workforce.models import BackgroundCheck, Employment, Qualification, StaffAlert

from .factories import employ, make_id


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_person_shows_masked_id_visible_jobs_and_findings_never_the_full_id(world):
    job = employ(world.institutions["inst_xuanwu"], 1, full_time=False)
    employ(world.institutions["inst_wuxi"], 1, full_time=False)  # another city: hidden from 玄武区
    Qualification.objects.create(person=job.person, kind="health_certificate", issued_on=date(2026, 1, 5))
    response = _client(world, "county_official").get(f"/api/v1/staff/people/{job.person_id}")
    assert response.status_code == 200
    body = response.json()
    assert make_id(1) not in response.content.decode()
    assert body["masked_id"] == make_id(1)[:3] + "*" * 11 + make_id(1)[-4:]
    assert [j["institution_id"] for j in body["jobs"]] == [job.institution_id]
    assert "pre_hire_check" in {m["code"] for m in body["jobs"][0]["missing"]}
    assert [q["kind"] for q in body["qualifications"]] == ["health_certificate"]


def test_person_of_another_county_answers_404(world):
    job = employ(world.institutions["inst_xuanwu"], 2)
    assert (
        _client(world, "other_county_official").get(f"/api/v1/staff/people/{job.person_id}").status_code
        == 404
    )


def test_director_adds_a_qualification_and_a_bad_date_names_the_field(world):
    job = employ(world.institutions["inst_xuanwu"], 3)
    client = _client(world, "director")
    url = f"/api/v1/staff/people/{job.person_id}/qualifications"
    ok = _post(client, url, {"kind": "education", "level": "bachelor", "issued_on": "2015-07-01"})
    assert ok.status_code == 201, ok.content
    assert ok.json()["level"] == "bachelor"
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    bad = _post(client, url, {"kind": "health_certificate", "issued_on": future})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "issued_on"]
    reversed_dates = _post(
        client, url, {"kind": "health_certificate", "issued_on": "2026-01-01", "expires_on": "2025-01-01"}
    )
    assert reversed_dates.status_code == 422
    assert Qualification.objects.count() == 1


def test_visible_but_not_changeable_answers_403(world):
    job = employ(world.institutions["inst_xuanwu"], 4)
    body = {"kind": "annual", "checked_on": "2026-01-02", "result": "clear"}
    for persona in ("county_official", "caregiver"):
        response = _post(_client(world, persona), f"/api/v1/staff/people/{job.person_id}/checks", body)
        assert response.status_code == 403, persona
    assert not BackgroundCheck.objects.exists()


def test_a_check_with_a_record_alerts_and_an_unknown_job_names_the_field(world):
    job = employ(world.institutions["inst_xuanwu"], 5)
    other = employ(world.institutions["inst_wuxi"], 6)
    client = _client(world, "director")
    url = f"/api/v1/staff/people/{job.person_id}/checks"
    bad = _post(
        client,
        url,
        {"kind": "annual", "checked_on": "2026-01-02", "result": "clear", "employment_id": other.pk},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "employment_id"]
    body = {"kind": "annual", "checked_on": "2026-01-02", "result": "record_found", "employment_id": job.pk}
    created = _post(client, url, body)
    assert created.status_code == 201, created.content
    assert created.json()["employment_id"] == job.pk
    assert StaffAlert.objects.filter(person=job.person, kind="record_found").exists()


def test_ending_a_job_and_ending_it_again(world):
    job = employ(world.institutions["inst_xuanwu"], 7, start_on=date(2025, 3, 1))
    client = _client(world, "director")
    url = f"/api/v1/staff/{job.pk}/end"
    early = _post(client, url, {"end_on": "2025-02-01"})
    assert early.status_code == 422
    assert early.json()["detail"][0]["loc"] == ["body", "end_on"]
    ended = _post(client, url, {"end_on": "2026-01-31", "end_reason": "离职"})
    assert ended.status_code == 200, ended.content
    assert ended.json()["end_on"] == "2026-01-31"
    assert _post(client, url, {"end_on": "2026-02-01"}).status_code == 409
    assert Employment.objects.get(pk=job.pk).end_reason == "离职"


def test_ending_a_job_is_the_directors(world):
    job = employ(world.institutions["inst_xuanwu"], 8)
    body = {"end_on": "2026-01-31"}
    assert _post(_client(world, "caregiver"), f"/api/v1/staff/{job.pk}/end", body).status_code == 403
    assert (
        _post(_client(world, "other_county_official"), f"/api/v1/staff/{job.pk}/end", body).status_code == 404
    )
    assert Employment.objects.open().filter(pk=job.pk).exists()
