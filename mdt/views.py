"""MDT pages. Thin: parse, check permission (object-level for clinicians: 404 for what they may
not see), call a service, render. The MDT office's pages need the MDT meeting permissions."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.models import Practitioner
from portal.models import AccessLog
from portal.patient_data import shows_patients
from portal.search_tokens import SEARCH_PARAM, search_recall, search_remember
from referrals.filters import PatientFilter
from referrals.models import Patient, Referral

from . import services
from .calendar import presenter_feed
from .forms import (
    AddToNextMeetingForm,
    AttendanceForm,
    CancelForm,
    CaseSearchForm,
    DiscussionAddForm,
    MoveForm,
    OutcomeForm,
    ReadinessForm,
)
from .models import Mdt, MdtCalendarToken, MdtDiscussion, MdtMeeting, PatientOutcomePreference

FOUND_PATIENTS = 20  # a search that finds more asks for a closer one


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _office(request: HttpRequest) -> None:
    _require(request, "mdt.change_mdtmeeting")


def _add_errors(form: Form, error: ValidationError) -> None:
    """Put a service's refusal on the form, on the field it names where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _listed_patients(context) -> list[int]:
    """The patients on a page that lists discussions (the access-log declaration reads them)."""
    return [d.referral.patient_id for d in context.get("discussions", ())]


def _discussed_patient(context) -> list[int]:
    return [context["discussion"].referral.patient_id]


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# MDT office -------------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    _require(request, "mdt.view_mdtmeeting")
    now = timezone.now()
    show_past = request.GET.get("past") == "1"
    meetings = MdtMeeting.objects.select_related("mdt").annotate(cases=Count("discussions"))
    meetings = (
        meetings.filter(starts_at__lt=now).order_by("-starts_at")[:50]
        if show_past
        else meetings.filter(starts_at__gte=now - datetime.timedelta(days=1))
    )
    return render(
        request,
        "mdt/meeting_list.html",
        {"meetings": meetings, "show_past": show_past, "mdts": Mdt.objects.filter(active=True)},
    )


@login_required
@require_POST
def meetings_generate(request: HttpRequest) -> HttpResponse:
    _require(request, "mdt.add_mdtmeeting")
    created = sum(len(services.mdt_meetings_generate(mdt=mdt)) for mdt in Mdt.objects.filter(active=True))
    messages.success(request, f"{created} meeting(s) created.")
    return redirect("mdt:meeting_list")


def _meeting(pk: int) -> MdtMeeting:
    discussions = MdtDiscussion.objects.select_related(
        "referral__patient", "referral__pathology_review", "presenting_clinician"
    )
    return get_object_or_404(
        MdtMeeting.objects.select_related("mdt", "chair").prefetch_related(
            Prefetch("discussions", queryset=discussions),
            "discussions__referral__patient__hospital_numbers__organisation",
        ),
        pk=pk,
    )


def _render_meeting(request: HttpRequest, meeting: MdtMeeting, **forms) -> HttpResponse:
    attendance = meeting.attendance.select_related("practitioner", "deputy_for")
    quoracy = services.meeting_quoracy(meeting)
    labels = dict(Practitioner.Speciality.choices)
    discussions = list(meeting.discussions.all())
    case_quoracy = services.meeting_case_quoracy(meeting, discussions, quorum=quoracy)
    outcome_refusal = services.outcome_refusal_for(meeting)
    for discussion in discussions:
        discussion.case_quoracy = case_quoracy[discussion.pk]
    context = {
        "meeting": meeting,
        "discussions": discussions,
        "attendance": attendance,
        "quoracy": quoracy,
        "missing_labels": [labels.get(code, code) for code in quoracy.missing],
        "is_open": meeting.status in services.OPEN,
        "after_cutoff": timezone.now() >= meeting.cutoff_at,
        "search_form": CaseSearchForm(),
        "outcome_refusal": outcome_refusal,
        "cancel_form": forms.get("cancel_form") or CancelForm(),
    }
    status = 400 if forms else 200
    return TemplateResponse(request, "mdt/meeting_detail.html", context, status=status)


@login_required
@shows_patients(_listed_patients, action=AccessLog.Action.LIST)
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "mdt.view_mdtmeeting")
    return _render_meeting(request, _meeting(pk))


@login_required
@shows_patients(_listed_patients, action=AccessLog.Action.EXPORT)
@require_GET
def meeting_print(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "mdt.view_mdtmeeting")
    meeting = _meeting(pk)
    return TemplateResponse(
        request,
        "mdt/meeting_print.html",
        {"meeting": meeting, "discussions": meeting.discussions.all()},
    )


def _found_referrals(request: HttpRequest, meeting: MdtMeeting, terms: str | None) -> list[Referral]:
    """The referrals of the patients a search finds (the patient list's own search: name, NHS
    number or hospital number), that this user may see and that are not on this list yet."""
    if not terms:
        return []
    patients = PatientFilter(
        {"q": terms}, request=request, queryset=Patient.objects.visible_to(request.user).current()
    )
    if not patients.is_valid():
        return []
    found = list(
        patients.qs.order_by("family_name", "given_name", "pk").values_list("pk", flat=True)[:FOUND_PATIENTS]
    )
    return list(
        Referral.objects.visible_to(request.user)
        .filter(patient_id__in=found)
        .exclude(mdt_discussions__meeting=meeting)
        .select_related("patient")
        .order_by("patient__family_name", "patient__given_name", "patient_id", "-received_on")
    )


def _found_patients(context) -> list[int]:
    return sorted({referral.patient_id for referral in context.get("found", ())})


def _found_action(request: HttpRequest, context) -> str:
    return AccessLog.Action.SEARCH


def _render_add_case(
    request, meeting, *, token=None, search_form=None, form=None, problem: str = "", status=200
):
    terms = search_recall(request.session, token)
    if token and terms is None:
        messages.info(request, "That search has ended. Search again.")
    found = _found_referrals(request, meeting, terms)
    context = {
        "meeting": meeting,
        "search_form": search_form or CaseSearchForm(initial={"q": terms or ""}),
        "searched": terms is not None,
        "found": found,
        "token": token if terms is not None else "",
        "search_param": SEARCH_PARAM,
        "problem": problem,
        "after_cutoff": timezone.now() >= meeting.cutoff_at,
        "form": form or (DiscussionAddForm(referrals=found) if found else None),
    }
    return TemplateResponse(request, "mdt/meeting_add_case.html", context, status=status)


@login_required
@shows_patients(_found_patients, action=_found_action)
@require_http_methods(["GET", "POST"])
def meeting_add_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Find the patient to add to a meeting's case list by name or NHS number. The search is
    POSTed and kept in the session: the page's URL carries a token, never the terms (as the
    patient list does, portal/search_tokens.py)."""
    _require(request, "mdt.add_mdtdiscussion")
    meeting = get_object_or_404(MdtMeeting.objects.select_related("mdt"), pk=pk)
    if meeting.status not in services.OPEN or meeting.starts_at <= timezone.now():
        # Said on the page itself, before anything is typed (a POST is refused the same way).
        context = {"meeting": meeting, "closed": True}
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "mdt/meeting_add_case.html", context, status=status)
    if request.method == "POST":
        search_form = CaseSearchForm(request.POST)
        if not search_form.is_valid():
            return _render_add_case(request, meeting, search_form=search_form, status=400)
        token = search_remember(request.session, search_form.cleaned_data["q"])
        return redirect(f"{reverse('mdt:meeting_add_case', args=[meeting.pk])}?{SEARCH_PARAM}={token}")
    return _render_add_case(request, meeting, token=request.GET.get(SEARCH_PARAM))


@login_required
@shows_patients(_found_patients, action=_found_action)
@require_POST
def meeting_add_discussion(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the referral chosen among a search's results (meeting_add_case) to the case list."""
    _require(request, "mdt.add_mdtdiscussion")
    meeting = get_object_or_404(MdtMeeting.objects.select_related("mdt"), pk=pk)
    token = request.POST.get(SEARCH_PARAM, "")
    terms = search_recall(request.session, token)
    found = _found_referrals(request, meeting, terms)
    form = DiscussionAddForm(request.POST, referrals=found)
    if form.is_valid():
        referral = next(r for r in found if r.pk == form.cleaned_data["referral"])
        try:
            services.discussion_add(
                meeting_id=meeting.pk,
                referral=referral,
                by=request.user,
                question=form.cleaned_data["question"],
                presenting_clinician=form.cleaned_data["presenting_clinician"],
                imaging_available=form.cleaned_data["imaging_available"],
                pathology_available=form.cleaned_data["pathology_available"],
                referrer_email=form.cleaned_data["referrer_email"],
                late_addition_reason=form.cleaned_data["late_addition_reason"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{referral.patient} added to the case list.")
            return redirect("mdt:meeting_detail", pk=meeting.pk)
        return _render_add_case(request, meeting, token=token, form=form, status=400)
    if not found:
        problem = "Search for the patient to add."
        return _render_add_case(request, meeting, token=token, problem=problem, status=400)
    return _render_add_case(request, meeting, token=token, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Who was at a meeting: its own page, since the form offers the whole directory (thousands
    of practitioners, four times) and the case list is read far more often than this is written."""
    _office(request)
    meeting = get_object_or_404(MdtMeeting.objects.select_related("mdt"), pk=pk)
    if meeting.status == MdtMeeting.Status.CANCELLED:
        messages.error(request, "This meeting was cancelled: there is no attendance to record.")
        return redirect("mdt:meeting_detail", pk=meeting.pk)
    attendance = meeting.attendance.select_related("practitioner", "deputy_for")
    if request.method == "GET":
        form = AttendanceForm(meeting=meeting, recorded=attendance)
        return _render_attendance(request, meeting, attendance, form)
    form = AttendanceForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            quoracy = services.attendance_record(
                meeting_id=meeting.pk,
                present=[*form.cleaned_data["present"], *form.cleaned_data["others_present"]],
                deputies=form.cleaned_data["deputies"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, "Attendance recorded: " + ("quorate." if quoracy.quorate else "NOT quorate.")
            )
            return redirect("mdt:meeting_detail", pk=meeting.pk)
    return _render_attendance(request, meeting, attendance, form, status=400)


def _render_attendance(request, meeting, attendance, form, *, status: int = 200) -> HttpResponse:
    context = {"meeting": meeting, "attendance": attendance, "attendance_form": form}
    return render(request, "mdt/meeting_attendance.html", context, status=status)


@login_required
@shows_patients(_listed_patients, action=AccessLog.Action.LIST)
@require_POST
def meeting_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _office(request)
    meeting = _meeting(pk)
    try:
        if action == "close-list":
            services.meeting_close_list(meeting_id=meeting.pk, by=request.user)
            messages.success(request, "Case list closed.")
        elif action == "held":
            services.meeting_mark_held(meeting_id=meeting.pk, by=request.user)
            messages.success(request, "Meeting marked as held.")
        elif action == "cancel":
            form = CancelForm(request.POST)
            if not form.is_valid():
                return _render_meeting(request, meeting, cancel_form=form)
            services.meeting_cancel(
                meeting_id=meeting.pk, reason=form.cleaned_data["reason"], by=request.user
            )
            messages.success(request, "Meeting cancelled.")
        else:
            raise Http404
    except ValidationError as error:
        _refused(request, error)
    return redirect("mdt:meeting_detail", pk=meeting.pk)


def _office_discussion(request: HttpRequest, pk: int) -> MdtDiscussion:
    _office(request)
    return get_object_or_404(
        MdtDiscussion.objects.select_related("meeting__mdt", "referral__patient", "presenting_clinician"),
        pk=pk,
    )


@login_required
@require_POST
def discussion_readiness(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _office_discussion(request, pk)
    form = ReadinessForm(request.POST)
    form.is_valid()  # two optional check boxes: always valid
    services.discussion_readiness_set(
        discussion_id=discussion.pk,
        imaging_available=form.cleaned_data["imaging_available"],
        pathology_available=form.cleaned_data["pathology_available"],
        by=request.user,
    )
    messages.success(request, "Readiness updated.")
    return redirect("mdt:meeting_detail", pk=discussion.meeting_id)


@login_required
@shows_patients(_discussed_patient)
@require_http_methods(["GET", "POST"])
def discussion_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _office_discussion(request, pk)
    preference = PatientOutcomePreference.objects.filter(patient=discussion.referral.patient).first()
    initial = {
        "outcome": discussion.outcome,
        "recommendation": discussion.recommendation,
        "decision_to_treat_on": discussion.decision_to_treat_on,
        "agreed_treatment_centre": discussion.agreed_treatment_centre_id,
        "outcome_caveat_reason": discussion.outcome_caveat_reason,
        "outcome_recipients": discussion.outcome_recipients,
        "referrer_email": discussion.referrer_email,
        "patient_email": preference.patient_email if preference else "",
        "version": discussion.version,
    }
    form = OutcomeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_record(discussion_id=discussion.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Outcome saved.")
            return redirect("mdt:discussion_outcome", pk=discussion.pk)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "mdt/discussion_outcome.html",
        {
            "discussion": discussion,
            "form": form,
            "caveat_now": services.discussion_outcome_caveat(discussion),
            "not_yet": services.outcome_refusal_for(discussion.meeting),
        },
        status=status,
    )


@login_required
@require_POST
def discussion_send(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _office_discussion(request, pk)
    try:
        services.outcome_send(discussion_id=discussion.pk, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Outcome sent to: {discussion.get_outcome_recipients_display().lower()}.")
    return redirect("mdt:discussion_outcome", pk=discussion.pk)


@login_required
@require_http_methods(["GET", "POST"])
def discussion_move(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _office_discussion(request, pk)  # the page names the referral, not the patient
    meetings = (
        MdtMeeting.objects.open_for_cases()
        .filter(starts_at__gt=timezone.now())
        .exclude(pk=discussion.meeting_id)
        .select_related("mdt")
    )
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        meetings=meetings,
        initial={"from_meeting": discussion.meeting_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.discussion_move(
                discussion_id=discussion.pk,
                to_meeting_id=form.cleaned_data["to_meeting"].pk,
                from_meeting_id=form.cleaned_data["from_meeting"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Case moved.")
            return redirect("mdt:meeting_detail", pk=form.cleaned_data["to_meeting"].pk)
    history = discussion.history.select_related("meeting__mdt").order_by("history_date")
    return render(
        request,
        "mdt/discussion_move.html",
        {"discussion": discussion, "form": form, "history": history},
        status=400 if request.method == "POST" else 200,
    )


def _referral_patient(context) -> list[int]:
    return [context["referral"].patient_id]


@login_required
@shows_patients(_referral_patient)
@require_http_methods(["GET", "POST"])
def add_to_next(request: HttpRequest, referral_id: int) -> HttpResponse:
    """ "Add to next meeting" from a referral (the patient page links here). The MDT is
    preselected where one is known, and the page says why; else it must be chosen."""
    _require(request, "mdt.add_mdtdiscussion")
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("patient"), pk=referral_id
    )
    default_mdt, reason = services.mdt_choice_for_referral(referral)
    form = AddToNextMeetingForm(
        request.POST if request.method == "POST" else None, default_mdt=default_mdt, reason=reason
    )
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.discussion_add_to_next(
                referral=referral,
                mdt=form.cleaned_data["mdt"],
                question=form.cleaned_data["question"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{referral.patient} added to {discussion.meeting}.")
            return redirect("mdt:meeting_detail", pk=discussion.meeting_id)
    return TemplateResponse(
        request,
        "mdt/add_to_next.html",
        {"referral": referral, "patient": referral.patient, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# Attendance over time: the MDT lead and the SAG ------------------------------------------------


@login_required
@require_GET
def attendance_report(request: HttpRequest) -> HttpResponse:
    mdts = Mdt.objects.filter(active=True)
    if not request.user.has_perm("mdt.view_mdtattendance"):
        practitioner = getattr(request.user, "practitioner", None)
        mdts = mdts.filter(lead=practitioner) if practitioner else mdts.none()
        if not mdts.exists():
            raise PermissionDenied
    today = timezone.localdate()
    report = [(mdt, services.attendance_over_time(mdt=mdt, today=today)) for mdt in mdts]
    return render(request, "mdt/attendance_report.html", {"report": report})


# Clinicians -------------------------------------------------------------------------------------


@login_required
@shows_patients(_discussed_patient)
@require_GET
def discussion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A discussion, for the office and for the clinicians of that patient (404 for others)."""
    discussion = get_object_or_404(
        MdtDiscussion.objects.visible_to(request.user).select_related(
            "meeting__mdt", "referral__patient", "presenting_clinician"
        ),
        pk=pk,
    )
    return TemplateResponse(request, "mdt/discussion_detail.html", {"discussion": discussion})


def _clinician(request: HttpRequest) -> None:
    if not (request.user.is_clinician or request.user.is_mdt_office):
        raise PermissionDenied


@login_required
@shows_patients(_listed_patients, action=AccessLog.Action.LIST)
@require_GET
def my_mdt(request: HttpRequest) -> HttpResponse:
    """The meetings where I present, my patients' discussions, and my calendar feed."""
    _clinician(request)
    now = timezone.now()
    token = MdtCalendarToken.objects.filter(user=request.user).first()
    discussions = (
        MdtDiscussion.objects.visible_to(request.user)
        .filter(meeting__starts_at__gte=now - datetime.timedelta(days=90))
        .exclude(meeting__status=MdtMeeting.Status.CANCELLED)
        .select_related("meeting__mdt", "referral__patient", "presenting_clinician")
        .order_by("meeting__starts_at")
    )
    if request.user.is_mdt_office:
        discussions = discussions.filter(presenting_clinician=request.user)
    discussions = list(discussions)
    # A presenter may see a case of a patient who is not theirs: only their own patients link.
    visible = set(
        Patient.objects.visible_to(request.user)
        .filter(pk__in=[d.referral.patient_id for d in discussions])
        .values_list("pk", flat=True)
    )
    for discussion in discussions:
        discussion.patient_visible = discussion.referral.patient_id in visible
    return TemplateResponse(
        request,
        "mdt/my_mdt.html",
        {
            "presenting": services.meetings_presented_by(request.user).filter(starts_at__gte=now),
            "discussions": discussions,
            "feed_url": request.build_absolute_uri(reverse("mdt:calendar_feed", args=[token.token]))
            if token
            else None,
        },
    )


@login_required
@require_POST
def calendar_token(request: HttpRequest) -> HttpResponse:
    _clinician(request)
    services.calendar_token_get_or_create(user=request.user, reset=request.POST.get("reset") == "1")
    messages.success(request, "Your calendar feed address is below. Keep it private.")
    return redirect("mdt:my_mdt")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics feed of meetings where the token's owner presents. Calendar apps cannot sign in,
    so the secret URL is the credential; it names no patient."""
    owner = get_object_or_404(MdtCalendarToken.objects.select_related("user"), token=token).user
    # The feed is the clinician's: it stops when the account does or the role goes (issue 17
    # finding 12), as the pages would refuse them; a regained role serves the same URL again.
    if not (owner.is_active and (owner.is_clinician or owner.is_mdt_office)):
        raise Http404
    since = timezone.now() - datetime.timedelta(days=60)
    feed = presenter_feed(services.meetings_presented_by(owner).filter(starts_at__gte=since), user=owner)
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mdt-meetings.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
