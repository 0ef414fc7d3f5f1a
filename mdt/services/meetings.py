"""Writes for MDT meetings: every state change and every write with side effects.

Transitions lock their row (select_for_update inside the transaction, so the history row is
written too) and re-check its state, so the second of two concurrent saves is refused with
"another user got there first". Bad input raises ValidationError keyed by the field it is about.

The reminder sweeps are in reminders.py; outcome e-mails use the same record-once send.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from directory.models import Practitioner
from portal.outbox import enqueue
from referrals.policy_rules import is_spinal_case

from .. import rules
from ..models import (
    Mdt,
    MdtAttendance,
    MdtDiscussion,
    MdtMeeting,
)
from .reminders import OPEN

logger = logging.getLogger(__name__)

TAKEN = "Another user got there first: reload the page to see their change."


class MdtError(ValidationError):
    """A refused MDT action; the message says why and, where it can, names the field."""


# Meetings ---------------------------------------------------------------------------------------


@transaction.atomic
def mdt_meetings_generate(*, mdt: Mdt, now: datetime.datetime | None = None) -> list[MdtMeeting]:
    """Create the MDT's meetings from its weekly slot up to `weeks_ahead` weeks ahead. A slot on a
    bank holiday moves to the next working day (or is skipped: MDT_BANK_HOLIDAY_MEETINGS). Days
    that already have a meeting (cancelled ones included) are skipped, so running it again, or
    after the office cancelled a date, creates nothing twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(weeks=mdt.weeks_ahead)
    taken = {
        timezone.localdate(starts_at)
        for starts_at in mdt.meetings.filter(
            starts_at__gte=now - datetime.timedelta(days=1),
            starts_at__lte=now + datetime.timedelta(weeks=mdt.weeks_ahead + 1),
        ).values_list("starts_at", flat=True)
    }
    planned = rules.meeting_schedule(
        weekday=mdt.weekday,
        start_time=mdt.start_time,
        cutoff_working_days=mdt.cutoff_working_days,
        from_day=today,
        weeks_ahead=mdt.weeks_ahead,
        closed=rules.closed_days_around(today, horizon),
        skip_days=taken,
        bank_holiday=settings.MDT_BANK_HOLIDAY_MEETINGS,
    )
    created = []
    for slot in planned:
        if slot.starts_at <= now:
            continue
        meeting, was_created = MdtMeeting.objects.get_or_create(
            mdt=mdt,
            starts_at=slot.starts_at,
            defaults={"cutoff_at": slot.cutoff_at, "moved_from": slot.moved_from},
        )
        if was_created:
            created.append(meeting)
    logger.info("MDT %s: %d meetings created", mdt.code, len(created))
    return created


def meeting_for_update(meeting_id: int) -> MdtMeeting:
    return MdtMeeting.objects.select_for_update().select_related("mdt").get(pk=meeting_id)


@transaction.atomic
def meeting_close_list(*, meeting_id: int, by) -> MdtMeeting:
    """Close a planned meeting's case list (later additions then need a reason)."""
    meeting = meeting_for_update(meeting_id)
    if meeting.status != MdtMeeting.Status.PLANNED:
        raise MdtError(
            f"The case list cannot be closed: the meeting is {meeting.get_status_display().lower()}."
        )
    meeting.status = MdtMeeting.Status.LIST_CLOSED
    meeting._change_reason = f"List closed by user {by.pk}"
    meeting.save(update_fields=["status"])
    return meeting


def meeting_lists_close_due(*, now: datetime.datetime | None = None) -> int:
    """Close the case list of every planned meeting whose cut-off has passed (a missed run
    closes them late, never not at all). Each meeting is claimed on its own."""
    now = now or timezone.now()
    closed = 0
    for meeting_id in MdtMeeting.objects.filter(
        status=MdtMeeting.Status.PLANNED, cutoff_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            meeting = meeting_for_update(meeting_id)
            if meeting.status != MdtMeeting.Status.PLANNED:
                continue  # closed or cancelled by someone else meanwhile
            meeting.status = MdtMeeting.Status.LIST_CLOSED
            meeting._change_reason = "List closed at the cut-off"
            meeting.save(update_fields=["status"])
            closed += 1
    logger.info("MDT case lists closed at cut-off: %d", closed)
    return closed


@transaction.atomic
def meeting_mark_held(*, meeting_id: int, by, now: datetime.datetime | None = None) -> MdtMeeting:
    """Record that a meeting took place (only once it has started)."""
    now = now or timezone.now()
    meeting = meeting_for_update(meeting_id)
    if meeting.status not in OPEN:
        raise MdtError(f"The meeting is already {meeting.get_status_display().lower()}.")
    if meeting.starts_at > now:
        raise MdtError("A meeting can be marked as held only once it has started.")
    meeting.status = MdtMeeting.Status.HELD
    meeting._change_reason = f"Marked held by user {by.pk}"
    meeting.save(update_fields=["status"])
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting_id: int, reason: str, by) -> MdtMeeting:
    """Cancel a meeting that has no cases left on its list (move them first)."""
    if not reason.strip():
        raise MdtError({"reason": "Give the reason the meeting is cancelled."})
    meeting = meeting_for_update(meeting_id)
    if meeting.status not in OPEN:
        raise MdtError(f"The meeting is already {meeting.get_status_display().lower()}.")
    cases = meeting.discussions.count()
    if cases:
        raise MdtError(f"Move the {cases} case(s) on this meeting's list to another meeting first.")
    meeting.status = MdtMeeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting._change_reason = f"Cancelled by user {by.pk}"
    meeting.save(update_fields=["status", "cancel_reason"])
    enqueue("mdt.tasks.mdt_send_cancellations", meeting.pk)
    return meeting


def _attendees(meeting: MdtMeeting) -> list[rules.Attendee]:
    return [
        rules.Attendee(
            practitioner_id=a.practitioner_id,
            speciality=a.practitioner.speciality,
            deputy_for_id=a.deputy_for_id,
            designation_scope=a.practitioner.designation_scope,
        )
        for a in meeting.attendance.select_related("practitioner")
    ]


def core_member_ids(mdt: Mdt) -> set[int]:
    """The MDT's core members now, from the directory."""
    return set(mdt.core_member_practitioners().values_list("pk", flat=True))


def meeting_quoracy(meeting: MdtMeeting) -> rules.Quoracy:
    """Whether the meeting is quorate: the MDT's quorum rule against the core members (from the
    directory) present or covered by a named deputy."""
    return rules.meeting_quoracy(
        attendees=_attendees(meeting),
        core_ids=core_member_ids(meeting.mdt),
        required=meeting.mdt.quorum_specialities,
        core_members_only=settings.MDT_QUORUM_CORE_MEMBERS_ONLY,
    )


def discussion_quoracy(discussion: MdtDiscussion, *, quorum: rules.Quoracy | None = None) -> rules.Quoracy:
    """The meeting's quoracy for one case (`quorum`: the meeting's, if already known): a spinal
    case also needs a designated spinal surgeon present."""
    meeting = discussion.meeting
    referral = discussion.referral
    return rules.case_quoracy(
        meeting=quorum or meeting_quoracy(meeting),
        spinal_case=is_spinal_case(pathway=referral.pathway, site=referral.site),
        attendees=_attendees(meeting),
    )


def meeting_case_quoracy(
    meeting: MdtMeeting, discussions, *, quorum: rules.Quoracy | None = None
) -> dict[int, rules.Quoracy]:
    """Each case's quoracy at the meeting, by discussion id, reading the attendance once."""
    attendees = _attendees(meeting)
    quorum = quorum or meeting_quoracy(meeting)
    return {
        d.pk: rules.case_quoracy(
            meeting=quorum,
            spinal_case=is_spinal_case(pathway=d.referral.pathway, site=d.referral.site),
            attendees=attendees,
        )
        for d in discussions
    }


QUORUM_LABELS = {**dict(Practitioner.Speciality.choices), rules.SPINAL_SURGEON: "a designated spinal surgeon"}


@transaction.atomic
def attendance_record(
    *,
    meeting_id: int,
    present: Iterable[Practitioner],
    deputies: Iterable[tuple[Practitioner, Practitioner]] = (),
    by,
) -> rules.Quoracy:
    """Record who was present (replacing what was recorded before). `deputies` pairs a deputy
    with the core member they covered for. Returns the meeting's quoracy."""
    meeting = meeting_for_update(meeting_id)
    if meeting.status == MdtMeeting.Status.CANCELLED:
        raise MdtError("A cancelled meeting has no attendance.")
    core_ids = core_member_ids(meeting.mdt)
    rows: dict[int, Practitioner | None] = {p.pk: None for p in present}
    for deputy, covered in deputies:
        if covered.pk not in core_ids:
            raise MdtError({"deputies": f"{covered} is not a core member of this MDT."})
        if deputy.pk == covered.pk:
            raise MdtError({"deputies": f"{deputy} cannot deputise for themselves."})
        if covered.pk in rows:
            raise MdtError({"deputies": f"{covered} was present, so needs no deputy."})
        rows[deputy.pk] = covered
    # QuerySet.delete() sends post_delete per row, so simple_history records each removal.
    meeting.attendance.all().delete()
    bulk_create_with_history(
        [
            MdtAttendance(meeting=meeting, practitioner_id=pk, deputy_for=covered)
            for pk, covered in rows.items()
        ],
        MdtAttendance,
        default_change_reason=f"Attendance recorded by user {by.pk}",
    )
    logger.info("Attendance recorded for MDT meeting %s by user %s", meeting.pk, by.pk)
    return meeting_quoracy(meeting)


def attendance_over_time(*, mdt: Mdt, today: datetime.date | None = None) -> list[dict]:
    """Each core member's share (core members now, from the directory) of the MDT's held meetings
    of the last 12 months attended or covered by a named deputy, against the two-thirds expectation."""
    today = today or timezone.localdate()
    since = rules.local_datetime(rules.attendance_window_start(today), datetime.time(0, 0))
    meetings = mdt.meetings.filter(status=MdtMeeting.Status.HELD, starts_at__gte=since).prefetch_related(
        "attendance"
    )
    covered = [
        {a.practitioner_id for a in m.attendance.all()} | {a.deputy_for_id for a in m.attendance.all()}
        for m in meetings
    ]
    members = list(mdt.core_member_practitioners())
    shares = rules.attendance_shares(member_ids=[m.pk for m in members], covered_per_meeting=covered)
    return [{"member": member, "share": share} for member, share in zip(members, shares, strict=True)]
