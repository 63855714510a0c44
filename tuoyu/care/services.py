"""Writes to the care records. Pages, the API, admin and commands come through here.

Who may do what (decided here, once):
- Medication: a guardian asks for their own child (an account linked as the child's guardian); staff
  holding "care" over the child's institution accept, decline (with a reason) and record doses. The
  guardians are told of each dose (daily digest) and of a decline (urgent). Either side may cancel.
- Incidents: staff holding "care" over the institution report them; who is told follows
  rules.SEVERITY_RULES. Flagging suspected abuse or harm files a mandatory report (强制报告,
  未成年人保护法 第11条) with the county at once; an official with "review" over the institution's
  township acknowledges it.
- Menus, meals and the diary: staff holding "care" over the institution (class).
Refused transitions raise `Conflict` (409); wrong input `ValidationError` naming the field (422);
a user who sees the record but may not act on it `PermissionDenied` (403).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.children.models import Child, Guardian
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.scoping import grants_for
from tuoyu.institutions.models import Institution, InstitutionClass
from tuoyu.parents.choices import NotificationKind
from tuoyu.parents.services import notify_guardians

from .choices import AteAmount, DiaryKind, Meal, MedicationStatus
from .models import (
    AllergySubstitute,
    DiaryEntry,
    Incident,
    MandatoryReport,
    MealIntake,
    MealServed,
    MedicationDose,
    MedicationRequest,
    MenuItem,
    WeeklyMenu,
    parse_times,
)
from .rules import DIARY_PHOTO_MAX_BYTES, DOSE_FUTURE_TOLERANCE_MINUTES, MANDATORY_REPORT, severity_rule

# The medication state machine: status → statuses a transition may lead to.
MEDICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    MedicationStatus.REQUESTED: frozenset(
        {MedicationStatus.ACCEPTED, MedicationStatus.DECLINED, MedicationStatus.CANCELLED}
    ),
    MedicationStatus.ACCEPTED: frozenset({MedicationStatus.COMPLETED, MedicationStatus.CANCELLED}),
    MedicationStatus.DECLINED: frozenset(),
    MedicationStatus.COMPLETED: frozenset(),
    MedicationStatus.CANCELLED: frozenset(),
}


# --- Permission helpers ---------------------------------------------------------------------------


def can_care_for_institution(actor: Any, institution_id: int) -> bool:
    """Staff holding "care" over the institution (director, caregiver, health worker)."""
    return institution_id in grants_for(actor, "care").institution_ids or grants_for(actor, "care").everything


def _require_care(actor: Any, institution_id: int) -> None:
    if not can_care_for_institution(actor, institution_id):
        raise PermissionDenied(_("Only the institution's care staff may do this."))


def is_guardian(actor: Any, child: Child) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return Guardian.objects.filter(child=child, user_id=actor.pk).exists()


def _check_transition(request: MedicationRequest, to: str) -> None:
    if to not in MEDICATION_TRANSITIONS[request.status]:
        raise Conflict(
            _("This request is {status}: it cannot become {to}.").format(
                status=request.get_status_display(), to=MedicationStatus(to).label
            )
        )


def _medication_link(request: MedicationRequest) -> str:
    return reverse("care:child_medication", args=[request.child_id])


# --- Medication -----------------------------------------------------------------------------------


@transaction.atomic
def medication_request_create(
    *,
    actor: Any,
    child: Child,
    medicine: str,
    dose: str,
    times: str | Iterable[str],
    start_on: date,
    end_on: date,
    instructions: str = "",
    parent_consent: bool = False,
) -> MedicationRequest:
    """A guardian asks the centre to give their child a medicine (only for their own child)."""
    if not is_guardian(actor, child):
        raise PermissionDenied(_("Only the child's guardians may ask for medication."))
    if child.institution_id is None:
        raise ValidationError({"child": _("The child is not enrolled at an institution.")})
    if not parent_consent:
        raise ValidationError(
            {"parent_consent": _("Confirm that you authorise the centre to give this medicine.")}
        )
    if start_on < timezone.localdate():
        raise ValidationError({"start_on": _("The first day cannot be in the past.")})
    request = MedicationRequest(
        child=child,
        institution_id=child.institution_id,
        requested_by=actor,
        medicine=medicine.strip(),
        dose=dose.strip(),
        times=times if isinstance(times, str) else ",".join(times),
        start_on=start_on,
        end_on=end_on,
        instructions=instructions.strip(),
        parent_consent=True,
    )
    request.full_clean()
    request.save()
    audit(actor=actor, action="medication_request", obj=request, detail={"child": child.pk})
    return request


@transaction.atomic
def medication_request_accept(
    *, actor: Any, request: MedicationRequest, authorisation_on_file: bool, authorisation_note: str = ""
) -> MedicationRequest:
    """Staff accept a request once the guardian's signed authorisation is on file."""
    _require_care(actor, request.institution_id)
    _check_transition(request, MedicationStatus.ACCEPTED)
    if not authorisation_on_file:
        raise ValidationError(
            {"authorisation_on_file": _("Keep the guardian's signed authorisation on file before accepting.")}
        )
    request.status = MedicationStatus.ACCEPTED
    request.authorisation_on_file = True
    request.authorisation_note = authorisation_note.strip()[:200]
    request.decided_by, request.decided_at = actor, timezone.now()
    request.full_clean()
    request.save()
    audit(actor=actor, action="medication_accept", obj=request)
    notify_guardians(
        child=request.child,
        kind=NotificationKind.MEDICATION,
        title=_("Medication accepted: {medicine}").format(medicine=request.medicine),
        link=_medication_link(request),
    )
    return request


@transaction.atomic
def medication_request_decline(*, actor: Any, request: MedicationRequest, reason: str) -> MedicationRequest:
    """Staff decline a request with a reason; the guardians are told at once (they must make other plans)."""
    _require_care(actor, request.institution_id)
    _check_transition(request, MedicationStatus.DECLINED)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is declined.")})
    request.status = MedicationStatus.DECLINED
    request.decline_reason = reason.strip()[:300]
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save()
    audit(actor=actor, action="medication_decline", obj=request, detail={"reason": request.decline_reason})
    notify_guardians(
        child=request.child,
        kind=NotificationKind.MEDICATION,
        title=_("Medication declined: {medicine}").format(medicine=request.medicine),
        body=request.decline_reason,
        urgent=True,
        link=_medication_link(request),
    )
    return request


@transaction.atomic
def medication_request_cancel(*, actor: Any, request: MedicationRequest) -> MedicationRequest:
    """The guardian (or the care staff) stop a request that is pending or running."""
    if not (is_guardian(actor, request.child) or can_care_for_institution(actor, request.institution_id)):
        raise PermissionDenied(_("Only the child's guardians or care staff may cancel this request."))
    _check_transition(request, MedicationStatus.CANCELLED)
    request.status = MedicationStatus.CANCELLED
    request.save(update_fields=["status"])
    audit(actor=actor, action="medication_cancel", obj=request)
    return request


@transaction.atomic
def medication_request_complete(*, actor: Any, request: MedicationRequest) -> MedicationRequest:
    """Staff close a request whose course is over."""
    _require_care(actor, request.institution_id)
    _check_transition(request, MedicationStatus.COMPLETED)
    request.status = MedicationStatus.COMPLETED
    request.save(update_fields=["status"])
    audit(actor=actor, action="medication_complete", obj=request)
    return request


@transaction.atomic
def medication_dose_record(
    *,
    actor: Any,
    request: MedicationRequest,
    given_at: datetime | None = None,
    dose: str = "",
    note: str = "",
) -> MedicationDose:
    """Record a dose given. Refused for a request that is not accepted (requested, declined, cancelled,
    completed) and outside the request's dates; the guardians find it in their daily digest."""
    _require_care(actor, request.institution_id)
    request = MedicationRequest.objects.select_for_update().select_related("child").get(pk=request.pk)
    if request.status != MedicationStatus.ACCEPTED:
        raise Conflict(
            _("No dose can be given for a request that is {status}.").format(
                status=request.get_status_display()
            )
        )
    now = timezone.now()
    given_at = given_at or now
    if timezone.is_naive(given_at):
        given_at = timezone.make_aware(given_at)
    if given_at > now + timedelta(minutes=DOSE_FUTURE_TOLERANCE_MINUTES):
        raise ValidationError({"given_at": _("A dose is recorded once given, not in advance.")})
    day = timezone.localdate(given_at)
    if not request.covers(day):
        raise ValidationError(
            {
                "given_at": _("The request covers {start} to {end}; {day} is outside it.").format(
                    start=request.start_on, end=request.end_on, day=day
                )
            }
        )
    item = MedicationDose(
        request=request,
        given_at=given_at,
        dose=(dose.strip() or request.dose)[:50],
        given_by=actor,
        note=note.strip(),
    )
    item.full_clean()
    item.save()
    audit(
        actor=actor,
        action="medication_dose",
        obj=request,
        detail={"dose": item.pk, "given_at": given_at.isoformat()},
    )
    notify_guardians(
        child=request.child,
        kind=NotificationKind.MEDICATION,
        title=_("{medicine} given at {time}").format(
            medicine=request.medicine, time=timezone.localtime(given_at).strftime("%H:%M")
        ),
        body=_("Dose: {dose}").format(dose=item.dose),
        link=_medication_link(request),
    )
    return item


# --- Incidents ------------------------------------------------------------------------------------


def _file_mandatory_report(*, actor: Any, incident: Incident, other_departments: str = "") -> MandatoryReport:
    now = timezone.now()
    incident.reported_to_county_at = now
    incident.save(update_fields=["reported_to_county_at"])
    report = MandatoryReport.objects.create(
        incident=incident,
        county_id=incident.institution.county_id,
        reported_at=now,
        reported_by=actor,
        other_departments=other_departments.strip()[:200],
    )
    audit(
        actor=actor,
        action="mandatory_report",
        obj=incident,
        detail={"county": incident.institution.county_id, "source": MANDATORY_REPORT.source[:60]},
    )
    return report


@transaction.atomic
def incident_report(
    *,
    actor: Any,
    institution: Institution,
    occurred_at: datetime,
    kind: str,
    severity: str,
    description: str,
    child: Child | None = None,
    actions_taken: str = "",
    guardian_informed_at: datetime | None = None,
    suspected_abuse_or_harm: bool = False,
    other_departments: str = "",
) -> Incident:
    """Record an incident. Serious and critical ones reach the guardians at once and the county's
    officials at once; a suspected-abuse flag files the mandatory report with the county."""
    _require_care(actor, institution.pk)
    if occurred_at > timezone.now() + timedelta(minutes=DOSE_FUTURE_TOLERANCE_MINUTES):
        raise ValidationError({"occurred_at": _("This time is in the future.")})
    incident = Incident(
        institution=institution,
        child=child,
        occurred_at=occurred_at,
        kind=kind,
        severity=severity,
        description=description.strip(),
        actions_taken=actions_taken.strip(),
        guardian_informed_at=guardian_informed_at,
        suspected_abuse_or_harm=suspected_abuse_or_harm,
        reported_by=actor,
    )
    incident.full_clean()
    incident.save()
    audit(actor=actor, action="incident_report", obj=incident, detail={"severity": severity, "kind": kind})
    if suspected_abuse_or_harm:
        _file_mandatory_report(actor=actor, incident=incident, other_departments=other_departments)
    if child is not None and (not suspected_abuse_or_harm or MANDATORY_REPORT.notify_guardians):
        rule = severity_rule(severity)
        notify_guardians(
            child=child,
            kind=NotificationKind.INCIDENT,
            title=_("{severity} incident: {kind}").format(
                severity=incident.get_severity_display(), kind=incident.get_kind_display()
            ),
            body=incident.description[:500],
            urgent=rule.guardian_urgent,
        )
    return incident


@transaction.atomic
def incident_flag_suspected_abuse(*, actor: Any, incident: Incident, other_departments: str = "") -> Incident:
    """Mark an incident recorded earlier as suspected abuse or harm: the mandatory report goes at once."""
    _require_care(actor, incident.institution_id)
    if incident.suspected_abuse_or_harm:
        raise Conflict(_("This incident has already been reported as suspected abuse or harm."))
    incident.suspected_abuse_or_harm = True
    incident.save(update_fields=["suspected_abuse_or_harm"])
    _file_mandatory_report(actor=actor, incident=incident, other_departments=other_departments)
    return incident


@transaction.atomic
def incident_guardian_informed(*, actor: Any, incident: Incident, at: datetime | None = None) -> Incident:
    """Record when staff told the guardian (by phone or in person)."""
    _require_care(actor, incident.institution_id)
    incident.guardian_informed_at = at or timezone.now()
    incident.save(update_fields=["guardian_informed_at"])
    audit(actor=actor, action="incident_guardian_informed", obj=incident)
    return incident


def can_acknowledge(actor: Any, incident: Incident) -> bool:
    """Officials with "review" over the institution's township (its county's officials and above)."""
    return grants_for(actor, "review").covers_code(str(incident.institution.township_id))


@transaction.atomic
def mandatory_report_acknowledge(*, actor: Any, incident: Incident, note: str = "") -> MandatoryReport:
    """An official acknowledges a mandatory report (once; a second acknowledgement is refused)."""
    if not can_acknowledge(actor, incident):
        raise PermissionDenied(_("Only officials who review this area may acknowledge a mandatory report."))
    report = MandatoryReport.objects.select_for_update().filter(incident=incident).first()
    if report is None:
        raise Conflict(_("This incident is not a mandatory report."))
    if report.acknowledged_at is not None:
        raise Conflict(_("This report was already acknowledged."))
    report.acknowledged_at = timezone.now()
    report.acknowledged_by = actor
    report.acknowledgement_note = note.strip()[:500]
    report.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    audit(actor=actor, action="mandatory_report_acknowledge", obj=incident)
    return report


# --- Menus and meals ------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def menu_create(
    *,
    actor: Any,
    institution: Institution,
    week_start: date,
    note: str = "",
    items: Iterable[Mapping[str, Any]] = (),
) -> WeeklyMenu:
    """Start a week's menu (a Monday), optionally with its dishes; one menu per institution and week."""
    _require_care(actor, institution.pk)
    if WeeklyMenu.objects.filter(institution=institution, week_start=week_start).exists():
        raise Conflict(_("There is already a menu for the week of {day}.").format(day=week_start))
    menu = WeeklyMenu(institution=institution, week_start=week_start, note=note.strip(), created_by=actor)
    menu.full_clean()
    menu.save()
    rows = [_menu_item(menu, **item) for item in items]
    MenuItem.objects.bulk_create(rows)
    audit(actor=actor, action="menu_create", obj=menu, detail={"items": len(rows)})
    return menu


def _menu_item(menu: WeeklyMenu, *, day: int, meal: str, dish: str, ingredients: str = "") -> MenuItem:
    item = MenuItem(menu=menu, day=day, meal=meal, dish=dish.strip(), ingredients=ingredients.strip())
    item.full_clean(exclude=["menu"])
    return item


@transaction.atomic
def menu_item_add(
    *, actor: Any, menu: WeeklyMenu, day: int, meal: str, dish: str, ingredients: str = ""
) -> MenuItem:
    _require_care(actor, menu.institution_id)
    item = _menu_item(menu, day=day, meal=meal, dish=dish, ingredients=ingredients)
    item.save()
    audit(actor=actor, action="menu_item_add", obj=menu, detail={"item": item.pk})
    return item


@transaction.atomic
def menu_item_delete(*, actor: Any, item: MenuItem) -> None:
    _require_care(actor, item.menu.institution_id)
    audit(actor=actor, action="menu_item_delete", obj=item.menu, detail={"dish": item.dish})
    item.delete()


@transaction.atomic
def allergy_substitute_set(*, actor: Any, item: MenuItem, child: Child, substitute: str) -> AllergySubstitute:
    """Note what a child eats instead of a dish they are allergic to (empty text removes the note)."""
    _require_care(actor, item.menu.institution_id)
    if child.institution_id != item.menu.institution_id:
        raise ValidationError({"child": _("This child is not at this institution.")})
    if not substitute.strip():
        AllergySubstitute.objects.filter(item=item, child=child).delete()
        return AllergySubstitute(item=item, child=child, substitute="")
    row, _created = AllergySubstitute.objects.update_or_create(
        item=item, child=child, defaults={"substitute": substitute.strip()[:100], "noted_by": actor}
    )
    audit(
        actor=actor, action="allergy_substitute", obj=item.menu, detail={"item": item.pk, "child": child.pk}
    )
    return row


@transaction.atomic
def menu_publish(*, actor: Any, menu: WeeklyMenu) -> WeeklyMenu:
    """Publish a week's menu to parents. Refused while a dish meets a child's allergy with no
    substitute noted (WS/T 821—2023 7.3.3) or while the menu has no dish."""
    from .selectors import allergy_warnings

    _require_care(actor, menu.institution_id)
    if menu.published:
        raise Conflict(_("This menu is already published."))
    if not menu.items.exists():
        raise Conflict(_("Add the week's dishes before publishing."))
    open_warnings = [w for w in allergy_warnings(menu) if not w.substitute]
    if open_warnings:
        names = ", ".join(sorted({f"{w.child.name}: {w.item.dish}" for w in open_warnings})[:5])
        raise Conflict(
            _("Note a substitute for every allergy warning before publishing ({n} open: {names}).").format(
                n=len(open_warnings), names=names
            )
        )
    menu.published, menu.published_at = True, timezone.now()
    menu.save(update_fields=["published", "published_at"])
    audit(actor=actor, action="menu_publish", obj=menu)
    return menu


@transaction.atomic
def meal_served_record(
    *,
    actor: Any,
    klass: InstitutionClass,
    day: date,
    meal: str,
    served_at: time | None = None,
    note: str = "",
    intakes: Mapping[int, str] | None = None,
) -> MealServed:
    """Record (or correct) a meal a class was served, and how each child ate (ids of the class's children)."""
    _require_care(actor, klass.institution_id)
    if meal not in Meal.values:
        raise ValidationError({"meal": _("Unknown meal.")})
    if day > timezone.localdate():
        raise ValidationError({"day": _("This day is in the future.")})
    served, _created = MealServed.objects.update_or_create(
        klass=klass,
        day=day,
        meal=meal,
        defaults={"served_at": served_at, "note": note.strip()[:300], "recorded_by": actor},
    )
    if intakes:
        in_class = set(Child.objects.filter(klass=klass, pk__in=list(intakes)).values_list("pk", flat=True))
        bad = sorted(set(intakes) - in_class)
        if bad:
            raise ValidationError({"intakes": _("Children not in this class: {ids}.").format(ids=bad)})
        if any(amount not in AteAmount.values for amount in intakes.values()):
            raise ValidationError({"intakes": _("Unknown amount.")})
        MealIntake.objects.filter(meal=served, child_id__in=list(intakes)).delete()
        MealIntake.objects.bulk_create(
            [MealIntake(meal=served, child_id=cid, amount=amount) for cid, amount in intakes.items()]
        )
    audit(actor=actor, action="meal_served", obj=served, detail={"intakes": len(intakes or {})})
    return served


# --- Class diary ----------------------------------------------------------------------------------


@transaction.atomic
def diary_entry_add(
    *,
    actor: Any,
    klass: InstitutionClass,
    day: date,
    kind: str,
    text: str = "",
    child: Child | None = None,
    nap_start: time | None = None,
    nap_end: time | None = None,
    photo: Any = None,
) -> DiaryEntry:
    """Write an entry of the class's day. A photo is recognised by its bytes (JPEG or PNG only)."""
    from tuoyu.core.files import EXTENSIONS, sniff_content_type

    _require_care(actor, klass.institution_id)
    if day > timezone.localdate():
        raise ValidationError({"day": _("This day is in the future.")})
    entry = DiaryEntry(
        klass=klass,
        child=child,
        day=day,
        kind=kind,
        text=text.strip(),
        nap_start=nap_start,
        nap_end=nap_end,
        author=actor,
    )
    if photo is not None:
        if photo.size > DIARY_PHOTO_MAX_BYTES:
            raise ValidationError(
                {"photo": _("The photo is larger than {mb} MB.").format(mb=DIARY_PHOTO_MAX_BYTES // 2**20)}
            )
        photo.seek(0)
        content_type = sniff_content_type(photo.read(16), allowed=("image/jpeg", "image/png"))
        photo.seek(0)
        if content_type is None:
            raise ValidationError({"photo": _("This file is not a JPEG or PNG picture.")})
        if kind != DiaryKind.PHOTO:
            raise ValidationError({"kind": _("A photo is added as a photo entry.")})
        entry.photo_content_type = content_type
        entry.photo.save(f"photo{EXTENSIONS[content_type]}", photo, save=False)
    try:
        entry.full_clean()
    except ValidationError:
        if entry.photo:
            entry.photo.delete(save=False)
        raise
    entry.save()
    audit(
        actor=actor, action="diary_add", obj=entry, detail={"kind": kind, "child": getattr(child, "pk", None)}
    )
    return entry


def times_from_text(value: str) -> str:
    """A form's free text of times → the canonical list, or a ValidationError on `times`."""
    try:
        return ",".join(parse_times(value))
    except ValueError as exc:
        raise ValidationError(
            {"times": _("{value} is not a time of day (HH:MM).").format(value=exc.args[0])}
        ) from exc
