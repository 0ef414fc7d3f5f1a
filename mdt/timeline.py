"""What the MDT adds to a patient's timeline (referrals/timeline.py asks through the setting
REFERRAL_TIMELINE_SOURCES, so referrals/ imports no mdt code): a case put on a meeting's list,
moved to another meeting, its outcome recorded and its outcome sent. A read, from the
discussions' history (django-simple-history)."""

from django.utils import timezone
from django.utils.text import capfirst

from referrals.models import Patient, Referral
from referrals.timeline import TimelineEntry, person, referral_label

from .models import MdtDiscussion, MdtMeeting

SENT_TO = {
    MdtDiscussion.Recipients.REFERRER: "the referring clinician",
    MdtDiscussion.Recipients.PATIENT: "the patient",
    MdtDiscussion.Recipients.BOTH: "the referring clinician and the patient",
}


def _meeting_words(meeting: MdtMeeting | None) -> str:
    if meeting is None:
        return "a meeting since removed"
    starts = timezone.localtime(meeting.starts_at)
    return f"the {meeting.mdt.name} meeting of {starts.day} {starts:%B %Y} at {starts:%H:%M}"


def _entries_for(records, referral: Referral, meetings: dict[int, MdtMeeting]) -> list[TimelineEntry]:
    entries = []
    previous = None
    label = referral_label(referral)
    for record in records:
        who = capfirst(person(record.history_user))
        meeting = _meeting_words(meetings.get(record.meeting_id))
        if record.history_type == "+":
            entries.append(
                TimelineEntry(
                    record.history_date,
                    who,
                    f"{label} added to the case list of {meeting}",
                    f"Question for the MDT: {record.question}" if record.question else "",
                )
            )
        elif previous is not None and record.history_type == "~":
            if record.meeting_id != previous.meeting_id:
                reason = (record.history_change_reason or "").removeprefix("Moved: ")
                entries.append(
                    TimelineEntry(
                        record.history_date,
                        who,
                        f"{label} moved to {meeting}",
                        f"Reason: {reason}" if reason else "",
                    )
                )
            if record.outcome_recorded_at and record.outcome_recorded_at != previous.outcome_recorded_at:
                outcome = record.get_outcome_display() or "no outcome"
                corrected = "corrected" if previous.outcome_recorded_at else "recorded"
                detail = f"Outcome: {outcome}."
                if record.decision_to_treat_on:
                    when = record.decision_to_treat_on
                    detail += f" Decision to treat on {when.day} {when:%B %Y}."
                entries.append(
                    TimelineEntry(record.history_date, who, f"MDT outcome {corrected} at {meeting}", detail)
                )
            if record.outcome_sent_at and not previous.outcome_sent_at:
                recipients = SENT_TO.get(record.outcome_sent_to, "")
                entries.append(
                    TimelineEntry(
                        record.outcome_sent_at,
                        who,
                        f"MDT outcome of {meeting} sent" + (f" to {recipients}" if recipients else ""),
                    )
                )
        elif record.history_type == "-":
            entries.append(
                TimelineEntry(record.history_date, who, f"{label} taken off the case list of {meeting}")
            )
        previous = record
    return entries


def referral_timeline_entries(
    *, patient: Patient, referrals: list[Referral], user=None
) -> list[TimelineEntry]:
    """The MDT events of these referrals the user may see (all of them for the office)."""
    by_id = {referral.pk: referral for referral in referrals}
    discussions = MdtDiscussion.objects.filter(referral_id__in=by_id)
    if user is not None:
        discussions = discussions.visible_to(user)
    ids = set(discussions.values_list("pk", flat=True))
    records = list(
        MdtDiscussion.history.filter(id__in=ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    meetings = MdtMeeting.objects.select_related("mdt").in_bulk({record.meeting_id for record in records})
    entries = []
    for discussion_id in ids:
        own = [record for record in records if record.id == discussion_id]
        if own:
            entries += _entries_for(own, by_id[own[0].referral_id], meetings)
    return entries
