"""Writes for MDT discussions: cases on a meeting's list, their readiness, outcomes and the
outcome e-mails; and the calendar-feed token.

Transitions lock their row (select_for_update inside the transaction, so the history row is
written too) and re-check its state, so the second of two concurrent saves is refused with
"another user got there first". Bad input raises ValidationError keyed by the field it is about.

The reminder sweeps are in reminders.py; outcome e-mails use the same record-once send.
"""

from __future__ import annotations

import datetime
import logging
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from directory.models import Service
from referrals.models import Patient, Referral
from referrals.services import referral_mdt_listed, referral_mdt_outcome_recorded

from .. import rules
from ..models import (
    Mdt,
    MdtCalendarToken,
    MdtDiscussion,
    MdtMeeting,
    MdtReminderSent,
    PatientOutcomePreference,
)
from .meetings import QUORUM_LABELS, TAKEN, MdtError, discussion_quoracy, meeting_for_update
from .reminders import OPEN, build_email, local_text, office_addresses, practitioner_address, send_once

logger = logging.getLogger(__name__)


# Discussions ------------------------------------------------------------------------------------


def _recorded_recipients(patient: Patient) -> str:
    preference = PatientOutcomePreference.objects.filter(patient=patient).first()
    return preference.recipients if preference else PatientOutcomePreference.Recipients.REFERRER


@transaction.atomic
def discussion_add(
    *,
    meeting_id: int,
    referral: Referral,
    by,
    question: str = "",
    presenting_clinician=None,
    imaging_available: bool = False,
    pathology_available: bool = False,
    late_addition_reason: str = "",
    referrer_email: str = "",
    now: datetime.datetime | None = None,
) -> MdtDiscussion:
    """Put a referral on a meeting's case list. After the cut-off (or once the list is closed) a
    reason is required. Who gets the outcome starts from the patient's recorded wishes."""
    now = now or timezone.now()
    meeting = meeting_for_update(meeting_id)
    if meeting.status not in OPEN or meeting.starts_at <= now:
        raise MdtError({"meeting": "That meeting has taken place or is cancelled: choose a later one."})
    late = now >= meeting.cutoff_at or meeting.status == MdtMeeting.Status.LIST_CLOSED
    if late and not late_addition_reason.strip():
        raise MdtError(
            {
                "late_addition_reason": (
                    f"The case list closed at {local_text(meeting.cutoff_at)}: give the reason this case "
                    "must be added late."
                )
            }
        )
    if meeting.discussions.filter(referral=referral).exists():
        raise MdtError({"referral": f"Referral {referral.pk} is already on this meeting's list."})
    discussion = MdtDiscussion.objects.create(
        meeting=meeting,
        referral=referral,
        question=question.strip(),
        presenting_clinician=presenting_clinician or referral.responsible_consultant,
        imaging_available=imaging_available,
        pathology_available=pathology_available,
        late_addition_reason=late_addition_reason.strip() if late else "",
        referrer_email=referrer_email,
        outcome_recipients=_recorded_recipients(referral.patient),
        added_at=now,
    )
    referral_mdt_listed(referral_id=referral.pk, meeting_label=str(meeting), by=by)
    logger.info("Referral %s added to MDT meeting %s by user %s", referral.pk, meeting.pk, by.pk)
    return discussion


@transaction.atomic
def discussion_list_unplanned_excision(
    *, referral: Referral, by, now: datetime.datetime | None = None
) -> str:
    """An unplanned excision was recorded: put the case on the next list of its MDT, flagged as an
    unplanned excision ("Sarcoma services must be structured and managed to reduce the number of
    unplanned excisions"), or flag it where it is already listed for a meeting to come. Returns
    what was done, for the office; a case that cannot be listed says why (no MDT known, no open
    list), and nothing is refused. Diagnostics calls this through UNPLANNED_EXCISION_STEPS."""
    now = now or timezone.now()
    listed = (
        MdtDiscussion.objects.select_for_update()
        .filter(referral=referral, outcome="", meeting__status__in=OPEN, meeting__starts_at__gt=now)
        .select_related("meeting")
        .order_by("meeting__starts_at")
        .first()
    )
    if listed is not None:
        listed.unplanned_excision = True
        listed._change_reason = "Unplanned excision recorded"
        listed.save(update_fields=["unplanned_excision"])
        return f"Flagged as an unplanned excision on the case list of {listed.meeting}."
    mdt = mdt_for_referral(referral)
    if mdt is None:
        return "Not put on an MDT list: no MDT is known for this referral. Add it to its MDT's next list."
    meeting = next_open_meeting(mdt=mdt, now=now)
    if meeting is None:
        return f"Not put on an MDT list: {mdt.name} has no meeting with an open case list. Add it by hand."
    where = referral.unplanned_excision_organisation
    discussion = discussion_add(
        meeting_id=meeting.pk,
        referral=referral,
        by=by,
        question=f"Unplanned excision{f' at {where.name}' if where else ''}: plan further management.",
        now=now,
    )
    discussion.unplanned_excision = True
    discussion._change_reason = "Listed for an unplanned excision"
    discussion.save(update_fields=["unplanned_excision"])
    return f"Put on the case list of {meeting}, flagged as an unplanned excision."


def mdt_for_referral(referral: Referral) -> Mdt | None:
    """The MDT "add to next meeting" uses: the one that discussed the referral before, else the
    one its routing names, else the MDT of the referring organisation's service, else none (the
    office chooses)."""
    return mdt_choice_for_referral(referral)[0]


def mdt_choice_for_referral(referral: Referral) -> tuple[Mdt | None, str]:
    """mdt_for_referral with the reason in words, for the page that preselects it; with no MDT,
    the reason says why none was chosen."""
    previous = referral.mdt_discussions.select_related("meeting__mdt").order_by("-meeting__starts_at").first()
    by_org = {}
    for mdt in Mdt.objects.filter(active=True).prefetch_related("service__organisations"):
        for org in mdt.service.organisations.all():
            by_org.setdefault(org.ods_code, mdt.code)
    org = referral.referring_organisation
    routed = (referral.routing_decision or {}).get("mdt")
    code = rules.default_mdt_code(
        previous_code=previous.meeting.mdt.code if previous else None,
        referring_service_codes=by_org,
        referrer_ods=org.ods_code if org else None,
        routed_code=routed,
    )
    mdt = Mdt.objects.filter(code=code, active=True).first() if code else None
    if mdt is None:
        if routed and " or " in routed:
            return None, f"Routing leaves the choice of MDT ({routed}): choose one."
        return None, "No MDT is known for this referral: choose one."
    if previous and previous.meeting.mdt.code == code:
        return mdt, "it discussed this referral before"
    if routed == code:
        return mdt, "the referral's routing chose it"
    return mdt, "it serves the referring organisation"


def mdt_lead_addresses_for_referral(referral: Referral) -> list[str]:
    """Who is told of a clinically urgent override of the pathway on this referral: the lead of the
    MDT that plans its care, else that MDT's office, else every MDT office user. Referral services
    ask this through the setting REFERRAL_MDT_LEAD_ADDRESSES."""
    mdt = mdt_for_referral(referral)
    lead = mdt.lead if mdt else None
    if lead is not None and lead.active and (address := practitioner_address(lead)):
        return [address]
    return office_addresses(mdt)


def next_open_meeting(*, mdt: Mdt, now: datetime.datetime | None = None) -> MdtMeeting | None:
    """The MDT's next planned meeting whose case list is still open."""
    now = now or timezone.now()
    return (
        mdt.meetings.filter(status=MdtMeeting.Status.PLANNED, cutoff_at__gt=now, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )


@transaction.atomic
def discussion_add_to_next(
    *, referral: Referral, mdt: Mdt | None, by, question: str = "", now: datetime.datetime | None = None
) -> MdtDiscussion:
    """Put a referral on the next meeting of `mdt` (or the referral's usual MDT) whose list is open."""
    now = now or timezone.now()
    mdt = mdt or mdt_for_referral(referral)
    if mdt is None:
        raise MdtError({"mdt": mdt_choice_for_referral(referral)[1]})
    meeting = next_open_meeting(mdt=mdt, now=now)
    if meeting is None:
        raise MdtError({"mdt": f"{mdt.name} has no meeting with an open case list: create meetings first."})
    return discussion_add(meeting_id=meeting.pk, referral=referral, by=by, question=question, now=now)


@transaction.atomic
def discussion_move(
    *,
    discussion_id: int,
    to_meeting_id: int,
    reason: str,
    by,
    from_meeting_id: int | None = None,
    now: datetime.datetime | None = None,
) -> MdtDiscussion:
    """Move a case to another meeting. The same row moves, so its history shows every meeting it
    was on, with the reason as the history's change reason. `from_meeting_id` is the meeting the
    user saw the case on: if someone moved it meanwhile, this move is refused."""
    now = now or timezone.now()
    if not reason.strip():
        raise MdtError({"reason": "Give the reason the case is moving."})
    discussion = MdtDiscussion.objects.select_for_update().get(pk=discussion_id)
    if from_meeting_id is not None and discussion.meeting_id != from_meeting_id:
        raise MdtError(TAKEN)
    if discussion.outcome:
        raise MdtError("The case already has an outcome: add it to a later meeting instead of moving it.")
    target = meeting_for_update(to_meeting_id)
    if target.pk == discussion.meeting_id:
        raise MdtError({"to_meeting": "The case is already on that meeting."})
    if target.status not in OPEN or target.starts_at <= now:
        raise MdtError({"to_meeting": "That meeting has taken place or is cancelled: choose a later one."})
    if target.discussions.filter(referral_id=discussion.referral_id).exists():
        raise MdtError({"to_meeting": "That meeting already has this referral on its list."})
    discussion.meeting = target
    discussion._change_reason = f"Moved: {reason.strip()}"[:100]
    discussion.save(update_fields=["meeting"])
    logger.info("MDT discussion %s moved to meeting %s by user %s", discussion.pk, target.pk, by.pk)
    return discussion


@transaction.atomic
def discussion_readiness_set(
    *, discussion_id: int, imaging_available: bool, pathology_available: bool, by
) -> None:
    """Record whether the case's imaging and pathology are ready for the meeting."""
    discussion = MdtDiscussion.objects.select_for_update().get(pk=discussion_id)
    discussion.imaging_available = imaging_available
    discussion.pathology_available = pathology_available
    discussion._change_reason = f"Readiness set by user {by.pk}"
    discussion.save(update_fields=["imaging_available", "pathology_available"])


def outcome_refusal_for(meeting: MdtMeeting, *, now: datetime.datetime | None = None) -> str:
    """Why no outcome can be recorded at `meeting` now, or "" (mdt.rules.outcome_refusal)."""
    return rules.outcome_refusal(
        cancelled=meeting.status == MdtMeeting.Status.CANCELLED,
        starts_at=meeting.starts_at,
        now=now or timezone.now(),
    )


def discussion_outcome_caveat(discussion: MdtDiscussion) -> str:
    """What an outcome recorded now would have to say about its meeting (not marked as held, not
    quorate for this case), for the outcome page; empty when nothing."""
    return rules.outcome_caveat(
        held=discussion.meeting.status == MdtMeeting.Status.HELD,
        quoracy=discussion_quoracy(discussion),
        labels=QUORUM_LABELS,
    )


@transaction.atomic
def outcome_record(
    *,
    discussion_id: int,
    version: int,
    outcome: str,
    recommendation: str,
    decision_to_treat_on: datetime.date | None,
    outcome_recipients: str,
    referrer_email: str = "",
    patient_email: str = "",
    agreed_treatment_centre: Service | None = None,
    outcome_caveat_reason: str = "",
    by,
    now: datetime.datetime | None = None,
) -> MdtDiscussion:
    """Record (or correct, until it is sent) a discussion's outcome. `version` is the one the
    user's form was built from: if someone saved in between, this save is refused. The patient's
    wishes (who gets the outcome, their e-mail) are recorded on the patient for next time.

    An outcome for a meeting not marked as held, or not quorate for this case (its core members
    from the directory; a spinal case's designated spinal surgeon), is refused without a reason;
    with one it is recorded with a caveat saying so, shown wherever the outcome is. An alternative
    centre the MDT agreed for planned treatment is recorded on the referral, where the first
    treatment's centre is checked against it."""
    now = now or timezone.now()
    if outcome not in MdtDiscussion.Outcome.values:
        raise MdtError({"outcome": "Choose the outcome category."})
    if not recommendation.strip():
        raise MdtError({"recommendation": "Write the MDT's recommendation."})
    if outcome_recipients not in MdtDiscussion.Recipients.values:
        raise MdtError({"outcome_recipients": "Choose who receives the outcome."})
    discussion = (
        MdtDiscussion.objects.select_for_update().select_related("meeting", "referral").get(pk=discussion_id)
    )
    if discussion.version != version:
        raise MdtError(TAKEN)
    if discussion.outcome_sent_at:
        raise MdtError("The outcome has been sent and can no longer be changed.")
    refusal = outcome_refusal_for(discussion.meeting, now=now)
    if refusal:
        raise MdtError(refusal)
    if decision_to_treat_on and decision_to_treat_on < timezone.localdate(discussion.meeting.starts_at):
        raise MdtError({"decision_to_treat_on": "The decision to treat cannot be before the meeting."})
    caveat = discussion_outcome_caveat(discussion)
    caveat_reason = outcome_caveat_reason.strip() if caveat else ""
    if caveat and not caveat_reason:
        raise MdtError(
            {
                "outcome_caveat_reason": f"This outcome would be {caveat}: give the reason it is "
                "recorded anyway, or record the attendance and mark the meeting as held first."
            }
        )
    discussion.outcome_caveat = caveat[:300]
    discussion.outcome_caveat_reason = caveat_reason
    discussion.agreed_treatment_centre = agreed_treatment_centre
    discussion.outcome = outcome
    discussion.recommendation = recommendation.strip()
    discussion.decision_to_treat_on = decision_to_treat_on
    discussion.outcome_recipients = outcome_recipients
    discussion.referrer_email = referrer_email
    discussion.outcome_recorded_at = now
    discussion.outcome_recorded_by = by
    discussion.version = version + 1
    discussion._change_reason = f"Outcome recorded by user {by.pk}"
    discussion.save()
    preference, _ = PatientOutcomePreference.objects.get_or_create(patient_id=discussion.referral.patient_id)
    preference.recipients = outcome_recipients
    if patient_email:
        preference.patient_email = patient_email
    preference.save()
    referral_mdt_outcome_recorded(
        referral_id=discussion.referral_id,
        outcome_on=timezone.localdate(discussion.meeting.starts_at),
        decision_to_treat_on=decision_to_treat_on,
        by=by,
        agreed_centre=agreed_treatment_centre,
        agreement_source=f"{discussion.meeting} (MDT discussion {discussion.pk})",
    )
    return discussion


@transaction.atomic
def outcome_send(*, discussion_id: int, by, now: datetime.datetime | None = None) -> MdtDiscussion:
    """Send the outcome to whom the patient wishes (referring clinician, patient or both) and
    record when it was sent. Refused if an address is missing or it was sent already."""
    now = now or timezone.now()
    discussion = (
        MdtDiscussion.objects.select_for_update()
        .select_related("meeting__mdt", "referral__patient")
        .get(pk=discussion_id)
    )
    if discussion.outcome_sent_at:
        raise MdtError("The outcome was sent already: another user got there first.")
    if not discussion.outcome:
        raise MdtError("Record the outcome before sending it.")
    preference = PatientOutcomePreference.objects.filter(patient=discussion.referral.patient).first()
    addresses = {}
    for addressee in rules.outcome_addressees(discussion.outcome_recipients):
        if addressee == "referrer":
            if not discussion.referrer_email:
                raise MdtError({"referrer_email": "Record the referring clinician's e-mail first."})
            addresses[MdtReminderSent.Kind.OUTCOME_TO_REFERRER] = (discussion.referrer_email, "referrer")
        else:
            if not (preference and preference.patient_email):
                raise MdtError(
                    {"patient_email": "The patient wishes to receive the outcome: record their e-mail first."}
                )
            addresses[MdtReminderSent.Kind.OUTCOME_TO_PATIENT] = (preference.patient_email, "patient")
    for kind, (address, audience) in addresses.items():
        send_once(
            kind=kind,
            object_id=discussion.pk,
            meeting_id=discussion.meeting_id,
            recipient=address,
            message=lambda audience=audience, address=address: build_email(
                f"MDT outcome: {discussion.meeting.mdt.name}",
                f"mdt/email/outcome_to_{audience}.txt",
                {"discussion": discussion, "patient": discussion.referral.patient},
                [address],
            ),
            now=now,
        )
    discussion.outcome_sent_at = now
    discussion.outcome_sent_to = discussion.outcome_recipients
    discussion._change_reason = f"Outcome sent by user {by.pk}"
    discussion.save(update_fields=["outcome_sent_at", "outcome_sent_to"])
    logger.info("MDT outcome of discussion %s sent by user %s", discussion.pk, by.pk)
    return discussion


def referral_decision_to_treat_on(referral: Referral) -> datetime.date | None:
    """The first decision to treat the MDT recorded for the referral: the start of its 31-day
    clock (referrals.rules.waiting_time_clocks takes it as `decision_to_treat_on`)."""
    dates = referral.mdt_discussions.exclude(decision_to_treat_on=None).values_list(
        "decision_to_treat_on", flat=True
    )
    return min(dates, default=None)


def discussions_for_patient(patient: Patient, user) -> QuerySet[MdtDiscussion]:
    """A patient's MDT discussions the user may see, latest meeting first (for the patient page)."""
    return (
        MdtDiscussion.objects.visible_to(user)
        .filter(referral__patient=patient)
        .select_related("meeting__mdt", "presenting_clinician")
        .order_by("-meeting__starts_at")
    )


# Calendar feed ----------------------------------------------------------------------------------


@transaction.atomic
def calendar_token_get_or_create(*, user, reset: bool = False) -> MdtCalendarToken:
    """The user's calendar-feed secret; `reset` replaces it (the old URL stops working)."""
    token, created = MdtCalendarToken.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32), "created_at": timezone.now()}
    )
    if reset and not created:
        token.token = secrets.token_urlsafe(32)
        token.created_at = timezone.now()
        token.save(update_fields=["token", "created_at"])
    return token


def calendar_token_revoke_for_user(*, user, reason: str = "") -> int:
    """A deactivated account's calendar feed stops at once: its secret is deleted (a new one is
    made only if the account is active again and asks). Run by portal.services.user_deactivate
    through USER_DEACTIVATION_STEPS; returns how many tokens were removed."""
    deleted, _ = MdtCalendarToken.objects.filter(user=user).delete()
    return deleted


def meetings_presented_by(user) -> QuerySet[MdtMeeting]:
    """Meetings (not cancelled) where the user presents at least one case."""
    return (
        MdtMeeting.objects.filter(discussions__presenting_clinician=user)
        .exclude(status=MdtMeeting.Status.CANCELLED)
        .select_related("mdt")
        .distinct()
        .order_by("starts_at")
    )
