"""Demo letters for the demo patients: the MDT office contacts of the two sarcoma services (directory
entries, proposed and approved like any), a past Royal Marsden MDT meeting at which a demo patient
was discussed, its outcome letters (to the referrer, and to the patient, who asked for it), a
returned referral's letter and the second-opinion letters each demo request has reached.

Invented throughout: numbers from Ofcom's drama range (020 7946 0xxx), addresses ending in
example.invalid. Idempotent: nothing is written twice."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from diagnostics import rules as diagnostics_rules
from diagnostics import services as diagnostics_services
from diagnostics.models import ReferralReturn
from directory.models import ChangeRequest, KeyContact
from directory.services import change_request_approve, change_request_propose
from mdt import services as mdt_services
from mdt.models import Mdt, MdtDiscussion, MdtMeeting
from referrals.models import Referral
from referrals.seed import synthetic_nhs_number
from second_opinions.models import SecondOpinionRequest

from . import rules, services
from .models import Letter

LONDON = ZoneInfo("Europe/London")

# (service code, label, demo phone number): what every letter of the service gives as its contact.
OFFICE_CONTACTS = [
    ("LSS", "MDT office, London Sarcoma Service", "020 7946 0110"),
    ("RMH", "MDT office, Royal Marsden Sarcoma Unit", "020 7946 0111"),
]
CONTACT_REASON = (
    "Letters (issue 20): the MDT office line every letter gives, demo number: confirm the real one."
)

# The demo patient discussed at a past MDT (Dev Dunmore, the fourth demo patient: treated, so an
# outcome changes no clock), and the demo patient whose referral is returned (Femi Fairway, a
# suspected bone sarcoma referred without an X-ray).
DISCUSSED_SERIAL = 3
RETURNED_SERIAL = 5
RECOMMENDATION = (
    "Resection of the retroperitoneal sarcoma at the Royal Marsden. CT of the chest before surgery to "
    "complete staging; MRI of the pelvis if the surgeons need it."
)


def load_office_contacts(*, proposer, approver) -> None:
    for code, label, phone in OFFICE_CONTACTS:
        if (
            KeyContact.objects.filter(label=label).exists()
            or ChangeRequest.objects.filter(proposed_values__label=label).exists()
        ):
            continue
        request = change_request_propose(
            proposer=proposer,
            kind=ChangeRequest.Kind.ADD,
            target_type=ChangeRequest.TargetType.KEY_CONTACT,
            values={
                "label": label,
                "service": code,
                "signpost": "",
                "phone_numbers": phone,
                "email": "",
                "active": True,
                "notes": "Demo number (Ofcom drama range): the SAG approves the real number.",
            },
            reason=CONTACT_REASON,
            notify=False,
        )
        change_request_approve(change_request_id=request.pk, approver=approver, notify=False)


def _past_discussion(*, office_user) -> MdtDiscussion | None:
    """A demo patient discussed at a held, quorate RMH meeting forty days after their referral,
    with the outcome recorded (and their wish to receive it)."""
    referral = Referral.objects.filter(patient__nhs_number=synthetic_nhs_number(DISCUSSED_SERIAL)).first()
    mdt = Mdt.objects.filter(code="RMH").first()
    if referral is None or mdt is None or referral.decision_to_treat_on is None:
        return None
    existing = MdtDiscussion.objects.filter(referral=referral).exclude(outcome="").first()
    if existing is not None:
        return existing
    day = referral.received_on + datetime.timedelta(days=40)
    starts_at = datetime.datetime.combine(day, mdt.start_time, tzinfo=LONDON)
    meeting, _ = MdtMeeting.objects.get_or_create(
        mdt=mdt, starts_at=starts_at, defaults={"cutoff_at": starts_at - datetime.timedelta(days=2)}
    )
    mdt_services.attendance_record(
        meeting_id=meeting.pk, present=list(mdt.core_member_practitioners()), by=office_user
    )
    if meeting.status != MdtMeeting.Status.HELD:
        mdt_services.meeting_mark_held(meeting_id=meeting.pk, by=office_user)
    discussion = MdtDiscussion.objects.create(
        meeting=meeting,
        referral=referral,
        question="Confirm the plan of care for this retroperitoneal sarcoma.",
        presenting_clinician=referral.responsible_consultant,
        imaging_available=True,
        pathology_available=True,
        referrer_email="referrer@example.invalid",
        added_at=meeting.cutoff_at - datetime.timedelta(days=1),
    )
    return mdt_services.outcome_record(
        discussion_id=discussion.pk,
        version=discussion.version,
        outcome=MdtDiscussion.Outcome.SURGERY,
        recommendation=RECOMMENDATION,
        decision_to_treat_on=referral.decision_to_treat_on,
        outcome_recipients=MdtDiscussion.Recipients.BOTH,
        referrer_email="referrer@example.invalid",
        by=office_user,
        now=starts_at + datetime.timedelta(hours=3),
    )


def _returned(*, office_user) -> ReferralReturn | None:
    """The demo referral returned for what it lacks (diagnostics' rule), recorded as
    diagnostics.services.referral_return records it but without queuing the referrer's e-mail:
    seed_demo queues no notification (a first run has no broker yet)."""
    referral = (
        Referral.objects.select_related("patient")
        .filter(patient__nhs_number=synthetic_nhs_number(RETURNED_SERIAL))
        .first()
    )
    if referral is None:
        return None
    existing = ReferralReturn.objects.filter(referral=referral).first()
    if existing is not None:
        return existing
    missing = diagnostics_rules.missing_information(diagnostics_services.referral_content(referral))
    if not missing or referral.status not in (Referral.Status.RECEIVED, Referral.Status.TRIAGED):
        return None
    return ReferralReturn.objects.create(
        referral=referral,
        returned_at=timezone.now(),
        returned_by=office_user,
        missing=missing,
        note="Demo: please send the X-ray and its report.",
    )


def _write(kind: str, source_id: int, *, office_user, name: str, address: str, email: str = "") -> None:
    if Letter.objects.filter(kind=kind, source__endswith=f":{source_id}").exists():
        return
    services.letter_generate(
        kind=kind,
        source_id=source_id,
        by=office_user,
        recipient_name=name,
        recipient_address=address,
        recipient_email=email,
    )


def load_demo_letters(*, office_user, sag_user) -> None:
    """The demo's letters, each a draft for the office to check and send (idempotent)."""
    load_office_contacts(proposer=office_user, approver=sag_user)
    discussion = _past_discussion(office_user=office_user)
    if discussion is not None:
        referral = discussion.referral
        patient = referral.patient
        _write(
            Letter.Kind.MDT_OUTCOME_REFERRER,
            discussion.pk,
            office_user=office_user,
            name=referral.referring_clinician or "The referring clinician",
            address="The Surgery (demo)\n1 High Street\nLondon SW3 1AA",
            email=discussion.referrer_email,
        )
        _write(
            Letter.Kind.MDT_OUTCOME_PATIENT,
            discussion.pk,
            office_user=office_user,
            name=f"{patient.given_name} {patient.family_name}",
            address=f"2 Demo Road\nLondon {patient.postcode}",
        )
    returned = _returned(office_user=office_user)
    if returned is not None:
        _write(
            Letter.Kind.REFERRAL_RETURNED,
            returned.pk,
            office_user=office_user,
            name=returned.referral.referring_clinician or "The referring clinician",
            address="The Surgery (demo)\n3 Station Road\nBromley BR1 3JJ",
        )
    for request in SecondOpinionRequest.objects.order_by("pk"):
        kinds = rules.second_opinion_letter_kinds(
            decision=request.decision,
            status=request.status,
            records_requested_on=request.records_requested_on,
            outcome=request.outcome,
        )
        _write(
            kinds[-1],
            request.pk,
            office_user=office_user,
            name=request.requester_name,
            address="4 Demo Avenue\nLondon",
        )
