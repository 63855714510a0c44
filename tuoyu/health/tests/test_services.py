"""Recording checks: guardians told, kept out when the rules say so, one check per session, the quick
"all normal", the township cluster rule at its boundary, doses and acknowledging alerts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoyu.core.api import Conflict
from tuoyu.health import services
from tuoyu.health.models import HealthCheck, HealthCheckSymptom, SymptomClusterAlert, VaccineDose
from tuoyu.health.rules import GROUPS_BY_KEY
from tuoyu.parents.models import Notification

from .factories import centre_with_child, mark_present

pytestmark = pytest.mark.django_db


def test_a_normal_check_tells_nobody(world):
    check = services.health_check_record(
        actor=world.user("caregiver"), child=world.children["own_child"], temperature=Decimal("36.6")
    )
    assert check.outcome == "admitted" and not check.abnormal
    assert not Notification.objects.exists()


def test_a_mild_fever_tells_the_guardian_not_urgently(world):
    parent = world.user("parent")
    check = services.health_check_record(
        actor=world.user("caregiver"), child=world.children["own_child"], temperature=Decimal("37.3")
    )
    assert check.abnormal and check.outcome == "observe"
    note = Notification.objects.get(user=parent)
    assert note.kind == "health_check" and not note.urgent and note.sent_at is None


def test_a_fever_keeps_the_child_out_and_tells_the_guardian_urgently(world):
    check = services.health_check_record(
        actor=world.user("caregiver"),
        child=world.children["own_child"],
        temperature="38.2",
        symptoms=["fever"],
        outcome="admitted",
    )
    assert check.outcome == "sent_home"  # the rules win over what was asked
    note = Notification.objects.get(user=world.user("parent"))
    assert note.urgent and note.sent_at is not None
    assert "38.2" in note.body
    assert list(HealthCheckSymptom.objects.values_list("symptom", flat=True)) == ["fever"]


def test_one_check_per_child_day_and_session(world):
    child = world.children["own_child"]
    services.health_check_record(actor=world.user("caregiver"), child=child)
    with pytest.raises(Conflict):
        services.health_check_record(actor=world.user("caregiver"), child=child)
    services.health_check_record(actor=world.user("caregiver"), child=child, session="noon")
    replaced = services.health_check_record(
        actor=world.user("caregiver"), child=child, symptoms=["rash"], replace=True
    )
    assert HealthCheck.objects.filter(child=child).count() == 2
    assert replaced.outcome == "sent_home"


@pytest.mark.parametrize("persona", ["county_official", "parent", "other_county_official", "outsider"])
def test_only_care_staff_record_checks(world, persona):
    with pytest.raises(PermissionDenied):
        services.health_check_record(actor=world.user(persona), child=world.children["own_child"])


def test_staff_of_another_institution_cannot_record(world):
    with pytest.raises(PermissionDenied):
        services.health_check_record(actor=world.user("caregiver"), child=world.children["jiangning_child"])


def test_bad_input_names_the_field(world):
    with pytest.raises(ValidationError) as exc:
        services.health_check_record(
            actor=world.user("caregiver"), child=world.children["own_child"], symptoms=["plague"]
        )
    assert "symptoms" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.health_check_record(
            actor=world.user("caregiver"), child=world.children["own_child"], temperature="55"
        )
    assert "temperature" in exc.value.message_dict


def test_all_normal_records_only_children_present_and_not_yet_checked(world):
    own, other = world.children["own_child"], world.children["other_child"]
    mark_present(own)
    done = services.health_checks_all_normal(
        actor=world.user("caregiver"), klass=world.classes["xuanwu_toddler"]
    )
    assert [c.child_id for c in done] == [own.pk]
    again = services.health_checks_all_normal(
        actor=world.user("caregiver"), klass=world.classes["xuanwu_toddler"]
    )
    assert again == []
    assert not HealthCheck.objects.filter(child=other).exists()
    with pytest.raises(PermissionDenied):
        services.health_checks_all_normal(
            actor=world.user("caregiver"), klass=world.classes["jiangning_toddler"]
        )


# --- the cluster rule ---------------------------------------------------------------------------------


def _director(child):
    """A director of the child's centre (the persona world has staff only at inst_xuanwu)."""
    from tuoyu.accounts.models import RoleAssignment
    from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory

    found = RoleAssignment.objects.filter(institution_id=child.institution_id, role="director").first()
    return (
        found or RoleAssignmentFactory(user=UserFactory(), role="director", institution=child.institution)
    ).user


def _fever_rash(world, child, day, symptoms=("fever", "rash")):
    return services.health_check_record(
        actor=_director(child), child=child, day=day, temperature="38.0", symptoms=list(symptoms)
    )


def test_two_centres_do_not_make_a_cluster_three_do(world):
    today = timezone.localdate()
    meiyuan = world.regions["meiyuan"]
    _fever_rash(world, world.children["own_child"], today - timedelta(days=2))
    _i2, c2 = centre_with_child(meiyuan, "第二托育园")
    _fever_rash(world, c2, today - timedelta(days=1))
    assert not SymptomClusterAlert.objects.exists()
    _i3, c3 = centre_with_child(meiyuan, "第三托育园")
    _fever_rash(world, c3, today)
    alert = SymptomClusterAlert.objects.get()
    assert (alert.township_id, alert.group, alert.institution_count, alert.cases) == (
        meiyuan.code,
        "fever_rash",
        3,
        3,
    )
    assert alert.window_start == today - timedelta(days=2)


def test_three_centres_spread_over_four_days_make_no_cluster(world):
    today = timezone.localdate()
    meiyuan = world.regions["meiyuan"]
    _fever_rash(world, world.children["own_child"], today - timedelta(days=3))
    _i2, c2 = centre_with_child(meiyuan, "第二托育园")
    _fever_rash(world, c2, today - timedelta(days=1))
    _i3, c3 = centre_with_child(meiyuan, "第三托育园")
    _fever_rash(world, c3, today)
    assert not SymptomClusterAlert.objects.exists()


def test_other_townships_and_other_symptoms_do_not_count(world):
    today = timezone.localdate()
    _fever_rash(world, world.children["own_child"], today)
    _fever_rash(world, world.children["jiangning_child"], today)  # 东山街道, another township
    _i2, c2 = centre_with_child(world.regions["meiyuan"], "第二托育园")
    _fever_rash(world, c2, today)
    _i3, c3 = centre_with_child(world.regions["meiyuan"], "第三托育园")
    _fever_rash(world, c3, today, symptoms=["fever", "cough"])  # another group
    assert not SymptomClusterAlert.objects.exists()


def test_a_fourth_centre_extends_the_alert_and_reopens_it(world):
    today = timezone.localdate()
    meiyuan = world.regions["meiyuan"]
    children = [world.children["own_child"]]
    for n in range(3):
        children.append(centre_with_child(meiyuan, f"托育园{n}")[1])
    for child in children[:3]:
        _fever_rash(world, child, today)
    alert = SymptomClusterAlert.objects.get()
    services.symptom_alert_acknowledge(actor=world.user("county_official"), alert=alert, note="已通知疾控")
    _fever_rash(world, children[3], today)
    alert.refresh_from_db()
    assert alert.institution_count == 4 and alert.cases == 4
    assert alert.acknowledged_at is None  # a new centre joined: it needs looking at again
    assert SymptomClusterAlert.objects.count() == 1


def test_acknowledging_needs_inspect_over_the_township(world):
    today = timezone.localdate()
    alert = SymptomClusterAlert.objects.create(
        township=world.regions["meiyuan"], group="fever_rash", window_start=today, window_end=today
    )
    with pytest.raises(PermissionDenied):
        services.symptom_alert_acknowledge(actor=world.user("city_official"), alert=alert)
    with pytest.raises(PermissionDenied):
        services.symptom_alert_acknowledge(actor=world.user("other_county_official"), alert=alert)
    services.symptom_alert_acknowledge(actor=world.user("county_official"), alert=alert)
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.user("county_official")


def test_cluster_figures_count_children_once(world):
    today = timezone.localdate()
    child = world.children["own_child"]
    _fever_rash(world, child, today)
    services.health_check_record(
        actor=world.user("caregiver"),
        child=child,
        session="noon",
        temperature="38",
        symptoms=["fever", "rash"],
    )
    figures = services.cluster_figures(
        township_id=world.regions["meiyuan"].code, group=GROUPS_BY_KEY["fever_rash"], start=today, end=today
    )
    assert figures.cases == 1 and len(figures.institutions) == 1


# --- doses --------------------------------------------------------------------------------------------


def test_staff_and_the_guardian_record_doses_others_may_not(world):
    child = world.children["own_child"]
    day = child.birth_date
    services.vaccine_dose_record(
        actor=world.user("caregiver"), child=child, vaccine="HepB", dose_no=1, given_on=day
    )
    dose = services.vaccine_dose_record(
        actor=world.user("parent"), child=child, vaccine="BCG", dose_no=1, given_on=day, source="clinic"
    )
    assert dose.source == "parent"
    with pytest.raises(Conflict):
        services.vaccine_dose_record(
            actor=world.user("parent"), child=child, vaccine="BCG", dose_no=1, given_on=day
        )
    for persona in ("county_official", "other_county_official", "outsider"):
        with pytest.raises(PermissionDenied):
            services.vaccine_dose_record(
                actor=world.user(persona), child=child, vaccine="IPV", dose_no=1, given_on=day
            )
    with pytest.raises(ValidationError):
        services.vaccine_dose_record(
            actor=world.user("caregiver"),
            child=child,
            vaccine="IPV",
            dose_no=1,
            given_on=day - timedelta(days=1),
        )
    assert VaccineDose.objects.filter(child=child).count() == 2
