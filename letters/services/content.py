"""What a letter says: the record it is about, whether it may be written now, its header and
sign-off (settings and the directory), the patient's identifiers, each kind's context, its HTML;
and the reads other pages ask for (a patient's or a discussion's letters, what can be written)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from diagnostics.models import ReferralReturn
from directory.models import KeyContact, Service
from mdt import services as mdt_services
from mdt.models import MdtDiscussion, PatientOutcomePreference
from referrals.models import Patient
from second_opinions import services as second_opinion_services
from second_opinions.models import SecondOpinionRequest

from .. import rules
from ..models import Letter

Kind = Letter.Kind
TAKEN = "Another user got there first: reload the page to see what they did."

MDT_KINDS = (Kind.MDT_OUTCOME_REFERRER, Kind.MDT_OUTCOME_PATIENT)
SECOND_OPINION_KINDS = (
    Kind.SECOND_OPINION_ACKNOWLEDGEMENT,
    Kind.SECOND_OPINION_RECORDS_REQUESTED,
    Kind.SECOND_OPINION_SENT,
    Kind.SECOND_OPINION_NOT_AVAILABLE,
)
PATIENT_KINDS = (Kind.MDT_OUTCOME_PATIENT,)


class LetterError(ValidationError):
    pass


# What a letter says -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """The record a letter is about, as the letter needs it."""

    kind: str
    patient: Patient
    key: str
    discussion: MdtDiscussion | None = None
    referral_return: ReferralReturn | None = None
    second_opinion: SecondOpinionRequest | None = None


def source_for(*, kind: str, source_id: int, lock: bool = False) -> Source:
    """The record a letter of `kind` is about (a discussion, a return or a second-opinion
    request), with its patient. Raises LetterError if there is none."""
    if kind not in Kind.values:
        raise LetterError({"kind": "Unknown kind of letter."})
    if kind in MDT_KINDS:
        queryset = MdtDiscussion.objects.select_related("meeting__mdt__service", "referral__patient")
        record = (queryset.select_for_update(of=("self",)) if lock else queryset).filter(pk=source_id).first()
        if record is None:
            raise LetterError("There is no such MDT discussion.")
        return Source(kind, record.referral.patient, f"discussion:{record.pk}", discussion=record)
    if kind == Kind.REFERRAL_RETURNED:
        queryset = ReferralReturn.objects.select_related("referral__patient", "referral__service")
        record = (queryset.select_for_update(of=("self",)) if lock else queryset).filter(pk=source_id).first()
        if record is None:
            raise LetterError("There is no such return.")
        return Source(kind, record.referral.patient, f"return:{record.pk}", referral_return=record)
    queryset = SecondOpinionRequest.objects.select_related("patient")
    record = (queryset.select_for_update(of=("self",)) if lock else queryset).filter(pk=source_id).first()
    if record is None:
        raise LetterError("There is no such second-opinion request.")
    return Source(kind, record.patient, f"second_opinion:{record.pk}", second_opinion=record)


def refusal(source: Source) -> str:
    """Why a letter of this kind cannot be written about this record now, or ""."""
    if source.discussion is not None:
        if not source.discussion.outcome:
            return "Record the MDT outcome before writing its letters."
        if source.kind == Kind.MDT_OUTCOME_PATIENT and not patient_wishes_letter(source.discussion):
            return "The patient has not asked to receive their MDT outcomes: record their wishes first."
        return ""
    if source.second_opinion is not None:
        request = source.second_opinion
        allowed = rules.second_opinion_letter_kinds(
            decision=request.decision,
            status=request.status,
            records_requested_on=request.records_requested_on,
            outcome=request.outcome,
        )
        if source.kind not in allowed:
            return "This request has not reached that letter yet."
    return ""


def patient_wishes_letter(discussion: MdtDiscussion) -> bool:
    """Whether the patient asked to receive this outcome (their recorded outcome preference, as
    the discussion took it): "patient" or "both"."""
    return discussion.outcome_recipients in {
        PatientOutcomePreference.Recipients.PATIENT,
        PatientOutcomePreference.Recipients.BOTH,
    }


def _service_of(source: Source) -> Service | None:
    if source.discussion is not None:
        return source.discussion.meeting.mdt.service
    if source.referral_return is not None and source.referral_return.referral.service_id:
        return source.referral_return.referral.service
    code = (
        source.second_opinion.requested_service
        if source.second_opinion is not None
        else settings.LETTERS_DEFAULT_SERVICE
    )
    return Service.objects.filter(code=code).first()


def letterhead(service: Service | None, *, mdt=None) -> dict:
    """The header and sign-off: the network's name and the sign-off from settings (the SAG
    changes them without a code change); the service's postal address and its contacts from the
    directory (its address as approved, active key contacts of the service that are not
    signposting entries, and the MDT office's e-mail). A service without an address gives its
    name and contacts only."""
    contacts = []
    if service is not None:
        contacts = list(
            KeyContact.objects.filter(service=service, active=True, signpost="").order_by("label")
        )
    return {
        "network_name": settings.LETTERS_NETWORK_NAME,
        "service": service,
        "service_address": "\n".join(service.postal_address_lines) if service else "",
        "contacts": contacts,
        "office_email": mdt.office_email if mdt is not None else "",
        "sign_off": settings.LETTERS_SIGN_OFF,
    }


def patient_identifiers(patient: Patient) -> dict:
    """What identifies the patient on every page: name, NHS number (3-3-4), date of birth and
    hospital numbers."""
    return {
        "name": f"{patient.given_name} {patient.family_name}",
        "nhs_number": rules.format_nhs_number(patient.nhs_number),
        "date_of_birth": patient.date_of_birth,
        "hospital_numbers": [
            f"{number.number} ({number.organisation.name})"
            for number in patient.hospital_numbers.select_related("organisation")
        ],
    }


def _mdt_context(discussion: MdtDiscussion, *, for_patient: bool) -> dict:
    meeting = discussion.meeting
    quoracy = mdt_services.discussion_quoracy(discussion)
    present = [
        f"{row.practitioner.name} ({row.practitioner.get_speciality_display()})"
        + (f", deputising for {row.deputy_for.name}" if row.deputy_for_id else "")
        for row in meeting.attendance.select_related("practitioner", "deputy_for").order_by(
            "practitioner__name"
        )
    ]
    consultant = discussion.referral.responsible_consultant or discussion.presenting_clinician
    recommendation = discussion.recommendation
    if for_patient:
        recommendation = rules.explain_abbreviations(
            recommendation, already=rules.PLAIN_OUTCOMES[discussion.outcome]
        )
    return {
        "discussion": discussion,
        "meeting": meeting,
        "meeting_date": timezone.localtime(meeting.starts_at).date(),
        "present": present,
        "quorate": quoracy.quorate,
        "responsible_clinician": consultant.get_full_name() if consultant else "",
        "recommendation": recommendation,
        "next_steps": rules.OUTCOME_NEXT_STEPS[discussion.outcome],
        "plain_outcome": rules.PLAIN_OUTCOMES[discussion.outcome],
        "plain_next_steps": rules.PLAIN_NEXT_STEPS[discussion.outcome],
    }


def _return_context(returned: ReferralReturn) -> dict:
    return {
        "returned": returned,
        "referral": returned.referral,
        "clock": rules.return_clock_note(received_on=returned.referral.received_on),
    }


def _second_opinion_context(request: SecondOpinionRequest) -> dict:
    contacts = second_opinion_services.signposting_contacts(
        signpost=request.signpost, current_service=request.current_service
    )
    return {
        "request": request,
        "reasons": request.decision_reasons,
        "signpost": request.signpost,
        "support_line": contacts.get("sarcoma_uk_support_line", []),
        "pals": contacts.get("pals", []),
        "policy_title": rules.SECOND_OPINION_POLICY,
        "policy_capacity": rules.POLICY_CAPACITY_QUOTE,
        "policy_support_line": rules.POLICY_SUPPORT_LINE_QUOTE,
    }


def letter_html(
    *, source: Source, recipient_name: str, recipient_address: str, version: int, on: datetime.date
) -> str:
    """The letter's HTML, from templates/letters/<kind>.html."""
    mdt = source.discussion.meeting.mdt if source.discussion is not None else None
    context = {
        "kind": source.kind,
        "kind_label": Kind(source.kind).label,
        "patient": patient_identifiers(source.patient),
        "recipient_name": recipient_name,
        "recipient_address": recipient_address,
        "version": version,
        "dated": on,
        "mdt": mdt,
        **letterhead(_service_of(source), mdt=mdt),
    }
    if source.discussion is not None:
        context.update(_mdt_context(source.discussion, for_patient=source.kind in PATIENT_KINDS))
    elif source.referral_return is not None:
        context.update(_return_context(source.referral_return))
    else:
        context.update(_second_opinion_context(source.second_opinion))
    return render_to_string(f"letters/{source.kind}.html", context)


def default_recipient(source: Source) -> dict:
    """Who a letter goes to by default, from the record it is about; the office checks it."""
    if source.kind == Kind.MDT_OUTCOME_PATIENT:
        preference = PatientOutcomePreference.objects.filter(patient=source.patient).first()
        name = f"{source.patient.given_name} {source.patient.family_name}"
        return {"recipient_name": name, "recipient_email": preference.patient_email if preference else ""}
    if source.discussion is not None:
        referral = source.discussion.referral
        return {
            "recipient_name": referral.referring_clinician or "The referring clinician",
            "recipient_email": source.discussion.referrer_email,
        }
    if source.referral_return is not None:
        referral = source.referral_return.referral
        contact = referral.referrer_contact.strip()
        return {
            "recipient_name": referral.referring_clinician or "The referring clinician",
            "recipient_email": contact if "@" in contact else "",
        }
    request = source.second_opinion
    contact = request.requester_contact.strip()
    return {"recipient_name": request.requester_name, "recipient_email": contact if "@" in contact else ""}


# Reads ------------------------------------------------------------------------------------------


def letters_for_patient(patient: Patient, user) -> QuerySet[Letter]:
    return Letter.objects.visible_to(user).filter(patient=patient).select_related("generated_by")


def letters_for_discussion(discussion: MdtDiscussion, user) -> QuerySet[Letter]:
    return Letter.objects.visible_to(user).filter(discussion=discussion).select_related("generated_by")


@dataclass(frozen=True)
class Writable:
    kind: str
    label: str
    source_id: int
    about: str


def letters_writable(patient: Patient) -> list[Writable]:
    """The letters the office can write now about a patient's records: each discussion's outcome
    letters, each return's letter and the second-opinion letters each request has reached."""
    found: list[Writable] = []
    discussions = MdtDiscussion.objects.filter(referral__patient=patient).exclude(outcome="")
    for discussion in discussions.select_related("meeting__mdt").order_by("meeting__starts_at"):
        about = f"MDT discussion {discussion.pk} ({discussion.meeting})"
        found.append(
            Writable(Kind.MDT_OUTCOME_REFERRER, Kind.MDT_OUTCOME_REFERRER.label, discussion.pk, about)
        )
        if patient_wishes_letter(discussion):
            found.append(
                Writable(Kind.MDT_OUTCOME_PATIENT, Kind.MDT_OUTCOME_PATIENT.label, discussion.pk, about)
            )
    for returned in ReferralReturn.objects.filter(referral__patient=patient).order_by("returned_at"):
        about = f"Return of referral {returned.referral_id}"
        found.append(Writable(Kind.REFERRAL_RETURNED, Kind.REFERRAL_RETURNED.label, returned.pk, about))
    for request in SecondOpinionRequest.objects.filter(patient=patient).order_by("received_on", "pk"):
        kinds = rules.second_opinion_letter_kinds(
            decision=request.decision,
            status=request.status,
            records_requested_on=request.records_requested_on,
            outcome=request.outcome,
        )
        for kind in kinds:
            found.append(Writable(kind, Kind(kind).label, request.pk, f"Second-opinion request {request.pk}"))
    return found
