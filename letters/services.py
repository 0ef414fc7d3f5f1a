"""Every write of the letters app: generating a letter (a new version of it, kept beside the
earlier ones), sending it (one action: secure e-mail with the PDF attached, or marked for the
post) and the daily print batch of the letters for the post.

A letter is rendered once, when it is generated: HTML from its template in templates/letters/,
PDF by WeasyPrint (through django-weasyprint's fetcher, which reads the portal's own files and
nothing from the network). Both are kept on the record, so what was checked is what was sent and
what is filed, whatever the directory says later.

Transitions claim their row (a conditional update or select_for_update) and refuse the second of
two concurrent users with "another user got there first". Bad input raises ValidationError keyed
by the field it is about, and nothing is half saved (every write is atomic)."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django_weasyprint.utils import DjangoURLFetcher

from diagnostics.models import ReferralReturn
from directory.models import KeyContact, Service
from mdt import services as mdt_services
from mdt.models import MdtDiscussion, PatientOutcomePreference
from portal.mail import is_secure_address, one_line
from portal.outbox import enqueue
from referrals.models import Patient
from second_opinions import services as second_opinion_services
from second_opinions.models import SecondOpinionRequest

from . import rules
from .models import Letter, PrintBatch

logger = logging.getLogger(__name__)

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


# Rendering --------------------------------------------------------------------------------------


class LocalFilesOnly(DjangoURLFetcher):
    """django-weasyprint's fetcher (the portal's static and media files from disk), refusing
    anything else: a letter never makes the server fetch an address."""

    def fetch(self, url, headers=None):
        if not url.startswith("file:"):
            raise ValueError("Letters load no resource from the network.")
        return super().fetch(url, headers)


def render_pdf(html: str) -> bytes:
    """The PDF of a letter's HTML."""
    from weasyprint import HTML  # imported here: loading Pango is for the processes that render

    return HTML(string=html, base_url="file:///", url_fetcher=LocalFilesOnly()).write_pdf()


def render_pdfs_as_one(htmls: list[str]) -> bytes:
    """One PDF of several letters, each laid out on its own (its own page numbers)."""
    from weasyprint import HTML

    documents = [
        HTML(string=html, base_url="file:///", url_fetcher=LocalFilesOnly()).render() for html in htmls
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"style", "script", "title"}:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in {"style", "script", "title"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The words a letter's HTML shows, one space between each."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


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
    changes them without a code change), the service's postal address from settings keyed by its
    directory code, and its contacts from the directory (active key contacts of the service that
    are not signposting entries, and the MDT office's e-mail)."""
    contacts = []
    if service is not None:
        contacts = list(
            KeyContact.objects.filter(service=service, active=True, signpost="").order_by("label")
        )
    return {
        "network_name": settings.LETTERS_NETWORK_NAME,
        "service": service,
        "service_address": settings.LETTERS_SERVICE_ADDRESSES.get(service.code, "") if service else "",
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


# Writes -----------------------------------------------------------------------------------------


@transaction.atomic
def letter_generate(
    *,
    kind: str,
    source_id: int,
    by,
    recipient_name: str,
    recipient_address: str = "",
    recipient_email: str = "",
    correction: str = "",
    now: datetime.datetime | None = None,
) -> Letter:
    """Write a letter (version 1) or its next version after a correction (which must say what it
    corrects). Earlier versions are kept: one still a draft becomes "superseded", one that was
    sent stays as sent. A letter to the patient is refused while it holds an abbreviation it does
    not explain (rules.unexplained_abbreviations)."""
    now = now or timezone.now()
    if not recipient_name.strip():
        raise LetterError({"recipient_name": "Say who the letter is to."})
    source = source_for(kind=kind, source_id=source_id, lock=True)
    if why := refusal(source):
        raise LetterError(why)
    previous = Letter.objects.select_for_update().filter(kind=kind, source=source.key)
    version = (previous.aggregate(last=Max("version"))["last"] or 0) + 1
    if version > 1 and not correction.strip():
        raise LetterError({"correction": f"Say what version {version} corrects."})
    html = letter_html(
        source=source,
        recipient_name=recipient_name.strip(),
        recipient_address=recipient_address.strip(),
        version=version,
        on=timezone.localdate(now),
    )
    if kind in PATIENT_KINDS and (unexplained := rules.unexplained_abbreviations(html_text(html))):
        raise LetterError(
            "A letter to a patient must explain every abbreviation: write out "
            + ", ".join(unexplained)
            + " in the MDT's recommendation (or add it to letters/rules.py ABBREVIATIONS)."
        )
    previous.filter(status=Letter.Status.DRAFT).update(status=Letter.Status.SUPERSEDED)
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                kind=kind,
                patient=source.patient,
                discussion=source.discussion,
                referral_return=source.referral_return,
                second_opinion=source.second_opinion,
                source=source.key,
                version=version,
                recipient_name=recipient_name.strip(),
                recipient_address=recipient_address.strip(),
                recipient_email=recipient_email.strip(),
                correction=correction.strip() if version > 1 else "",
                generated_at=now,
                generated_by=by,
                html=html,
                pdf=render_pdf(html),
            )
    except IntegrityError as error:
        raise LetterError(TAKEN) from error
    logger.info("Letter %s (%s, version %s) generated by user %s", letter.pk, kind, version, by.pk)
    return letter


@transaction.atomic
def letter_send(*, letter_id: int, method: str, by, now: datetime.datetime | None = None) -> Letter:
    """Send a checked draft, in one action: by secure e-mail (the PDF attached, to an address in
    PORTAL_SECURE_EMAIL_DOMAINS only; the e-mail goes through the outbox) or marked for the post
    (the next print batch gathers it). The letter is filed as sent either way."""
    now = now or timezone.now()
    letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
    if letter is None:
        raise LetterError("There is no such letter.")
    if letter.status != Letter.Status.DRAFT:
        raise LetterError(f"This letter is already {letter.get_status_display().lower()}: {TAKEN}")
    if method == Letter.Method.EMAIL:
        if not letter.recipient_email:
            raise LetterError({"method": "The letter has no e-mail address: print it for the post instead."})
        if not is_secure_address(letter.recipient_email):
            raise LetterError(
                {
                    "method": f"{letter.recipient_email} is not a secure e-mail address (NHSmail): a "
                    "letter with patient details goes only to a secure address. Print it for the post."
                }
            )
        letter.status = Letter.Status.SENT
        enqueue("letters.tasks.letter_email", letter.pk)
    elif method == Letter.Method.POST:
        if not letter.recipient_address:
            raise LetterError({"method": "The letter has no postal address: regenerate it with one."})
        letter.status = Letter.Status.TO_POST
    else:
        raise LetterError({"method": "Choose how the letter goes."})
    letter.method = method
    letter.sent_at = now
    letter.sent_by = by
    letter._change_reason = f"Sent ({method}) by user {by.pk}"
    letter.save(update_fields=["status", "method", "sent_at", "sent_by"])
    logger.info("Letter %s sent (%s) by user %s", letter.pk, method, by.pk)
    return letter


@transaction.atomic
def letter_email_deliver(*, letter_id: int, now: datetime.datetime | None = None) -> bool:
    """E-mail a sent letter's PDF, once: the letter is claimed by setting `emailed_at`, so a
    redelivered task sends nothing. The address is checked again (the secure domains may have
    changed): an address no longer secure is not sent to, and the office is told by the log."""
    now = now or timezone.now()
    letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
    if letter is None or letter.emailed_at is not None or letter.method != Letter.Method.EMAIL:
        return False
    if not is_secure_address(letter.recipient_email):
        logger.warning("Letter %s not e-mailed: its address is not on a secure domain", letter.pk)
        return False
    letter.emailed_at = now
    letter.save(update_fields=["emailed_at"])
    message = EmailMessage(
        subject=one_line(f"Letter from the {settings.LETTERS_NETWORK_NAME}"),
        body=render_to_string("letters/email/letter.txt", {"letter": letter}),
        to=[letter.recipient_email],
        attachments=[(letter.filename, bytes(letter.pdf), "application/pdf")],
    )
    message.send()
    return True


@transaction.atomic
def print_batch_create(*, by=None, now: datetime.datetime | None = None) -> PrintBatch | None:
    """Gather every letter marked for the post and not yet printed into one PDF for the MDT
    office, oldest first, and mark them printed. None when there is nothing to post. Letters are
    claimed under lock, so two runs never print the same letter twice."""
    now = now or timezone.now()
    letters = list(Letter.objects.select_for_update().to_post().order_by("sent_at", "pk"))
    if not letters:
        return None
    batch = PrintBatch.objects.create(
        created_at=now, created_by=by, pdf=render_pdfs_as_one([letter.html for letter in letters])
    )
    for letter in letters:
        letter.print_batch = batch
        letter.status = Letter.Status.PRINTED
        letter._change_reason = f"Printed in batch {batch.pk}"
        letter.save(update_fields=["print_batch", "status"])
    logger.info("Print batch %s made with %s letters", batch.pk, len(letters))
    return batch


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
