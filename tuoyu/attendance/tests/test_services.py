"""Check-in/out, absences, follow-up, staff attendance and kiosk codes through the services."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tuoyu.attendance import services
from tuoyu.attendance.models import Absence, AttendanceDay, AttendanceEvent, KioskCode
from tuoyu.attendance.services import ChildNotFound, attendance_event_record
from tuoyu.children.models import EntryCheck, Guardian, PickupPerson
from tuoyu.core.api import Conflict

pytestmark = pytest.mark.django_db


def _morning(hour: int = 8, minute: int = 0, days_ago: int = 0) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _now(world):  # a fixed "now" late in the day, so morning times are in the past
    return _morning(18, 0)


def _in(world, child_key="own_child", ref="r1", at=None, actor="caregiver", **extra):
    return attendance_event_record(
        actor=world.user(actor),
        child_id=world.children[child_key].pk,
        kind="in",
        at=at or _morning(8, 0),
        client_ref=ref,
        now=_now(world),
        **extra,
    )


def _out(world, ref="o1", at=None, child_key="own_child", **person):
    return attendance_event_record(
        actor=world.user("caregiver"),
        child_id=world.children[child_key].pk,
        kind="out",
        at=at or _morning(17, 0),
        client_ref=ref,
        now=_now(world),
        **person,
    )


def _guardian(world, key="own_child") -> Guardian:
    return Guardian.objects.get(child=world.children[key])


def test_check_in_writes_the_event_and_the_day_row(world):
    result = _in(world, person_name="外婆")
    assert not result.replayed
    day = AttendanceDay.objects.get(child=world.children["own_child"])
    assert day.status == "present" and day.dropped_off_by == "外婆"
    assert day.klass == world.classes["xuanwu_toddler"]


def test_a_retry_returns_the_original_and_does_not_double_count(world):
    first = _in(world)
    again = _in(world)
    assert again.replayed and again.event.pk == first.event.pk
    assert AttendanceEvent.objects.count() == 1
    assert AttendanceDay.objects.count() == 1


def test_same_ref_with_another_payload_is_a_conflict(world):
    _in(world)
    with pytest.raises(Conflict, match="client_ref"):
        _in(world, at=_morning(8, 5))
    with pytest.raises(Conflict, match="client_ref"):
        _in(world, child_key="other_child")


def test_in_while_in_is_refused_with_the_time(world):
    _in(world)
    with pytest.raises(Conflict, match="08:00"):
        _in(world, ref="r2", at=_morning(8, 30))


def test_out_without_in_is_refused(world):
    with pytest.raises(Conflict, match="check-in first"):
        _out(world, guardian_id=_guardian(world).pk)


def test_out_before_in_is_refused(world):
    _in(world, at=_morning(9, 0))
    with pytest.raises(Conflict, match="earlier than the check-in"):
        _out(world, at=_morning(8, 0), guardian_id=_guardian(world).pk)


def test_out_twice_is_refused(world):
    _in(world)
    _out(world, guardian_id=_guardian(world).pk)
    with pytest.raises(Conflict, match="Already picked up"):
        _out(world, ref="o2", at=_morning(17, 30), guardian_id=_guardian(world).pk)


def test_pick_up_by_a_guardian_or_an_active_pickup_person_only(world):
    child = world.children["own_child"]
    grandma = PickupPerson.objects.create(child=child, name="奶奶", relation="grandparent", phone="1")
    former = PickupPerson.objects.create(child=child, name="阿姨", relation="other", phone="2", active=False)
    _in(world)
    with pytest.raises(Conflict, match="not authorised"):
        _out(world, person_name="陌生人")
    with pytest.raises(Conflict, match="no longer authorised"):
        _out(world, pickup_person_id=former.pk)
    with pytest.raises(ValidationError):
        _out(world)  # nobody named
    other_guardian = _guardian(world, "other_child")
    with pytest.raises(ValidationError):
        _out(world, guardian_id=other_guardian.pk)
    _out(world, pickup_person_id=grandma.pk)
    day = AttendanceDay.objects.get(child=child)
    assert day.status == "left" and day.picked_up_by == "奶奶"


def test_re_entry_after_pick_up_the_same_day(world):
    _in(world)
    _out(world, at=_morning(10, 0), guardian_id=_guardian(world).pk)
    _in(world, ref="r2", at=_morning(14, 0))
    assert AttendanceDay.objects.get().status == "present"
    assert AttendanceEvent.objects.count() == 3


def test_child_of_another_institution_is_not_found(world):
    with pytest.raises(ChildNotFound):
        _in(world, child_key="jiangning_child")


def test_parent_and_official_cannot_check_in(world):
    for persona in ("parent", "county_official", "outsider"):
        with pytest.raises(ChildNotFound):
            _in(world, actor=persona)


def test_far_future_time_is_a_validation_error(world):
    with pytest.raises(ValidationError) as exc:
        _in(world, at=_now(world) + timedelta(hours=2))
    assert "at" in exc.value.message_dict


def test_away_more_than_three_months_needs_a_return_health_check(world):
    child = world.children["own_child"]
    long_ago = timezone.localdate() - timedelta(days=120)
    AttendanceDay.objects.create(
        child=child,
        institution=child.institution,
        klass=child.klass,
        day=long_ago,
        in_at=_morning(8, 0, days_ago=120),
        status="left",
    )
    with pytest.raises(Conflict, match="return health check"):
        _in(world)
    EntryCheck.objects.create(
        child=child,
        institution=child.institution,
        kind="return_health",
        checked_on=timezone.localdate() - timedelta(days=1),
        passed=True,
    )
    assert not _in(world).replayed


def test_check_in_clears_the_absence_of_the_day(world):
    child = world.children["own_child"]
    services.absence_record(
        actor=world.user("parent"), child_id=child.pk, day=timezone.localdate(), reason="illness"
    )
    _in(world)
    assert not Absence.objects.filter(child=child).exists()


def test_parent_reports_absence_for_own_child_today_or_later_only(world):
    own, other = world.children["own_child"], world.children["other_child"]
    parent = world.user("parent")
    today = timezone.localdate()
    absence, created = services.absence_record(
        actor=parent, child_id=own.pk, day=today + timedelta(days=1), reason="family", note="回老家"
    )
    assert created and absence.reported_via == "parent"
    with pytest.raises(ChildNotFound):
        services.absence_record(actor=parent, child_id=other.pk, day=today, reason="illness")
    with pytest.raises(ValidationError):
        services.absence_record(
            actor=parent, child_id=own.pk, day=today - timedelta(days=1), reason="illness"
        )


def test_staff_report_absence_and_follow_up(world):
    child = world.children["other_child"]
    caregiver = world.user("caregiver")
    today = timezone.localdate()
    absence = services.absence_follow_up(
        actor=caregiver, child_id=child.pk, day=today, outcome="电话联系：发烧在家", reason="illness"
    )
    assert absence.followed_up_by == caregiver and absence.reason == "illness"
    with pytest.raises(ChildNotFound):
        services.absence_follow_up(
            actor=world.user("parent"), child_id=child.pk, day=today, outcome="x", reason="illness"
        )


def test_absence_on_a_day_checked_in_is_refused(world):
    _in(world)
    with pytest.raises(Conflict):
        services.absence_record(
            actor=world.user("caregiver"),
            child_id=world.children["own_child"].pk,
            day=timezone.localdate(),
            reason="illness",
        )


def test_staff_attendance_in_and_out(world):
    from tuoyu.workforce.tests.factories import employ

    job = employ(world.institutions["inst_xuanwu"])
    caregiver = world.user("caregiver")
    now = _now(world)
    row = services.staff_attendance_record(
        actor=caregiver, employment_id=job.pk, kind="in", at=_morning(7, 30), now=now
    )
    with pytest.raises(Conflict):
        services.staff_attendance_record(
            actor=caregiver, employment_id=job.pk, kind="in", at=_morning(7, 40), now=now
        )
    row = services.staff_attendance_record(
        actor=caregiver, employment_id=job.pk, kind="out", at=_morning(17, 30), now=now
    )
    assert row.out_at is not None
    other_job = employ(world.institutions["inst_jiangning"], 2)
    with pytest.raises(Http404):
        services.staff_attendance_record(
            actor=caregiver, employment_id=other_job.pk, kind="in", at=_morning(), now=now
        )


def test_kiosk_code_is_stored_hashed_and_finds_the_guardian(world):
    guardian = _guardian(world)
    code = services.kiosk_code_issue(actor=world.user("parent"), guardian=guardian)
    assert len(code) == 8 and code.isdigit()
    stored = KioskCode.objects.get(guardian=guardian)
    assert code not in stored.code_hash
    inst = world.institutions["inst_xuanwu"]
    assert services.kiosk_guardian(institution_id=inst.pk, code=code) == guardian
    assert services.kiosk_guardian(institution_id=world.institutions["inst_jiangning"].pk, code=code) is None
    rotated = services.kiosk_code_issue(actor=world.user("parent"), guardian=guardian)
    assert services.kiosk_guardian(institution_id=inst.pk, code=code) is None or rotated == code
    with pytest.raises(Conflict):
        services.kiosk_code_issue(actor=world.user("caregiver"), guardian=guardian)


def test_follow_up_cutoff_is_configurable(settings):
    from datetime import time

    from tuoyu.attendance.rules import follow_up_cutoff

    assert follow_up_cutoff() == time(9, 30)
    settings.TUOYU_ATTENDANCE_FOLLOW_UP_CUTOFF = "10:15"
    assert follow_up_cutoff() == time(10, 15)
