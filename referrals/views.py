"""Pages for clinicians and the MDT office. Thin: parse, check permission, call a service, render.

Object-level rule: every patient and referral is looked up through `.visible_to(request.user)`, so
another clinician's patient is a 404. The one exception is break-glass access: a clinician who
gives a reason may open one patient's page (and no other page of theirs) for a few hours, under a
grant that names them and that patient (portal.BreakGlassGrant); every such read is logged as
break-glass and the MDT office lead is told."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.forms import error_summary, report_form_errors
from portal.models import AccessLog, BreakGlassGrant
from portal.paging import keyset_page
from portal.patient_data import shows_patients
from portal.search_tokens import SEARCH_PARAM, search_recall, search_remember
from portal.services import break_glass_grant

from . import services
from .filters import PatientFilter
from .forms import (
    BreakGlassForm,
    FirstTreatmentForm,
    IntakeForm,
    SurgeonForm,
    TransitionForm,
    routing_fingerprint,
)
from .models import Patient, Referral
from .timeline import patient_timeline

PATIENT_LIST_ORDER = ("family_name", "given_name", "pk")
# A search is ordered by the upper-case name keys its prefixes are matched on, which the index
# patient_name_keys holds in this order: the page is read from where the prefix starts. (In the
# list's own order a substring search let PostgreSQL walk the name index from "A", filtering every
# patient: 1.4 s at 800,000 patients for a common surname late in the alphabet.)
PATIENT_SEARCH_ORDER = ("family_key", "given_key", "pk")
PATIENT_LIST_PAGE_SIZE = 50


def _can_see_patients(user) -> bool:
    return user.is_superuser or user.is_mdt_office or user.is_clinician


def _listed_or_found(request: HttpRequest, context) -> str:
    return AccessLog.Action.SEARCH if context["filter"].data.get("q") else AccessLog.Action.LIST


def _search_redirect(request: HttpRequest) -> HttpResponse:
    """A POSTed search: its terms go into the session, the list's URL carries a token (and the
    filters, which identify nobody), so no name or NHS number is ever in a URL."""
    query = QueryDict(mutable=True)
    terms = request.POST.get("q", "").strip()
    if terms:
        query[SEARCH_PARAM] = search_remember(request.session, terms)
    for key in ("status", "clock"):
        if request.POST.get(key):
            query[key] = request.POST[key]
    url = reverse("referrals:patient_list")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _filter_data(request: HttpRequest) -> QueryDict:
    """The list's filters: the URL's, with the search terms from the session. A `q` in the URL is
    ignored, so a search typed into an address is not run (and is not encouraged)."""
    data = request.GET.copy()
    data.pop("q", None)
    token = request.GET.get(SEARCH_PARAM)
    terms = search_recall(request.session, token)
    if terms is not None:
        data["q"] = terms
    elif token:
        messages.info(request, "That search has ended. Search again.")
    return data


@login_required
@shows_patients(lambda context: [row["patient"].pk for row in context["rows"]], action=_listed_or_found)
def patient_list(request: HttpRequest) -> HttpResponse:
    """The patients this user may see, with status, next event and clock state. Searched by POST
    (portal/search_tokens.py): no search term is ever in the URL."""
    if not _can_see_patients(request.user):
        return render(request, "referrals/no_access.html", status=403)
    if request.method == "POST":
        return _search_redirect(request)
    visible = Patient.objects.visible_to(request.user).current()
    referrals = Referral.objects.visible_to(request.user)
    patients = PatientFilter(_filter_data(request), request=request, queryset=visible)
    # A refused filter (a search too long, say) shows its message and no patients, not all of them.
    valid = patients.is_valid()
    listed = patients.qs if valid else visible.none()
    # Keyset pages: the next page starts after the last patient's id, so no page counts the list.
    # A search's alternatives ("Smith Ada" or "Ada Smith") are read one by one and merged.
    parts = [listed.filter(option) for option in patients.search_options] if valid else []
    page = keyset_page(
        listed,
        fields=PATIENT_SEARCH_ORDER if parts else PATIENT_LIST_ORDER,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PATIENT_LIST_PAGE_SIZE,
        parts=parts,
    )
    prefetch_related_objects(
        page.object_list, Prefetch("referrals", queryset=referrals, to_attr="visible_referrals")
    )
    today = timezone.localdate()
    rows = []
    for patient in page:
        latest = patient.visible_referrals[0] if patient.visible_referrals else None
        rows.append(
            {
                "patient": patient,
                "referral": latest,
                "next_event": latest.next_event(today) if latest else "",
                "clock_state": latest.clock_state(today) if latest else None,
            }
        )
    query = request.GET.copy()
    for key in ("after", "before", "page", "q"):
        query.pop(key, None)
    return TemplateResponse(
        request,
        "referrals/patient_list.html",
        {"filter": patients, "rows": rows, "page": page, "query": query.urlencode()},
    )


def _read_or_break_glass(request: HttpRequest, context) -> str:
    return AccessLog.Action.BREAK_GLASS if context["break_glass"] else AccessLog.Action.READ


def _patient_or_break_glass(request: HttpRequest, pk: int) -> tuple[Patient | None, BreakGlassGrant | None]:
    """The patient if the user may see them, else (for a clinician) under an active break-glass
    grant of theirs for this patient: (patient, grant). (None, None) is a 404."""
    patient = Patient.objects.visible_to(request.user).filter(pk=pk).first()
    if patient is not None or not request.user.is_clinician:
        return patient, None
    grant = BreakGlassGrant.objects.covering(user=request.user, patient_id=pk).first()
    if grant is None:
        return None, None
    return Patient.objects.filter(pk=pk).first(), grant


def _not_found(request: HttpRequest, pk: int, form: BreakGlassForm | None = None, status: int = 404):
    """The patient page's 404. A clinician is offered break-glass access on it, whether or not
    the patient exists, so the page tells nobody which ids are patients."""
    if not request.user.is_clinician:
        raise Http404("No such patient, or not one of yours.")
    return render(
        request,
        "referrals/break_glass.html",
        {"pk": pk, "form": form or BreakGlassForm(), "hours": settings.PORTAL_BREAK_GLASS_HOURS},
        status=status,
    )


@login_required
@shows_patients(lambda context: [context["patient"].pk], action=_read_or_break_glass)
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One patient: their referrals, the routing with its reasons, the clocks and a timeline.
    Under break-glass access: every referral of the patient, no forms, no MDT discussions."""
    patient, grant = _patient_or_break_glass(request, pk)
    if patient is None:
        return _not_found(request, pk)
    today = timezone.localdate()
    referrals = list(
        (Referral.objects.all() if grant else Referral.objects.visible_to(request.user))
        .filter(patient=patient)
        .select_related(
            "referring_organisation",
            "responsible_consultant",
            "surgeon",
            "first_treatment_practitioner",
            "first_treatment_centre",
            "mdt_agreed_centre",
        )
        .prefetch_related("care_team")
    )
    can_change = request.user.has_perm("referrals.change_referral")
    cards = [
        {
            "referral": referral,
            "clocks": referral.clocks(today),
            "handover_day_38": referral.handover_day_38(),
            "transition_form": TransitionForm(referral=referral) if can_change else None,
            "surgeon_form": SurgeonForm(referral=referral) if can_change else None,
            "treatment_form": FirstTreatmentForm(referral=referral) if can_change else None,
        }
        for referral in referrals
    ]
    return TemplateResponse(
        request,
        "referrals/patient_detail.html",
        {
            "patient": patient,
            "cards": cards,
            "timeline": patient_timeline(
                patient=patient, referrals=referrals, user=request.user, other_apps=grant is None
            ),
            "can_change": can_change,
            "break_glass": grant,
        },
    )


@require_POST
@login_required
def patient_break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    """A clinician opens a patient who is not theirs, giving the reason. Anyone else: 404."""
    if not request.user.is_clinician:
        raise Http404("No such patient, or not one of yours.")
    if Patient.objects.visible_to(request.user).filter(pk=pk).exists():
        return redirect("referrals:patient_detail", pk=pk)
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        return _not_found(request, pk, form, status=400)
    if not Patient.objects.filter(pk=pk).exists():
        return _not_found(request, pk)
    break_glass_grant(user=request.user, patient_id=pk, reason=form.cleaned_data["reason"])
    messages.warning(
        request,
        f"Break-glass access for {settings.PORTAL_BREAK_GLASS_HOURS} hours: every read is logged "
        "and the MDT office lead has been told.",
    )
    return redirect("referrals:patient_detail", pk=pk)


def _patients_at_intake(context) -> list[int]:
    """The existing patient an NHS number names, and the likely duplicate intake warns of."""
    return [
        patient.pk
        for patient in (context.get("existing_patient"), context.get("likely_duplicate"))
        if patient
    ]


@login_required
@permission_required("referrals.add_referral", raise_exception=True)
@shows_patients(_patients_at_intake)
def referral_intake(request: HttpRequest) -> HttpResponse:
    """Two steps without JavaScript: "check routing" shows the decision; "save" takes the
    referral in, and only if the decision shown is still the one the input gives."""
    form = IntakeForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            existing = services.patient_find_existing(nhs_number=data["nhs_number"])
            date_of_birth = existing.date_of_birth if existing else data["date_of_birth"]
            decision = services.routing_decide(
                date_of_birth=date_of_birth,
                received_on=data["received_on"],
                presentation=data["presentation"],
                tumour_type=data["tumour_type"],
                site=data["site"],
                skull_base=data["skull_base"],
                transnasal_ccj=data["transnasal_ccj"],
                suspected_mscc=data["suspected_mscc"],
                clinically_urgent=data["clinically_urgent"],
            )
        except ValidationError as error:
            _add_errors(form, error)
            return _intake_page(request, context)
        fingerprint = routing_fingerprint(decision, existing.pk if existing else None)
        if request.POST.get("action") == "save" and data["routing_checked"] == fingerprint:
            try:
                patient_details, referral_details = form.details()
                referral = services.referral_create(
                    by=request.user, patient=patient_details, referral=referral_details
                )
            except ValidationError as error:
                _add_errors(form, error)
                return _intake_page(request, context)
            pathway = Referral.Pathway(decision.pathway).label
            messages.success(request, f"Referral {referral.pk} taken in: {pathway} pathway.")
            return redirect("referrals:patient_detail", pk=referral.patient_id)
        if request.POST.get("action") == "save":
            messages.warning(request, "The input changed since the routing was checked: check it, then save.")
        form.data = form.data.copy()
        form.data["routing_checked"] = fingerprint
        context.update(
            decision=decision,
            intake_data=data,
            pathway_label=Referral.Pathway(decision.pathway).label,
            existing_patient=existing,
            likely_duplicate=None
            if existing
            else services.patient_find_likely_duplicate(
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                nhs_number=data["nhs_number"],
            ),
        )
    return _intake_page(request, context)


def _intake_page(request: HttpRequest, context: dict) -> TemplateResponse:
    """The intake page, with the error summary of a failed form at its top."""
    context["error_summary"] = error_summary(context["form"]) if context["form"].is_bound else []
    return TemplateResponse(request, "referrals/intake.html", context)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _referral_for_change(request: HttpRequest, pk: int) -> Referral:
    return get_object_or_404(Referral.objects.visible_to(request.user), pk=pk)


@require_POST
@login_required
@permission_required("referrals.change_referral", raise_exception=True)
def referral_transition(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_for_change(request, pk)
    form = TransitionForm(request.POST, referral=referral)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            services.referral_transition(by=request.user, referral_id=referral.pk, **form.cleaned_data)
            messages.success(request, "Status changed.")
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect("referrals:patient_detail", pk=referral.patient_id)


@require_POST
@login_required
@permission_required("referrals.change_referral", raise_exception=True)
def referral_assign_surgeon(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_for_change(request, pk)
    form = SurgeonForm(request.POST, referral=referral)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            services.referral_assign_surgeon(
                by=request.user, referral_id=referral.pk, practitioner_id=form.cleaned_data["surgeon"].pk
            )
            messages.success(request, "Surgeon assigned.")
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect("referrals:patient_detail", pk=referral.patient_id)


@require_POST
@login_required
@permission_required("referrals.change_referral", raise_exception=True)
def referral_first_treatment(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_for_change(request, pk)
    form = FirstTreatmentForm(request.POST, referral=referral)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            data = form.cleaned_data
            treated = services.referral_record_first_treatment(
                by=request.user,
                referral_id=referral.pk,
                treated_on=data["treated_on"],
                modality=data["modality"],
                practitioner_id=data["practitioner"].pk,
                centre_id=data["centre"].pk,
                urgent_override_reason=data["urgent_override_reason"],
                expected_status=data["expected_status"],
            )
            messages.success(request, "First treatment recorded.")
            if treated.urgent_override_departures:
                messages.warning(
                    request, "Recorded with a clinically urgent override: the MDT lead is being told."
                )
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect("referrals:patient_detail", pk=referral.patient_id)
