"""Training pages: the training home (officials: bases, coverage, trainers, courses, sessions and
completion rates of their region; institution staff: sessions open to them and who is short of hours),
forms to add to the catalogue, a session's page, and a person's ledger.

Officials and institution staff only (others 403); records come through `for_user` (out of scope
answers 404). Adding to the catalogue needs an official's "manage" over a region; enrolling, recording
attendance and completion follow `services.py`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from tuoyu.accounts.choices import STAFF_ROLES, Role
from tuoyu.core.api import Conflict
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution
from tuoyu.regions.constants import CHILD_LEVEL, ancestor_codes
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import widest_region
from tuoyu.workforce.models import Employment, Person, official_with

from . import services
from .choices import BaseLevel, CourseModule, EnrolmentStatus
from .forms import CompleteForm, CourseForm, EnrolForm, SessionForm, TrainerForm, TrainingBaseForm
from .models import Course, Enrolment, Trainer, TrainingBase, TrainingSession
from .selectors import (
    RATED_ROLES,
    CompletionRow,
    active_bases,
    annotate_training_hours,
    base_coverage,
    completion_rates,
    completion_totals,
    person_ledger,
    sessions_open_to,
    subregions_with_base,
    with_places_taken,
)

# Completion by institution: the institutions with the lowest share first, this many.
INSTITUTIONS_SHOWN = 20
SESSIONS_SHOWN = 30
TRAINERS_SHOWN = 30


class StaffOrOfficialMixin(RoleRequiredMixin):
    """Officials and institution staff; parents and users without a role get 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and not (user.is_official or user.is_staff_member):  # type: ignore[union-attr]
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _apply(form: Any, write: Any) -> Any:
    """Run a service with a valid form's data; put its refusals on the form. The result, or None."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc.messages)
            return None
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    except Conflict as exc:
        form.add_error(None, str(exc))
    return None


def home_region(user: Any, requested: str = "") -> Region | None:
    """The region an official looks at: `requested` if their grants cover it, else the first region of
    their assignments (a national observer or superuser: the province)."""
    grants = grants_for(user, "view")
    if requested:
        region = Region.objects.filter(
            code=requested, level__in=["province", "city", "county", "township"]
        ).first()
        if region is None or not (
            grants.everything or (grants.region_ranges and grants.covers_code(region.code))
        ):
            raise Http404
        return region
    return widest_region(grants)


class TrainingHomeView(StaffOrOfficialMixin, TemplateView):
    template_name = "training/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["today"] = timezone.localdate()
        if user.is_official:  # type: ignore[union-attr]
            region = home_region(user, self.request.GET.get("region", ""))
            if region is not None:
                context.update(self.official_context(region))
        if user.is_staff_member:  # type: ignore[union-attr]
            context["institutions"] = self.staff_context()
        return context

    def official_context(self, region: Region) -> dict[str, Any]:
        user = self.request.user
        today = timezone.localdate()
        lo, hi = region.subtree_bounds()
        in_region = Q(region_id__gte=lo, region_id__lte=hi)
        above = Q(region_id__in=ancestor_codes(region.code, region.level))
        serving = Exists(active_bases(today).filter(pk=OuterRef("pk")))
        bases = list(
            TrainingBase.objects.for_user(user, "view")
            .filter(in_region)
            .select_related("region")
            .annotate(in_service=serving)
            .order_by("region_id", "name")
        )
        bases_by_level = [
            (label, [b for b in bases if b.level == level]) for level, label in BaseLevel.choices
        ]
        trainers = Trainer.objects.for_user(user, "view").filter(in_region, active=True)
        jobs = (
            Employment.objects.for_user(user, "view")
            .open()
            .filter(institution__township_id__gte=lo, institution__township_id__lte=hi)
        )
        child_level = CHILD_LEVEL.get(region.level)
        by_region = (
            completion_rates(jobs, child_level, today)
            if child_level in ("city", "county", "township")
            else []
        )
        # Every job's institution lies in one sub-region: their sum is the region's total (no extra pass).
        totals = CompletionRow.total(by_region) if by_region else completion_totals(jobs, today)
        return {
            "region": region,
            "breadcrumbs": [r for r in region.ancestors() if grants_for(user, "view").covers_code(r.code)],
            "can_manage": official_with(user, "manage"),
            "coverage": base_coverage(within=region, today=today),
            "subregions": subregions_with_base(region, today) if region.level in ("province", "city") else [],
            "bases_by_level": [(label, rows) for label, rows in bases_by_level if rows],
            "trainer_count": trainers.count(),
            "trainer_specialties": [
                (CourseModule(row["specialty"]).label, row["n"])
                for row in trainers.order_by()
                .values("specialty")
                .annotate(n=Count("id"))
                .order_by("-n", "specialty")
            ],
            "trainers": list(
                trainers.select_related("region", "base").order_by("region_id", "name")[:TRAINERS_SHOWN]
            ),
            "courses": list(Course.objects.for_user(user, "view").filter(active=True)),
            "sessions": list(
                with_places_taken(
                    TrainingSession.objects.for_user(user, "view").filter(
                        in_region | above, ends_on__gte=today
                    )
                ).order_by("starts_on", "id")[:SESSIONS_SHOWN]
            ),
            "totals": totals,
            "by_region": by_region,
            # Institutions ranked within a county or township only: across a city or the province the
            # sub-region rows are the view (and one more pass over every job would double the page's cost).
            "by_institution": completion_rates(
                jobs, "institution", today, order="share", limit=INSTITUTIONS_SHOWN
            )
            if region.level in ("county", "township")
            else [],
        }

    def staff_context(self) -> list[dict[str, Any]]:
        user = self.request.user
        assignments = [a for a in user.active_assignments() if a.role in STAFF_ROLES]  # type: ignore[union-attr]
        ids = {a.institution_id for a in assignments}
        directing = {a.institution_id for a in assignments if a.role == Role.DIRECTOR}
        result = []
        for institution in Institution.objects.for_user(user, "view").filter(pk__in=ids).order_by("name"):
            staff = list(
                annotate_training_hours(
                    Employment.objects.open().filter(institution=institution, role__in=RATED_ROLES)
                )
                .select_related("person")
                .order_by("training_met", "role", "person__name", "id")
            )
            result.append(
                {
                    "institution": institution,
                    "is_director": institution.pk in directing,
                    "sessions": list(sessions_open_to(institution)[:SESSIONS_SHOWN]),
                    "staff": staff,
                    "short": len([job for job in staff if getattr(job, "training_met", None) is False]),
                }
            )
        return result


# --- Adding to the catalogue ----------------------------------------------------------------------


class CatalogueAddView(RoleRequiredMixin, TemplateView):
    """A form adding to the catalogue: officials holding "manage" over some region (others 403)."""

    template_name = "training/form.html"
    required_check = "is_official"
    form_class: type[Any]
    title: Any = ""
    service: Any = None
    done_message: Any = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not official_with(request.user, "manage"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or self.form_class(user=self.request.user)
        context["title"] = self.title
        return context

    def write(self, data: dict[str, Any]) -> Any:
        return type(self).service(actor=self.request.user, **data)

    def success_url(self, obj: Any) -> str:
        return reverse("training:home")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form_class(request.POST, user=request.user)
        obj = _apply(form, self.write)
        if obj is None:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, str(self.done_message))
        return redirect(self.success_url(obj))


class BaseAddView(CatalogueAddView):
    form_class = TrainingBaseForm
    title = gettext_lazy("Add a training base")
    service = services.training_base_add
    done_message = gettext_lazy("Training base added.")


class TrainerAddView(CatalogueAddView):
    form_class = TrainerForm
    title = gettext_lazy("Add a trainer")
    service = services.trainer_add
    done_message = gettext_lazy("Trainer added.")


class CourseAddView(CatalogueAddView):
    form_class = CourseForm
    title = gettext_lazy("Add a course")
    service = services.course_add
    done_message = gettext_lazy("Course added.")


class SessionAddView(CatalogueAddView):
    form_class = SessionForm
    title = gettext_lazy("Schedule a session")
    service = services.session_add
    done_message = gettext_lazy("Session scheduled.")

    def success_url(self, obj: Any) -> str:
        return reverse("training:session", args=[obj.pk])


# --- A session ------------------------------------------------------------------------------------


class SessionView(StaffOrOfficialMixin, TemplateView):
    """A session: its course, trainers and places; directors enrol their staff; the organiser records
    attendance and completion; certificates of completed enrolments."""

    template_name = "training/session.html"

    def get_session(self) -> TrainingSession:
        queryset = with_places_taken(TrainingSession.objects.for_user(self.request.user, "view"))
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def enrol_choices(self, session: TrainingSession) -> list[tuple[int, str]]:
        """Open jobs at institutions the user directs, within the session's region, not yet enrolled."""
        if session.ends_on < timezone.localdate():
            return []
        lo, hi = session.region.subtree_bounds()
        taken = Enrolment.objects.filter(session=session, person=OuterRef("person")).exclude(
            status=EnrolmentStatus.WITHDRAWN
        )
        jobs = (
            Employment.objects.for_user(self.request.user, "change")
            .open()
            .filter(
                institution_id__in=Institution.objects.for_user(self.request.user, "change").values("pk"),
                institution__township_id__gte=lo,
                institution__township_id__lte=hi,
            )
            .exclude(Exists(taken))
            .select_related("person", "institution")
            .order_by("institution__name", "role", "person__name", "id")
        )
        return [(j.pk, f"{j.person.name} · {j.get_role_display()} · {j.institution.name}") for j in jobs]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        session: TrainingSession = kwargs.get("session") or self.get_session()
        user = self.request.user
        enrolments = list(
            Enrolment.objects.for_user(user, "view")
            .filter(session=session)
            .select_related("person", "institution")
            .order_by("status", "person__name", "id")
        )
        directed = set(Institution.objects.for_user(user, "change").values_list("pk", flat=True))
        choices = self.enrol_choices(session)
        can_organise = services.can_manage_region(user, session.region_id)
        places_left = max(getattr(session, "places_left", 0), 0)
        context.update(
            session=session,
            trainers=list(session.trainers.all()),
            enrolments=enrolments,
            certificates=[
                e for e in enrolments if e.status == EnrolmentStatus.COMPLETED and e.certificate_no
            ],
            places_left=places_left,
            can_organise=can_organise,
            directed=directed,
            enrol_form=kwargs.get("enrol_form")
            or (EnrolForm(choices=choices) if choices and places_left else None),
            complete_form=kwargs.get("complete_form"),
            today=timezone.localdate(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = self.get_session()
        action = request.POST.get("action", "")
        if action == "enrol":
            if not Institution.objects.for_user(request.user, "change").exists():
                raise PermissionDenied  # directors enrol their staff here (officials: the API)
            form = EnrolForm(request.POST, choices=self.enrol_choices(session))

            def enrol(data: dict[str, Any]) -> Any:
                job = get_object_or_404(
                    Employment.objects.for_user(request.user, "change").open(), pk=data["employment"]
                )
                return services.enrolment_add(
                    actor=request.user, session=session, person=job.person, institution=job.institution
                )

            if _apply(form, enrol) is None:
                return self.render_to_response(self.get_context_data(session=session, enrol_form=form))
            messages.success(request, _("Enrolled."))
            return redirect("training:session", session.pk)
        raw = request.POST.get("enrolment", "")
        enrolment = get_object_or_404(
            Enrolment.objects.for_user(request.user, "view").select_related("person", "session"),
            pk=int(raw) if raw.isdigit() else 0,
            session=session,
        )
        if action == "complete":
            complete = CompleteForm(request.POST)
            done = _apply(
                complete,
                lambda d: services.enrolment_complete(
                    actor=request.user,
                    enrolment=enrolment,
                    hours_credited=d["hours_credited"],
                    completed_on=d["completed_on"],
                    certificate_no=d["certificate_no"],
                ),
            )
            if done is None:
                return self.render_to_response(self.get_context_data(session=session, complete_form=complete))
            messages.success(request, _("Completion recorded."))
        elif action in ("absent", "withdraw"):
            write = services.enrolment_mark_absent if action == "absent" else services.enrolment_withdraw
            try:
                write(actor=request.user, enrolment=enrolment, reason=request.POST.get("reason", ""))
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("training:session", session.pk)
            messages.success(request, _("Saved."))
        return redirect("training:session", session.pk)


# --- A person's ledger ----------------------------------------------------------------------------


class PersonLedgerView(StaffOrOfficialMixin, TemplateView):
    """A person's training hours (the workforce person page includes the same `_ledger.html`)."""

    template_name = "training/person.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        person = get_object_or_404(Person.objects.for_user(self.request.user, "view"), pk=kwargs["pk"])
        context.update(person=person, ledger=person_ledger(person))
        return context
