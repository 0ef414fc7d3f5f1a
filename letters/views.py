"""Letters pages. Thin: parse, check permission (object-level: a clinician sees the letters of
their own patients only, a 404 for others), call a service, render. Writing, sending and the print
batches are the MDT office's (the letters permissions). Every page or PDF that shows a patient
declares it (portal.patient_data.shows_patients), so the access log records the read. URLs carry
the letter's, the batch's or the source record's id, never a patient identifier."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.models import AccessLog
from portal.patient_data import shows_patients

from . import services
from .forms import GenerateForm, SendForm
from .models import Letter, PrintBatch


class StoredPdfResponse(TemplateResponse):
    """A PDF kept on a record, served inline (the browser shows it), as a TemplateResponse so
    that the access-log declaration reads the patients from its context like any page's."""

    def __init__(self, request: HttpRequest, *, pdf: bytes, filename: str, context: dict) -> None:
        super().__init__(request, "", context, content_type="application/pdf")
        self._pdf = bytes(pdf)
        self["Content-Disposition"] = f'inline; filename="{filename}"'
        self["Cache-Control"] = "private, no-store"

    @property
    def rendered_content(self) -> bytes:
        return self._pdf


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _letter_patient(context) -> list[int]:
    return [context["letter"].patient_id]


def _visible_letter(request: HttpRequest, pk: int) -> Letter:
    return get_object_or_404(
        Letter.objects.visible_to(request.user).select_related("patient", "generated_by", "sent_by"), pk=pk
    )


@login_required
@shows_patients(_letter_patient)
@require_GET
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A letter: who it is to, how it went, its versions, the PDF to preview and, while it is a
    draft, the one action that sends it."""
    letter = _visible_letter(request, pk)
    versions = Letter.objects.filter(kind=letter.kind, source=letter.source).order_by("-version")
    return TemplateResponse(
        request,
        "letters/letter_detail.html",
        {
            "letter": letter,
            "versions": versions.select_related("generated_by"),
            "send_form": SendForm(),
            "can_send": request.user.has_perm("letters.change_letter")
            and letter.status == Letter.Status.DRAFT,
            "can_write": request.user.has_perm("letters.add_letter"),
            "source_id": letter.source.partition(":")[2],
        },
    )


@login_required
@shows_patients(_letter_patient)
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter's PDF, as written, shown in the browser (the preview before sending)."""
    letter = _visible_letter(request, pk)
    return StoredPdfResponse(request, pdf=letter.pdf, filename=letter.filename, context={"letter": letter})


@login_required
@require_POST
def letter_send(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "letters.change_letter")
    letter = get_object_or_404(Letter, pk=pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how the letter goes: secure e-mail or the post.")
        return redirect("letters:detail", pk=letter.pk)
    try:
        sent = services.letter_send(letter_id=letter.pk, method=form.cleaned_data["method"], by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        done = "sent by secure e-mail" if sent.method == Letter.Method.EMAIL else "filed for the post"
        messages.success(request, f"Letter {sent.pk} {done}.")
    return redirect("letters:detail", pk=letter.pk)


def _source_patient(context) -> list[int]:
    return [context["source"].patient.pk]


@login_required
@shows_patients(_source_patient)
@require_http_methods(["GET", "POST"])
def letter_generate(request: HttpRequest, kind: str, source_id: int) -> HttpResponse:
    """Write a letter (or its next version) about a discussion, a return or a second-opinion
    request: the office checks who it is to, then previews the PDF before sending it."""
    _require(request, "letters.add_letter")
    if kind not in Letter.Kind.values:
        raise Http404
    try:
        source = services.source_for(kind=kind, source_id=source_id)
    except ValidationError as error:
        raise Http404 from error
    previous = Letter.objects.filter(kind=kind, source=source.key).order_by("-version").first()
    form = GenerateForm(
        request.POST if request.method == "POST" else None, initial=services.default_recipient(source)
    )
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_generate(
                kind=kind, source_id=source_id, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, f"Version {letter.version} written: check the PDF, then send it.")
            return redirect("letters:detail", pk=letter.pk)
    return TemplateResponse(
        request,
        "letters/generate.html",
        {
            "form": form,
            "source": source,
            "kind_label": Letter.Kind(kind).label,
            "previous": previous,
            "refusal": services.refusal(source),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def print_batches(request: HttpRequest) -> HttpResponse:
    """The print batches (ids and counts only: no patient on this page) and how many letters wait
    for the next one."""
    _require(request, "letters.view_printbatch")
    batches = PrintBatch.objects.all()[:60]
    return TemplateResponse(
        request,
        "letters/print_batches.html",
        {
            "batches": [(batch, batch.letters.count()) for batch in batches],
            "waiting": Letter.objects.to_post().count(),
            "can_create": request.user.has_perm("letters.add_printbatch"),
        },
    )


@login_required
@require_POST
def print_batch_create(request: HttpRequest) -> HttpResponse:
    _require(request, "letters.add_printbatch")
    batch = services.print_batch_create(by=request.user)
    if batch is None:
        messages.info(request, "No letter is waiting for the post.")
    else:
        messages.success(request, f"Print batch {batch.pk} made: open its PDF to print it.")
    return redirect("letters:print_batches")


def _batch_patients(context) -> list[int]:
    return list(context["batch"].letters.values_list("patient_id", flat=True))


@login_required
@shows_patients(_batch_patients, action=AccessLog.Action.EXPORT)
@require_GET
def print_batch_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "letters.view_printbatch")
    batch = get_object_or_404(PrintBatch, pk=pk)
    return StoredPdfResponse(request, pdf=batch.pdf, filename=batch.filename, context={"batch": batch})
