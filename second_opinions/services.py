"""Every write of the second-opinion workflow: creating a request (decided by the policy in
rules.py), each status transition, and the reminders.

A transition locks its row, checks that the request is still in the status the user saw (else
"another user got there first"), asks `rules.transition_refusal` whether the step is allowed, then
saves the new status with its time stamps and records a `SecondOpinionTransition` row."""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from directory.models import KeyContact, Service
from portal.models import User
from portal.outbox import enqueue
from portal.roles import Role
from referrals.models import Patient

from . import rules
from .models import SecondOpinionReminder, SecondOpinionRequest, SecondOpinionTransition

logger = logging.getLogger(__name__)

Status = SecondOpinionRequest.Status

# Defaults of the reminder settings (override in Django settings).
DEFAULT_RECORDS_CHASE_DAYS = 14
DEFAULT_OPINION_DUE_DAYS = 42


class SecondOpinionError(Exception):
    """A write was refused; the message says why, in words for the user."""


@dataclass(frozen=True)
class RequestDetails:
    """What a second-opinion request says, as entered on the form."""

    requested_by: str
    requester_name: str
    requester_contact: str
    current_service: str
    treating_hospital: str
    treating_clinician: str
    standard_management: bool
    requested_service: str
    named_clinician: str
    reason: str
    tumour: str
    consent_to_share_records: bool
    feedback_to: str

    def eligibility_input(self) -> rules.EligibilityInput:
        return rules.EligibilityInput(
            current_service=rules.CurrentService(self.current_service),
            standard_management=self.standard_management,
            requested_service=rules.RequestedService(self.requested_service),
            requested_by=rules.RequestedBy(self.requested_by),
            reason=rules.Reason(self.reason),
            tumour=rules.Tumour(self.tumour),
            named_clinician=self.named_clinician,
        )


def records_chase_days() -> int:
    return getattr(settings, "SECOND_OPINION_RECORDS_CHASE_DAYS", DEFAULT_RECORDS_CHASE_DAYS)


def opinion_due_days() -> int:
    return getattr(settings, "SECOND_OPINION_OPINION_DUE_DAYS", DEFAULT_OPINION_DUE_DAYS)


@transaction.atomic
def second_opinion_request_create(
    *,
    patient: Patient,
    details: RequestDetails,
    received_on: datetime.date,
    by: User | None,
    notify: bool = True,
) -> SecondOpinionRequest:
    """Record a request with the policy's decision (recomputed here, never taken from the
    client), log its first transition and tell the MDT office once the transaction commits
    (`notify=False` for demo data, which tells no one)."""
    decision = rules.decide(details.eligibility_input())
    request = SecondOpinionRequest.objects.create(
        patient=patient,
        received_on=received_on,
        requested_by=details.requested_by,
        requester_name=details.requester_name,
        requester_contact=details.requester_contact,
        current_service=details.current_service,
        treating_hospital=details.treating_hospital,
        treating_clinician=details.treating_clinician,
        standard_management=details.standard_management,
        requested_service=details.requested_service,
        named_clinician=details.named_clinician,
        reason=details.reason,
        tumour=details.tumour,
        consent_to_share_records=details.consent_to_share_records,
        feedback_to=details.feedback_to,
        decision=decision.decision.value,
        route=decision.route.value if decision.route else "",
        redirect_to=decision.redirect_to.value if decision.redirect_to else "",
        signpost=[code.value for code in decision.signpost],
        decision_reasons=list(decision.reasons),
        status=Status.RECEIVED,
        created_by=by,
    )
    SecondOpinionTransition.objects.create(
        request=request, from_status="", to_status=Status.RECEIVED, by=by, at=timezone.now()
    )
    if notify:
        enqueue("second_opinions.tasks.notify_office_of_new_request", request.pk)
    return request


def _move(
    *,
    request_id: int,
    expected_status: str,
    target: Status,
    by: User | None,
    note: str = "",
    outcome: str = "",
    outcome_differences: str = "",
    stamps: dict | None = None,
) -> SecondOpinionRequest:
    request = SecondOpinionRequest.objects.select_for_update().get(pk=request_id)
    if request.status != expected_status:
        raise SecondOpinionError(
            f"Another user got there first: this request is now {request.get_status_display()!r}, "
            "not what you saw. Reload the page and check it again."
        )
    refusal = rules.transition_refusal(
        rules.TransitionInput(
            current=rules.Status(request.status),
            target=rules.Status(target),
            decision=rules.Decision(request.decision),
            consent_to_share_records=request.consent_to_share_records,
            note=note,
            outcome=rules.Outcome(outcome) if outcome else None,
            outcome_differences=outcome_differences,
        )
    )
    if refusal:
        raise SecondOpinionError(refusal)
    changed = {"status": target, **(stamps or {})}
    for field, value in changed.items():
        setattr(request, field, value)
    request.save(update_fields=list(changed))
    SecondOpinionTransition.objects.create(
        request=request,
        from_status=expected_status,
        to_status=target,
        by=by,
        at=timezone.now(),
        note=note.strip(),
    )
    logger.info("Second-opinion request %s: %s -> %s", request.pk, expected_status, target)
    return request


@transaction.atomic
def second_opinion_request_decide(
    *, request_id: int, expected_status: str, by: User | None, note: str = ""
) -> SecondOpinionRequest:
    """The MDT office confirms the policy's decision: received -> decided."""
    return _move(
        request_id=request_id,
        expected_status=expected_status,
        target=Status.DECIDED,
        by=by,
        note=note,
        stamps={"decided_at": timezone.now()},
    )


@transaction.atomic
def second_opinion_request_request_records(
    *, request_id: int, expected_status: str, by: User | None, note: str = ""
) -> SecondOpinionRequest:
    """Records asked for from the treating team (accepted requests with consent only)."""
    return _move(
        request_id=request_id,
        expected_status=expected_status,
        target=Status.RECORDS_REQUESTED,
        by=by,
        note=note,
        stamps={"records_requested_on": timezone.localdate()},
    )


@transaction.atomic
def second_opinion_request_receive_records(
    *, request_id: int, expected_status: str, by: User | None, note: str = ""
) -> SecondOpinionRequest:
    """The records have arrived."""
    return _move(
        request_id=request_id,
        expected_status=expected_status,
        target=Status.RECORDS_RECEIVED,
        by=by,
        note=note,
        stamps={"records_received_on": timezone.localdate()},
    )


@transaction.atomic
def second_opinion_request_review(
    *, request_id: int, expected_status: str, by: User | None, note: str = ""
) -> SecondOpinionRequest:
    """The case has been reviewed (at the MDT or in clinic, as routed)."""
    return _move(
        request_id=request_id,
        expected_status=expected_status,
        target=Status.REVIEWED,
        by=by,
        note=note,
        stamps={"reviewed_at": timezone.now()},
    )


@transaction.atomic
def second_opinion_request_send_opinion(
    *,
    request_id: int,
    expected_status: str,
    by: User | None,
    outcome: str,
    outcome_differences: str = "",
    sent_on: datetime.date | None = None,
    note: str = "",
) -> SecondOpinionRequest:
    """The opinion went to the clinician and/or patient: whether it agrees with the current plan
    or differs (and how), and the day it was sent (today unless given; never in the future)."""
    today = timezone.localdate()
    sent_on = sent_on or today
    if sent_on > today:
        raise SecondOpinionError("The day the opinion was sent cannot be in the future.")
    if outcome and outcome not in SecondOpinionRequest.Outcome.values:
        raise SecondOpinionError(f"Unknown outcome {outcome!r}.")
    request = SecondOpinionRequest.objects.get(pk=request_id)
    if sent_on < request.received_on:
        raise SecondOpinionError("The day the opinion was sent cannot be before the request was received.")
    return _move(
        request_id=request_id,
        expected_status=expected_status,
        target=Status.OPINION_SENT,
        by=by,
        note=note,
        outcome=outcome,
        outcome_differences=outcome_differences,
        stamps={
            "outcome": outcome,
            "outcome_differences": outcome_differences.strip() if outcome == "differs" else "",
            "opinion_sent_on": sent_on,
        },
    )


@transaction.atomic
def second_opinion_request_close(
    *, request_id: int, expected_status: str, by: User | None, note: str = ""
) -> SecondOpinionRequest:
    """Close a request: after the opinion is sent, after a redirect or "not routinely available"
    answer, or as a withdrawal (which needs a note saying why)."""
    return _move(
        request_id=request_id,
        expected_status=expected_status,
        target=Status.CLOSED,
        by=by,
        note=note,
        stamps={"closed_at": timezone.now()},
    )


TRANSITION_SERVICES = {
    Status.DECIDED: second_opinion_request_decide,
    Status.RECORDS_REQUESTED: second_opinion_request_request_records,
    Status.RECORDS_RECEIVED: second_opinion_request_receive_records,
    Status.REVIEWED: second_opinion_request_review,
    Status.CLOSED: second_opinion_request_close,
}


# Notifications and reminders ----------------------------------------------------------------------


def _office_emails() -> list[str]:
    users = get_user_model().objects.filter(groups__name=Role.MDT_OFFICE.value, is_active=True)
    return sorted({email for email in users.values_list("email", flat=True) if email})


def _request_url(request_id: int) -> str:
    return settings.PORTAL_BASE_URL + reverse("second_opinions:detail", args=[request_id])


def second_opinion_request_notify_office(*, request_id: int) -> None:
    """Tell the MDT office that a request came in (ids and a link only: no patient identifiers)."""
    request = SecondOpinionRequest.objects.get(pk=request_id)
    send_mail(
        subject=f"Second-opinion request {request.pk} received",
        message=(
            f"A second-opinion request ({request.get_requested_service_display()}) was received on "
            f"{request.received_on:%d %b %Y}. The policy's answer: {request.get_decision_display()}.\n\n"
            f"Open it: {_request_url(request.pk)}\n"
        ),
        from_email=None,
        recipient_list=_office_emails(),
    )


REMINDER_TEXT = {
    SecondOpinionReminder.Kind.RECORDS_CHASE: (
        "Second-opinion request {pk}: records not received",
        "The records for second-opinion request {pk} were requested on {records_requested_on:%d %b %Y} "
        "and have not been received. Please chase them.\n\nOpen it: {url}\n",
    ),
    SecondOpinionReminder.Kind.OPINION_OVERDUE: (
        "Second-opinion request {pk}: opinion overdue",
        "Second-opinion request {pk} was received on {received_on:%d %b %Y} and its opinion has not "
        "been sent yet.\n\nOpen it: {url}\n",
    ),
}


def second_opinion_reminder_send(*, request_id: int, kind: str) -> bool:
    """Send one reminder unless it was sent before. The sent-reminder row is written in the same
    transaction as the e-mail goes out: if the send fails, the row is rolled back and the next
    sweep tries again; if the row exists, nothing is sent. Returns whether it was sent."""
    with transaction.atomic():
        request = SecondOpinionRequest.objects.get(pk=request_id)
        try:
            with transaction.atomic():
                SecondOpinionReminder.objects.create(request=request, kind=kind, sent_at=timezone.now())
        except IntegrityError:
            return False
        subject, body = REMINDER_TEXT[kind]
        context = {
            "pk": request.pk,
            "records_requested_on": request.records_requested_on,
            "received_on": request.received_on,
            "url": _request_url(request.pk),
        }
        send_mail(
            subject=subject.format(**context),
            message=body.format(**context),
            from_email=None,
            recipient_list=_office_emails(),
        )
    logger.info("Second-opinion request %s: %s reminder sent", request_id, kind)
    return True


def second_opinion_reminders_send_due(*, today: datetime.date) -> int:
    """Send every reminder due on or before today and not yet sent; returns how many were sent.

    Records chase: records requested `SECOND_OPINION_RECORDS_CHASE_DAYS` or more days ago and not
    received. Opinion overdue: an accepted request received `SECOND_OPINION_OPINION_DUE_DAYS` or more
    days ago whose opinion is not yet sent (nor the request closed)."""
    Kind = SecondOpinionReminder.Kind
    due = {
        Kind.RECORDS_CHASE: SecondOpinionRequest.objects.records_chase_due(
            on_or_before=today - datetime.timedelta(days=records_chase_days())
        ),
        Kind.OPINION_OVERDUE: SecondOpinionRequest.objects.opinion_overdue(
            received_on_or_before=today - datetime.timedelta(days=opinion_due_days())
        ),
    }
    sent = 0
    for kind, queryset in due.items():
        for request_id in queryset.exclude(reminders__kind=kind).values_list("pk", flat=True):
            try:
                sent += second_opinion_reminder_send(request_id=request_id, kind=kind)
            except Exception:
                # Nothing was recorded for this one, so the next sweep tries it again; the others
                # still go out now.
                logger.exception("Second-opinion request %s: %s reminder not sent", request_id, kind)
    return sent


# What the request pages show beside the policy's answer (issue 16) ---------------------------------


def second_opinion_delay_impact(*, patient: Patient, today: datetime.date | None = None) -> list[dict]:
    """For each of the patient's open referrals, its running waiting-time clocks (read as the
    referral reads them, `referral.clocks()`) today and if treatment waited as long as the network
    allows for an opinion (SECOND_OPINION_OPINION_DUE_DAYS): the osteosarcoma guide's "discuss with
    your doctor the impact, if any, this delay could have", with the numbers."""
    today = today or timezone.localdate()
    rows = []
    delay = opinion_due_days()
    for referral in patient.referrals.open().order_by("received_on", "pk"):
        impacts = rules.delay_impact(clocks=referral.clocks(today), today=today, delay_days=delay)
        if impacts:
            rows.append({"referral": referral, "impacts": impacts})
    return rows


def signposting_contacts(*, signpost: Iterable[str], current_service: str) -> dict[str, list]:
    """The directory's key contacts for each signpost code of an answer (SAG-approved entries with
    their numbers, not text in a template): the Sarcoma UK Support Line, and the PALS of the
    hospitals of the patient's treating service (RMH or LSS; none is held for a hospital outside the
    network, whose PALS the patient finds through that hospital)."""
    found: dict[str, list] = {}
    for code in signpost:
        contacts = KeyContact.objects.filter(active=True, signpost=code).select_related("service")
        if code == KeyContact.Signpost.PALS:
            service = Service.objects.filter(code=current_service).first()
            if service is None:
                contacts = contacts.none()
            else:
                organisations = service.organisations.all()
                contacts = contacts.filter(service__organisations__in=organisations).distinct()
        found[code] = list(contacts.order_by("label"))
    return found


def all_pals_contacts() -> list:
    """Every PALS the directory holds (the public page lists the network's hospitals' PALS)."""
    return list(
        KeyContact.objects.filter(active=True, signpost=KeyContact.Signpost.PALS)
        .select_related("service")
        .order_by("label")
    )
