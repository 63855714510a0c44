import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue
from tuoyu.children.models import Application, Child
from tuoyu.core.models import AuditLog
from tuoyu.workforce.validators import id_check_char

from .factories import applicant_child, apply, health_check, make_class, months_old, next_month

pytestmark = pytest.mark.usefixtures("english")


def client(world, persona):
    api_client = Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})
    api_client.cookies["django_language"] = "en"  # reasons are asserted in English
    return api_client


def test_list_is_scoped_masked_filtered_and_paginated(world, django_assert_max_num_queries):
    first17 = "32010220250301001"
    id_number = first17 + id_check_char(first17)
    Child.objects.filter(pk=world.children["own_child"].pk).update(id_number=id_number)
    api = client(world, "director")
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/children?limit=1").json()
    assert body["count"] == 2 and len(body["items"]) == 1
    body = api.get(f"/api/v1/children?class={world.classes['xuanwu_toddler'].pk}&q=小明").json()
    (item,) = body["items"]
    assert (
        item["masked_id"] == "320102********001" + id_check_char(first17)[-1:]
        or item["masked_id"].count("*") == 8
    )
    assert first17 not in str(body)
    assert item["allergies"] == ["花生"] and item["class_name"] == world.classes["xuanwu_toddler"].name
    assert client(world, "parent").get("/api/v1/children").json()["count"] == 1


def test_detail_shows_full_phones_to_staff_and_parent_and_masked_to_officials(world):
    url = f"/api/v1/children/{world.children['own_child'].pk}"
    for persona, phone in [
        ("director", "13800138000"),
        ("parent", "13800138000"),
        ("county_official", "138****8000"),
    ]:
        body = client(world, persona).get(url).json()
        assert body["guardians"][0]["phone"] == phone, persona
    assert AuditLog.objects.filter(action="view", object_type="children.child").count() == 3
    assert client(world, "other_county_official").get(url).status_code == 404


def test_parent_never_sees_another_child(world):
    api = client(world, "parent")
    assert api.get(f"/api/v1/children/{world.children['other_child'].pk}").status_code == 404
    assert api.get(f"/api/v1/children/{world.children['jiangning_child'].pk}").status_code == 404
    response = api.patch(
        f"/api/v1/children/{world.children['other_child'].pk}",
        {"allergies": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_parent_applies_through_the_api(world):
    body = {
        "institution_id": world.institutions["inst_xuanwu"].pk,
        "service_mode": "full_day",
        "start_month": next_month().isoformat(),
        "child": {"name": "陈小雨", "sex": "F", "birth_date": months_old(17, next_month()).isoformat()},
        "guardian": {"relation": "mother", "phone": "13912345678"},
    }
    response = client(world, "parent").post("/api/v1/applications", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted" and response.json()["child_name"] == "陈小雨"
    missing = client(world, "parent").post(
        "/api/v1/applications", {**body, "child": None}, content_type="application/json"
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "child"]
    by_staff = client(world, "director").post("/api/v1/applications", body, content_type="application/json")
    assert by_staff.status_code == 403


def test_accept_answers_409_with_the_reason_when_the_class_is_full(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    tiny = make_class(institution, "托小二班", capacity=0 + 1)
    Child.objects.filter(pk=world.children["other_child"].pk).update(klass=tiny)
    child = applicant_child(parent)
    health_check(child, institution)
    application = apply(child, institution, parent)
    url = f"/api/v1/applications/{application.pk}/accept"
    response = client(world, "director").post(url, {"class_id": tiny.pk}, content_type="application/json")
    assert response.status_code == 409 and "托小二班 is full" in response.json()["detail"]
    elsewhere = world.classes["jiangning_toddler"].pk
    response = client(world, "director").post(url, {"class_id": elsewhere}, content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "class_id"]
    response = client(world, "caregiver").post(
        url, {"class_id": world.classes["xuanwu_toddler"].pk}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client(world, "director").post(
        url,
        {"class_id": world.classes["xuanwu_toddler"].pk, "monthly_fee": "2600", "agreement_ref": "A-1"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    detail = client(world, "parent").get(f"/api/v1/children/{child.pk}").json()
    assert (
        detail["enrolments"][0]["monthly_fee"] == 2600.0 and detail["enrolments"][0]["agreement_ref"] == "A-1"
    )


def test_decline_without_a_reason_is_422_on_the_reason(world):
    parent = world.user("parent")
    application = apply(applicant_child(parent), world.institutions["inst_xuanwu"], parent)
    response = client(world, "director").post(
        f"/api/v1/applications/{application.pk}/decline", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "reason"]
    assert Application.objects.get(pk=application.pk).status == "submitted"


def test_entry_check_leave_and_change_class_through_the_api(world):
    child = world.children["own_child"]
    api = client(world, "director")
    today = timezone.localdate().isoformat()
    response = api.post(
        f"/api/v1/children/{child.pk}/entry-checks",
        {"kind": "vaccination", "checked_on": today, "passed": True},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["kind"] == "vaccination"
    other_class = make_class(world.institutions["inst_xuanwu"], "托小二班")
    response = api.post(
        f"/api/v1/children/{child.pk}/change-class",
        {"class_id": other_class.pk},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["class_name"] == "托小二班"
    response = api.post(
        f"/api/v1/children/{child.pk}/leave",
        {"left_on": today, "reason": "搬家"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["left_on"] == today
    again = api.post(
        f"/api/v1/children/{child.pk}/leave",
        {"left_on": today, "reason": "搬家"},
        content_type="application/json",
    )
    assert again.status_code == 404  # no longer at the institution: out of the director's scope
    response = client(world, "parent").post(
        f"/api/v1/children/{child.pk}/leave",
        {"left_on": today, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 409  # the parent still sees the child, who is enrolled nowhere


def test_guardians_and_pickup_people_through_the_api(world):
    child = world.children["own_child"]
    api = client(world, "parent")
    response = api.post(
        f"/api/v1/children/{child.pk}/guardians",
        {"position": 2, "name": "王先生", "relation": "father", "phone": "13600000000"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["position"] == 2
    response = api.post(
        f"/api/v1/children/{child.pk}/guardians",
        {"position": 3, "name": "奶奶", "relation": "grandparent", "phone": "13600000001"},
        content_type="application/json",
    )
    assert response.status_code == 422
    response = api.post(
        f"/api/v1/children/{child.pk}/pickup-people",
        {"name": "张奶奶", "relation": "grandparent", "phone": "13500000000"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["active"]


def test_the_director_links_a_guardian_to_a_parent_account_through_the_api(world):
    from tuoyu.accounts.choices import Role
    from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory

    child = world.children["other_child"]
    url = f"/api/v1/children/{child.pk}/guardians/1/link-account"
    parent = UserFactory(username="13912345678")
    RoleAssignmentFactory(user=parent, role=Role.PARENT, region=None, institution=None)
    # Not a mobile number: 422 on the field. No such account: 422 on the phone, nothing linked.
    bad = client(world, "director").post(url, {"phone": "12"}, content_type="application/json")
    assert bad.status_code == 422
    missing = client(world, "director").post(url, {"phone": "13900000000"}, content_type="application/json")
    assert missing.status_code == 422 and "sign up" in str(missing.json())
    # A caregiver may not link; the director may.
    assert (
        client(world, "caregiver")
        .post(url, {"phone": "13912345678"}, content_type="application/json")
        .status_code
        == 403
    )
    ok = client(world, "director").post(url, {"phone": "13912345678"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["has_account"] is True and ok.json()["position"] == 1
    assert Child.objects.for_user(parent).filter(pk=child.pk).exists()
    # Position 3 does not exist.
    three = client(world, "director").post(
        f"/api/v1/children/{child.pk}/guardians/3/link-account",
        {"phone": "13912345678"},
        content_type="application/json",
    )
    assert three.status_code == 422
