"""Pages of the directory. The directory itself and its CSV exports are public (referrers in
other trusts read them without signing in) and show published fields only; proposing, deciding
and importing need the roles' permissions. Views parse, check, call a service and render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.csv_export import csv_response
from portal.paging import keyset_page

from . import rules, services
from .filters import PractitionerFilter
from .forms import (
    RECORD_FORMS,
    DecisionForm,
    ImportForm,
    ProposalForm,
    display_value,
    field_label,
    posted_values,
    record_values,
)
from .models import (
    ChangeRequest,
    ConfirmationRequest,
    DiagnosticClinic,
    KeyContact,
    Practitioner,
    Service,
)

# The SAG's queue: the oldest request first (it has waited longest), 25 a page.
QUEUE_ORDER = ("proposed_at", "pk")
QUEUE_PAGE_SIZE = 25
TARGET_SLUGS = {
    "practitioner": ChangeRequest.TargetType.PRACTITIONER,
    "key-contact": ChangeRequest.TargetType.KEY_CONTACT,
    "service": ChangeRequest.TargetType.SERVICE,
    "diagnostic-clinic": ChangeRequest.TargetType.DIAGNOSTIC_CLINIC,
}


def _target_type(slug: str, *, kind: str = ChangeRequest.Kind.CHANGE) -> str:
    if slug not in TARGET_SLUGS:
        raise Http404("No such kind of directory entry.")
    if TARGET_SLUGS[slug] == ChangeRequest.TargetType.SERVICE and kind != ChangeRequest.Kind.CHANGE:
        raise Http404("Services are added and retired by a superuser.")
    return TARGET_SLUGS[slug]


def _published_practitioners():
    # Demo data never reaches a public page (or the public CSV): it is invented.
    return Practitioner.objects.filter(active=True, demo=False).select_related("organisation")


def _published_key_contacts():
    return KeyContact.objects.filter(active=True).select_related("service")


# Public ------------------------------------------------------------------------------------------


def directory_list(request: HttpRequest) -> HttpResponse:
    """The public directory, with search. Published fields only: no account links, no requests."""
    practitioners = PractitionerFilter(request.GET or None, queryset=_published_practitioners())
    user = request.user
    return render(
        request,
        "directory/directory_list.html",
        {
            "filter": practitioners,
            "practitioners": practitioners.qs,
            "key_contacts": _published_key_contacts(),
            "services": Service.objects.prefetch_related("organisations", "capabilities"),
            "diagnostic_clinics": DiagnosticClinic.objects.filter(active=True, demo=False).select_related(
                "host_organisation"
            ),
            "can_propose": user.has_perm(services.PROPOSE_PERMISSION),
            "can_review": user.has_perm("directory.view_changerequest"),
        },
    )


def export_practitioners(request: HttpRequest) -> HttpResponse:
    """The published practitioners, in the columns the import reads back."""
    rows = (
        [
            p.pk,
            p.name,
            p.organisation.ods_code,
            p.organisation.name,
            p.speciality,
            p.email,
            p.phone,
            "yes" if p.is_core_mdt_member else "no",
            p.designation_scope,
            p.designation_date.isoformat() if p.designation_date else "",
        ]
        for p in _published_practitioners()
    )
    return csv_response("lsesn-practitioners.csv", services.PRACTITIONER_EXPORT_COLUMNS, rows)


def export_key_contacts(request: HttpRequest) -> HttpResponse:
    rows = (
        [c.pk, c.service_code, c.service_name, c.label, c.phone_numbers, c.email, c.notes]
        for c in _published_key_contacts()
    )
    return csv_response("lsesn-key-contacts.csv", services.KEY_CONTACT_EXPORT_COLUMNS, rows)


def confirm_entry(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the annual e-mail: shows the entry and records the confirmation on POST."""
    confirmation = get_object_or_404(ConfirmationRequest.objects.select_related("practitioner"), token=token)
    if request.method == "POST":
        confirmation = services.confirmation_request_confirm(token=token)
        messages.success(request, "Thank you: the entry is confirmed for this year.")
        return redirect("directory:confirm_entry", token=token)
    return render(request, "directory/confirm_entry.html", {"confirmation": confirmation})


# Proposing ---------------------------------------------------------------------------------------


def _propose(request: HttpRequest, *, kind: str, target_type: str, target=None) -> HttpResponse:
    form_class = RECORD_FORMS[target_type]
    record_form = None
    if kind != ChangeRequest.Kind.RETIRE:
        record_form = form_class(request.POST or None, instance=target)
    proposal_form = ProposalForm(request.POST or None)
    if request.method == "POST" and proposal_form.is_valid():
        try:
            change_request = services.change_request_propose(
                proposer=request.user,
                kind=kind,
                target_type=target_type,
                target_id=target.pk if target else None,
                values=posted_values(record_form) if record_form else {},
                reason=proposal_form.cleaned_data["reason"],
                effective_date=proposal_form.cleaned_data["effective_date"],
            )
        except ValidationError as error:
            _attach_errors(error, record_form, proposal_form)
        else:
            messages.success(request, f"Change request #{change_request.pk} is with the SAG for approval.")
            return redirect("directory:change_request_detail", pk=change_request.pk)
    return render(
        request,
        "directory/propose.html",
        {
            "kind": kind,
            "kind_label": ChangeRequest.Kind(kind).label,
            "target_label": ChangeRequest.TargetType(target_type).label,
            "target": target,
            "record_form": record_form,
            "proposal_form": proposal_form,
        },
    )


def _attach_errors(error: ValidationError, record_form, proposal_form) -> None:
    """Put a service's errors on the form field they name, so the page shows them in place (the
    record form may already show the same message from its own validation: no repeats)."""
    for name, messages_ in error.message_dict.items():
        form = proposal_form
        if record_form is not None and (name in record_form.fields or name == NON_FIELD_ERRORS):
            form = record_form
        field = name if name in form.fields else None
        shown = form.errors.get(field or NON_FIELD_ERRORS, [])
        new = [m if field or name == NON_FIELD_ERRORS else f"{name}: {m}" for m in messages_]
        new = [m for m in new if m not in shown]
        if new:
            form.add_error(field, new)


@permission_required(services.PROPOSE_PERMISSION, raise_exception=True)
def propose_add(request: HttpRequest, target: str) -> HttpResponse:
    return _propose(
        request, kind=ChangeRequest.Kind.ADD, target_type=_target_type(target, kind=ChangeRequest.Kind.ADD)
    )


@permission_required(services.PROPOSE_PERMISSION, raise_exception=True)
def propose_change(request: HttpRequest, target: str, pk: int) -> HttpResponse:
    target_type = _target_type(target)
    record = get_object_or_404(RECORD_FORMS[target_type]._meta.model, pk=pk)
    return _propose(request, kind=ChangeRequest.Kind.CHANGE, target_type=target_type, target=record)


@permission_required(services.PROPOSE_PERMISSION, raise_exception=True)
def propose_retire(request: HttpRequest, target: str, pk: int) -> HttpResponse:
    target_type = _target_type(target, kind=ChangeRequest.Kind.RETIRE)
    record = get_object_or_404(RECORD_FORMS[target_type]._meta.model, pk=pk)
    return _propose(request, kind=ChangeRequest.Kind.RETIRE, target_type=target_type, target=record)


@permission_required(services.PROPOSE_PERMISSION, raise_exception=True)
def import_changes(request: HttpRequest) -> HttpResponse:
    """CSV import of practitioners or key contacts: creates change requests for the SAG, never
    direct writes. All or nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["csv_file"].read().decode("utf-8")
        except UnicodeDecodeError:
            form.add_error(
                "csv_file", "The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8."
            )
        else:
            try:
                result = services.change_request_import(
                    proposer=request.user,
                    target_type=form.cleaned_data["target_type"],
                    csv_text=text,
                    reason=form.cleaned_data["reason"],
                )
            except services.ImportRejectedError as rejected:
                errors = rejected.errors
            else:
                created, skipped = len(result.created), len(result.unchanged_lines)
                messages.success(
                    request,
                    f"{created} change request{pluralize(created)} created for the SAG; "
                    f"{skipped} unchanged row{pluralize(skipped)} skipped.",
                )
                return redirect("directory:change_request_queue")
    return render(
        request,
        "directory/import.html",
        {
            "form": form,
            "errors": errors,
            "practitioner_columns": services.PRACTITIONER_EXPORT_COLUMNS,
            "key_contact_columns": services.KEY_CONTACT_EXPORT_COLUMNS,
        },
    )


# Reviewing ---------------------------------------------------------------------------------------


def _data_checks() -> list[tuple[str, str, str]]:
    """Published entries whose name and e-mail address disagree, for the SAG to look at. The rule
    reads every published entry's name and address as plain values; only the few that disagree
    are loaded as records (3,000 practitioners as model instances cost the queue 200 ms)."""
    kinds = (
        (_published_practitioners(), "name", "practitioner"),
        (_published_key_contacts(), "label", "key contact"),
    )
    checks = []
    for published, name_field, kind in kinds:
        disagreeing = [
            pk
            for pk, name, email in published.exclude(email="").values_list("pk", name_field, "email")
            if rules.name_and_email_disagree(name=name, email=email)
        ]
        if disagreeing:
            checks += [(str(entry), entry.email, kind) for entry in published.filter(pk__in=disagreeing)]
    return checks


@permission_required("directory.view_changerequest", raise_exception=True)
def change_request_queue(request: HttpRequest) -> HttpResponse:
    """The SAG's queue: open requests first, oldest first, a page at a time (keyset pages: no page
    counts more than the open requests); then scheduled ones, data checks and unconfirmed
    entries; recent decisions last."""
    base = ChangeRequest.objects.select_related(
        "proposed_by", "decided_by", "practitioner", "key_contact", "service", "diagnostic_clinic"
    )
    waiting = base.open()
    page = keyset_page(
        waiting,
        fields=QUEUE_ORDER,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=QUEUE_PAGE_SIZE,
    )
    cutoff = timezone.now() - datetime.timedelta(days=services.CONFIRMATION_GRACE_DAYS)
    return render(
        request,
        "directory/change_request_queue.html",
        {
            "open_requests": page,
            "open_count": waiting.count(),
            "page_size": QUEUE_PAGE_SIZE,
            "scheduled": base.filter(status=ChangeRequest.Status.SCHEDULED).order_by("effective_date"),
            "decided": base.filter(
                status__in=[ChangeRequest.Status.APPLIED, ChangeRequest.Status.REJECTED]
            ).order_by("-decided_at")[:20],
            "data_checks": _data_checks(),
            "unconfirmed": ConfirmationRequest.objects.unconfirmed_since(cutoff)
            .filter(practitioner__active=True)
            .select_related("practitioner__organisation"),
        },
    )


def _difference_rows(change_request: ChangeRequest) -> list[dict]:
    form_class = RECORD_FORMS[change_request.target_type]
    target = change_request.target if change_request.kind != ChangeRequest.Kind.ADD else None
    current = record_values(target, form_class) if target is not None else {}
    rows = []
    for difference in rules.differences(
        current=current, proposed=change_request.proposed_values, fields=list(form_class.base_fields)
    ):
        rows.append(
            {
                "label": field_label(form_class, difference.field),
                "current": display_value(form_class, difference.field, difference.current)
                if target is not None
                else "",
                "proposed": display_value(form_class, difference.field, difference.proposed),
                "changed": difference.changed,
            }
        )
    return rows


def _proposed_warnings(change_request: ChangeRequest) -> list[str]:
    form_class = RECORD_FORMS[change_request.target_type]
    target = change_request.target
    values = {**(record_values(target, form_class) if target else {}), **change_request.proposed_values}
    name = values.get("name") or values.get("label") or ""
    email = values.get("email") or ""
    if rules.name_and_email_disagree(name=name, email=email):
        return [f"The name “{name}” and the e-mail address “{email}” do not match: check which is right."]
    return []


@permission_required("directory.view_changerequest", raise_exception=True)
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = get_object_or_404(
        ChangeRequest.objects.select_related("proposed_by", "decided_by", "practitioner", "key_contact"),
        pk=pk,
    )
    user = request.user
    is_stale_now = (
        change_request.status == ChangeRequest.Status.PENDING
        and change_request.target is not None
        and rules.is_stale(
            base_version=change_request.base_version,
            current_version=services.current_version(change_request.target),
        )
    )
    can_decide = (
        user.has_perm(services.APPROVE_PERMISSION)
        and change_request.is_open
        and rules.may_decide(proposer_id=change_request.proposed_by_id, decider_id=user.pk)
    )
    return render(
        request,
        "directory/change_request_detail.html",
        {
            "change_request": change_request,
            "rows": _difference_rows(change_request),
            "warnings": _proposed_warnings(change_request),
            "is_stale_now": is_stale_now,
            "can_decide": can_decide,
            "can_approve": can_decide
            and change_request.status == ChangeRequest.Status.PENDING
            and not is_stale_now,
            "is_own": change_request.proposed_by_id == user.pk,
            "can_rebase": (change_request.status == ChangeRequest.Status.STALE or is_stale_now)
            and (user.has_perm(services.PROPOSE_PERMISSION) or user.has_perm(services.APPROVE_PERMISSION)),
            "decision_form": DecisionForm(),
        },
    )


@require_POST
@permission_required(services.APPROVE_PERMISSION, raise_exception=True)
def change_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = get_object_or_404(ChangeRequest, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = "Comment" if name == "comment" else "Decision"
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect("directory:change_request_detail", pk=pk)
    try:
        if form.cleaned_data["decision"] == "approve":
            change_request = services.change_request_approve(
                change_request_id=pk, approver=request.user, comment=form.cleaned_data["comment"]
            )
            if change_request.status == ChangeRequest.Status.SCHEDULED:
                messages.success(
                    request,
                    f"Change request #{pk} approved: "
                    f"it goes live on {change_request.effective_date:%d/%m/%Y}.",
                )
            else:
                messages.success(request, f"Change request #{pk} approved and applied to the directory.")
        else:
            services.change_request_reject(
                change_request_id=pk, decider=request.user, comment=form.cleaned_data["comment"]
            )
            messages.success(request, f"Change request #{pk} rejected; the proposer is told why.")
    except (services.ChangeRequestError, PermissionDenied) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, _validation_text(error, change_request))
    return redirect("directory:change_request_detail", pk=pk)


def _validation_text(error: ValidationError, change_request: ChangeRequest) -> str:
    form_class = RECORD_FORMS[change_request.target_type]
    parts = []
    for name, messages_ in error.message_dict.items():
        label = field_label(form_class, name) if name in form_class.base_fields else ""
        parts.extend(f"{label}: {m}" if label else m for m in messages_)
    return "The change cannot be applied as proposed: " + " ".join(parts)


@require_POST
@permission_required("directory.view_changerequest", raise_exception=True)
def change_request_rebase(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = get_object_or_404(ChangeRequest, pk=pk)
    try:
        services.change_request_rebase(change_request_id=pk, user=request.user)
    except services.ChangeRequestError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, _validation_text(error, change_request))
    else:
        messages.success(request, f"Change request #{pk} re-based on the current entry; it is pending again.")
    return redirect("directory:change_request_detail", pk=pk)
