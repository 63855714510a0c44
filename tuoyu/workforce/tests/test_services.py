from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tuoyu.core.api import Conflict
from tuoyu.workforce import services
from tuoyu.workforce.models import BanRecord, Employment, StaffAlert

from .factories import employ, make_id


def _ban(world, id_number, kind="lifetime", ends_on=None):
    return services.ban_record_add(
        actor=world.user("province_official"),
        id_number=id_number,
        name="张三",
        kind=kind,
        decision="虐待婴幼儿",
        decided_on=date(2025, 3, 1),
        ends_on=ends_on,
        decided_by="南京市卫生健康委员会",
    )


def _hire(world, n, institution="inst_xuanwu", actor="director", **kwargs):
    return services.staff_hire(
        actor=world.user(actor),
        institution=world.institutions[institution],
        name=kwargs.pop("name", f"员工{n}"),
        id_number=make_id(n),
        phone="",
        role=kwargs.pop("role", "caregiver"),
        start_on=kwargs.pop("start_on", date(2025, 6, 1)),
        **kwargs,
    )


def test_hiring_a_banned_person_is_refused_with_the_reason(world, english):
    _ban(world, make_id(7))
    with pytest.raises(
        Conflict,
        match=r"banned from childcare work \(lifetime ban \(终身禁业\)\) "
        r"by decision of 南京市卫生健康委员会 on 2025-03-01",
    ):
        _hire(world, 7)
    assert not Employment.objects.exists()


def test_an_expired_fixed_term_ban_does_not_block_hiring(world):
    _ban(world, make_id(8), kind="fixed_term", ends_on=date(2025, 5, 1))
    assert _hire(world, 8).pk


def test_a_person_may_move_between_institutions_but_not_hold_two_full_time_jobs(world, english):
    first = _hire(world, 1)
    with pytest.raises(Conflict, match="another institution"):
        _hire(world, 1, institution="inst_jiangning", actor="other_county_official")
    with pytest.raises(Conflict, match="梅园托育中心"):
        _hire(world, 1, institution="inst_xuanwu")
    services.employment_end(
        actor=world.user("director"), employment=first, end_on=date(2025, 12, 31), end_reason="离职"
    )
    second = _hire(
        world, 1, institution="inst_jiangning", actor="other_county_official", start_on=date(2026, 1, 1)
    )
    assert second.person_id == first.person_id
    assert _hire(world, 1, full_time=False).person_id == first.person_id  # a part-time job besides


def test_only_officials_who_manage_may_add_bans(world):
    for persona in ("director", "city_official", "caregiver"):
        with pytest.raises(PermissionDenied):
            services.ban_record_add(
                actor=world.user(persona), id_number=make_id(3), name="x", kind="lifetime", decision="d",
                decided_on=date(2025, 1, 1), decided_by="x",
            )  # fmt: skip
    assert not BanRecord.objects.exists()


def test_ban_on_an_employed_person_alerts_the_director_and_county_but_not_another_county(world):
    job = employ(world.institutions["inst_xuanwu"], 5)
    employ(world.institutions["inst_wuxi"], 6)
    _ban(world, job.person.id_number)
    assert StaffAlert.objects.count() == 1
    for persona, count in [("director", 1), ("county_official", 1), ("province_official", 1),
                           ("other_county_official", 0), ("parent", 0)]:  # fmt: skip
        assert StaffAlert.objects.for_user(world.user(persona)).count() == count, persona
    url = f"/workforce/institutions/{job.institution_id}/staff/"
    for persona in ("director", "county_official"):
        client = Client()
        client.force_login(world.user(persona))
        body = client.get(url).content.decode()
        assert 'data-testid="staff-alerts"' in body
        assert job.person.id_number not in body


def test_background_check_with_a_record_raises_an_alert(world):
    job = employ(world.institutions["inst_xuanwu"], 9)
    services.background_check_record(
        actor=world.user("director"), person=job.person, kind="annual", checked_on=timezone.localdate(),
        result="record_found",
    )  # fmt: skip
    alert = StaffAlert.objects.get()
    assert alert.kind == "record_found"
    services.staff_alert_resolve(actor=world.user("director"), alert=alert, resolution="解聘")
    assert not StaffAlert.objects.open().exists()


def test_ban_list_is_seen_by_reviewing_officials_only(world):
    _ban(world, make_id(4))
    personas = ("province_official", "county_official", "other_county_official", "city_official",
                "director", "national_observer", "parent")  # fmt: skip
    seen = {p for p in personas if BanRecord.objects.for_user(world.user(p)).exists()}
    assert seen == {"province_official", "county_official", "other_county_official"}


def test_staff_page_hire_form_refuses_a_banned_person(world, english):
    _ban(world, make_id(12))
    client = Client()
    client.force_login(world.user("director"))
    client.cookies["django_language"] = "en"  # the page language is the switcher's, not the test's
    response = client.post(
        f"/workforce/institutions/{world.institutions['inst_xuanwu'].pk}/staff/",
        {"name": "张三", "id_number": make_id(12), "role": "caregiver", "start_on": "2025-06-01",
         "full_time": "on", "experience_years": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "banned from childcare work" in response.content.decode()
    assert not Employment.objects.exists()
