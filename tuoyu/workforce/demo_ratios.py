"""Demo enrolment and caregivers in classes: `manage.py demo_ratios --seed 1` (`demo_staff` runs it too).

For every operating institution that has classes and caregivers, in id order, from one
``random.Random(seed)``:

- each class draws a wish of 70–100 % of its places;
- the institution's caregivers are shared among its classes in proportion to what those children need
  (largest remainder; spare caregivers go round the classes). The 2021 baseline has about one caregiver
  for eight places while the standard asks one for three to seven children, so most institutions
  cannot fill their classes: they enrol only as many children as their caregivers may look after, and
  enrolment ends well below the wish (as in the baseline, where places outnumber children in care);
- then about `BREACH_SHARE` of the classes are put in breach (a caregiver left out of the class until
  it has too few) and `OVER_CAPACITY_SHARE` enrol one or two children over their places;
- the demo director's institution always has at least one class in breach, so the page shows it.

Mixed classes (only family points have them in the demo) follow the family point's 1:3. Idempotent:
if any class assignment exists, nothing is written. `ratios_reset` removes every assignment and sets
every class's enrolment to 0.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from typing import Any

from django.db import transaction

from tuoyu.institutions.choices import InstitutionType
from tuoyu.institutions.models import Institution, InstitutionClass

from .choices import StaffRole
from .demo import BATCH_SIZE, _director_institution_id
from .models import ClassAssignment, Employment
from .ratios import ratio_breach_counts, ratio_rule

FILL_RANGE = (0.70, 1.00)
BREACH_SHARE = 0.03
OVER_CAPACITY_SHARE = 0.005
# Sizing only, for a mixed class while no ratio is configured (the page then says none is set).
UNRATED_SIZING = 5


def _largest_remainder(weights: list[int], total: int) -> list[int]:
    """`total` split in proportion to `weights` (integers summing to `total`)."""
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    quotas = [w * total / whole for w in weights]
    shares = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _plan_institution(
    rng: random.Random,
    classes: list[tuple[int, str, int]],
    caregivers: list[tuple[int, Any]],
    family: bool,
    force_breach: bool,
) -> tuple[dict[int, int], dict[int, list[tuple[int, Any]]]]:
    """Enrolment per class id, and the caregivers (employment id, start) placed in each class."""
    pers = [
        ratio_rule(kind, family_point=family).children_per_caregiver or UNRATED_SIZING
        for _, kind, _ in classes
    ]
    wishes = [max(1, round(cap * rng.uniform(*FILL_RANGE))) for _, _, cap in classes]
    needs = [-(-w // p) for w, p in zip(wishes, pers, strict=True)]
    if len(caregivers) >= sum(needs):
        counts = list(needs)
        for k in range(len(caregivers) - sum(needs)):
            counts[k % len(counts)] += 1
    else:
        counts = _largest_remainder(needs, len(caregivers))
    enrolled = [min(w, c * p) for w, c, p in zip(wishes, counts, pers, strict=True)]
    breach_done = False
    for i, (_, _, capacity) in enumerate(classes):
        if rng.random() < OVER_CAPACITY_SHARE:
            enrolled[i] = capacity + rng.randint(1, 2)
        wants_breach = rng.random() < BREACH_SHARE or (
            force_breach and not breach_done and i == len(classes) - 1
        )
        if wants_breach and enrolled[i] > 0:
            # Leave caregivers out of the class until it has fewer than its children need.
            while counts[i] > 0 and counts[i] * pers[i] >= enrolled[i]:
                counts[i] -= 1
        breach_done = breach_done or counts[i] * pers[i] < enrolled[i]
    if force_breach and not breach_done:
        i = max(range(len(classes)), key=lambda k: enrolled[k])
        enrolled[i] = max(enrolled[i], 1)
        counts[i] = min(counts[i], (enrolled[i] - 1) // pers[i])
    placed: dict[int, list[tuple[int, Any]]] = {}
    queue = iter(caregivers)
    for (class_id, _, _), count in zip(classes, counts, strict=True):
        placed[class_id] = [next(queue) for _ in range(count)]
    return dict(zip((c[0] for c in classes), enrolled, strict=True)), placed


def ratios_reset() -> int:
    """Remove every class assignment and every declared enrolment (dev tooling only)."""
    with transaction.atomic():
        deleted, _ = ClassAssignment.objects.all().delete()
        InstitutionClass.objects.exclude(enrolled=0).update(enrolled=0)
    return deleted


def add_demo_ratios(*, seed: int, stdout: Any = None) -> dict[str, Any]:
    """Give demo classes an enrolment and put demo caregivers in them (see the module docstring)."""
    started = time.monotonic()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    if ClassAssignment.objects.exists():
        say("Class assignments exist already: no demo ratios added (use --reset to start over).")
        return {"created": False}
    operating = Institution.objects.operating()
    family_ids = set(operating.filter(type=InstitutionType.FAMILY).values_list("pk", flat=True))
    classes: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for class_id, institution_id, kind, capacity in (
        InstitutionClass.objects.filter(institution__in=operating)
        .order_by("institution_id", "id")
        .values_list("id", "institution_id", "kind", "capacity")
    ):
        classes[institution_id].append((class_id, kind, capacity))
    caregivers: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    for job_id, institution_id, start_on in (
        Employment.objects.open()
        .filter(role=StaffRole.CAREGIVER, institution__in=operating)
        .order_by("institution_id", "id")
        .values_list("id", "institution_id", "start_on")
    ):
        caregivers[institution_id].append((job_id, start_on))
    director_institution = _director_institution_id()
    rng = random.Random(seed * 7_919 + 4_241)
    by_enrolled: dict[int, list[int]] = defaultdict(list)
    assignments: list[ClassAssignment] = []
    for institution_id in sorted(classes):
        if not caregivers.get(institution_id):
            continue
        enrolled, placed = _plan_institution(
            rng,
            classes[institution_id],
            caregivers[institution_id],
            institution_id in family_ids,
            force_breach=institution_id == director_institution,
        )
        for class_id, n in enrolled.items():
            by_enrolled[n].append(class_id)
        for class_id, jobs in placed.items():
            assignments.extend(
                ClassAssignment(employment_id=job_id, institution_class_id=class_id, start_on=start_on)
                for job_id, start_on in jobs
            )
    with transaction.atomic():
        # One UPDATE per distinct enrolment (a few dozen), rather than one per class.
        for n, ids in by_enrolled.items():
            for k in range(0, len(ids), BATCH_SIZE):
                InstitutionClass.objects.filter(pk__in=ids[k : k + BATCH_SIZE]).update(enrolled=n)
        ClassAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
    counts = ratio_breach_counts(operating, group_by="city_id").values()
    totals = {
        "created": True,
        "classes": sum(c.classes for c in counts),
        "children": sum(n * len(ids) for n, ids in by_enrolled.items()),
        "assigned": len(assignments),
        "unplaced": sum(len(jobs) for jobs in caregivers.values()) - len(assignments),
        "breaches": sum(c.classes_in_breach for c in counts),
        "institutions_in_breach": sum(c.institutions_in_breach for c in counts),
        "over_capacity": sum(c.classes_over_capacity for c in counts),
        "seconds": round(time.monotonic() - started, 1),
    }
    say(
        "{children} children enrolled in {classes} classes, {assigned} caregivers placed ({unplaced} not); "
        "{breaches} classes at {institutions_in_breach} institutions below the ratio, {over_capacity} over "
        "capacity, in {seconds}s.".format(**totals)
    )
    return totals
