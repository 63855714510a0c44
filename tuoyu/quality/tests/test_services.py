"""The assessment flow and the form: transitions and who may make them, totals per dimension, the
veto, versioning, publication (current grade, credit record)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tuoyu.accounts.choices import Role
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.credit.models import CreditRecord
from tuoyu.quality import selectors, services
from tuoyu.quality.choices import AssessmentStatus, FormStatus
from tuoyu.quality.models import Assessment, AssessmentForm, AssessmentTransition, FormItem
from tuoyu.quality.services import TransitionNotAllowed

from .factories import assessment, ensure_form, score_all

pytestmark = pytest.mark.django_db


def _inspector(world, region="xuanwu"):
    user = UserFactory()
    RoleAssignmentFactory(
        user=user, role=Role.OFFICIAL_INSPECTOR, region=world.regions[region], unit="卫监所"
    )
    return user


def test_shipped_form_has_seven_dimensions_unverified_and_no_invented_veto_items(world):
    form = ensure_form()
    dims = list(form.dimensions.all())
    assert [d.name for d in dims] == [
        "办托条件",
        "托育队伍",
        "保育照护",
        "卫生保健",
        "养育支持",
        "安全保障",
        "机构管理",
    ]
    assert sum(d.max_points for d in dims) == 1000
    assert not any(d.points_verified for d in dims)
    items = FormItem.objects.filter(dimension__form=form)
    assert "5.2.1" in set(items.values_list("clause", flat=True))
    assert items.count() == 14
    assert not items.filter(baseline=True).exists()  # the 16 veto items were not found: none invented
    assert not items.filter(verified=True).exists()
    assert form.complete is False and form.cutoffs_provisional is True


def test_director_self_assesses_county_assesses_and_publishes(world):
    director, county = world.user("director"), world.user("county_official")
    a = assessment(world)
    assert a.status == AssessmentStatus.SELF_ASSESSING
    score_all(a, director, "self")
    services.assessment_self_submit(actor=director, assessment=a)
    score_all(a, county, "county", fail={"7.3.1", "9.5.2"})
    a = services.assessment_county_submit(actor=county, assessment=a, note="整体良好")
    # 14 items × 10 provisional points; two not met: 120 / 140 = 85.7 % → B by the provisional cut-offs.
    assert (a.county_total, a.max_total, a.grade) == (120, 140, "B")
    assert a.cutoffs_provisional and a.cutoffs_used == {"a": 90, "b": 75, "c": 60}
    assert a.self_total == 140
    a = services.assessment_publish(actor=county, assessment=a)
    assert a.status == AssessmentStatus.PUBLISHED and a.current
    assert selectors.latest_grade(world.institutions["inst_xuanwu"]).pk == a.pk
    steps = list(
        AssessmentTransition.objects.filter(assessment=a).values_list("to_status", "actor__username")
    )
    assert steps == [
        ("self_assessing", "director"),
        ("self_submitted", "director"),
        ("county_submitted", "county_official"),
        ("published", "county_official"),
    ]
    # B earns no credit record; only A does.
    assert not CreditRecord.objects.filter(source="quality").exists()


def test_totals_per_dimension_are_computed_from_the_scores(world):
    a = assessment(world, AssessmentStatus.COUNTY_SUBMITTED, fail={"7.3.1", "7.4.3", "9.4.3"})
    totals = {d["name"]: d for d in selectors.dimension_totals(a)}
    assert (totals["卫生保健"]["max_total"], totals["卫生保健"]["county_total"]) == (50, 30)
    assert (totals["安全保障"]["max_total"], totals["安全保障"]["county_total"]) == (40, 30)
    assert totals["卫生保健"]["self_total"] == 50
    assert totals["保育照护"]["items"] == 0 and totals["保育照护"]["standard_points"] == 200


def test_a_failed_baseline_item_fails_the_assessment(world):
    province = world.user("province_official")
    draft = services.form_new_version(actor=province, form=ensure_form())
    item = FormItem.objects.get(dimension__form=draft, clause="9.4.3")
    services.form_item_save(
        actor=province,
        dimension=item.dimension,
        item=item,
        clause=item.clause,
        text=item.text,
        max_score=10,
        value_type="yes_no",
        baseline=True,
    )
    services.form_activate(actor=province, form=draft)
    a = assessment(world, AssessmentStatus.COUNTY_SUBMITTED, fail={"9.4.3"})
    assert a.form_id == draft.pk
    # 130 / 140 would be A, but a baseline item is not met.
    assert (a.county_total, a.grade, a.baseline_failed) == (130, "fail", ["9.4.3"])


def test_published_a_grade_posts_one_positive_credit_record(world):
    a = assessment(world, AssessmentStatus.PUBLISHED)
    assert a.grade == "A"
    record = CreditRecord.objects.get(source="quality", source_ref=f"quality:{a.pk}")
    assert record.points > 0 and record.institution_id == a.institution_id
    services.post_credit(a)  # idempotent
    assert CreditRecord.objects.filter(source="quality").count() == 1


def test_a_new_publication_replaces_the_current_grade(world):
    first = assessment(world, AssessmentStatus.PUBLISHED)
    second = assessment(world, AssessmentStatus.PUBLISHED, fail={"4.1.4", "5.1.5", "5.1.6"}, new=True)
    first.refresh_from_db()
    assert not first.current and second.current and second.grade == "B"
    assert selectors.latest_grade(second.institution).pk == second.pk


def test_editing_after_activation_does_not_change_a_finished_assessment(world):
    province = world.user("province_official")
    done = assessment(world, AssessmentStatus.PUBLISHED)
    v1 = done.form
    # An active version cannot be edited in place.
    with pytest.raises(TransitionNotAllowed):
        services.form_update(
            actor=province,
            form=v1,
            name="x",
            effective_on=v1.effective_on,
            complete=True,
            source_note="",
            cutoff_a=99,
            cutoff_b=98,
            cutoff_c=97,
            cutoffs_provisional=True,
            cutoffs_source="",
        )
    draft = services.form_new_version(actor=province, form=v1)
    services.form_update(
        actor=province,
        form=draft,
        name=draft.name,
        effective_on=draft.effective_on,
        complete=False,
        source_note="",
        cutoff_a=99,
        cutoff_b=98,
        cutoff_c=97,
        cutoffs_provisional=True,
        cutoffs_source="",
    )
    item = FormItem.objects.get(dimension__form=draft, clause="4.1.4")
    services.form_item_save(
        actor=province,
        dimension=item.dimension,
        item=item,
        clause="4.1.4",
        text=item.text,
        max_score=50,
        value_type="yes_no",
        baseline=True,
    )
    services.form_activate(actor=province, form=draft)
    v1.refresh_from_db()
    done.refresh_from_db()
    assert v1.status == FormStatus.RETIRED and v1.cutoff_a == 90
    assert (done.form_id, done.grade, done.county_total, done.max_total) == (v1.pk, "A", 140, 140)
    assert FormItem.objects.get(dimension__form=v1, clause="4.1.4").max_score == 10
    assert {d["name"]: d["max_total"] for d in selectors.dimension_totals(done)}["办托条件"] == 10
    # A new assessment uses the new version.
    fresh = services.assessment_start(actor=world.user("director"), institution=done.institution)
    assert fresh.form_id == draft.pk and fresh.scores.count() == 14


def test_an_assessment_in_progress_keeps_its_version_when_a_new_one_is_activated(world):
    province = world.user("province_official")
    a = assessment(world, AssessmentStatus.SELF_SUBMITTED)
    draft = services.form_new_version(actor=province, form=a.form)
    services.form_activate(actor=province, form=draft)
    score_all(a, world.user("county_official"), "county")
    a = services.assessment_county_submit(actor=world.user("county_official"), assessment=a)
    assert a.form.status == FormStatus.RETIRED and a.grade == "A"


def test_only_province_managers_edit_the_form(world):
    form = ensure_form()
    for persona in ("county_official", "city_official", "director", "national_observer"):
        with pytest.raises(PermissionDenied):
            services.form_new_version(actor=world.user(persona), form=form)
    assert services.can_edit_forms(world.user("province_official"))


def test_cutoffs_adopted_as_final_need_a_source(world):
    province = world.user("province_official")
    draft = services.form_new_version(actor=province, form=ensure_form())
    with pytest.raises(ValidationError):
        services.form_update(
            actor=province,
            form=draft,
            name=draft.name,
            effective_on=draft.effective_on,
            complete=False,
            source_note="",
            cutoff_a=85,
            cutoff_b=70,
            cutoff_c=60,
            cutoffs_provisional=False,
            cutoffs_source="",
        )
    with pytest.raises(ValidationError):  # not falling from A to C
        services.form_update(
            actor=province,
            form=draft,
            name=draft.name,
            effective_on=draft.effective_on,
            complete=False,
            source_note="",
            cutoff_a=60,
            cutoff_b=70,
            cutoff_c=50,
            cutoffs_provisional=True,
            cutoffs_source="",
        )


def test_no_cutoffs_no_grade(world):
    province = world.user("province_official")
    draft = services.form_new_version(actor=province, form=ensure_form())
    services.form_update(
        actor=province,
        form=draft,
        name=draft.name,
        effective_on=draft.effective_on,
        complete=False,
        source_note="",
        cutoff_a=None,
        cutoff_b=None,
        cutoff_c=None,
        cutoffs_provisional=True,
        cutoffs_source="",
    )
    services.form_activate(actor=province, form=draft)
    a = assessment(world, AssessmentStatus.COUNTY_SUBMITTED)
    assert a.grade == "none" and not a.cutoffs_provisional


def test_who_may_make_each_transition(world):
    director, caregiver = world.user("director"), world.user("caregiver")
    other_county, city = world.user("other_county_official"), world.user("city_official")
    inst = world.institutions["inst_xuanwu"]
    ensure_form()
    for actor in (caregiver, world.user("county_official"), city):
        with pytest.raises(PermissionDenied):
            services.assessment_start(actor=actor, institution=inst)
    a = services.assessment_start(actor=director, institution=inst)
    with pytest.raises(TransitionNotAllowed):
        services.assessment_start(actor=director, institution=inst)
    item = a.scores.first().item
    with pytest.raises(PermissionDenied):  # the county does not score during the self-assessment
        services.assessment_score(actor=world.user("county_official"), assessment=a, item=item, score=10)
    with pytest.raises(ValidationError):  # yes / no: 0 or the maximum
        services.assessment_score(actor=director, assessment=a, item=item, score=5)
    with pytest.raises(ValidationError):  # every item first
        services.assessment_self_submit(actor=director, assessment=a)
    score_all(a, director, "self")
    with pytest.raises(PermissionDenied):
        services.assessment_self_submit(actor=caregiver, assessment=a)
    services.assessment_self_submit(actor=director, assessment=a)
    with pytest.raises(PermissionDenied):  # the director cannot score the county's side
        services.assessment_score(actor=director, assessment=a, item=item, score=10)
    for actor in (other_county, city, director):
        with pytest.raises(PermissionDenied):
            services.assessment_county_submit(actor=actor, assessment=a)
    inspector = _inspector(world)
    score_all(a, inspector, "county")
    a = services.assessment_county_submit(actor=inspector, assessment=a)
    with pytest.raises(PermissionDenied):  # an inspector assesses; publishing needs review
        services.assessment_publish(actor=inspector, assessment=a)
    with pytest.raises(TransitionNotAllowed):
        services.assessment_self_submit(actor=director, assessment=a)
    with pytest.raises(ValidationError):
        services.assessment_reopen(actor=inspector, assessment=a, reason=" ")
    a = services.assessment_reopen(actor=inspector, assessment=a, reason="复核")
    assert a.status == AssessmentStatus.SELF_SUBMITTED and a.grade == ""
    a = services.assessment_return(actor=inspector, assessment=a, reason="补充材料")
    assert a.status == AssessmentStatus.SELF_ASSESSING


def test_evidence_is_checked_by_its_bytes_and_kept_privately(world):
    a = assessment(world)
    item = a.scores.first().item
    bad = SimpleUploadedFile("x.pdf", b"hello world", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.assessment_attach_evidence(actor=world.user("director"), assessment=a, item=item, upload=bad)
    png = SimpleUploadedFile("证明.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, content_type="image/png")
    e = services.assessment_attach_evidence(actor=world.user("director"), assessment=a, item=item, upload=png)
    assert e.content_type == "image/png" and e.original_name == "证明.png"
    assert not e.file.name.endswith("证明.png")


def test_scoping_of_assessments(world):
    assessment(world)
    visible = {
        p: Assessment.objects.for_user(world.user(p), "view").count()
        for p in (
            "province_official",
            "county_official",
            "other_county_official",
            "director",
            "parent",
            "outsider",
        )
    }
    assert visible == {
        "province_official": 1,
        "county_official": 1,
        "other_county_official": 0,
        "director": 1,
        "parent": 0,
        "outsider": 0,
    }
    assert AssessmentForm.objects.filter(status="active").count() == 1
