import datetime

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage

from mdt import tasks as mdt_tasks
from mdt.models import MdtMeeting, MdtReminderSent
from mdt.rules import LONDON
from portal.celery import app
from tests.factories import (
    DiscussedMdtDiscussionFactory,
    HeldMeetingFactory,
    MdtDiscussionFactory,
    MdtFactory,
    MdtPractitionerFactory,
    PlannedMeetingFactory,
    ReadyMdtDiscussionFactory,
    ReceivedReferralFactory,
    set_core_members,
)

pytestmark = pytest.mark.django_db


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def _run(task, when: datetime.datetime) -> int:
    with time_machine.travel(when, tick=False):
        return task.delay().get()


def _sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def meeting(clinician):
    """Wednesday 2 December 2026 08:00; list closes Monday 30 November at noon; three core members."""
    mdt = MdtFactory(name="London Sarcoma Service", location="Room 1", video_link="https://video.example/mdt")
    set_core_members(
        mdt,
        [
            MdtPractitionerFactory(speciality=s, email=f"{s}@example.invalid")
            for s in ("surgery", "radiology", "pathology")
        ],
    )
    return PlannedMeetingFactory(mdt=mdt)


# Meetings ahead ---------------------------------------------------------------------------------


def test_the_daily_task_creates_meetings_ahead_once():
    MdtFactory(weeks_ahead=4)
    MdtFactory(weeks_ahead=4, active=False)
    assert _run(mdt_tasks.mdt_generate_meetings, _at(2026, 11, 24, 2, 10)) == 4  # 25 Nov to 16 Dec
    assert _run(mdt_tasks.mdt_generate_meetings, _at(2026, 11, 24, 2, 10)) == 0  # a duplicate run
    assert _run(mdt_tasks.mdt_generate_meetings, _at(2026, 11, 25, 2, 10)) == 1  # the window moves on: 23 Dec
    assert MdtMeeting.objects.count() == 5


# Readiness chase --------------------------------------------------------------------------------


def test_readiness_chase_goes_once_the_working_day_before_cutoff_to_clinicians_with_unready_cases(
    meeting, clinician, other_clinician
):
    unready = MdtDiscussionFactory(meeting=meeting, presenting_clinician=clinician)
    ReadyMdtDiscussionFactory(meeting=meeting, presenting_clinician=other_clinician)
    assert _run(mdt_tasks.mdt_send_readiness_chases, _at(2026, 11, 27, 8, 59)) == 0
    assert _run(mdt_tasks.mdt_send_readiness_chases, _at(2026, 11, 27, 9, 5)) == 1
    assert _sent_to() == [clinician.email]
    assert f"referral {unready.referral_id}" in mail.outbox[0].body
    assert "imaging: MISSING" in mail.outbox[0].body
    # The next hourly run and a duplicate delivery send nothing more.
    assert _run(mdt_tasks.mdt_send_readiness_chases, _at(2026, 11, 27, 10, 5)) == 0
    assert _run(mdt_tasks.mdt_send_readiness_chases, _at(2026, 11, 27, 10, 5)) == 0
    assert len(mail.outbox) == 1


def test_readiness_chase_missed_on_its_day_goes_on_the_next_run_but_not_after_the_meeting(meeting, clinician):
    MdtDiscussionFactory(meeting=meeting, presenting_clinician=clinician)
    assert _run(mdt_tasks.mdt_send_readiness_chases, _at(2026, 11, 29, 11, 0)) == 1  # Friday was skipped
    late = PlannedMeetingFactory(mdt=meeting.mdt, starts_at=_at(2026, 11, 25, 8, 0))
    MdtDiscussionFactory(meeting=late, presenting_clinician=clinician)
    assert _run(mdt_tasks.mdt_send_readiness_chases, _at(2026, 11, 29, 12, 0)) == 0  # that meeting is over
    assert len(mail.outbox) == 1


# Case list and invitation -----------------------------------------------------------------------


def test_case_list_goes_once_to_each_core_member_at_least_24_hours_before(meeting, clinician):
    discussion = MdtDiscussionFactory(
        meeting=meeting, presenting_clinician=clinician, referral__patient__family_name="Quillfeatherstone"
    )
    assert _run(mdt_tasks.mdt_send_case_lists, _at(2026, 11, 30, 11, 59)) == 0
    assert _run(mdt_tasks.mdt_send_case_lists, _at(2026, 11, 30, 12, 15)) == 3
    assert _sent_to() == ["pathology@example.invalid", "radiology@example.invalid", "surgery@example.invalid"]
    assert meeting.starts_at - _at(2026, 11, 30, 12, 15) >= datetime.timedelta(hours=24)
    assert f"Referral {discussion.referral_id}" in mail.outbox[0].body
    assert discussion.referral.patient.family_name not in mail.outbox[0].body
    assert _run(mdt_tasks.mdt_send_case_lists, _at(2026, 11, 30, 13, 15)) == 0
    assert len(mail.outbox) == 3


def test_case_list_carries_an_icalendar_invitation(meeting, clinician):
    discussion = MdtDiscussionFactory(
        meeting=meeting, presenting_clinician=clinician, referral__patient__family_name="Quillfeatherstone"
    )
    _run(mdt_tasks.mdt_send_case_lists, _at(2026, 11, 30, 12, 15))
    message = next(m for m in mail.outbox if m.to == ["surgery@example.invalid"])
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == meeting.starts_at
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert event.decoded("dtend") == meeting.starts_at + datetime.timedelta(minutes=120)
    assert str(event["uid"]) == f"mdt-meeting-{meeting.pk}@lsesn-sarcoma-portal"
    assert str(event["location"]) == "Room 1"
    assert str(event["attendee"]) == "mailto:surgery@example.invalid"
    text = content if isinstance(content, str) else content.decode()
    assert discussion.referral.patient.family_name not in text
    assert discussion.referral.patient.nhs_number not in text


def test_case_list_missed_at_cutoff_still_goes_before_the_meeting(meeting):
    assert _run(mdt_tasks.mdt_send_case_lists, _at(2026, 12, 1, 9, 0)) == 3  # Monday's runs were skipped
    assert _run(mdt_tasks.mdt_send_case_lists, _at(2026, 12, 2, 8, 30)) == 0  # the meeting has started
    assert len(mail.outbox) == 3


def test_a_worker_killed_mid_run_sends_the_rest_on_the_next_run_and_repeats_nothing(meeting, monkeypatch):
    real_send = EmailMessage.send
    calls = {"n": 0}

    def dies_on_the_second_send(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", dies_on_the_second_send)
    with pytest.raises(SystemExit):
        _run(mdt_tasks.mdt_send_case_lists, _at(2026, 11, 30, 12, 15))
    assert len(mail.outbox) == 1
    assert MdtReminderSent.objects.count() == 1  # the interrupted send left no record
    assert _run(mdt_tasks.mdt_send_case_lists, _at(2026, 11, 30, 13, 15)) == 2
    assert len(_sent_to()) == len(set(_sent_to())) == 3


# After the meeting ------------------------------------------------------------------------------


@pytest.fixture
def held(office_user):
    return HeldMeetingFactory(starts_at=_at(2026, 11, 18, 8, 0))


def test_missing_outcome_reminder_goes_once_to_the_office_a_day_after(held, office_user):
    pending = MdtDiscussionFactory(meeting=held)
    DiscussedMdtDiscussionFactory(meeting=held)
    assert _run(mdt_tasks.mdt_send_missing_outcome_reminders, _at(2026, 11, 19, 7, 59)) == 0
    assert _run(mdt_tasks.mdt_send_missing_outcome_reminders, _at(2026, 11, 19, 8, 25)) == 1
    assert _sent_to() == [office_user.email]
    assert f"/mdt/discussions/{pending.pk}/outcome/" in mail.outbox[0].body
    assert _run(mdt_tasks.mdt_send_missing_outcome_reminders, _at(2026, 11, 19, 9, 25)) == 0
    assert len(mail.outbox) == 1


def test_missing_outcome_reminder_after_skipped_days_and_to_the_mdts_own_office_address(held):
    held.mdt.office_email = "lss.mdt@example.invalid"
    held.mdt.save()
    MdtDiscussionFactory(meeting=held)
    assert _run(mdt_tasks.mdt_send_missing_outcome_reminders, _at(2026, 11, 23, 8, 25)) == 1
    assert _sent_to() == ["lss.mdt@example.invalid"]


def test_outcome_not_sent_reminder_after_the_set_number_of_days(held, office_user, settings):
    settings.MDT_OUTCOME_SEND_REMINDER_DAYS = 3
    unsent = DiscussedMdtDiscussionFactory(meeting=held)
    DiscussedMdtDiscussionFactory(
        meeting=held, outcome_sent_at=_at(2026, 11, 19, 10, 0), outcome_sent_to="referrer"
    )
    assert _run(mdt_tasks.mdt_send_outcome_not_sent_reminders, _at(2026, 11, 21, 7, 59)) == 0
    assert _run(mdt_tasks.mdt_send_outcome_not_sent_reminders, _at(2026, 11, 21, 8, 35)) == 1
    assert f"referral {unsent.referral_id}" in mail.outbox[0].body
    assert _run(mdt_tasks.mdt_send_outcome_not_sent_reminders, _at(2026, 11, 24, 8, 35)) == 0
    assert len(mail.outbox) == 1


def test_no_reminders_for_a_cancelled_meeting(meeting, clinician, office_user):
    MdtDiscussionFactory(meeting=meeting, presenting_clinician=clinician, referral=ReceivedReferralFactory())
    meeting.status = MdtMeeting.Status.CANCELLED
    meeting.save()
    for task in (
        mdt_tasks.mdt_send_readiness_chases,
        mdt_tasks.mdt_send_case_lists,
        mdt_tasks.mdt_send_missing_outcome_reminders,
        mdt_tasks.mdt_send_outcome_not_sent_reminders,
    ):
        assert _run(task, _at(2026, 12, 20, 9, 0)) == 0
    assert mail.outbox == []


def test_every_mdt_task_is_on_the_beat_schedule():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "mdt.tasks.mdt_generate_meetings",
        "mdt.tasks.mdt_send_readiness_chases",
        "mdt.tasks.mdt_send_case_lists",
        "mdt.tasks.mdt_send_missing_outcome_reminders",
        "mdt.tasks.mdt_send_outcome_not_sent_reminders",
        "mdt.tasks.mdt_send_cancellations",
        "mdt.tasks.mdt_close_lists",
    } <= scheduled


def test_a_case_moved_to_a_later_meeting_is_reminded_about_again_for_that_meeting(held, office_user):
    from mdt import services as mdt_services

    discussion = MdtDiscussionFactory(meeting=held)
    assert _run(mdt_tasks.mdt_send_missing_outcome_reminders, _at(2026, 11, 19, 8, 25)) == 1
    later = PlannedMeetingFactory(mdt=held.mdt)  # Wednesday 2 December
    mdt_services.discussion_move(
        discussion_id=discussion.pk,
        to_meeting_id=later.pk,
        reason="Not reached: deferred",
        by=office_user,
        now=_at(2026, 11, 19, 9, 0),
    )
    assert _run(mdt_tasks.mdt_send_missing_outcome_reminders, _at(2026, 11, 19, 10, 25)) == 0
    assert _run(mdt_tasks.mdt_send_missing_outcome_reminders, _at(2026, 12, 3, 8, 25)) == 1
    assert len(mail.outbox) == 2


def test_a_cancelled_meeting_sends_a_calendar_cancellation_once_to_those_invited(
    meeting, office_user, django_capture_on_commit_callbacks
):
    from mdt import services as mdt_services

    _run(mdt_tasks.mdt_send_case_lists, _at(2026, 11, 30, 12, 15))
    mail.outbox.clear()
    with (
        time_machine.travel(_at(2026, 11, 30, 15, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        mdt_services.meeting_cancel(meeting_id=meeting.pk, reason="Bank holiday swap", by=office_user)
    assert _sent_to() == ["pathology@example.invalid", "radiology@example.invalid", "surgery@example.invalid"]
    assert "CANCELLED" in mail.outbox[0].subject
    (_, content, _) = mail.outbox[0].attachments[0]
    calendar = icalendar.Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "CANCEL"
    assert (str(event["status"]), event["sequence"]) == ("CANCELLED", 1)
    assert str(event["uid"]) == f"mdt-meeting-{meeting.pk}@lsesn-sarcoma-portal"
    assert _run(mdt_tasks.mdt_send_cancellations, _at(2026, 11, 30, 15, 45)) == 0
    assert len(mail.outbox) == 3


def test_case_lists_close_at_the_cutoff_even_after_a_missed_run(meeting):
    cancelled = PlannedMeetingFactory(
        mdt=meeting.mdt, starts_at=_at(2026, 11, 25, 8, 0), status=MdtMeeting.Status.CANCELLED
    )
    assert _run(mdt_tasks.mdt_close_lists, _at(2026, 11, 30, 11, 1)) == 0
    assert _run(mdt_tasks.mdt_close_lists, _at(2026, 11, 30, 15, 1)) == 1
    assert _run(mdt_tasks.mdt_close_lists, _at(2026, 11, 30, 16, 1)) == 0
    meeting.refresh_from_db()
    cancelled.refresh_from_db()
    assert (meeting.status, cancelled.status) == (MdtMeeting.Status.LIST_CLOSED, MdtMeeting.Status.CANCELLED)
    # The last row written (by id), whatever the real clock says against the travelled one.
    last = meeting.history.order_by("history_id").last()
    assert last.history_change_reason == "List closed at the cut-off"
