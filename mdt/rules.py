"""Pure rules for MDT meetings: data in, decision out, no database.

- When an MDT meets: its weekly slot is a local time in London, so a 08:00 meeting is 08:00 GMT in
  winter and 08:00 BST in summer (07:00 UTC). A slot on a bank holiday moves to the next working
  day (the network's choice, setting MDT_BANK_HOLIDAY_MEETINGS; "cancel" skips it instead).
- The case-list cut-off: noon, a set number of working days before the meeting; weekends and
  England-and-Wales bank holidays (the maintained `holidays` package) are not working days.
- Quoracy: every speciality in the MDT's quorum rule has a core member of that MDT present (or a
  named deputy covering one: the deputy counts for their own speciality); a spinal case also
  needs a surgeon the SAG designated for spinal surgery present, since spine and sarcoma MDTs
  "work jointly". An outcome from a meeting not held or not quorate carries a caveat and a reason.
- Attendance: each core member's share of held meetings attended, or covered by a named deputy,
  against the expectation of at least two thirds.
- Reminders: when each one falls due. A sweep sends whatever is due on or before now and not yet
  sent, so a skipped run loses nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
CUTOFF_TIME = datetime.time(12, 0)  # the case list closes at noon on the cut-off day
READINESS_CHASE_TIME = datetime.time(9, 0)  # the chase goes out at 09:00 the working day before
CASE_LIST_LEAD = datetime.timedelta(hours=26)  # an hourly sweep still lands >= 24 h before
MISSING_OUTCOME_AFTER = datetime.timedelta(days=1)
ATTENDANCE_EXPECTATION = Fraction(2, 3)
ATTENDANCE_WINDOW_DAYS = 365


def bank_holidays(years: Iterable[int]) -> frozenset[datetime.date]:
    """England and Wales bank holidays for the given years."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=sorted(set(years))).keys())


def closed_days_around(*days: datetime.date) -> frozenset[datetime.date]:
    """The bank holidays of the years around the given days (enough for any cut-off)."""
    return bank_holidays({year for day in days for year in (day.year - 1, day.year, day.year + 1)})


def is_working_day(day: datetime.date, closed: Collection[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in closed


def working_days_before(day: datetime.date, count: int, closed: Collection[datetime.date]) -> datetime.date:
    """The date `count` working days before `day` (0: `day` itself if it is a working day, else
    the working day before it)."""
    current = day
    if count == 0:
        while not is_working_day(current, closed):
            current -= datetime.timedelta(days=1)
        return current
    remaining = count
    while remaining:
        current -= datetime.timedelta(days=1)
        if is_working_day(current, closed):
            remaining -= 1
    return current


def local_datetime(day: datetime.date, at: datetime.time) -> datetime.datetime:
    """An aware datetime for a London wall-clock time (GMT or BST as that day has it)."""
    return datetime.datetime.combine(day, at, tzinfo=LONDON)


def cutoff_at(
    meeting_day: datetime.date, working_days: int, closed: Collection[datetime.date]
) -> datetime.datetime:
    """Noon, `working_days` working days before the meeting day."""
    return local_datetime(working_days_before(meeting_day, working_days, closed), CUTOFF_TIME)


BANK_HOLIDAY_MOVE = "move"
BANK_HOLIDAY_CANCEL = "cancel"


@dataclass(frozen=True)
class PlannedMeeting:
    starts_at: datetime.datetime
    cutoff_at: datetime.datetime
    moved_from: datetime.date | None = None  # the bank holiday the slot fell on


def next_working_day(day: datetime.date, closed: Collection[datetime.date]) -> datetime.date:
    """The first working day after `day`."""
    current = day + datetime.timedelta(days=1)
    while not is_working_day(current, closed):
        current += datetime.timedelta(days=1)
    return current


def meeting_schedule(
    *,
    weekday: int,
    start_time: datetime.time,
    cutoff_working_days: int,
    from_day: datetime.date,
    weeks_ahead: int,
    closed: Collection[datetime.date],
    skip_days: Collection[datetime.date] = (),
    bank_holiday: str = BANK_HOLIDAY_MOVE,
) -> list[PlannedMeeting]:
    """The meetings of a weekly slot from `from_day` up to `weeks_ahead` weeks later. A slot on a
    bank holiday (`closed`) moves to the next working day, rather than leaving a fortnight between
    discussions (`bank_holiday` "cancel": it is skipped). Days that already have a meeting or a
    cancelled one (`skip_days`) are skipped, so a moved meeting is created once."""
    first = from_day + datetime.timedelta(days=(weekday - from_day.weekday()) % 7)
    last = from_day + datetime.timedelta(weeks=weeks_ahead)
    planned = []
    day = first
    while day <= last:
        meets_on, moved_from = day, None
        if day in closed:
            meets_on, moved_from = next_working_day(day, closed), day
        if not (moved_from and bank_holiday == BANK_HOLIDAY_CANCEL) and meets_on not in skip_days:
            planned.append(
                PlannedMeeting(
                    starts_at=local_datetime(meets_on, start_time),
                    cutoff_at=cutoff_at(meets_on, cutoff_working_days, closed),
                    moved_from=moved_from,
                )
            )
        day += datetime.timedelta(weeks=1)
    return planned


@dataclass(frozen=True)
class Quoracy:
    quorate: bool
    missing: tuple[str, ...]


def quoracy(*, present_specialities: Iterable[str], required: Iterable[str]) -> Quoracy:
    """Quorate when every required speciality has at least one person present (a deputy counts
    for their own speciality)."""
    present = set(present_specialities)
    missing = tuple(sorted(set(required) - present))
    return Quoracy(quorate=not missing, missing=missing)


SPINAL_SURGEON = "spinal_surgeon"  # in `missing`: no designated spinal surgeon present


@dataclass(frozen=True)
class Attendee:
    """One row of a meeting's attendance, as the quorum needs it."""

    practitioner_id: int
    speciality: str
    deputy_for_id: int | None = None
    designation_scope: str = ""


def meeting_quoracy(
    *,
    attendees: Iterable[Attendee],
    core_ids: Collection[int],
    required: Iterable[str],
    core_members_only: bool = True,
) -> Quoracy:
    """Quorate when every required speciality has a core member of the MDT present, or a deputy
    named as covering a core member (the deputy counts for their own speciality). With
    `core_members_only` off (setting MDT_QUORUM_CORE_MEMBERS_ONLY), anyone present counts."""
    counted = [
        a.speciality
        for a in attendees
        if not core_members_only or a.practitioner_id in core_ids or a.deputy_for_id in core_ids
    ]
    return quoracy(present_specialities=counted, required=required)


def case_quoracy(*, meeting: Quoracy, spinal_case: bool, attendees: Iterable[Attendee]) -> Quoracy:
    """The meeting's quoracy for one case: a spinal case also needs a surgeon the SAG designated
    for spinal surgery present ("a Sarcoma Specialist Centre where spine MDTs and sarcoma MDTs work
    jointly")."""
    if not spinal_case or any(a.designation_scope == "spinal_surgery" for a in attendees):
        return meeting
    return Quoracy(quorate=False, missing=(*meeting.missing, SPINAL_SURGEON))


def outcome_caveat(*, held: bool, quoracy: Quoracy, labels: Mapping[str, str]) -> str:
    """What an outcome must say about the meeting it came from: not (yet) marked as held, or not
    quorate and what was missing. Empty when neither."""
    parts = []
    if not held:
        parts.append("recorded before the meeting was marked as held")
    if not quoracy.quorate:
        missing = ", ".join(labels.get(code, code) for code in quoracy.missing)
        parts.append(f"the meeting was not quorate for this case (missing: {missing})")
    return "; ".join(parts)


@dataclass(frozen=True)
class AttendanceShare:
    member_id: int
    attended: int
    meetings: int
    share: Fraction | None
    meets_expectation: bool | None


def attendance_shares(
    *, member_ids: Iterable[int], covered_per_meeting: Iterable[Collection[int]]
) -> list[AttendanceShare]:
    """Each core member's share of the meetings at which they were present or covered by a named
    deputy. `covered_per_meeting` holds, per held meeting, the ids present or deputised for."""
    meetings = list(covered_per_meeting)
    shares = []
    for member_id in member_ids:
        attended = sum(1 for covered in meetings if member_id in covered)
        share = Fraction(attended, len(meetings)) if meetings else None
        shares.append(
            AttendanceShare(
                member_id=member_id,
                attended=attended,
                meetings=len(meetings),
                share=share,
                meets_expectation=None if share is None else share >= ATTENDANCE_EXPECTATION,
            )
        )
    return shares


def attendance_window_start(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=ATTENDANCE_WINDOW_DAYS)


# Reminders --------------------------------------------------------------------------------------


def readiness_chase_due_at(
    meeting_cutoff_at: datetime.datetime, closed: Collection[datetime.date]
) -> datetime.datetime:
    """09:00 on the working day before the cut-off day."""
    cutoff_day = meeting_cutoff_at.astimezone(LONDON).date()
    return local_datetime(working_days_before(cutoff_day, 1, closed), READINESS_CHASE_TIME)


def case_list_due_at(
    *, starts_at: datetime.datetime, meeting_cutoff_at: datetime.datetime
) -> datetime.datetime:
    """When the list closes, but never later than 26 hours before the meeting."""
    return min(meeting_cutoff_at, starts_at - CASE_LIST_LEAD)


def missing_outcome_due_at(starts_at: datetime.datetime) -> datetime.datetime:
    return starts_at + MISSING_OUTCOME_AFTER


def outcome_not_sent_due_at(starts_at: datetime.datetime, days: int) -> datetime.datetime:
    return starts_at + datetime.timedelta(days=days)


def needs_readiness_chase(*, imaging_available: bool, pathology_available: bool) -> bool:
    return not (imaging_available and pathology_available)


def is_due(
    due_at: datetime.datetime, now: datetime.datetime, *, until: datetime.datetime | None = None
) -> bool:
    """Due on or before now (a missed run sends it late rather than never), and, where a reminder
    stops being useful (a case list after the meeting started), not past `until`."""
    return due_at <= now and (until is None or now < until)


def outcome_addressees(recipients: str) -> tuple[str, ...]:
    """Who gets an outcome, from the patient's recorded wishes."""
    return {"referrer": ("referrer",), "patient": ("patient",), "both": ("referrer", "patient")}[recipients]


def default_mdt_code(
    *,
    previous_code: str | None,
    referring_service_codes: Mapping[str, str],
    referrer_ods: str | None,
    routed_code: str | None = None,
) -> str | None:
    """Which MDT a referral goes to for "add to next meeting": the MDT that discussed it before,
    else the one MDT its routing decision names (issue 16: "must be discussed in the London
    Sarcoma Service MDT"; a decision naming "LSS or RMH" leaves the choice), else the MDT of the
    service the referring organisation belongs to, else none (the office chooses)."""
    if previous_code:
        return previous_code
    if routed_code and " or " not in routed_code:
        return routed_code
    if referrer_ods and referrer_ods in referring_service_codes:
        return referring_service_codes[referrer_ods]
    return None


NOT_STARTED = "An outcome can be recorded only once the meeting has started."


def outcome_refusal(*, cancelled: bool, starts_at: datetime.datetime, now: datetime.datetime) -> str:
    """Why no outcome can be recorded for a case at this meeting yet, or "" when one can: not at
    a cancelled meeting, and not before the meeting has started (the MDT has not discussed it)."""
    if cancelled:
        return "The meeting was cancelled: no outcome can be recorded. Move the case to another meeting."
    if starts_at > now:
        local = starts_at.astimezone(LONDON)
        return f"{NOT_STARTED} It starts on {local:%A} {local.day} {local:%B %Y at %H:%M}."
    return ""
