"""Complaints API: public submit and tracking, officials' list/detail/transitions, staff list/respond.
Staff-facing JSON never carries contact fields nor the anonymity flag."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tuoyu.accounts.choices import Role
from tuoyu.accounts.services import token_issue
from tuoyu.complaints import rules, services
from tuoyu.complaints.api import ComplaintStaffOut, ComplaintTrackOut
from tuoyu.complaints.models import Complaint
from tuoyu.core.models import AuditLog
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.credit.models import CreditRecord

from .factories import NAME, PHONE, complaint

pytestmark = pytest.mark.django_db
CONTACT_KEYS = {"contact", "contact_name", "contact_phone", "anonymous", "submitted_by", "reference"}


def _api(world, persona=None):
    if persona is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def _body(world, **kw):
    return {
        "institution_id": world.institutions["inst_xuanwu"].pk,
        "category": "abuse",
        "description": "孩子手臂有掐痕。",
        "anonymous": False,
        "contact_name": NAME,
        "contact_phone": PHONE,
        **kw,
    }


def test_public_submit_answers_a_reference_and_opens_the_inspection(world):
    response = _api(world).post("/api/v1/complaints", _body(world), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    c = Complaint.objects.get()
    assert data["reference"] == c.reference and data["track_url"].endswith(f"?reference={c.reference}")
    assert c.inspection is not None and c.inspection.origin == f"complaint {c.reference}"
    tracked = _api(world).get(f"/api/v1/complaints/track/{c.reference}")
    assert tracked.status_code == 200 and tracked.json()["status"] == "received"


def test_public_submit_validation_and_unknown_institution(world):
    client = _api(world)
    assert (
        client.post(
            "/api/v1/complaints", _body(world, contact_phone=""), content_type="application/json"
        ).status_code
        == 422
    )
    response = client.post(
        "/api/v1/complaints", _body(world, institution_id=999999), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "institution_id"]
    assert not Complaint.objects.exists()


def test_public_submit_is_throttled_with_429(world):
    client = _api(world)
    for _ in range(rules.SUBMIT_MAX_PER_ADDRESS):
        assert (
            client.post(
                "/api/v1/complaints", _body(world, category="fees"), content_type="application/json"
            ).status_code
            == 201
        )
    response = client.post(
        "/api/v1/complaints", _body(world, category="fees"), content_type="application/json"
    )
    assert response.status_code == 429 and "detail" in response.json()


def test_track_unknown_reference_is_404(world):
    assert _api(world).get("/api/v1/complaints/track/TS-2026-AAAAAAAAAAAA").status_code == 404


def test_schemas_facing_staff_and_public_have_no_contact_fields():
    assert not CONTACT_KEYS & set(ComplaintStaffOut.model_fields)
    assert not (CONTACT_KEYS - {"reference"}) & set(ComplaintTrackOut.model_fields)


@pytest.mark.parametrize("anonymous", [False, True])
def test_staff_json_never_reveals_the_complainant(world, anonymous):
    c = complaint(world, status="accepted", forwarded=True, anonymous=anonymous)
    client = _api(world, "director")
    listed = client.get("/api/v1/complaints/institution")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    responded = client.post(
        f"/api/v1/complaints/institution/{c.pk}/respond",
        {"response": "已整改"},
        content_type="application/json",
    )
    assert responded.status_code == 200
    for payload in (listed.json()["items"][0], responded.json()):
        assert not CONTACT_KEYS & set(payload)
        assert NAME not in str(payload) and PHONE not in str(payload)
    again = client.post(
        f"/api/v1/complaints/institution/{c.pk}/respond",
        {"response": "再次"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_staff_cannot_use_the_officials_api(world):
    c = complaint(world, status="accepted", forwarded=True)
    client = _api(world, "director")
    assert client.get(f"/api/v1/complaints/{c.pk}").status_code == 404
    assert client.get("/api/v1/complaints").json()["count"] == 0


def test_official_detail_gives_contact_to_handlers_only_and_audits_it(world):
    c = complaint(world)
    handler = _api(world, "county_official").get(f"/api/v1/complaints/{c.pk}").json()
    assert handler["contact"] == {"anonymous": False, "name": NAME, "phone": PHONE}
    assert AuditLog.objects.filter(action="view", object_id=str(c.pk)).count() == 1
    viewer = _api(world, "city_official").get(f"/api/v1/complaints/{c.pk}").json()
    assert viewer["contact"] is None and viewer["description"]
    assert _api(world, "other_county_official").get(f"/api/v1/complaints/{c.pk}").status_code == 404


def test_official_list_is_scoped_and_overdue_first(world):
    a = complaint(world)
    b = complaint(world)
    complaint(world, institution="inst_jiangning")
    Complaint.objects.filter(pk=b.pk).update(due_on=b.due_on - timedelta(days=60))
    data = _api(world, "county_official").get("/api/v1/complaints").json()
    assert data["count"] == 2
    assert [i["id"] for i in data["items"]] == [b.pk, a.pk] and data["items"][0]["overdue"]
    assert "contact" not in data["items"][0]
    assert _api(world, "province_official").get("/api/v1/complaints?overdue=true").json()["count"] == 1


def test_list_query_budget(world, django_assert_max_num_queries):
    for _ in range(6):
        complaint(world)
    client = _api(world, "province_official")
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/complaints").json()["count"] == 6


def test_transitions_statuses(world):
    c = complaint(world)
    url = f"/api/v1/complaints/{c.pk}/transitions"
    county = _api(world, "county_official")
    assert (
        _api(world, "city_official")
        .post(url, {"action": "accept"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        _api(world, "other_county_official")
        .post(url, {"action": "accept"}, content_type="application/json")
        .status_code
        == 404
    )
    assert county.post(url, {"action": "investigate"}, content_type="application/json").status_code == 409
    assert county.post(url, {"action": "accept"}, content_type="application/json").status_code == 200
    assert (
        county.post(
            url, {"action": "conclude", "outcome": "substantiated"}, content_type="application/json"
        ).status_code
        == 422
    )
    done = county.post(
        url,
        {"action": "conclude", "outcome": "substantiated", "reply": "属实"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "concluded"
    assert CreditRecord.objects.filter(source_ref=f"complaint:{c.pk}").count() == 1
    assert _api(world).get(f"/api/v1/complaints/track/{c.reference}").json()["outcome"] == "substantiated"


def test_after_escalation_the_city_admin_acts_through_the_api(world):
    city_admin = UserFactory(username="nanjing_admin")
    RoleAssignmentFactory(user=city_admin, role=Role.OFFICIAL_ADMIN, region=world.regions["nanjing"])
    c = complaint(world)
    services.complaint_escalate(complaint=c, today=c.due_on + timedelta(days=1))
    url = f"/api/v1/complaints/{c.pk}/transitions"
    assert (
        _api(world, "county_official")
        .post(url, {"action": "accept"}, content_type="application/json")
        .status_code
        == 403
    )
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=city_admin)}"})
    response = client.post(url, {"action": "accept"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["level"] == "city"


def test_mine_keeps_the_complaints_handled_at_my_level(world):
    city_admin = UserFactory(username="nanjing_admin2")
    RoleAssignmentFactory(user=city_admin, role=Role.OFFICIAL_ADMIN, region=world.regions["nanjing"])
    stays = complaint(world)
    moved = complaint(world)
    services.complaint_escalate(complaint=moved, today=moved.due_on + timedelta(days=1))
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=city_admin)}"})
    assert client.get("/api/v1/complaints").json()["count"] == 2
    assert [i["id"] for i in client.get("/api/v1/complaints?mine=true").json()["items"]] == [moved.pk]
    county = _api(world, "county_official").get("/api/v1/complaints?mine=true").json()
    assert [i["id"] for i in county["items"]] == [stays.pk]
