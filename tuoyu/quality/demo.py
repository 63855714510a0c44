"""Demo quality assessments: `manage.py demo_quality --seed 1` (after the other demo commands).

- The shipped WS/T 821 form (loaded by migration 0002; loaded here if missing).
- About 300 operating institutions (every one in 玄武区 and a seeded sample of the rest) get an
  assessment in one of the four states: self-assessment in progress (partly scored), awaiting the
  county, assessed awaiting publication, published. Scores are drawn so that grades A–D all occur;
  totals, grades and cut-offs are computed by the same `compute_grade` the services use.
- demo_director's centre gets a published grade A (with its positive credit record).
- Rows are written with bulk_create. Idempotent: institutions that already have an assessment are
  skipped, so running it twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from time import monotonic
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tuoyu.accounts.models import RoleAssignment
from tuoyu.institutions.choices import OperatingStatus
from tuoyu.institutions.models import Institution

from . import services
from .choices import AssessmentStatus, FormStatus, Grade
from .formdata import load_form
from .models import Assessment, AssessmentForm, AssessmentScore, AssessmentTransition, FormDimension, FormItem

SAMPLE = 300
XUANWU_CODE = "320102000000"
S = AssessmentStatus
# Share of the sample in each state (the rest: published).
STATE_WEIGHTS = [(S.SELF_ASSESSING, 25), (S.SELF_SUBMITTED, 20), (S.COUNTY_SUBMITTED, 15), (S.PUBLISHED, 40)]
# The chance that an item is not met, per institution "quality" band (drawn once per institution).
MISS_RATES = (0.0, 0.05, 0.15, 0.3, 0.5)
STEPS: dict[str, list[str]] = {
    S.SELF_ASSESSING: [S.SELF_ASSESSING],
    S.SELF_SUBMITTED: [S.SELF_ASSESSING, S.SELF_SUBMITTED],
    S.COUNTY_SUBMITTED: [S.SELF_ASSESSING, S.SELF_SUBMITTED, S.COUNTY_SUBMITTED],
    S.PUBLISHED: [S.SELF_ASSESSING, S.SELF_SUBMITTED, S.COUNTY_SUBMITTED, S.PUBLISHED],
}


def _form() -> AssessmentForm:
    form = services.form_active()
    if form is None:
        form = load_form(AssessmentForm, FormDimension, FormItem)
        if form.status != FormStatus.ACTIVE and services.form_active() is None:
            AssessmentForm.objects.filter(pk=form.pk).update(status=FormStatus.ACTIVE)
            form.refresh_from_db()
    return form


def _pick_state(rng: random.Random) -> str:
    return rng.choices([s for s, _w in STATE_WEIGHTS], weights=[w for _s, w in STATE_WEIGHTS])[0]


def add_demo_quality(*, seed: int = 1, stdout: Any = None) -> dict[str, int]:
    started = monotonic()
    rng = random.Random(seed)
    form = _form()
    items = list(
        FormItem.objects.filter(dimension__form=form).values("pk", "max_score", "baseline", "clause")
    )
    cut = services.cutoffs_of(form)
    assessed = set(Assessment.objects.values_list("institution_id", flat=True).distinct())
    director_inst = (
        RoleAssignment.objects.filter(user__username="demo_director", active=True, institution__isnull=False)
        .values_list("institution_id", flat=True)
        .first()
    )
    # The sample is drawn from every operating institution, so the same seed picks the same ones
    # whatever has run before; those already assessed are then skipped (running twice adds nothing).
    candidates = Institution.objects.filter(status=OperatingStatus.OPERATING)
    in_xuanwu = candidates.filter(township_id__gte=XUANWU_CODE, township_id__lte="320102999999")
    xuanwu = list(in_xuanwu.order_by("pk").values_list("pk", flat=True)[:120])
    others = list(candidates.exclude(pk__in=xuanwu).order_by("pk").values_list("pk", flat=True))
    sample = rng.sample(others, min(len(others), max(0, SAMPLE - len(xuanwu))))
    picked = set(xuanwu) | set(sample) | ({director_inst} if director_inst else set())
    chosen = sorted(picked - assessed)
    if not chosen or not items:
        _say(stdout, f"Demo quality: nothing to add ({len(assessed)} institutions already assessed).")
        return {"assessments": 0}
    county_of = dict(Institution.objects.filter(pk__in=chosen).values_list("pk", "county_id"))
    county_users = dict(
        RoleAssignment.objects.filter(
            active=True, role="official_admin", region_id__in=set(county_of.values())
        )
        .order_by("region_id", "pk")
        .values_list("region_id", "user_id")
    )
    director_users = dict(
        RoleAssignment.objects.filter(active=True, role="director", institution_id__in=chosen)
        .order_by("institution_id", "pk")
        .values_list("institution_id", "user_id")
    )
    now = timezone.now()
    plans: list[tuple[Assessment, list[AssessmentScore], list[str]]] = []
    for inst_id in chosen:
        state = S.PUBLISHED if inst_id == director_inst else _pick_state(rng)
        miss = 0.0 if inst_id == director_inst else rng.choice(MISS_RATES)
        days_ago = rng.randint(3, 200)
        a = Assessment(
            institution_id=inst_id,
            form=form,
            status=state,
            started_by_id=director_users.get(inst_id),
        )
        scores = []
        for it in items:
            self_met = rng.random() >= miss / 2
            county_met = rng.random() >= miss
            scored = state != S.SELF_ASSESSING or rng.random() < 0.5
            scores.append(
                AssessmentScore(
                    item_id=it["pk"],
                    self_score=(it["max_score"] if self_met else 0) if scored else None,
                    self_note="" if self_met else "整改中",
                    county_score=(it["max_score"] if county_met else 0)
                    if state in (S.COUNTY_SUBMITTED, S.PUBLISHED)
                    else None,
                    county_note="" if county_met else "现场未见相关记录",
                )
            )
        if state != S.SELF_ASSESSING:
            a.self_total = sum(s.self_score or 0 for s in scores)
            a.self_submitted_at = now - timedelta(days=days_ago)
        if state in (S.COUNTY_SUBMITTED, S.PUBLISHED):
            total = sum(s.county_score or 0 for s in scores)
            max_total = sum(it["max_score"] for it in items)
            failed = [
                it["clause"]
                for it, s in zip(items, scores, strict=True)
                if it["baseline"] and s.county_score != it["max_score"]
            ]
            a.county_total, a.max_total, a.baseline_failed = total, max_total, failed
            a.grade = services.compute_grade(
                total=total, max_total=max_total, baseline_failed=bool(failed), cutoffs=cut
            )
            a.cutoffs_used = {"a": cut.a, "b": cut.b, "c": cut.c} if cut else {}
            a.cutoffs_provisional = bool(cut) and form.cutoffs_provisional
            a.assessed_at = now - timedelta(days=max(1, days_ago - 2))
            a.assessed_by_id = county_users.get(county_of.get(inst_id) or "")
            a.county_note = "演示数据：总体符合要求" if a.grade in (Grade.A, Grade.B) else "演示数据：需整改"
        if state == S.PUBLISHED:
            a.published_at = now - timedelta(days=max(0, days_ago - 3))
            a.published_on = timezone.localdate(a.published_at)
            a.current = True
        plans.append((a, scores, STEPS[state]))

    with transaction.atomic():
        created = Assessment.objects.bulk_create([a for a, _s, _t in plans], batch_size=1000)
        all_scores, transitions = [], []
        for a, (_a, scores, steps) in zip(created, plans, strict=True):
            for s in scores:
                s.assessment_id = a.pk
            all_scores.extend(scores)
            county_user = county_users.get(county_of.get(a.institution_id) or "")
            previous = ""
            for step in steps:
                actor = (
                    director_users.get(a.institution_id)
                    if step in (S.SELF_ASSESSING, S.SELF_SUBMITTED)
                    else county_user
                )
                transitions.append(
                    AssessmentTransition(
                        assessment_id=a.pk,
                        from_status=previous,
                        to_status=step,
                        actor_id=actor,
                        reason="演示数据",
                    )
                )
                previous = step
        AssessmentScore.objects.bulk_create(all_scores, batch_size=5000)
        AssessmentTransition.objects.bulk_create(transitions, batch_size=5000)
        credited = 0
        for a in Assessment.objects.filter(
            pk__in=[a.pk for a in created], grade=Grade.A, status=S.PUBLISHED
        ).select_related("institution", "form"):
            services.post_credit(a)
            credited += 1
    by_state = dict(
        Assessment.objects.filter(pk__in=[a.pk for a in created])
        .values_list("status")
        .annotate(n=Count("id"))
    )
    _say(
        stdout,
        f"Demo quality: {len(created)} assessments ({by_state}), {len(all_scores)} scores, "
        f"{credited} A-grade credit records ({monotonic() - started:.1f} s).",
    )
    return {"assessments": len(created), "scores": len(all_scores), "credited": credited}


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)
