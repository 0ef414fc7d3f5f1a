import datetime
from fractions import Fraction

from mdt import rules

UTC = datetime.UTC
HOLIDAYS_2026 = rules.bank_holidays([2026, 2027])


def _utc(meeting: rules.PlannedMeeting) -> datetime.datetime:
    return meeting.starts_at.astimezone(UTC)


def test_bank_holidays_come_from_the_package_for_england_and_wales():
    assert datetime.date(2026, 4, 6) in HOLIDAYS_2026  # Easter Monday
    assert datetime.date(2026, 12, 28) in HOLIDAYS_2026  # Boxing Day (substitute day)
    assert datetime.date(2026, 3, 17) not in HOLIDAYS_2026  # St Patrick's Day: Northern Ireland only


def test_weekly_slot_keeps_london_wall_clock_time_when_the_clocks_go_back():
    # BST ends on Sunday 25 October 2026: 09:00 is 08:00 UTC before and 09:00 UTC after.
    meetings = rules.meeting_schedule(
        weekday=1,
        start_time=datetime.time(9, 0),
        cutoff_working_days=2,
        from_day=datetime.date(2026, 10, 13),
        weeks_ahead=2,
        closed=HOLIDAYS_2026,
    )
    assert [_utc(m) for m in meetings] == [
        datetime.datetime(2026, 10, 13, 8, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 20, 8, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 27, 9, 0, tzinfo=UTC),
    ]
    assert all(m.starts_at.astimezone(rules.LONDON).hour == 9 for m in meetings)


def test_weekly_slot_keeps_london_wall_clock_time_when_the_clocks_go_forward():
    # BST starts on Sunday 29 March 2026.
    meetings = rules.meeting_schedule(
        weekday=1,
        start_time=datetime.time(9, 0),
        cutoff_working_days=2,
        from_day=datetime.date(2026, 3, 24),
        weeks_ahead=1,
        closed=HOLIDAYS_2026,
    )
    assert [_utc(m) for m in meetings] == [
        datetime.datetime(2026, 3, 24, 9, 0, tzinfo=UTC),
        datetime.datetime(2026, 3, 31, 8, 0, tzinfo=UTC),
    ]


def test_cutoff_across_the_clock_change_is_noon_local_time():
    # Meeting Tuesday 27 October (GMT); two working days before is Friday 23 October (BST).
    meetings = rules.meeting_schedule(
        weekday=1,
        start_time=datetime.time(9, 0),
        cutoff_working_days=2,
        from_day=datetime.date(2026, 10, 27),
        weeks_ahead=0,
        closed=HOLIDAYS_2026,
    )
    assert meetings[0].cutoff_at.astimezone(UTC) == datetime.datetime(2026, 10, 23, 11, 0, tzinfo=UTC)


def test_cutoff_before_the_wednesday_after_easter_skips_good_friday_easter_monday_and_the_weekend():
    cutoff = rules.cutoff_at(datetime.date(2026, 4, 8), 2, HOLIDAYS_2026)
    # Tuesday 7 April is one working day back; Mon 6 (Easter Monday), the weekend and Fri 3
    # (Good Friday) are not working days, so the second is Thursday 2 April.
    assert cutoff == datetime.datetime(2026, 4, 2, 12, 0, tzinfo=rules.LONDON)


def test_cutoff_before_a_meeting_after_christmas_skips_the_boxing_day_substitute():
    cutoff = rules.cutoff_at(datetime.date(2026, 12, 30), 2, HOLIDAYS_2026)
    assert cutoff.date() == datetime.date(2026, 12, 24)


def test_cutoff_without_holidays_is_plain_working_days():
    assert rules.cutoff_at(datetime.date(2026, 12, 2), 2, frozenset()).date() == datetime.date(2026, 11, 30)
    assert rules.working_days_before(datetime.date(2026, 12, 5), 0, frozenset()) == datetime.date(2026, 12, 4)


def test_a_meeting_on_a_bank_holiday_moves_to_the_next_working_day():
    """Item 12: issue 16 changed this (the Easter Monday meeting used to be dropped, leaving two
    weeks between discussions). spinal-sarcoma-pathway-lsesn.txt: "Discussion should take place
    before treatment unless clinical urgency means this is not possible." """
    meetings = rules.meeting_schedule(
        weekday=0,
        start_time=datetime.time(13, 0),
        cutoff_working_days=1,
        from_day=datetime.date(2026, 3, 30),
        weeks_ahead=2,
        closed=HOLIDAYS_2026,
    )
    assert [m.starts_at.date() for m in meetings] == [
        datetime.date(2026, 3, 30),
        datetime.date(2026, 4, 7),  # Easter Monday, 6 April, moves to Tuesday
        datetime.date(2026, 4, 13),
    ]
    assert [m.moved_from for m in meetings] == [None, datetime.date(2026, 4, 6), None]
    # The cut-off is counted from the day it meets: noon on Thursday 2 April (Good Friday and the
    # Easter weekend are not working days).
    assert meetings[1].cutoff_at == datetime.datetime(2026, 4, 2, 12, 0, tzinfo=rules.LONDON)


def test_a_friday_meeting_on_good_friday_moves_past_easter_monday():
    """Item 12. spinal-sarcoma-pathway-lsesn.txt: "Discussion should take place before treatment
    unless clinical urgency means this is not possible." """
    [meeting] = rules.meeting_schedule(
        weekday=4, start_time=datetime.time(8, 0), cutoff_working_days=2,
        from_day=datetime.date(2026, 4, 3), weeks_ahead=0, closed=HOLIDAYS_2026,
    )  # fmt: skip
    assert meeting.starts_at.date() == datetime.date(2026, 4, 7)
    assert meeting.moved_from == datetime.date(2026, 4, 3)


def test_the_network_may_choose_to_cancel_a_bank_holiday_meeting_instead():
    """Item 12 (the network's choice, MDT_BANK_HOLIDAY_MEETINGS). spinal-sarcoma-pathway-lsesn.txt:
    "Discussion should take place before treatment unless clinical urgency means this is not
    possible." """
    meetings = rules.meeting_schedule(
        weekday=0, start_time=datetime.time(13, 0), cutoff_working_days=1,
        from_day=datetime.date(2026, 3, 30), weeks_ahead=2, closed=HOLIDAYS_2026, bank_holiday="cancel",
    )  # fmt: skip
    assert [m.starts_at.date() for m in meetings] == [datetime.date(2026, 3, 30), datetime.date(2026, 4, 13)]


def test_a_moved_meeting_already_made_or_cancelled_is_not_made_again():
    """Item 12. spinal-sarcoma-pathway-lsesn.txt: "Discussion should take place before treatment
    unless clinical urgency means this is not possible." """
    meetings = rules.meeting_schedule(
        weekday=0, start_time=datetime.time(13, 0), cutoff_working_days=1,
        from_day=datetime.date(2026, 4, 6), weeks_ahead=0, closed=HOLIDAYS_2026,
        skip_days={datetime.date(2026, 4, 7)},
    )  # fmt: skip
    assert meetings == []


def test_days_that_already_have_a_meeting_or_were_cancelled_are_skipped():
    meetings = rules.meeting_schedule(
        weekday=2,
        start_time=datetime.time(8, 0),
        cutoff_working_days=2,
        from_day=datetime.date(2026, 11, 24),
        weeks_ahead=3,
        closed=HOLIDAYS_2026,
        skip_days={datetime.date(2026, 12, 2)},
    )
    assert [m.starts_at.date() for m in meetings] == [datetime.date(2026, 11, 25), datetime.date(2026, 12, 9)]


def test_quorate_when_every_required_speciality_is_present():
    result = rules.quoracy(
        present_specialities=["surgery", "radiology", "pathology", "nursing"],
        required=["surgery", "radiology", "pathology"],
    )
    assert result == rules.Quoracy(quorate=True, missing=())


def test_not_quorate_names_the_missing_specialities():
    result = rules.quoracy(present_specialities=["surgery"], required=["surgery", "radiology", "pathology"])
    assert result == rules.Quoracy(quorate=False, missing=("pathology", "radiology"))


def test_no_rule_is_always_quorate():
    assert rules.quoracy(present_specialities=[], required=[]).quorate


def test_attendance_share_against_two_thirds():
    shares = rules.attendance_shares(member_ids=[1, 2, 3], covered_per_meeting=[{1, 2}, {1, 3}, {2}])
    assert [(s.member_id, s.attended, s.share, s.meets_expectation) for s in shares] == [
        (1, 2, Fraction(2, 3), True),
        (2, 2, Fraction(2, 3), True),
        (3, 1, Fraction(1, 3), False),
    ]


def test_attendance_share_with_no_meetings_has_no_verdict():
    (share,) = rules.attendance_shares(member_ids=[1], covered_per_meeting=[])
    assert (share.share, share.meets_expectation) == (None, None)


def test_readiness_chase_is_due_the_working_day_before_the_cutoff():
    cutoff = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=rules.LONDON)  # a Monday
    assert rules.readiness_chase_due_at(cutoff, HOLIDAYS_2026) == datetime.datetime(
        2026, 11, 27, 9, 0, tzinfo=rules.LONDON
    )
    after_easter = datetime.datetime(2026, 4, 7, 12, 0, tzinfo=rules.LONDON)
    assert rules.readiness_chase_due_at(after_easter, HOLIDAYS_2026).date() == datetime.date(2026, 4, 2)


def test_case_list_is_due_at_the_cutoff_and_never_later_than_26_hours_before():
    starts = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=rules.LONDON)
    early_cutoff = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=rules.LONDON)
    late_cutoff = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=rules.LONDON)
    assert rules.case_list_due_at(starts_at=starts, meeting_cutoff_at=early_cutoff) == early_cutoff
    assert rules.case_list_due_at(
        starts_at=starts, meeting_cutoff_at=late_cutoff
    ) == starts - datetime.timedelta(hours=26)


def test_due_means_on_or_before_now_and_before_it_stops_being_useful():
    due = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert not rules.is_due(due, due - datetime.timedelta(seconds=1))
    assert rules.is_due(due, due)
    assert rules.is_due(due, due + datetime.timedelta(days=3))  # a skipped day still sends
    assert not rules.is_due(due, due + datetime.timedelta(days=3), until=due + datetime.timedelta(days=2))


def test_outcome_and_office_reminders_fall_due_after_the_meeting():
    starts = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    assert rules.missing_outcome_due_at(starts) == datetime.datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert rules.outcome_not_sent_due_at(starts, 5) == datetime.datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_outcome_goes_to_whom_the_patient_wishes():
    assert rules.outcome_addressees("referrer") == ("referrer",)
    assert rules.outcome_addressees("patient") == ("patient",)
    assert rules.outcome_addressees("both") == ("referrer", "patient")


def test_default_mdt_is_the_previous_one_else_the_referring_organisations():
    services = {"RPY": "RMH", "RRV": "LSS"}
    assert (
        rules.default_mdt_code(previous_code="LSS", referring_service_codes=services, referrer_ods="RPY")
        == "LSS"
    )
    assert (
        rules.default_mdt_code(previous_code=None, referring_service_codes=services, referrer_ods="RPY")
        == "RMH"
    )
    assert (
        rules.default_mdt_code(previous_code=None, referring_service_codes=services, referrer_ods="XYZ")
        is None
    )


def test_no_outcome_before_the_meeting_starts_or_at_a_cancelled_meeting():
    """Service rule (mdt.services.outcome_record): "An outcome can be recorded only once the
    meeting has started"; a cancelled meeting discussed nothing."""
    outcome_refusal = rules.outcome_refusal
    starts = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=rules.LONDON)
    before = starts - datetime.timedelta(minutes=1)
    assert outcome_refusal(cancelled=False, starts_at=starts, now=before) == (
        "An outcome can be recorded only once the meeting has started. "
        "It starts on Wednesday 2 December 2026 at 08:00."
    )
    assert outcome_refusal(cancelled=False, starts_at=starts, now=starts) == ""
    assert "cancelled" in outcome_refusal(cancelled=True, starts_at=starts, now=starts)
