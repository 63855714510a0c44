"""Writes of the health app: morning/noon checks (with the guardians told of abnormal results and the
township cluster rule evaluated), a class's quick "all normal", vaccine doses, acknowledging alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.children.models import Child
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.institutions.models import InstitutionClass
from tuoyu.parents.choices import NotificationKind
from tuoyu.parents.services import notify_guardians

from .choices import DoseSource, Finding, Mood, Outcome, Session, Symptom, Vaccine
from .immunisation import RULES_BY_KEY
from .models import HealthCheck, HealthCheckSymptom, SymptomClusterAlert, VaccineDose
from .rules import SymptomGroup, assess, cluster_rule, groups_of


def _may_care(actor: Any, child: Child) -> bool:
    return Child.objects.for_user(actor, "care").filter(pk=child.pk).exists()


def _clean_symptoms(symptoms: list[str] | tuple[str, ...] | None) -> list[str]:
    result: list[str] = []
    for s in symptoms or ():
        if s not in Symptom.values:
            raise ValidationError({"symptoms": _("Unknown symptom: {s}").format(s=s)})
        if s not in result:
            result.append(s)
    return result


@transaction.atomic
def health_check_record(
    *,
    actor: Any,
    child: Child,
    session: str = Session.MORNING,
    day: date | None = None,
    temperature: Decimal | float | str | None = None,
    mouth: str = Finding.NORMAL,
    hands: str = Finding.NORMAL,
    skin: str = Finding.NORMAL,
    mood: str = Mood.GOOD,
    symptoms: list[str] | tuple[str, ...] | None = None,
    notes: str = "",
    outcome: str | None = None,
    replace: bool = False,
    at: datetime | None = None,
) -> HealthCheck:
    """Record one child's morning or noon check. Abnormal results tell the guardians (urgent when the
    child is kept out); when the rules say keep out the outcome is `sent_home` whatever was asked.
    A second check of the same child, day and session is refused (409) unless `replace`.

    Checking the child out in attendance stays with staff (the guardian collects the child).
    """
    if not _may_care(actor, child):
        raise PermissionDenied(_("You may not record checks for this child."))
    if child.institution_id is None:
        raise ValidationError({"child": _("The child is not enrolled at an institution.")})
    at = at or timezone.now()
    day = day or timezone.localdate(at)
    if day > timezone.localdate():
        raise ValidationError({"day": _("A check cannot be recorded for a future day.")})
    if session not in Session.values:
        raise ValidationError({"session": _("Choose the morning or the noon check.")})
    codes = _clean_symptoms(symptoms)
    if temperature is not None and temperature != "":
        try:
            temperature = Decimal(str(temperature)).quantize(Decimal("0.1"))
        except ArithmeticError:
            raise ValidationError({"temperature": _("Enter a temperature in °C.")}) from None
    else:
        temperature = None
    if outcome is not None and outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    found = assess(
        temperature=temperature,
        mouth=mouth,
        hands=hands,
        skin=skin,
        mood=mood,
        symptoms=codes,
        institution_id=child.institution_id,
    )
    if found.keep_out:
        final_outcome = Outcome.SENT_HOME
    elif outcome:
        final_outcome = Outcome(outcome)
    else:
        final_outcome = Outcome.OBSERVE if found.abnormal else Outcome.ADMITTED

    existing = HealthCheck.objects.select_for_update().filter(child=child, day=day, session=session).first()
    if existing is not None and not replace:
        raise Conflict(
            _("This child's {session} on {day} is already recorded.").format(
                session=Session(session).label, day=day.isoformat()
            )
        )
    check = existing or HealthCheck(child=child, day=day, session=session)
    check.institution_id = child.institution_id
    check.klass_id = child.klass_id
    check.temperature = temperature  # type: ignore[assignment]
    check.mouth, check.hands, check.skin, check.mood = mouth, hands, skin, mood
    check.notes = notes
    check.abnormal = found.abnormal
    check.outcome = final_outcome
    check.checker = actor if getattr(actor, "is_authenticated", False) else None
    check.at = at
    check.full_clean()
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:
        raise Conflict(_("This check was recorded at the same time by someone else.")) from None
    if existing is not None:
        check.symptoms.all().delete()
    township_id = check.institution.township_id
    HealthCheckSymptom.objects.bulk_create(
        [
            HealthCheckSymptom(
                check_record=check,
                symptom=s,
                day=day,
                township_id=township_id,
                institution_id=check.institution_id,
            )
            for s in codes
        ]
    )
    audit(
        actor=actor,
        action="health_check.replace" if existing else "health_check.record",
        obj=check,
        detail={
            "session": session,
            "day": day.isoformat(),
            "abnormal": found.abnormal,
            "outcome": final_outcome,
            "symptoms": codes,
        },
    )
    if found.abnormal:
        _tell_guardians(check, child, found.reasons, keep_out=found.keep_out)
    groups = groups_of(frozenset(codes))
    if groups:
        for group in groups:
            cluster_evaluate(township_id=township_id, group=group, day=day)
    return check


def _tell_guardians(check: HealthCheck, child: Child, reasons: tuple[str, ...], *, keep_out: bool) -> None:
    what = "、".join(reasons)
    if keep_out:
        title = _("{name}: please collect your child ({session})").format(
            name=child.name, session=Session(check.session).label
        )
        body = _(
            "At today's check we found: {what}. Under the health-care rules the child cannot stay today; "
            "please collect {name} and see a doctor. {name} may return with a doctor's note that the "
            "child is fit to attend."
        ).format(what=what, name=child.name)
    else:
        title = _("{name}: something to know from the {session}").format(
            name=child.name, session=Session(check.session).label
        )
        body = _("At today's check we found: {what}. We are keeping an eye on {name}.").format(
            what=what, name=child.name
        )
    if check.notes:
        body = f"{body}\n{check.notes}"
    notify_guardians(
        child=child,
        kind=NotificationKind.HEALTH_CHECK,
        title=title,
        body=body,
        urgent=keep_out,
        link=reverse("portal:parent_home"),
    )


# --- township symptom clusters ------------------------------------------------------------------------


def group_q(group: SymptomGroup) -> Q:
    """Checks that belong to a symptom group (an Exists per required symptom)."""
    q = Q()
    for s in group.all_of:
        q &= Q(Exists(HealthCheckSymptom.objects.filter(check_record=OuterRef("pk"), symptom=s)))
    if group.any_of:
        q &= Q(
            Exists(HealthCheckSymptom.objects.filter(check_record=OuterRef("pk"), symptom__in=group.any_of))
        )
    return q


@dataclass(frozen=True)
class ClusterFigures:
    institutions: list[int]
    cases: int


def cluster_figures(*, township_id: str, group: SymptomGroup, start: date, end: date) -> ClusterFigures:
    """Institutions and children with checks of `group` in the township between two days (two queries)."""
    checks = HealthCheck.objects.filter(
        institution__township_id=township_id, day__gte=start, day__lte=end
    ).filter(group_q(group))
    institutions = sorted(set(checks.values_list("institution_id", flat=True)))
    cases = checks.aggregate(n=Count("child_id", distinct=True))["n"] if institutions else 0
    return ClusterFigures(institutions, cases)


def cluster_evaluate(*, township_id: str, group: SymptomGroup, day: date) -> SymptomClusterAlert | None:
    """Apply the cluster rule to the windows that contain `day` (up to today); open an alert, or
    extend the township's alert for the group when it overlaps. Returns the alert touched, if any."""
    rule = cluster_rule()
    today = timezone.localdate()
    touched = None
    for offset in range(rule.window_days):
        end = day + timedelta(days=offset)
        if end > today:
            break
        start = end - timedelta(days=rule.window_days - 1)
        figures = cluster_figures(township_id=township_id, group=group, start=start, end=end)
        if len(figures.institutions) < rule.min_institutions:
            continue
        touched = _open_or_extend(township_id, group, start, end, figures)
    return touched


def _open_or_extend(
    township_id: str, group: SymptomGroup, start: date, end: date, figures: ClusterFigures
) -> SymptomClusterAlert:
    alert = (
        SymptomClusterAlert.objects.select_for_update()
        .filter(township_id=township_id, group=group.key, window_end__gte=start - timedelta(days=1))
        .order_by("-window_end")
        .first()
    )
    if alert is None:
        alert = SymptomClusterAlert.objects.create(
            township_id=township_id,
            group=group.key,
            window_start=start,
            window_end=end,
            institution_count=len(figures.institutions),
            cases=figures.cases,
        )
        alert.institutions.set(figures.institutions)
        audit(
            actor=None,
            action="symptom_alert.open",
            obj=alert,
            detail={"group": group.key, "institutions": figures.institutions, "cases": figures.cases},
        )
        return alert
    before = set(alert.institutions.values_list("pk", flat=True))
    alert.window_start = min(alert.window_start, start)
    alert.window_end = max(alert.window_end, end)
    span = cluster_figures(
        township_id=township_id, group=group, start=alert.window_start, end=alert.window_end
    )
    after = before | set(span.institutions)
    alert.institution_count = len(after)
    alert.cases = span.cases
    if after - before and alert.acknowledged_at is not None:
        # New institutions joined after an official acknowledged it: it needs looking at again.
        alert.acknowledged_at = None
        alert.acknowledged_by = None
    alert.save()
    alert.institutions.set(sorted(after))
    if after != before:
        audit(
            actor=None,
            action="symptom_alert.extend",
            obj=alert,
            detail={"group": group.key, "institutions": sorted(after), "cases": alert.cases},
        )
    return alert


@transaction.atomic
def symptom_alert_acknowledge(
    *, actor: Any, alert: SymptomClusterAlert, note: str = ""
) -> SymptomClusterAlert:
    """An official over the township (with "inspect") acknowledges an alert; twice is a no-op."""
    if not SymptomClusterAlert.objects.for_user(actor, "inspect").filter(pk=alert.pk).exists():
        raise PermissionDenied(_("You may see this alert but not acknowledge it."))
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.acknowledge_note = note[:300]
    alert.full_clean()
    alert.save()
    audit(actor=actor, action="symptom_alert.acknowledge", obj=alert, detail={"note": note[:300]})
    return alert


# --- a class's quick "all normal" -----------------------------------------------------------------


@transaction.atomic
def health_checks_all_normal(
    *, actor: Any, klass: InstitutionClass, session: str = Session.MORNING, day: date | None = None
) -> list[HealthCheck]:
    """One tap: a normal check for every child of the class present today who has none yet for the
    session. Children not checked in are left alone (they are not there to be checked)."""
    from .selectors import present_children

    if not InstitutionClass.objects.filter(pk=klass.pk, institution__in=_care_institutions(actor)).exists():
        raise PermissionDenied(_("You may not record checks for this class."))
    if session not in Session.values:
        raise ValidationError({"session": _("Choose the morning or the noon check.")})
    now = timezone.now()
    day = day or timezone.localdate(now)
    children = (
        present_children(klass, day)
        .exclude(Exists(HealthCheck.objects.filter(child_id=OuterRef("pk"), day=day, session=session)))
        .only("pk", "institution_id", "klass_id")
    )
    checks = [
        HealthCheck(
            child_id=c.pk,
            institution_id=klass.institution_id,
            klass_id=klass.pk,
            day=day,
            session=session,
            outcome=Outcome.ADMITTED,
            checker=actor,
            at=now,
        )
        for c in children
    ]
    HealthCheck.objects.bulk_create(checks, ignore_conflicts=True)
    audit(
        actor=actor,
        action="health_check.all_normal",
        obj=klass,
        detail={"day": day.isoformat(), "session": session, "children": len(checks)},
    )
    return checks


def _care_institutions(actor: Any) -> Any:
    from tuoyu.institutions.models import Institution

    return Institution.objects.for_user(actor, "care").values("pk")


# --- immunisation -----------------------------------------------------------------------------------


@transaction.atomic
def vaccine_dose_record(
    *,
    actor: Any,
    child: Child,
    vaccine: str,
    dose_no: int,
    given_on: date,
    source: str = DoseSource.CERTIFICATE,
) -> VaccineDose:
    """Record a dose the child has had (from the certificate, the parent or the clinic). Staff with
    "care" record for their children; a parent (with "change") for their own. 409 when that dose
    number of that vaccine is already recorded."""
    staff = Child.objects.for_user(actor, "care").filter(pk=child.pk).exists()
    parent = (
        not staff
        and Child.objects.for_user(actor, "change").filter(pk=child.pk, guardians__user=actor).exists()
    )
    if not (staff or parent):
        raise PermissionDenied(_("You may not record doses for this child."))
    if parent and source != DoseSource.PARENT:
        source = DoseSource.PARENT  # a parent's word is recorded as such
    if vaccine not in Vaccine.values:
        raise ValidationError({"vaccine": _("Unknown vaccine.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("A dose cannot be given in the future.")})
    if given_on < child.birth_date:
        raise ValidationError({"given_on": _("The dose is dated before the child's birth.")})
    if VaccineDose.objects.filter(child=child, vaccine=vaccine, dose_no=dose_no).exists():
        raise Conflict(_("Dose {n} of {vaccine} is already recorded.").format(n=dose_no, vaccine=vaccine))
    dose = VaccineDose(
        child=child,
        vaccine=vaccine,
        dose_no=dose_no,
        given_on=given_on,
        source=source,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    dose.full_clean()
    try:
        with transaction.atomic():
            dose.save()
    except IntegrityError:
        raise Conflict(
            _("Dose {n} of {vaccine} is already recorded.").format(n=dose_no, vaccine=vaccine)
        ) from None
    rule = RULES_BY_KEY.get(f"{vaccine}#{dose_no}")
    audit(
        actor=actor,
        action="vaccine_dose.record",
        obj=dose,
        detail={
            "vaccine": vaccine,
            "dose_no": dose_no,
            "given_on": given_on.isoformat(),
            "source": source,
            "in_schedule": rule is not None,
        },
    )
    return dose
