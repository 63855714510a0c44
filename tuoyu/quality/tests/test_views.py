"""Quality pages: the government overview, the institution page, scoring, the form editor, the trust card."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.quality.choices import AssessmentStatus
from tuoyu.quality.models import AssessmentForm, FormItem

from .factories import assessment, ensure_form

pytestmark = pytest.mark.django_db


def _client(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


def test_home_shows_states_grades_by_region_and_provisional_recognition(world, django_assert_max_num_queries):
    assessment(world, AssessmentStatus.PUBLISHED)
    client = _client(world, "province_official")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("quality:home"))
    html = response.content.decode()
    assert "Incomplete form." in html and "Provisional cut-offs, not from the standard." in html
    assert "Eligible for demonstration (grade A): 1" in html
    assert "Eligible for inclusive recognition (grade A or B): 1" in html
    assert "玄武区" in html and "梅园托育中心" in html
    other = _client(world, "other_county_official").get(reverse("quality:home")).content.decode()
    assert "梅园托育中心" not in other


def test_director_starts_scores_and_submits_on_the_page(world):
    ensure_form()
    client = _client(world, "director")
    page = client.get(reverse("quality:inst_home")).content.decode()
    assert "Start the self-assessment" in page
    response = client.post(reverse("quality:inst_home"), follow=True)
    a = response.context["assessment"]
    assert "Self-assessment started." in response.content.decode()
    for row in a.scores.select_related("item"):
        client.post(
            reverse("quality:assessment", args=[a.pk]),
            {"kind": "score", "item": row.item_id, "score": row.item.max_score, "note": "ok"},
        )
    response = client.post(
        reverse("quality:assessment", args=[a.pk]),
        {"kind": "transition", "action": "self_submit"},
        follow=True,
    )
    assert response.context["assessment"].status == AssessmentStatus.SELF_SUBMITTED
    assert "Awaiting county assessment" in response.content.decode()


def test_refused_step_is_shown_not_raised(world):
    a = assessment(world)
    response = _client(world, "director").post(
        reverse("quality:assessment", args=[a.pk]),
        {"kind": "transition", "action": "self_submit"},
        follow=True,
    )
    assert "Score every item first" in response.content.decode()


def test_province_edits_a_draft_and_activates_it(world):
    form = ensure_form()
    client = _client(world, "province_official")
    response = client.post(reverse("quality:form", args=[form.pk]), {"kind": "new_version"}, follow=True)
    draft = AssessmentForm.objects.get(status="draft")
    assert "Draft version 2 made" in response.content.decode()
    item = FormItem.objects.get(dimension__form=draft, clause="9.4.3")
    data = {
        "kind": "item",
        "dimension": item.dimension_id,
        "item": item.pk,
        f"i{item.pk}-clause": "9.4.3",
        f"i{item.pk}-text": item.text,
        f"i{item.pk}-max_score": "20",
        f"i{item.pk}-value_type": "yes_no",
        f"i{item.pk}-baseline": "on",
        f"i{item.pk}-points_provisional": "on",
    }
    client.post(reverse("quality:form", args=[draft.pk]), data)
    item.refresh_from_db()
    assert item.baseline and item.max_score == 20
    client.post(reverse("quality:form", args=[draft.pk]), {"kind": "activate"})
    draft.refresh_from_db()
    form.refresh_from_db()
    assert (draft.status, form.status) == ("active", "retired")
    # A county official sees the form, read-only; posting is refused.
    county = _client(world, "county_official")
    assert (
        "Activate this version" not in county.get(reverse("quality:form", args=[draft.pk])).content.decode()
    )
    assert county.post(reverse("quality:form", args=[draft.pk]), {"kind": "activate"}).status_code == 403


def test_trust_card_shows_the_published_grade_with_the_provisional_note(world):
    a = assessment(world, AssessmentStatus.PUBLISHED)
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:public_institution", args=[a.institution_id])).content.decode()
    assert 'data-testid="trust-card-quality"' in html
    assert "The grade cut-offs are provisional" in html and "form version 1" in html


def test_trust_card_shows_nothing_before_publication(world):
    a = assessment(world, AssessmentStatus.COUNTY_SUBMITTED)
    html = Client().get(reverse("portal:public_institution", args=[a.institution_id])).content.decode()
    assert 'data-testid="trust-card-quality"' not in html
