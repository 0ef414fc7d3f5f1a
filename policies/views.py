"""Policies pages. Thin: parse, check permission, call a service, render.

The list and detail pages are public for approved versions (and superseded ones in a document's
history); staff with the view permission (MDT office, SAG) see every version."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from . import rules, services
from .forms import OutstandingItemForm, PolicyApproveForm, PolicyDraftForm, PolicyFilterForm
from .models import OutstandingItem, PolicyDocument

DRAFT_FIELDS_COPIED_TO_A_NEW_VERSION = (
    "title",
    "aims",
    "issued_by",
    "authors",
    "storage_location",
)


def _is_staff_viewer(user) -> bool:
    return user.is_authenticated and user.has_perm("policies.view_policydocument")


def _visible_or_404(user, pk: int) -> PolicyDocument:
    return get_object_or_404(PolicyDocument.objects.visible_to(user).select_related("series"), pk=pk)


def policy_list(request: HttpRequest) -> HttpResponse:
    """Every policy and pathway with its review status; filter by status and RAG, search by title."""
    today = timezone.localdate()
    staff = _is_staff_viewer(request.user)
    form = PolicyFilterForm(request.GET or None, show_status=staff)
    documents = PolicyDocument.objects.visible_to(request.user)
    if not staff:
        documents = documents.approved()
    if form.is_valid():
        if form.cleaned_data["q"]:
            documents = documents.filter(title__icontains=form.cleaned_data["q"])
        if form.cleaned_data.get("status"):
            documents = documents.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["rag"]:
            documents = documents.with_rag(rules.Rag(form.cleaned_data["rag"]), today)
    rows = [(document, document.rag(today)) for document in documents.order_by("title", "-created_at")]
    return render(request, "policies/policy_list.html", {"form": form, "rows": rows, "staff": staff})


# The policy's page shows its own PDF in a frame: this page alone may frame, and only this site.
@csp_replace({"frame-src": ["'self'"]})
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document itself (its PDF, shown in the page, and a download), its document-control
    summary, and the history of every version."""
    document = _visible_or_404(request.user, pk)
    user = request.user
    context = {
        "document": document,
        "rag": document.rag(timezone.localdate()),
        "versions": PolicyDocument.objects.visible_to(user)
        .filter(series=document.series)
        .order_by("-created_at"),
        "outstanding_items": document.outstanding_items.select_related("closed_by"),
        "open_items": document.outstanding_items.filter(closed_at__isnull=True),
        "staff": _is_staff_viewer(user),
        "can_change": user.is_authenticated and user.has_perm("policies.change_policydocument"),
        "can_draft": user.is_authenticated and user.has_perm("policies.add_policydocument"),
        "can_approve": user.is_authenticated
        and user.is_sag_member
        and user.has_perm("policies.approve_policydocument"),
    }
    if context["staff"]:
        context["changes"] = document.history.select_related("history_user").order_by("-history_date")
        if document.status in {PolicyDocument.Status.DRAFT, PolicyDocument.Status.AWAITING_APPROVAL}:
            item_form = OutstandingItemForm()
            item_form.helper.form_action = reverse("policies:item_add", args=[document.pk])
            context["item_form"] = item_form
    return render(request, "policies/policy_detail.html", context)


# Shown inside the policy's own page: framed by this site only (never by another).
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def policy_file(request: HttpRequest, pk: int) -> FileResponse:
    """The attached PDF, to whoever may see the version: shown in the browser (the policy's page
    frames it), or downloaded with ?download=1."""
    document = _visible_or_404(request.user, pk)
    if not document.document_file:
        raise Http404("This version has no attached file.")
    return FileResponse(
        document.document_file.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=f"{document.title} v{document.version_number}.pdf",
    )


def _draft_form_page(
    request: HttpRequest, form: PolicyDraftForm, *, series=None, previous=None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.policy_draft_create(
                created_by=request.user,
                series=series,
                title=data["title"],
                version_number=data["version_number"],
                aims=data["aims"],
                issued_by=data["issued_by"],
                authors=data["authors"],
                version_date=data["version_date"],
                review_date=data["review_date"],
                storage_location=data["storage_location"],
                circulation=data["circulation"],
                owners=data["owners"],
                outstanding_items=data["outstanding_items"].splitlines(),
                document_file=data["document_file"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Draft version {document.version_number} saved.")
            return redirect(document)
    return render(request, "policies/policy_form.html", {"form": form, "previous": previous})


@login_required
def policy_create(request: HttpRequest) -> HttpResponse:
    """Draft a new policy or pathway (version 0.x)."""
    if not request.user.has_perm("policies.add_policydocument"):
        raise PermissionDenied
    form = PolicyDraftForm(request.POST or None, request.FILES or None, initial={"version_number": "0.1"})
    return _draft_form_page(request, form)


@login_required
def policy_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft a new version of an existing document, prefilled from this version."""
    if not request.user.has_perm("policies.add_policydocument"):
        raise PermissionDenied
    previous = _visible_or_404(request.user, pk)
    initial = {name: getattr(previous, name) for name in DRAFT_FIELDS_COPIED_TO_A_NEW_VERSION}
    initial["version_number"] = rules.next_draft_version(
        previous.series.versions.values_list("version_number", flat=True)
    )
    initial["circulation"] = list(previous.circulation.all())
    initial["owners"] = list(previous.owners.all())
    form = PolicyDraftForm(request.POST or None, request.FILES or None, initial=initial)
    return _draft_form_page(request, form, series=previous.series, previous=previous)


def _transition(request: HttpRequest, pk: int, action, success: str, **kwargs) -> HttpResponse:
    document = _visible_or_404(request.user, pk)
    try:
        action(document_id=document.pk, **kwargs)
    except services.PolicyTransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(document)


@require_POST
@login_required
def policy_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        services.policy_version_submit,
        "Sent to the SAG for approval.",
        submitted_by=request.user,
    )


@require_POST
@login_required
def policy_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, services.policy_version_withdraw, "Version withdrawn.", withdrawn_by=request.user
    )


@login_required
def policy_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A SAG member approves a version awaiting approval (a POST form that works without JavaScript)."""
    user = request.user
    if not (user.is_sag_member and user.has_perm("policies.approve_policydocument")):
        raise PermissionDenied
    document = _visible_or_404(user, pk)
    if document.status != PolicyDocument.Status.AWAITING_APPROVAL:
        messages.error(request, "This version is not awaiting approval.")
        return redirect(document)
    initial = {
        "version_number": rules.next_approved_version(
            document.series.versions.values_list("version_number", flat=True)
        ),
        "approval_date": timezone.localdate(),
        "review_date": document.review_date,
        "approved_by": document.approved_by or services.DEFAULT_APPROVING_BODY,
    }
    form = PolicyApproveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_version_approve(document_id=document.pk, approver=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except services.PolicyTransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Version approved. It is now the current version.")
            return redirect(document)
    open_items = document.outstanding_items.filter(closed_at__isnull=True)
    return render(
        request,
        "policies/policy_approve.html",
        {"document": document, "form": form, "open_items": open_items},
    )


@require_POST
@login_required
def outstanding_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible_or_404(request.user, pk)
    form = OutstandingItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Describe the outstanding item.")
        return redirect(document)
    try:
        services.outstanding_item_add(
            document_id=document.pk, description=form.cleaned_data["description"], added_by=request.user
        )
    except services.PolicyTransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Outstanding item added.")
    return redirect(document)


@require_POST
@login_required
def outstanding_item_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        OutstandingItem, pk=pk, document__in=PolicyDocument.objects.visible_to(request.user)
    )
    try:
        services.outstanding_item_close(item_id=item.pk, closed_by=request.user)
    except services.PolicyTransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Outstanding item closed.")
    return redirect(item.document)
