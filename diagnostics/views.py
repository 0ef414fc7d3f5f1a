"""Pages of the sarcoma diagnostic pathway. Thin: parse, check permission, call a service, render.

A referral's diagnostic page is looked up through `Referral.objects.visible_to(user)` (another
clinician's patient is a 404) and writes to the access log. The MDT office records; the SAG sees
the figures and the survey comparison (no patient data); clinicians read their own patients'
pathology reviews on the referral's page."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from directory.models import DiagnosticClinic
from portal import charts
from portal.csv_export import csv_response
from portal.forms import report_form_errors
from portal.patient_data import shows_patients
from portal.query import int_param
from referrals.models import Referral

from . import forms as dforms
from . import rules as drules
from . import services as ds
from .models import ClinicSurvey, MolecularTest, PathologyReview, ReferralReturn

FIGURES_PERMISSION = "diagnostics.view_diagnostic_figures"


def _visible_referral(request: HttpRequest, pk: int) -> Referral:
    return get_object_or_404(Referral.objects.visible_to(request.user).select_related("patient"), pk=pk)


@login_required
@shows_patients(lambda context: [context["referral"].patient_id])
@permission_required("referrals.view_referral", raise_exception=True)
def referral_diagnostic(request: HttpRequest, pk: int) -> HttpResponse:
    """One referral's diagnostic pathway: features, clinic, returns, pathology, dates, mutual aid."""
    referral = _visible_referral(request, pk)
    review = (
        PathologyReview.objects.filter(referral=referral)
        .select_related("requested_from", "reported_by")
        .first()
    )
    can_record = request.user.has_perm("referrals.change_referral")
    outstanding = ReferralReturn.objects.outstanding().filter(referral=referral).first()
    context = {
        "referral": referral,
        "review": review,
        "tests": review.molecular_tests.all() if review else [],
        "returns": referral.returns.select_related("returned_by", "resubmitted_by"),
        "outstanding_return": outstanding,
        "missing": drules.missing_information(ds.referral_content(referral)),
        "suggested_clinic": DiagnosticClinic.objects.filter(
            pk=referral.clinic_suggestion.get("clinic_id")
        ).first(),
        "clinic_history": referral.history.order_by("history_date").values(
            "history_date", "diagnostic_clinic__name", "clinic_override_reason"
        ),
        "mutual_aid_events": referral.events.filter(mutual_aid=True),
        "can_record": can_record,
        "needs_review": drules.needs_pathology_review(
            presentation=referral.presentation,
            designated_pathologist_reported=ds.designated_pathologist_reported(referral),
        ),
    }
    if can_record:
        context.update(
            override_form=dforms.ClinicOverrideForm(initial={"clinic": referral.diagnostic_clinic_id}),
            return_form=dforms.ReturnForm(),
            resubmit_form=dforms.ResubmitForm(
                instance=referral, initial={"postcode": referral.patient.postcode}
            ),
            request_form=dforms.PathologyRequestForm(initial={"requested_on": timezone.localdate()}),
            report_form=dforms.PathologyReportForm(initial={"reported_on": timezone.localdate()}),
            test_form=dforms.MolecularTestForm(initial={"requested_on": timezone.localdate()}),
            result_form=dforms.MolecularResultForm(initial={"resulted_on": timezone.localdate()}),
            dates_form=dforms.DiagnosticDatesForm(
                initial={
                    "first_appointment_on": referral.first_appointment_on,
                    "diagnosed_on": referral.diagnosis_communicated_on,
                    "diagnosis_outcome": referral.diagnosis_outcome,
                }
            ),
            excision_form=dforms.UnplannedExcisionForm(
                initial={"organisation": referral.unplanned_excision_organisation_id}
            ),
            redirect_form=dforms.MutualAidRedirectForm(),
        )
    return TemplateResponse(request, "diagnostics/referral.html", context)


def _act(request: HttpRequest, pk: int, form_class, call: Callable[[Referral, dict], object], done: str):
    """Parse the posted form, call the service, report bad input by field, back to the page."""
    referral = _visible_referral(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            call(referral, form.cleaned_data)
            messages.success(request, done)
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect("diagnostic:referral", pk=referral.pk)


def _office_action(view):
    return require_POST(
        login_required(permission_required("referrals.change_referral", raise_exception=True)(view))
    )


@_office_action
def clinic_override(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        dforms.ClinicOverrideForm,
        lambda r, d: ds.referral_override_clinic(
            referral_id=r.pk,
            clinic_id=d["clinic"].pk if d["clinic"] else None,
            reason=d["reason"],
            by=request.user,
        ),
        "Diagnostic clinic changed; the reason is recorded.",
    )


@_office_action
def referral_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        dforms.ReturnForm,
        lambda r, d: ds.referral_return(referral_id=r.pk, by=request.user, note=d["note"]),
        "Referral returned to the referrer with what is missing.",
    )


@_office_action
def referral_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _visible_referral(request, pk)
    form = dforms.ResubmitForm(request.POST, instance=Referral.objects.get(pk=referral.pk))
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            ds.referral_resubmit(
                referral_id=referral.pk,
                by=request.user,
                values=values,
                postcode=form.cleaned_data["postcode"],
            )
            messages.success(request, "Missing information recorded; the return is closed.")
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect("diagnostic:referral", pk=referral.pk)


@_office_action
def pathology_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        dforms.PathologyRequestForm,
        lambda r, d: ds.pathology_review_request(
            referral_id=r.pk,
            pathologist_id=d["pathologist"].pk,
            requested_on=d["requested_on"],
            by=request.user,
        ),
        "Specialist pathology review requested.",
    )


def _review(referral: Referral) -> PathologyReview:
    return get_object_or_404(PathologyReview, referral=referral)


@_office_action
def pathology_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        dforms.PathologyReportForm,
        lambda r, d: ds.pathology_review_report(
            review_id=_review(r).pk,
            reported_by_id=d["pathologist"].pk,
            reported_on=d["reported_on"],
            diagnosis=d["diagnosis"],
            by=request.user,
        ),
        "Pathology report recorded.",
    )


@_office_action
def molecular_test_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        dforms.MolecularTestForm,
        lambda r, d: ds.molecular_test_request(
            review_id=_review(r).pk, test_name=d["test_name"], requested_on=d["requested_on"], by=request.user
        ),
        "Molecular test requested.",
    )


@_office_action
def molecular_test_result(request: HttpRequest, pk: int, test_pk: int) -> HttpResponse:
    def record(referral: Referral, data: dict):
        test = get_object_or_404(MolecularTest, pk=test_pk, review__referral=referral)
        return ds.molecular_test_result(
            test_id=test.pk, resulted_on=data["resulted_on"], result=data["result"], by=request.user
        )

    return _act(request, pk, dforms.MolecularResultForm, record, "Molecular test result recorded.")


@_office_action
def diagnostic_dates(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        dforms.DiagnosticDatesForm,
        lambda r, d: ds.referral_record_diagnostic_dates(
            referral_id=r.pk,
            by=request.user,
            first_appointment_on=d["first_appointment_on"],
            diagnosed_on=d["diagnosed_on"],
            diagnosis_outcome=d["diagnosis_outcome"],
        ),
        "Dates recorded.",
    )


@_office_action
def unplanned_excision(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an unplanned excision; the office is told where the case was listed for the MDT."""

    def record(referral: Referral, data: dict) -> None:
        recorded = ds.referral_record_unplanned_excision(
            referral_id=referral.pk,
            organisation_id=data["organisation"].pk,
            excised_on=data["excised_on"],
            by=request.user,
        )
        for note in recorded.mdt_listing:
            # A case that could not be listed is a warning: the office lists it by hand.
            level = messages.WARNING if note.startswith("Not ") else messages.INFO
            messages.add_message(request, level, note)

    return _act(request, pk, dforms.UnplannedExcisionForm, record, "Unplanned excision recorded.")


@_office_action
def mutual_aid_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        dforms.MutualAidRedirectForm,
        lambda r, d: ds.referral_redirect_for_mutual_aid(
            referral_id=r.pk, to_service_id=d["service"].pk, by=request.user
        ),
        "Referral redirected to the partner service for mutual aid.",
    )


# Services: backlog and mutual aid ------------------------------------------------------------------


@login_required
@permission_required(FIGURES_PERMISSION, raise_exception=True)
def service_backlog(request: HttpRequest) -> HttpResponse:
    """Each service's backlog (referrals waiting for a first appointment, the oldest wait) and its
    declared reduced capacity; the MDT office declares capacity here. Counts only, no patients."""
    can_declare = request.user.has_perm("diagnostics.add_capacitydeclaration")
    form = dforms.CapacityDeclarationForm(request.POST or None) if can_declare else None
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ds.capacity_declare(
                    service_id=data["service"].pk,
                    partner_service_id=data["partner_service"].pk,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    reason=data["reason"],
                    by=request.user,
                )
                messages.success(
                    request, "Reduced capacity declared: intake suggests the partner while it lasts."
                )
                return redirect("diagnostic:service_backlog")
            except ValidationError as error:
                # Shown on the form re-rendered below (its error summary), not again as messages.
                form.add_error(None, error)
    today = timezone.localdate()
    from .models import CapacityDeclaration

    return render(
        request,
        "diagnostics/service_backlog.html",
        {
            "rows": ds.service_backlogs(today=today),
            "declarations": CapacityDeclaration.objects.filter(ends_on__gte=today).select_related(
                "service", "partner_service"
            ),
            "form": form,
            "today": today,
        },
    )


# Reports: unplanned excisions, evaluation, survey -----------------------------------------------------


@login_required
@permission_required(FIGURES_PERMISSION, raise_exception=True)
def unplanned_excisions(request: HttpRequest) -> HttpResponse:
    """Unplanned excisions counted by referring organisation (the service specification asks
    services to reduce them). Counts only."""
    return render(
        request,
        "diagnostics/unplanned_excisions.html",
        {"rows": ds.unplanned_excisions_by_referrer()},
    )


def _figures(request: HttpRequest):
    form = dforms.EvaluationFilterForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, drules.evaluation_figures(ds.evaluation_rows(start=start, end=end))


def _evaluation_charts(figures: list[drules.MonthFigures]) -> dict:
    """The evaluation's charts (portal.charts, drawn by static/portal/charts.js): referrals
    received per clinic and month, and each clinic's share diagnosed within 28 days as a Making
    Data Count XmR chart against the Faster Diagnosis Standard."""
    months = drules.evaluation_months(figures)
    labels = [datetime.date(int(m[:4]), int(m[5:]), 1).strftime("%b %Y") for m in months]
    series = drules.clinic_series(figures)
    threshold = settings.CWT_THRESHOLDS["fds"]
    received = charts.chart(
        kind="bar",
        labels=labels,
        datasets=[
            charts.dataset(s.clinic, s.received, charts.series_colour(index))
            for index, s in enumerate(series)
        ],
        x_title="Month of referral",
        y_title="Referrals received",
        y_whole_numbers=True,
    )
    within = [
        {
            "clinic": s.clinic,
            "script_id": f"evaluation-fds-{index}",
            "caption": f"{s.clinic}: per cent of those diagnosed who were diagnosed within 28 days, by month "
            "of referral, with the mean, the process limits and the Faster Diagnosis Standard",
            "spec": charts.spc_chart(
                labels=labels,
                values=s.percent_within_28,
                measure=f"{s.clinic}: diagnosed within 28 days",
                higher_is_better=True,
                y_title="Per cent diagnosed within 28 days",
                y_suffix="%",
                target=threshold,
                target_label=f"Faster Diagnosis Standard ({threshold}%)",
                y_min=0,
                y_max=100,
            ),
        }
        for index, s in enumerate(series)
    ]
    return {"received": received if series else None, "within_28": within}


@login_required
@permission_required(FIGURES_PERMISSION, raise_exception=True)
def evaluation(request: HttpRequest) -> HttpResponse:
    """The evaluation framework per clinic and month, with its charts (chart.js) beside the table."""
    form, figures = _figures(request)
    return render(
        request,
        "diagnostics/evaluation.html",
        {
            "form": form,
            "figures": figures,
            "charts": _evaluation_charts(figures),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@permission_required(FIGURES_PERMISSION, raise_exception=True)
def evaluation_csv(request: HttpRequest) -> HttpResponse:
    _, figures = _figures(request)
    return csv_response(
        f"diagnostic-evaluation-{timezone.localdate():%Y%m%d}.csv",
        drules.CSV_COLUMNS,
        (drules.csv_row(f) for f in figures),
    )


@login_required
@permission_required(FIGURES_PERMISSION, raise_exception=True)
def survey_comparison(request: HttpRequest) -> HttpResponse:
    """Every clinic's survey for one year side by side, for the SAG."""
    years = ds.survey_years()
    year = int_param(
        request.GET,
        "year",
        default=years[0] if years else timezone.localdate().year,
        minimum=2000,
        maximum=2100,
    )
    return render(
        request,
        "diagnostics/survey_comparison.html",
        {
            "year": year,
            "years": years,
            "surveys": ds.survey_comparison(year=year),
            "clinics": DiagnosticClinic.objects.filter(active=True),
            "can_submit": request.user.has_perm("diagnostics.add_clinicsurvey"),
            "step_labels": dict(ClinicSurvey.PathwayStep.choices),
            "model_labels": dict(DiagnosticClinic.ServiceModel.choices),
        },
    )


@login_required
@permission_required("diagnostics.add_clinicsurvey", raise_exception=True)
def survey_form(request: HttpRequest, clinic_pk: int, year: int) -> HttpResponse:
    """The MDT office records a clinic's survey for a year (again: updates that year's)."""
    clinic = get_object_or_404(DiagnosticClinic, pk=clinic_pk)
    existing = ClinicSurvey.objects.filter(clinic=clinic, year=year).first()
    form = dforms.ClinicSurveyForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            ds.clinic_survey_submit(
                clinic_id=clinic.pk, year=year, values=dict(form.cleaned_data), by=request.user
            )
            messages.success(request, f"Survey {year} for {clinic} saved.")
            return redirect(f"{_url('diagnostic:survey_comparison')}?year={year}")
        except ValidationError as error:
            report_form_errors(request, form, error)
    return render(request, "diagnostics/survey_form.html", {"form": form, "clinic": clinic, "year": year})


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
