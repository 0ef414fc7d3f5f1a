"""The patient tracking list (PTL), its CSV, next actions from the row, and a pathway's page.
Thin: parse, check permission, call a service, render.

Every pathway is looked up through `CancerPathway.objects.visible_to(request.user)` (the referral's
rule: the MDT office sees all, a clinician their own patients; anyone else's is a 404), and every
page or download that shows patients writes their ids to the access log."""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from portal import charts
from portal.csv_export import csv_response
from portal.forms import report_form_errors
from portal.models import AccessLog
from portal.paging import keyset_page
from portal.patient_data import shows_patients
from portal.services import access_log_record

from . import extract, performance, services
from .filters import PtlFilter
from .forms import (
    BreachReasonForm,
    CloseForm,
    NextActionForm,
    NextActionRowForm,
    PathwayDatesForm,
    PerformanceForm,
    office_users,
    parse_month,
)
from .models import CancerPathway, NextAction
from .templatetags.waiting_times_tags import status_tag
from .tracking import Standard, Tracking

PTL_ORDER = ("ptl_due_on", "pk")
PTL_PAGE_SIZE = 50
CSV_CHUNK = 1000
CSV_HEADER = [
    "Patient",
    "NHS number",
    "Provider",
    "How it started",
    "Transfer",
    "Standard that matters now",
    "Day",
    "Of",
    "Due",
    "Days left",
    "Status",
    "Next action",
    "Next action owner",
    "Next action due",
    "Breach reason",
]
VIEW = "waiting_times.view_cancerpathway"
EDIT = "waiting_times.change_cancerpathway"
FIGURES = "waiting_times.view_cwt_performance"
EXTRACT = "waiting_times.export_cwt_extract"
MONTHS_SHOWN = 12


def _visible(request: HttpRequest) -> QuerySet:
    return CancerPathway.objects.visible_to(request.user)


def _with_row_data(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "referral__patient",
        "referral__service",
        "referral__responsible_consultant",
        "referring_provider",
        "transfer_out_to",
    )


def _open_actions(pathways: list) -> None:
    """Each pathway's open next actions (soonest first) as `open_actions`: one query a page."""
    actions = NextAction.objects.filter(done_at__isnull=True).select_related("owner").order_by("due_on", "pk")
    prefetch_related_objects(pathways, Prefetch("next_actions", queryset=actions, to_attr="open_actions"))


class PtlRow:
    """One row of the PTL (and of its CSV): the pathway, its tracking on today, the first open
    next action."""

    def __init__(self, pathway: CancerPathway, today: datetime.date) -> None:
        self.pathway = pathway
        self.patient = pathway.referral.patient
        self.tracking = Tracking(pathway, today)
        self.next_action = pathway.open_actions[0] if pathway.open_actions else None
        self.action_form: NextActionRowForm | None = None

    # What templates/jinja2/waiting_times/ptl_rows.html shows, ready from Python.

    @property
    def provider(self) -> str:
        service = self.pathway.referral.service
        return service.name if service else ""

    @property
    def status_tag(self) -> SafeString:
        return status_tag(self.tracking.status)

    @property
    def started(self) -> str:
        return self.pathway.get_route_display()

    @property
    def transfer(self) -> str:
        if self.pathway.is_transfer_out:
            arrived = self.pathway.transferred_out_on
            to = self.pathway.transfer_out_to.name
            return f"Transferred out to {to}" if arrived else f"To be transferred out to {to}"
        if not self.pathway.is_transfer:
            return ""
        source = (
            self.pathway.referring_provider.name if self.pathway.referring_provider else "another provider"
        )
        text = f"Transferred in from {source}"
        return f"{text}; first receipt date missing" if self.pathway.first_receipt_missing else text

    def csv(self) -> list:
        clock, action = self.tracking.clock, self.next_action
        return [
            str(self.patient),
            self.patient.nhs_number_display,
            self.provider,
            self.started,
            self.transfer,
            self.tracking.standard_label,
            clock.days if clock else None,
            clock.target_days if clock else None,
            clock.due if clock else None,
            self.tracking.days_left,
            self.tracking.status_label,
            action.what if action else "",
            str(action.owner) if action else "",
            action.due_on if action else None,
            self.pathway.get_breach_reason_display(),
        ]


ROW_LINKS = {
    "patient": "referrals:patient_detail",
    "pathway": "waiting_times:pathway",
    "done": "waiting_times:next_action_done",
    "add": "waiting_times:next_action_add",
}


def _link_patterns() -> dict[str, str]:
    """Each row link as a pattern for `str.format(pk)`, reversed once a page, not four times a row."""
    marker = "9876543210"
    return {key: reverse(name, args=[marker]).replace(marker, "{}") for key, name in ROW_LINKS.items()}


def _filtered(request: HttpRequest) -> tuple[PtlFilter, QuerySet]:
    visible = CancerPathway.objects.open_visible_to(request.user)
    ptl = PtlFilter(request.GET, request=request, queryset=visible)
    # A refused filter shows its message and no pathways, not all of them.
    return ptl, (ptl.qs if ptl.is_valid() else visible.none())


@login_required
@shows_patients(lambda context: [row.patient.pk for row in context["rows"]], action=AccessLog.Action.LIST)
@permission_required(VIEW, raise_exception=True)
def ptl(request: HttpRequest) -> HttpResponse:
    """The open pathways this user may see, the clock that matters now of each, breached first."""
    today = timezone.localdate()
    ptl_filter, listed = _filtered(request)
    page = keyset_page(
        _with_row_data(listed),
        fields=PTL_ORDER,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PTL_PAGE_SIZE,
    )
    _open_actions(page.object_list)
    rows = [PtlRow(pathway, today) for pathway in page]
    if request.user.has_perm("waiting_times.add_nextaction"):
        office = list(office_users())  # once a page; each row adds its own consultant
        options: dict = {}  # the owner select's options, once for each consultant on the page
        for row in rows:
            consultant = row.pathway.referral.responsible_consultant
            if consultant not in options:
                owners = office + ([consultant] if consultant and consultant not in office else [])
                options[consultant] = NextActionRowForm.owner_options(owners)
            row.action_form = NextActionRowForm(pathway=row.pathway, owner_options=options[consultant])
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    rows_html = render_to_string(
        "waiting_times/ptl_rows.html",
        {
            "rows": rows,
            "links": _link_patterns(),
            "can_mark_done": request.user.has_perm("waiting_times.change_nextaction"),
            "next_url": request.get_full_path(),
            # One token for the page's hundred forms: Django's {% csrf_token %} masks the secret
            # afresh for each form, a third of the rows' time here.
            "csrf_field": format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
            ),
        },
        request=request,
        using="jinja2",
    )
    return TemplateResponse(
        request,
        "waiting_times/ptl.html",
        {
            "filter": ptl_filter,
            "rows": rows,
            # Jinja2 escaped every value it wrote (Django's Jinja2 backend turns autoescape on).
            "rows_html": mark_safe(rows_html),  # nosec B308 B703
            "page": page,
            "query": query.urlencode(),
            "today": today,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def ptl_csv(request: HttpRequest) -> HttpResponse:
    """The PTL's rows for the same filters, every page of them, formula-safe; each chunk's
    patients are written to the access log as exported."""
    today = timezone.localdate()
    _, listed = _filtered(request)

    def rows() -> Iterator[list]:
        after = None
        while True:
            page = keyset_page(_with_row_data(listed), fields=PTL_ORDER, after=after, size=CSV_CHUNK)
            _open_actions(page.object_list)
            chunk = [PtlRow(pathway, today) for pathway in page]
            access_log_record(
                user=request.user,
                patient_ids=[row.patient.pk for row in chunk],
                action=AccessLog.Action.EXPORT,
                page=request.path,
            )
            yield from (row.csv() for row in chunk)
            if not page.has_next:
                return
            after = str(page.next_after)

    return csv_response(f"ptl-{today:%Y%m%d}.csv", CSV_HEADER, rows())


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
@login_required
@permission_required("waiting_times.add_nextaction", raise_exception=True)
def next_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    pathway = get_object_or_404(_visible(request).select_related("referral"), pk=pk)
    form = NextActionForm(request.POST, pathway=pathway, prefix=f"p{pathway.pk}")
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            services.next_action_add(pathway_id=pathway.pk, by=request.user, **form.cleaned_data)
            messages.success(request, "Next action added.")
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect(_back(request, reverse("waiting_times:ptl")))


@require_POST
@login_required
@permission_required("waiting_times.change_nextaction", raise_exception=True)
def next_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(NextAction.objects.filter(pathway__in=_visible(request).values("pk")), pk=pk)
    try:
        services.next_action_complete(action_id=action.pk, by=request.user)
        messages.success(request, "Next action done.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_back(request, reverse("waiting_times:ptl")))


@login_required
@shows_patients(lambda context: [context["pathway"].referral.patient_id])
@permission_required(VIEW, raise_exception=True)
def pathway_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One pathway: its three clocks, the dates (editable by the MDT office, with a reason),
    breach reason, next actions, closing and every change."""
    pathway = get_object_or_404(_with_row_data(_visible(request)), pk=pk)
    can_edit = request.user.has_perm(EDIT) and pathway.closed_at is None
    context = {
        "pathway": pathway,
        "tracking": pathway.tracking(),
        "events": pathway.events.select_related("actor"),
        "actions": pathway.next_actions.select_related("owner", "done_by"),
        "can_edit": can_edit,
    }
    if can_edit:
        context.update(
            # Prefixed: both forms have a "reason", and ids must be unique on the page.
            dates_form=PathwayDatesForm(instance=pathway, prefix="dates"),
            breach_form=BreachReasonForm(
                initial={"breach_reason": pathway.breach_reason, "details": pathway.breach_reason_text}
            ),
            close_form=CloseForm(prefix="close"),
            action_form=NextActionForm(pathway=pathway, prefix=f"p{pathway.pk}"),
        )
    return TemplateResponse(request, "waiting_times/pathway_detail.html", context)


def _editable(request: HttpRequest, pk: int) -> CancerPathway:
    return get_object_or_404(_visible(request), pk=pk)


@require_POST
@login_required
@permission_required(EDIT, raise_exception=True)
def pathway_dates(request: HttpRequest, pk: int) -> HttpResponse:
    pathway = _editable(request, pk)
    form = PathwayDatesForm(request.POST, instance=CancerPathway.objects.get(pk=pathway.pk), prefix="dates")
    if not form.is_valid():
        report_form_errors(request, form)
    elif not form.changes():
        messages.info(request, "Nothing changed.")
    else:
        try:
            services.pathway_record(
                pathway_id=pathway.pk,
                by=request.user,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "Pathway dates recorded.")
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect("waiting_times:pathway", pk=pathway.pk)


@require_POST
@login_required
@permission_required(EDIT, raise_exception=True)
def pathway_breach_reason(request: HttpRequest, pk: int) -> HttpResponse:
    pathway = _editable(request, pk)
    form = BreachReasonForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            services.pathway_record_breach_reason(pathway_id=pathway.pk, by=request.user, **form.cleaned_data)
            messages.success(request, "Breach reason recorded.")
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect("waiting_times:pathway", pk=pathway.pk)


@require_POST
@login_required
@permission_required(EDIT, raise_exception=True)
def pathway_close(request: HttpRequest, pk: int) -> HttpResponse:
    pathway = _editable(request, pk)
    form = CloseForm(request.POST, prefix="close")
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            services.pathway_close(pathway_id=pathway.pk, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "Pathway closed: it has left the PTL.")
        except ValidationError as error:
            report_form_errors(request, form, error)
    return redirect("waiting_times:pathway", pk=pathway.pk)


# Performance ------------------------------------------------------------------------------------


def _month_param(request: HttpRequest, name: str, default: datetime.date) -> datetime.date:
    try:
        return parse_month(request.GET[name])
    except (KeyError, ValidationError):
        return default  # the form shows the error, if any


def _chart_data(figures: list[performance.Figure], months: list[datetime.date]) -> dict:
    """What static/portal/charts.js draws: per standard, the percentage of each month (null where
    no clock stopped) as a Making Data Count XmR chart (portal.charts.spc_chart: the mean, the
    process limits, special-cause months) against the standard's threshold."""
    percent = {(figure.month, figure.standard): figure.percent for figure in figures}
    labels = [f"{month:%b %Y}" for month in months]
    standards = []
    for standard in performance.STANDARDS:
        values = [
            float(percent[month, standard]) if percent.get((month, standard)) is not None else None
            for month in months
        ]
        label = Standard(standard.value).label
        threshold = settings.CWT_THRESHOLDS[standard.value]
        standards.append(
            {
                "key": standard.value,
                "label": label,
                "threshold": threshold,
                "percent": values,
                "script_id": f"chart-data-{standard.value}",
                "caption": f"{label}: per cent of patients in time by month, with the mean, the process "
                "limits and the operational standard",
                "spc": charts.spc_chart(
                    labels=labels,
                    values=values,
                    measure=f"{label}: per cent in time",
                    higher_is_better=True,
                    y_title="Per cent of patients in time",
                    y_suffix="%",
                    target=threshold,
                    target_label=f"Operational standard ({threshold}%)",
                    y_min=0,
                    y_max=100,
                ),
            }
        )
    return {"months": labels, "standards": standards}


def _refused_patients(context) -> list[int]:
    summary = context.get("extract") or {}
    return [record.pathway.referral.patient_id for record in summary.get("refused", [])]


def _extract_summary(request: HttpRequest, this_month: datetime.date) -> dict | None:
    """For those who may download it: the national extract's month and, once asked to check that
    month (?month=), how many records it holds and those it refuses, with their reasons (to
    correct before it is sent). Checked only when asked: a month's records are validated one by
    one, which the figures (aggregates) need not wait for."""
    if not request.user.has_perm(EXTRACT):
        return None
    month = _month_param(request, "month", performance.add_months(this_month, -1))
    if "month" not in request.GET:
        return {"month": month, "checked": False}
    records = list(extract.month_records(month))
    return {
        "month": month,
        "checked": True,
        "written": sum(1 for record in records if not record.refused),
        "refused": [record for record in records if record.refused],
    }


@login_required
@shows_patients(_refused_patients)
@permission_required(FIGURES, raise_exception=True)
def performance_page(request: HttpRequest) -> HttpResponse:
    """Per month and provider, each standard's numerator, denominator and percentage against its
    threshold, a chart of them (chart.js) beside the same figures as a table, and the breaches
    counted by reason: aggregates, no patient. For the MDT office, the national extract of a month
    and the records it refuses (those patients are named, and logged)."""
    this_month = performance.month_start(timezone.localdate())
    until = _month_param(request, "until", this_month)
    first = performance.add_months(until, 1 - MONTHS_SHOWN)
    months = [performance.add_months(first, n) for n in range(MONTHS_SHOWN)]
    everything = CancerPathway.objects.all()
    figures = performance.standard_figures(everything, first=first, last=performance.month_end(until))
    reasons = performance.breach_reasons(everything, first=first, last=performance.month_end(until))
    providers = sorted({figure.provider for figure in figures})
    extract_month = performance.add_months(this_month, -1)
    form = PerformanceForm(
        request.GET or None,
        providers=providers,
        initial={"until": f"{until:%Y-%m}", "month": f"{extract_month:%Y-%m}"},
    )
    chosen = form.cleaned_data.get("provider") if form.is_valid() else ""
    if chosen:
        figures = [figure for figure in figures if figure.provider.key == chosen]
        reasons = [count for count in reasons if count.provider.key == chosen]
    shown = figures if chosen else performance.network_totals(figures)
    later = min(performance.add_months(until, MONTHS_SHOWN), this_month) if until < this_month else None
    return TemplateResponse(
        request,
        "waiting_times/performance.html",
        {
            "form": form,
            "until": until,
            "first": first,
            "previous": performance.add_months(until, -MONTHS_SHOWN),
            "next": later,
            "provider": next((p for p in providers if p.key == chosen), None),
            "chart": _chart_data(shown, months),
            "totals": shown,
            "figures": figures,
            "reasons": reasons,
            "thresholds": settings.CWT_THRESHOLDS,
            "extract": _extract_summary(request, this_month),
        },
    )


@login_required
@permission_required(EXTRACT, raise_exception=True)
def extract_csv(request: HttpRequest) -> HttpResponse:
    """The month's national cancer waiting-times records (waiting_times/extract.py), checked: the
    records the national system would refuse are left out (the performance page lists them).
    Formula-safe; the patients written are in the access log as exported."""
    try:
        month = parse_month(request.GET.get("month", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("waiting_times:performance")
    written = [record for record in extract.month_records(month) if not record.refused]
    access_log_record(
        user=request.user,
        patient_ids=[record.pathway.referral.patient_id for record in written],
        action=AccessLog.Action.EXPORT,
        page=request.path,
    )
    return csv_response(f"cwt-extract-{month:%Y-%m}.csv", extract.HEADER, (record.row for record in written))
