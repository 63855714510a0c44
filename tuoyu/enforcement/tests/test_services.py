"""Enforcement services: fine ranges, transitions, the closure workflow, emergencies."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.children.models import Application, Child, Enrolment
from tuoyu.children.services import application_accept, application_submit
from tuoyu.core.api import Conflict
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.credit.models import CreditRecord
from tuoyu.enforcement import services
from tuoyu.enforcement.models import ClosureChild, EnforcementAction
from tuoyu.enforcement.selectors import enrolment_stop_reason, trust_card_section
from tuoyu.institutions.models import Institution
from tuoyu.parents.models import Notification
from tuoyu.workforce.models import BanRecord

from .factories import emergency

pytestmark = pytest.mark.usefixtures("english")


def _act(world, **kw):
    fields = {
        "actor": world.user("county_official"),
        "institution": world.institutions["inst_xuanwu"],
        "kind": "fine",
        "rule": "ppl41_refuse",
        "decision_number": f"玄卫罚〔2026〕{kw.pop('n', 1)}号",
        "decided_on": timezone.localdate(),
        "facts": "逾期未整改",
        "amount": Decimal(20000),
    }
    fields.update(kw)
    return services.enforcement_action_create(**fields)


# --- Actions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "amount", "ok"),
    [
        ("ppl41_refuse", Decimal(4999), False),
        ("ppl41_refuse", Decimal(5000), True),
        ("ppl41_refuse", Decimal(50000), True),
        ("ppl41_refuse", Decimal("50000.01"), False),
        ("ppl41_serious", Decimal(49999), False),
        ("ppl41_serious", Decimal(100000), True),
        ("ppl41_serious", Decimal(100001), False),
        ("mpl126_check", Decimal(1), True),
        ("mpl126_check", Decimal(50001), False),
        ("mpl126_serious", Decimal(500000), True),
        ("mpl126_serious", Decimal(500001), False),
    ],
)
def test_a_fine_must_lie_in_the_rules_range(world, rule, amount, ok):
    if ok:
        assert _act(world, rule=rule, amount=amount).amount == amount
    else:
        with pytest.raises(ValidationError) as exc:
            _act(world, rule=rule, amount=amount)
        assert "amount" in exc.value.message_dict
        assert not EnforcementAction.objects.exists()


def test_a_fine_needs_an_amount_and_a_warning_takes_none(world):
    with pytest.raises(ValidationError) as exc:
        _act(world, amount=None)
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _act(world, kind="warning", rule="ppl41_correct", amount=Decimal(100))
    assert "amount" in exc.value.message_dict


def test_a_rule_allows_only_its_kinds_and_an_order_needs_a_deadline(world):
    with pytest.raises(ValidationError) as exc:
        _act(world, kind="suspension", rule="ppl41_correct", amount=None)
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _act(world, kind="order", rule="ppl41_correct", amount=None)
    assert "correct_by" in exc.value.message_dict


def test_an_action_posts_its_credit_record_and_tells_the_director(world):
    item = _act(world)
    record = CreditRecord.objects.get(source="enforcement", source_ref=f"enforcement:{item.pk}")
    assert record.points == -15
    assert record.institution_id == item.institution_id
    note = Notification.objects.get(user=world.user("director"))
    assert item.decision_number in note.title


@pytest.mark.parametrize(
    "persona", ["city_official", "other_county_official", "director", "national_observer"]
)
def test_only_officials_who_manage_the_region_decide(world, persona):
    with pytest.raises(PermissionDenied):
        _act(world, actor=world.user(persona))


def test_the_director_acknowledges_once(world):
    item = _act(world)
    with pytest.raises(PermissionDenied):
        services.enforcement_action_acknowledge(actor=world.user("caregiver"), action=item)
    services.enforcement_action_acknowledge(actor=world.user("director"), action=item)
    first = EnforcementAction.objects.get(pk=item.pk).acknowledged_at
    services.enforcement_action_acknowledge(actor=world.user("director"), action=item)
    assert first is not None and EnforcementAction.objects.get(pk=item.pk).acknowledged_at == first


def _application(world):
    child = Child.objects.create(name="小新", sex="M", birth_date=timezone.localdate() - timedelta(days=500))
    return Application.objects.create(
        child=child,
        institution=world.institutions["inst_xuanwu"],
        applicant=world.user("parent"),
        service_mode="full_day",
        start_month=timezone.localdate().replace(day=1),
    )


def test_a_suspension_suspends_the_institution_and_stops_enrolment(world):
    application = _application(world)
    _act(world, kind="suspension", rule="ppl41_serious", amount=Decimal(60000))
    institution = Institution.objects.get(pk=world.institutions["inst_xuanwu"].pk)
    assert institution.status == "suspended"
    with pytest.raises(Conflict, match="suspended"):
        application_accept(
            actor=world.user("director"), application=application, klass=world.classes["xuanwu_toddler"]
        )


def _submit(world):
    return application_submit(
        actor=world.user("parent"),
        institution=Institution.objects.get(pk=world.institutions["inst_xuanwu"].pk),
        service_mode="full_day",
        start_month=timezone.localdate().replace(day=1),
        child=world.children["own_child"],
    )


def test_a_parent_cannot_apply_to_a_suspended_institution(world):
    _act(world, kind="suspension", rule="ppl41_serious", amount=Decimal(60000))
    before = Application.objects.count()
    with pytest.raises(Conflict, match="suspended"):
        _submit(world)
    assert Application.objects.count() == before


def test_a_ban_adds_the_persons_to_the_ban_list(world):
    item = _act(
        world, kind="ban", rule="ppl41_abuse", amount=None, banned_persons=[("11010519491231002X", "王某")]
    )
    ban = BanRecord.objects.get()
    assert ban.kind == "lifetime" and ban.name == "王某"
    assert list(item.bans.all()) == [ban]
    with pytest.raises(ValidationError):
        _act(world, n=2, kind="ban", rule="ppl41_abuse", amount=None)


def test_published_penalties_show_on_the_trust_card_without_personal_data(world):
    _act(world)
    _act(world, n=2, kind="warning", rule="ppl41_correct", amount=None, published=False)
    section = trust_card_section(world.institutions["inst_xuanwu"])
    assert section is not None
    assert [a["amount"] for a in section["actions"]] == [Decimal(20000)]
    assert set(section["actions"][0]) == {"kind", "decided_on", "decision_number", "basis", "amount"}


# --- Closure --------------------------------------------------------------------------------------


def _open(world, actor="county_official"):
    return services.closure_case_open(
        actor=world.user(actor), institution=world.institutions["inst_xuanwu"], reason="举办者申请停办"
    )


def test_opening_a_closure_lists_the_children_stops_enrolment_and_tells_the_parents(world):
    application = _application(world)
    case = _open(world)
    assert case.children.count() == 2
    assert case.handovers.count() == 6
    assert case.enrolment_stopped_at and case.parents_notified_at
    note = Notification.objects.get(user=world.user("parent"))
    assert note.urgent and note.child_id == world.children["own_child"].pk
    assert "closing" in enrolment_stop_reason(world.institutions["inst_xuanwu"])
    with pytest.raises(Conflict, match="closing"):
        application_accept(
            actor=world.user("director"), application=application, klass=world.classes["xuanwu_toddler"]
        )
    with pytest.raises(Conflict):
        _open(world)
    # Nor may a parent apply while it closes.
    with pytest.raises(Conflict, match="closing"):
        _submit(world)


def test_a_director_may_ask_for_closure_but_a_caregiver_may_not(world):
    with pytest.raises(PermissionDenied):
        _open(world, "caregiver")
    case = _open(world, "director")
    assert case.at_institution_request


def _finish(world, case, *, place=True, settle=True, hand_over=True):
    target = world.institutions["inst_jiangning"]
    for row in case.children.all():
        if place:
            services.closure_child_place(
                actor=world.user("county_official"), row=row, outcome="institution", institution=target
            )
        if settle:
            services.closure_child_settle_fee(
                actor=world.user("county_official"), row=row, prepaid=Decimal(3000), refunded=Decimal(1500)
            )
    if hand_over:
        for item in case.handovers.all():
            services.closure_handover_record(
                actor=world.user("county_official"), item=item, received_by="玄武区卫健委"
            )


@pytest.mark.parametrize("missing", ["place", "settle", "hand_over"])
def test_a_closure_cannot_finish_while_a_step_is_open(world, missing):
    case = _open(world)
    _finish(world, case, **{missing: False})
    with pytest.raises(Conflict, match="cannot close yet"):
        services.closure_case_close(actor=world.user("county_official"), case=case)
    assert Institution.objects.get(pk=case.institution_id).status == "operating"


def test_a_finished_closure_closes_the_institution_and_keeps_its_public_record(world):
    case = _open(world)
    _finish(world, case)
    child = world.children["own_child"]
    assert Child.objects.get(pk=child.pk).institution_id is None
    enrolment = Enrolment.objects.filter(child=child).get()
    assert enrolment.left_on == timezone.localdate() and "东山托育园" in enrolment.leave_reason
    with pytest.raises(PermissionDenied):
        services.closure_case_close(actor=world.user("director"), case=case)
    services.closure_case_close(actor=world.user("county_official"), case=case, summary="全部转托")
    institution = Institution.objects.get(pk=case.institution_id)
    assert institution.status == "closed" and institution.closed_on == timezone.localdate()
    assert Institution.objects.publicly_viewable().filter(pk=institution.pk).exists()
    section = trust_card_section(institution)
    assert section is not None and section["closed_on"] == timezone.localdate()
    assert list(case.transitions.values_list("from_status", "to_status")) == [
        ("", "open"),
        ("open", "closed"),
    ]
    with pytest.raises(services.TransitionNotAllowed):
        services.closure_case_close(actor=world.user("county_official"), case=case)
    with pytest.raises(services.TransitionNotAllowed):
        services.closure_case_cancel(actor=world.user("county_official"), case=case, reason="误操作")


def test_placement_and_fee_checks(world):
    case = _open(world)
    row = case.children.first()
    official = world.user("county_official")
    with pytest.raises(ValidationError) as exc:
        services.closure_child_place(actor=official, row=row, outcome="institution")
    assert "institution_id" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.closure_child_place(
            actor=official, row=row, outcome="institution", institution=world.institutions["inst_xuanwu"]
        )
    with pytest.raises(ValidationError) as exc:
        services.closure_child_place(actor=official, row=row, outcome="other")
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.closure_child_settle_fee(
            actor=official, row=row, prepaid=Decimal(100), refunded=Decimal(200)
        )
    assert "refunded" in exc.value.message_dict
    services.closure_child_place(actor=official, row=row, outcome="home")
    assert ClosureChild.objects.get(pk=row.pk).outcome == "home"
    with pytest.raises(PermissionDenied):
        services.closure_child_place(actor=world.user("city_official"), row=row, outcome="home")


def test_a_cancelled_closure_lets_enrolment_resume(world):
    case = _open(world)
    services.closure_case_cancel(actor=world.user("county_official"), case=case, reason="整改到位")
    assert enrolment_stop_reason(world.institutions["inst_xuanwu"]) is None


def test_an_enforcement_closure_opens_the_case(world):
    item = _act(world, kind="closure", rule="ppl41_serious", amount=None)
    assert item.closure_case.status == "open"
    assert item.closure_case.children.count() == 2


# --- Emergencies ----------------------------------------------------------------------------------


def _official(region, role=Role.OFFICIAL_VIEWER):
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=role, region=region)
    return user


def test_an_emergency_notifies_the_county_city_and_province_only(world):
    township_official = _official(world.regions["meiyuan"])
    services.emergency_open(
        actor=world.user("director"),
        institution=world.institutions["inst_xuanwu"],
        kind="outbreak",
        severity="high",
        title="手足口病",
        description="3名幼儿发热",
    )
    told = set(Notification.objects.filter(kind="supervision").values_list("user__username", flat=True))
    assert told == {"province_official", "city_official", "county_official"}
    assert township_official.notifications.count() == 0
    assert all(Notification.objects.filter(kind="supervision").values_list("urgent", flat=True))


def test_raising_the_severity_notifies_again_lowering_does_not(world):
    item = emergency(world, severity="low")
    services.emergency_add_entry(
        actor=world.user("director"), emergency=item, text="又有2名幼儿发热", severity="high"
    )
    notes = Notification.objects.filter(user=world.user("county_official"))
    assert notes.count() == 1 and notes.get().urgent and "High" in notes.get().title
    services.emergency_add_entry(
        actor=world.user("county_official"), emergency=item, text="已控制", severity="medium"
    )
    assert Notification.objects.filter(user=world.user("province_official")).count() == 1
    assert list(item.entries.values_list("kind", flat=True)) == ["opened", "severity", "severity"]


def test_closing_an_emergency(world):
    item = emergency(world)
    with pytest.raises(PermissionDenied):
        services.emergency_close(actor=world.user("director"), emergency=item, summary="结束")
    with pytest.raises(ValidationError):
        services.emergency_close(actor=world.user("county_official"), emergency=item, summary=" ")
    services.emergency_close(
        actor=world.user("county_official"), emergency=item, summary="疫情结束，全部返园"
    )
    with pytest.raises(Conflict):
        services.emergency_add_entry(actor=world.user("director"), emergency=item, text="补充")


def test_who_may_report_an_emergency(world):
    kwargs = {
        "institution": world.institutions["inst_xuanwu"],
        "kind": "safety",
        "severity": "low",
        "title": "滑梯松动",
        "description": "户外滑梯螺丝松动",
    }
    for persona in ("caregiver", "other_county_official", "national_observer"):
        with pytest.raises(PermissionDenied):
            services.emergency_open(actor=world.user(persona), **kwargs)
    assert services.emergency_open(actor=world.user("city_official"), **kwargs).pk


def test_dates_in_the_future_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        _act(world, decided_on=timezone.localdate() + timedelta(days=5))
    assert "decided_on" in exc.value.message_dict
