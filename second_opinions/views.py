"""Second-opinion pages. Thin: parse, check permission (and object-level visibility: 404 for a
request the user may not see), call a service or the rules, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.models import AccessLog
from portal.patient_data import shows_patients

from . import rules
from .figures import second_opinion_figures
from .forms import FiguresPeriodForm, OpinionSentForm, SecondOpinionRequestForm, TransitionForm
from .models import SecondOpinionRequest
from .services import (
    TRANSITION_SERVICES,
    SecondOpinionError,
    all_pals_contacts,
    second_opinion_delay_impact,
    second_opinion_request_create,
    second_opinion_request_send_opinion,
    signposting_contacts,
)

R = SecondOpinionRequest

BUTTON_LABELS = {
    R.Status.DECIDED: "Confirm the policy's decision",
    R.Status.RECORDS_REQUESTED: "Records requested",
    R.Status.RECORDS_RECEIVED: "Records received",
    R.Status.REVIEWED: "Reviewed",
    R.Status.CLOSED: "Close",
}


def _answer(*, decision: str, route: str, redirect_to: str, reasons, signpost) -> dict:
    """The policy's answer, ready for second_opinions/_decision.html."""
    return {
        "decision": decision,
        "decision_label": R.Decision(decision).label,
        "route_label": R.Route(route).label if route else "",
        "redirect_to": R.RequestedService(redirect_to).label if redirect_to else "",
        "reasons": list(reasons),
        "signpost": list(signpost),
    }


def _stored_answer(second_opinion: SecondOpinionRequest) -> dict:
    answer = _answer(
        decision=second_opinion.decision,
        route=second_opinion.route,
        redirect_to=second_opinion.redirect_to,
        reasons=second_opinion.decision_reasons,
        signpost=second_opinion.signpost,
    )
    return _add_context(
        answer, patient=second_opinion.patient, current_service=second_opinion.current_service
    )


def _add_context(answer: dict, *, patient, current_service: str) -> dict:
    """What the answer shows beside the policy: the signposting contacts from the directory, and
    what a delay would mean against the patient's running waiting-time clocks."""
    answer["contacts"] = signposting_contacts(signpost=answer["signpost"], current_service=current_service)
    answer["delay"] = second_opinion_delay_impact(patient=patient)
    answer["delay_advice"] = rules.DELAY_ADVICE
    return answer


def how_to_ask(request: HttpRequest) -> HttpResponse:
    """Public, plain-English page: how to ask for a second opinion in the network, with the
    signposting contacts' numbers from the directory."""
    support_line = signposting_contacts(signpost=["sarcoma_uk_support_line"], current_service="")
    contacts = {**support_line, "pals": all_pals_contacts()}
    return render(request, "second_opinions/how_to_ask.html", {"contacts": contacts})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The nav item's target: each role's own second-opinion page."""
    user = request.user
    if user.has_perm("second_opinions.change_secondopinionrequest"):
        return redirect("second_opinions:queue")
    if user.has_perm("second_opinions.view_secondopinionrequest"):
        return redirect("second_opinions:mine")
    if user.has_perm("second_opinions.view_second_opinion_figures"):
        return redirect("second_opinions:figures")
    return redirect("second_opinions:how_to_ask")


def _requester_initial(user) -> dict:
    """A clinician asking is usually the treating sarcoma clinician: start the form from that."""
    if not user.is_clinician:
        return {}
    name = user.get_full_name() or user.get_username()
    return {
        "requested_by": R.RequestedBy.TREATING_SARCOMA_CLINICIAN,
        "requester_name": name,
        "requester_contact": user.email,
        "treating_clinician": name,
    }


def _patients_offered(context) -> list[int]:
    """The request form's patient choice names every patient the user may choose."""
    return list(context["form"].fields["patient"].queryset.values_list("pk", flat=True))


def _patients_listed(context) -> list[int]:
    return [second_opinion.patient_id for second_opinion in context["requests"]]


def _patient_of_request(context) -> list[int]:
    return [context["object"].patient_id]


@login_required
@permission_required("second_opinions.add_secondopinionrequest", raise_exception=True)
@shows_patients(_patients_offered, action=AccessLog.Action.LIST)
def request_create(request: HttpRequest) -> HttpResponse:
    """Two steps, no JavaScript: "check" shows the policy's decision and reasons for the answers
    given; "confirm" saves them, if they are still the answers that were checked."""
    answer = None
    if request.method == "POST":
        form = SecondOpinionRequestForm(request.POST, user=request.user)
        if form.is_valid():
            fingerprint = form.fingerprint()
            if request.POST.get("action") == "confirm" and form.cleaned_data["checked"] == fingerprint:
                created = second_opinion_request_create(
                    patient=form.cleaned_data["patient"],
                    details=form.details(),
                    received_on=form.cleaned_data["received_on"],
                    by=request.user,
                )
                messages.success(request, f"Second-opinion request {created.pk} recorded.")
                return redirect("second_opinions:detail", pk=created.pk)
            if request.POST.get("action") == "confirm":
                messages.warning(request, "The answers changed since the decision was shown: check it again.")
            decision = rules.decide(form.details().eligibility_input()).as_json()
            answer = _answer(
                decision=decision["decision"],
                route=decision["route"] or "",
                redirect_to=decision["redirect_to"] or "",
                reasons=decision["reasons"],
                signpost=decision["signpost"],
            )
            _add_context(
                answer,
                patient=form.cleaned_data["patient"],
                current_service=form.cleaned_data["current_service"],
            )
            data = request.POST.copy()
            data["checked"] = fingerprint
            form = SecondOpinionRequestForm(data, user=request.user)
            form.is_valid()
    else:
        form = SecondOpinionRequestForm(user=request.user, initial=_requester_initial(request.user))
    return TemplateResponse(request, "second_opinions/request_form.html", {"form": form, "answer": answer})


@login_required
@permission_required("second_opinions.change_secondopinionrequest", raise_exception=True)
@shows_patients(_patients_listed, action=AccessLog.Action.LIST)
def queue(request: HttpRequest) -> HttpResponse:
    """The MDT office's queue: every open request, oldest first, with its next steps."""
    requests = (
        R.objects.visible_to(request.user).open().select_related("patient").order_by("received_on", "pk")
    )
    return TemplateResponse(
        request,
        "second_opinions/queue.html",
        {"requests": requests, "button_labels": BUTTON_LABELS},
    )


@login_required
@permission_required("second_opinions.view_secondopinionrequest", raise_exception=True)
@shows_patients(_patients_listed, action=AccessLog.Action.LIST)
def mine(request: HttpRequest) -> HttpResponse:
    """A clinician's view: the requests about the patients they may see."""
    requests = R.objects.visible_to(request.user).select_related("patient")
    return TemplateResponse(request, "second_opinions/mine.html", {"requests": requests})


@login_required
@permission_required("second_opinions.view_secondopinionrequest", raise_exception=True)
@shows_patients(_patient_of_request)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    second_opinion = get_object_or_404(R.objects.visible_to(request.user).select_related("patient"), pk=pk)
    can_change = request.user.has_perm("second_opinions.change_secondopinionrequest")
    opinion_form = None
    if can_change and R.Status.OPINION_SENT in second_opinion.allowed_next_statuses:
        opinion_form = OpinionSentForm(initial={"expected_status": second_opinion.status})
    return TemplateResponse(
        request,
        "second_opinions/detail.html",
        {
            "object": second_opinion,
            "answer": _stored_answer(second_opinion),
            "transitions": second_opinion.transitions.select_related("by"),
            "can_change": can_change,
            "button_labels": BUTTON_LABELS,
            "opinion_form": opinion_form,
        },
    )


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    if request.POST.get("return_to") == "queue":
        return redirect("second_opinions:queue")
    return redirect("second_opinions:detail", pk=pk)


@require_POST
@login_required
@permission_required("second_opinions.change_secondopinionrequest", raise_exception=True)
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the workflow (not the opinion: see `send_opinion`)."""
    second_opinion = get_object_or_404(R.objects.visible_to(request.user), pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items())
        messages.error(request, f"That step could not be taken: {errors}")
        return _back(request, pk)
    target = form.cleaned_data["to"]
    if target == R.Status.OPINION_SENT:
        messages.error(request, "Record the opinion with its outcome on the request's page.")
        return redirect(reverse("second_opinions:detail", args=[pk]) + "#opinion")
    service = TRANSITION_SERVICES.get(target)
    if service is None:
        messages.error(request, f"A request cannot be moved to {R.Status(target).label!r}.")
        return _back(request, pk)
    try:
        service(
            request_id=second_opinion.pk,
            expected_status=form.cleaned_data["expected_status"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except SecondOpinionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Request {pk} is now {R.Status(form.cleaned_data['to']).label.lower()}.")
    return _back(request, pk)


@require_POST
@login_required
@permission_required("second_opinions.change_secondopinionrequest", raise_exception=True)
@shows_patients(_patient_of_request)
def send_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the opinion was sent: agrees or differs (how), and when."""
    second_opinion = get_object_or_404(R.objects.visible_to(request.user).select_related("patient"), pk=pk)
    form = OpinionSentForm(request.POST)
    if form.is_valid():
        try:
            second_opinion_request_send_opinion(
                request_id=second_opinion.pk,
                expected_status=form.cleaned_data["expected_status"],
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                outcome_differences=form.cleaned_data["outcome_differences"],
                sent_on=form.cleaned_data["sent_on"],
                note=form.cleaned_data["note"],
            )
        except SecondOpinionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The opinion for request {pk} is recorded as sent.")
            return redirect("second_opinions:detail", pk=pk)
    return TemplateResponse(
        request,
        "second_opinions/detail.html",
        {
            "object": second_opinion,
            "answer": _stored_answer(second_opinion),
            "transitions": second_opinion.transitions.select_related("by"),
            "can_change": True,
            "button_labels": BUTTON_LABELS,
            "opinion_form": form,
        },
        status=400,
    )


@login_required
@permission_required("second_opinions.view_second_opinion_figures", raise_exception=True)
def figures(request: HttpRequest) -> HttpResponse:
    """The SAG's figures, over every request or those received in a period."""
    period = FiguresPeriodForm(request.GET or None)
    requests = R.objects.all()
    if period.is_bound and period.is_valid():
        if period.cleaned_data["received_from"]:
            requests = requests.filter(received_on__gte=period.cleaned_data["received_from"])
        if period.cleaned_data["received_to"]:
            requests = requests.filter(received_on__lte=period.cleaned_data["received_to"])
    elif period.is_bound:
        requests = R.objects.none()
    return render(
        request,
        "second_opinions/figures.html",
        {"figures": second_opinion_figures(requests), "period": period},
    )
