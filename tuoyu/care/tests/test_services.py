"""Services: medication, incidents and mandatory reports, menus and the diary."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuoyu.care import services
from tuoyu.care.models import DiaryEntry, Incident, MandatoryReport, MedicationRequest, WeeklyMenu
from tuoyu.core.api import Conflict
from tuoyu.parents.models import Notification

from .factories import PNG, diary_entry, incident, medication_request, menu

pytestmark = pytest.mark.django_db


def _ask(world, child_key="own_child", actor="parent", **kw):
    today = timezone.localdate()
    return services.medication_request_create(
        actor=world.user(actor),
        child=world.children[child_key],
        medicine="小儿氨酚黄那敏颗粒",
        dose="半袋",
        times=kw.pop("times", ["12:00"]),
        start_on=kw.pop("start_on", today),
        end_on=kw.pop("end_on", today + timedelta(days=1)),
        parent_consent=kw.pop("parent_consent", True),
        **kw,
    )


def test_parent_requests_medication_for_own_child(world):
    request = _ask(world)
    assert request.status == "requested" and request.institution == world.institutions["inst_xuanwu"]
    assert request.times == "12:00"


@pytest.mark.parametrize("child_key", ["other_child", "jiangning_child"])
def test_parent_cannot_request_for_another_child(world, child_key):
    with pytest.raises(PermissionDenied):
        _ask(world, child_key=child_key)


def test_staff_cannot_request_on_the_parents_behalf(world):
    with pytest.raises(PermissionDenied):
        _ask(world, actor="director")


def test_request_needs_the_parents_consent_and_sane_dates(world):
    with pytest.raises(ValidationError) as exc:
        _ask(world, parent_consent=False)
    assert "parent_consent" in exc.value.message_dict
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        _ask(world, start_on=today, end_on=today - timedelta(days=1))
    assert "end_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _ask(world, times=["26:00"])
    assert "times" in exc.value.message_dict


def test_accept_needs_the_written_authorisation(world):
    request = _ask(world)
    with pytest.raises(ValidationError):
        services.medication_request_accept(
            actor=world.user("caregiver"), request=request, authorisation_on_file=False
        )
    with pytest.raises(PermissionDenied):
        services.medication_request_accept(
            actor=world.user("county_official"), request=request, authorisation_on_file=True
        )
    services.medication_request_accept(
        actor=world.user("caregiver"), request=request, authorisation_on_file=True
    )
    assert MedicationRequest.objects.get(pk=request.pk).status == "accepted"


def test_decline_notifies_the_guardian_urgently(world):
    request = _ask(world)
    with pytest.raises(ValidationError):
        services.medication_request_decline(actor=world.user("caregiver"), request=request, reason=" ")
    services.medication_request_decline(actor=world.user("caregiver"), request=request, reason="需医生处方")
    note = Notification.objects.get(user=world.user("parent"), kind="medication")
    assert note.urgent and note.sent_at is not None and "需医生处方" in note.body
    with pytest.raises(Conflict):
        services.medication_request_accept(
            actor=world.user("caregiver"), request=request, authorisation_on_file=True
        )


def test_dose_is_recorded_and_told_in_the_digest(world):
    request = medication_request(world, "accepted")
    dose = services.medication_dose_record(actor=world.user("caregiver"), request=request)
    assert dose.dose == "5 ml"
    note = Notification.objects.get(user=world.user("parent"), kind="medication")
    assert not note.urgent and note.sent_at is None


def test_dose_outside_the_dates_is_refused(world):
    today = timezone.localdate()
    request = medication_request(
        world, "accepted", start_on=today - timedelta(days=5), end_on=today - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as exc:
        services.medication_dose_record(actor=world.user("caregiver"), request=request)
    assert "given_at" in exc.value.message_dict
    running = medication_request(world, "accepted")
    with pytest.raises(ValidationError):
        services.medication_dose_record(
            actor=world.user("caregiver"), request=running, given_at=timezone.now() + timedelta(hours=2)
        )


@pytest.mark.parametrize("status", ["requested", "declined", "cancelled", "completed"])
def test_no_dose_unless_accepted(world, status):
    request = medication_request(world, status)
    with pytest.raises(Conflict):
        services.medication_dose_record(actor=world.user("caregiver"), request=request)


def test_only_care_staff_record_doses(world):
    request = medication_request(world, "accepted")
    for persona in ("parent", "county_official"):
        with pytest.raises(PermissionDenied):
            services.medication_dose_record(actor=world.user(persona), request=request)


def _report(world, severity="minor", suspected=False):
    return services.incident_report(
        actor=world.user("caregiver"),
        institution=world.institutions["inst_xuanwu"],
        child=world.children["own_child"],
        occurred_at=timezone.now() - timedelta(minutes=30),
        kind="injury",
        severity=severity,
        description="滑梯上摔倒",
        suspected_abuse_or_harm=suspected,
    )


@pytest.mark.parametrize(("severity", "urgent"), [("minor", False), ("serious", True), ("critical", True)])
def test_incident_tells_the_guardian_by_severity(world, severity, urgent):
    _report(world, severity)
    note = Notification.objects.get(user=world.user("parent"), kind="incident")
    assert note.urgent is urgent


@pytest.mark.parametrize(("severity", "seen"), [("minor", False), ("moderate", False), ("serious", True)])
def test_serious_incidents_reach_the_county_at_once(world, severity, seen):
    item = _report(world, severity)
    for persona in ("county_official", "city_official", "province_official"):
        assert Incident.objects.for_user(world.user(persona)).filter(pk=item.pk).exists() is seen
    assert not Incident.objects.for_user(world.user("other_county_official")).filter(pk=item.pk).exists()
    assert Incident.objects.for_user(world.user("director")).filter(pk=item.pk).exists()


def test_suspected_abuse_files_a_mandatory_report_for_the_right_county_only(world):
    item = _report(world, "minor", suspected=True)
    report = MandatoryReport.objects.get(incident=item)
    assert report.county_id == "320102000000" and report.reported_by == world.user("caregiver")
    assert Incident.objects.get(pk=item.pk).reported_to_county_at is not None
    assert MandatoryReport.objects.for_user(world.user("county_official")).filter(pk=report.pk).exists()
    assert not MandatoryReport.objects.for_user(world.user("other_county_official")).exists()
    assert not Incident.objects.for_user(world.user("other_county_official")).exists()
    # The guardians are not told automatically and do not see the report.
    assert not Notification.objects.filter(kind="incident").exists()
    assert not Incident.objects.for_user(world.user("parent")).filter(pk=item.pk).exists()


def test_acknowledgement_by_a_reviewing_official_once(world):
    item = incident(world, "minor", suspected=True)
    with pytest.raises(PermissionDenied):
        services.mandatory_report_acknowledge(actor=world.user("city_official"), incident=item)
    with pytest.raises(PermissionDenied):
        services.mandatory_report_acknowledge(actor=world.user("other_county_official"), incident=item)
    report = services.mandatory_report_acknowledge(
        actor=world.user("county_official"), incident=item, note="已转公安"
    )
    assert report.acknowledged_by == world.user("county_official")
    with pytest.raises(Conflict):
        services.mandatory_report_acknowledge(actor=world.user("county_official"), incident=item)


def test_flagging_later_files_the_report(world):
    item = _report(world, "moderate")
    services.incident_flag_suspected_abuse(
        actor=world.user("director"), incident=item, other_departments="110"
    )
    assert MandatoryReport.objects.get(incident=item).other_departments == "110"
    with pytest.raises(Conflict):
        services.incident_flag_suspected_abuse(actor=world.user("director"), incident=item)


def test_publishing_waits_for_a_substitute_for_every_allergy(world):
    item = menu(world, dishes=(("花生酥", "花生, 面粉"), ("米饭", "大米")))
    with pytest.raises(Conflict):
        services.menu_publish(actor=world.user("director"), menu=item)
    dish = item.items.get(dish="花生酥")
    services.allergy_substitute_set(
        actor=world.user("caregiver"), item=dish, child=world.children["own_child"], substitute="南瓜饼"
    )
    services.menu_publish(actor=world.user("director"), menu=item)
    assert WeeklyMenu.objects.get(pk=item.pk).published
    assert WeeklyMenu.objects.for_user(world.user("parent")).filter(pk=item.pk).exists()


def test_draft_menus_are_not_shown_to_parents(world):
    item = menu(world)
    assert not WeeklyMenu.objects.for_user(world.user("parent")).filter(pk=item.pk).exists()


def test_menu_week_starts_on_monday(world):
    with pytest.raises(ValidationError):
        services.menu_create(
            actor=world.user("director"),
            institution=world.institutions["inst_xuanwu"],
            week_start=timezone.localdate() - timedelta(days=timezone.localdate().weekday() - 1),
        )


def test_diary_visibility(world):
    class_wide = diary_entry(world)
    own = diary_entry(world, child_key="own_child")
    other = diary_entry(world, child_key="other_child")
    elsewhere = diary_entry(world, class_key="jiangning_toddler", child_key=None)
    parent_sees = set(DiaryEntry.objects.for_user(world.user("parent")).values_list("pk", flat=True))
    assert parent_sees == {class_wide.pk, own.pk}
    assert other.pk not in parent_sees and elsewhere.pk not in parent_sees
    assert not DiaryEntry.objects.for_user(world.user("county_official")).exists()
    assert not DiaryEntry.objects.for_user(world.user("national_observer")).exists()


def test_diary_photo_is_recognised_by_its_bytes(world):
    klass = world.classes["xuanwu_toddler"]
    today = timezone.localdate()
    entry = services.diary_entry_add(
        actor=world.user("caregiver"),
        klass=klass,
        day=today,
        kind="photo",
        photo=SimpleUploadedFile("x.jpg", PNG),
    )
    assert entry.photo_content_type == "image/png" and entry.photo.name.endswith(".png")
    with pytest.raises(ValidationError) as exc:
        services.diary_entry_add(
            actor=world.user("caregiver"),
            klass=klass,
            day=today,
            kind="photo",
            photo=SimpleUploadedFile("x.png", b"<html>not a picture</html>"),
        )
    assert "photo" in exc.value.message_dict


def test_nap_needs_a_child_of_the_class(world):
    klass = world.classes["xuanwu_toddler"]
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.diary_entry_add(
            actor=world.user("caregiver"),
            klass=klass,
            day=today,
            kind="nap",
            nap_start=timezone.localtime().time(),
        )
    with pytest.raises(ValidationError):
        services.diary_entry_add(
            actor=world.user("caregiver"),
            klass=klass,
            day=today,
            kind="nap",
            child=world.children["jiangning_child"],
            nap_start=timezone.localtime().time(),
        )
    with pytest.raises(PermissionDenied):
        services.diary_entry_add(actor=world.user("parent"), klass=klass, day=today, kind="note", text="x")


def test_meal_served_with_intakes(world):
    klass = world.classes["xuanwu_toddler"]
    child = world.children["own_child"]
    served = services.meal_served_record(
        actor=world.user("caregiver"),
        klass=klass,
        day=timezone.localdate(),
        meal="lunch",
        intakes={child.pk: "well"},
    )
    assert served.intakes.get().amount == "well"
    with pytest.raises(ValidationError):
        services.meal_served_record(
            actor=world.user("caregiver"),
            klass=klass,
            day=timezone.localdate(),
            meal="lunch",
            intakes={world.children["jiangning_child"].pk: "well"},
        )
