"""The ratio and class-assignment endpoints: figures, writes, and their refusals."""

from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue
from tuoyu.workforce.models import ClassAssignment

from .factories import assign, employ, make_class


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_ratios_list_each_class_with_its_figures_and_breach(world):
    institution = world.institutions["inst_xuanwu"]
    klass = make_class(institution, "托小班1", kind="toddler", enrolled=12)
    assignment = assign(institution, 1, klass=klass)
    make_class(institution, "乳儿班1", kind="infant", capacity=10, enrolled=0)
    response = _client(world, "county_official").get(f"/api/v1/staff/ratios?institution={institution.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["breaches"], body["children_counted"]) == (2, 1, "enrolment")
    toddler = next(i for i in body["items"] if i["name"] == "托小班1")
    assert toddler["children"] == 12 and toddler["children_per_caregiver"] == 5
    assert (toddler["required_caregivers"], toddler["breach"]) == (3, True)
    assert toddler["caregivers"][0]["assignment_id"] == assignment.pk
    assert toddler["messages"]


def test_ratios_of_another_county_answer_404(world):
    institution = world.institutions["inst_xuanwu"]
    response = _client(world, "other_county_official").get(
        f"/api/v1/staff/ratios?institution={institution.pk}"
    )
    assert response.status_code == 404


def test_director_assigns_and_ends_through_the_api(world):
    institution = world.institutions["inst_xuanwu"]
    job, klass = employ(institution, 1), make_class(institution, enrolled=3)
    client = _client(world, "director")
    created = _post(client, "/api/v1/staff/assignments", {"employment_id": job.pk, "class_id": klass.pk})
    assert created.status_code == 201, created.content
    assert created.json()["start_on"] == timezone.localdate().isoformat()
    again = _post(client, "/api/v1/staff/assignments", {"employment_id": job.pk, "class_id": klass.pk})
    assert again.status_code == 409
    ended = _post(client, f"/api/v1/staff/assignments/{created.json()['id']}/end", {})
    assert ended.status_code == 200 and ended.json()["end_on"] == timezone.localdate().isoformat()
    assert _post(client, f"/api/v1/staff/assignments/{created.json()['id']}/end", {}).status_code == 409


def test_assignment_refusals_name_the_field(world):
    institution = world.institutions["inst_xuanwu"]
    client = _client(world, "director")
    cook, klass = employ(institution, 2, role="cook"), make_class(institution)
    response = _post(client, "/api/v1/staff/assignments", {"employment_id": cook.pk, "class_id": klass.pk})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "employment_id"]
    caregiver = employ(institution, 3)
    other = make_class(world.institutions["inst_jiangning"])
    response = _post(
        client, "/api/v1/staff/assignments", {"employment_id": caregiver.pk, "class_id": other.pk}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "class_id"]
    assert not ClassAssignment.objects.exists()


def test_caregiver_persona_cannot_assign_and_other_county_cannot_see(world):
    institution = world.institutions["inst_xuanwu"]
    job, klass = employ(institution, 4), make_class(institution)
    body = {"employment_id": job.pk, "class_id": klass.pk}
    assert _post(_client(world, "caregiver"), "/api/v1/staff/assignments", body).status_code == 403
    assert (
        _post(_client(world, "other_county_official"), "/api/v1/staff/assignments", body).status_code == 404
    )
    assignment = assign(institution, 5, klass=klass)
    url = f"/api/v1/staff/assignments/{assignment.pk}/end"
    assert _post(_client(world, "caregiver"), url, {}).status_code == 403
    assert _post(_client(world, "other_county_official"), url, {}).status_code == 404
    assert not ClassAssignment.objects.filter(end_on__isnull=False).exists()


def test_ratios_query_budget(world, django_assert_max_num_queries):
    institution = world.institutions["inst_xuanwu"]
    for n in range(8):
        assign(institution, n, klass=make_class(institution, f"班{n}", enrolled=6))
    client = _client(world, "director")
    client.get(f"/api/v1/staff/ratios?institution={institution.pk}")  # warm up
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/staff/ratios?institution={institution.pk}")
    assert response.json()["breaches"] == 8
