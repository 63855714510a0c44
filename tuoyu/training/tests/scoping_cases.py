"""Every training endpoint and page, as every persona (merged into core's persona suite)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status
from tuoyu.workforce.tests.factories import employ

from .factories import EnrolmentFactory, TrainingBaseFactory, session


def _catalogue_check(persona: str, response: Any) -> None:
    """The catalogue is visible to anyone holding a grant; parents and outsiders get an empty list."""
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200, (persona, response.content[:300])
    assert response.json()["count"] == (0 if persona in {"parent", "outsider"} else 1), persona


def _bases_url(world: Any) -> str:
    TrainingBaseFactory(region=world.regions["xuanwu"])
    return "/api/v1/training/bases?region=320102000000"


def _trainers_url(world: Any) -> str:
    from .factories import TrainerFactory

    TrainerFactory(region=world.regions["xuanwu"])
    return "/api/v1/training/trainers"


def _courses_url(world: Any) -> str:
    session(world)
    return "/api/v1/training/courses?role=caregiver"


def _sessions_url(world: Any) -> str:
    session(world)
    return "/api/v1/training/sessions?region=320100000000"


def _person_id(world: Any) -> int:
    return employ(world.institutions["inst_xuanwu"]).person_id


def _enrolment_in_xuanwu(world: Any) -> Any:
    job = employ(world.institutions["inst_xuanwu"])
    return EnrolmentFactory(
        session=session(world), person=job.person, institution=job.institution, status="enrolled"
    )


_viewers = {p: 200 if p in XUANWU_VIEWERS else 401 if p == "anonymous" else 404 for p in ALL_PERSONAS}
# Completion: the organiser (a "manage" grant over 玄武区) 200; others who see the enrolment 403.
_complete = {
    p: 200
    if p in {"province_official", "county_official"}
    else 403
    if p in XUANWU_VIEWERS
    else 401
    if p == "anonymous"
    else 404
    for p in ALL_PERSONAS
}

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/training/bases"): (_bases_url, _catalogue_check),
    ("get", "/api/v1/training/trainers"): (_trainers_url, _catalogue_check),
    ("get", "/api/v1/training/courses"): (_courses_url, _catalogue_check),
    ("get", "/api/v1/training/sessions"): (_sessions_url, _catalogue_check),
    ("get", "/api/v1/training/ledger"): (
        lambda w: f"/api/v1/training/ledger?person={_person_id(w)}",
        _status(_viewers),
    ),
    # The persona body {"username", "password"} lacks the required fields: 422 for every caller.
    ("post", "/api/v1/training/enrolments"): (
        lambda w: "/api/v1/training/enrolments",
        _status({p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}),
    ),
    # Every field of the completion is optional: the persona body completes with the defaults.
    ("post", "/api/v1/training/enrolments/{enrolment_id}/complete"): (
        lambda w: f"/api/v1/training/enrolments/{_enrolment_in_xuanwu(w).pk}/complete",
        _status(_complete),
    ),
}

_officials_and_staff = {
    p: 200 if p in GOV | {"director", "caregiver"} else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS
}
_managers = {
    p: 200
    if p in {"province_official", "county_official", "other_county_official"}
    else 302
    if p == "anonymous"
    else 403
    for p in ALL_PERSONAS
}
_person_page = {
    p: 200
    if p in XUANWU_VIEWERS
    else 302
    if p == "anonymous"
    else 403
    if p in {"parent", "outsider"}
    else 404
    for p in ALL_PERSONAS
}

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "training:home": (lambda w: reverse("training:home"), _officials_and_staff),
    "training:base_add": (lambda w: reverse("training:base_add"), _managers),
    "training:trainer_add": (lambda w: reverse("training:trainer_add"), _managers),
    "training:course_add": (lambda w: reverse("training:course_add"), _managers),
    "training:session_add": (lambda w: reverse("training:session_add"), _managers),
    # The catalogue is visible to every official and staff member, 江宁区's official included.
    "training:session": (lambda w: reverse("training:session", args=[session(w).pk]), _officials_and_staff),
    "training:person": (lambda w: reverse("training:person", args=[_person_id(w)]), _person_page),
}
