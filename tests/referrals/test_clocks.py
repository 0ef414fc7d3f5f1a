"""Waiting-time clocks: 28-day FDS, 62-day and 31-day standards, across month ends."""

import datetime

import pytest

from referrals.rules import ClockState, handover_day_38, waiting_time_clocks

D = datetime.date


def clocks(**kwargs):
    values = {
        "received_on": D(2026, 1, 20),
        "diagnosis_communicated_on": None,
        "decision_to_treat_on": None,
        "first_treatment_on": None,
        "today": D(2026, 1, 25),
    }
    values.update(kwargs)
    return {clock.standard: clock for clock in waiting_time_clocks(**values)}


def test_fds_due_date_crosses_a_month_end_into_february():
    fds = clocks()["fds_28"]
    assert fds.due_date == D(2026, 2, 17)
    assert fds.days_elapsed == 5
    assert fds.state == ClockState.ON_TRACK


def test_62_day_clock_across_february_and_a_leap_year():
    assert clocks(received_on=D(2028, 1, 31), today=D(2028, 2, 1))["rtt_62"].due_date == D(2028, 4, 2)
    assert clocks(received_on=D(2026, 1, 31), today=D(2026, 2, 1))["rtt_62"].due_date == D(2026, 4, 3)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2026, 2, 9), ClockState.ON_TRACK),  # day 20
        (D(2026, 2, 10), ClockState.AT_RISK),  # day 21
        (D(2026, 2, 17), ClockState.AT_RISK),  # day 28, the due date
        (D(2026, 2, 18), ClockState.BREACHED),  # day 29
    ],
)
def test_fds_states_by_day(today, state):
    assert clocks(today=today)["fds_28"].state == state


def test_62_day_at_risk_from_day_50_across_february():
    day_49 = clocks(today=D(2026, 3, 10))["rtt_62"]
    assert (day_49.days_elapsed, day_49.state) == (49, ClockState.ON_TRACK)
    day_50 = clocks(today=D(2026, 3, 11))["rtt_62"]
    assert (day_50.days_elapsed, day_50.state) == (50, ClockState.AT_RISK)
    assert day_50.due_date == D(2026, 3, 23)


def test_clock_met_when_stopped_on_the_due_date_and_breached_a_day_later():
    assert (
        clocks(diagnosis_communicated_on=D(2026, 2, 17), today=D(2026, 3, 1))["fds_28"].state
        == ClockState.MET
    )
    late = clocks(diagnosis_communicated_on=D(2026, 2, 18), today=D(2026, 3, 1))["fds_28"]
    assert late.state == ClockState.BREACHED
    assert late.days_elapsed == 29


def test_31_day_clock_starts_at_decision_to_treat():
    not_started = clocks()["dtt_31"]
    assert not_started.state == ClockState.NOT_STARTED
    assert not_started.due_date is None
    started = clocks(decision_to_treat_on=D(2026, 3, 30), today=D(2026, 4, 2))["dtt_31"]
    assert started.due_date == D(2026, 4, 30)
    assert started.days_elapsed == 3
    treated = clocks(
        decision_to_treat_on=D(2026, 3, 30), first_treatment_on=D(2026, 4, 30), today=D(2026, 5, 9)
    )
    assert treated["dtt_31"].state == ClockState.MET
    assert treated["rtt_62"].state == ClockState.BREACHED  # 100 days after referral


def test_at_risk_days_are_a_setting():
    assert clocks(today=D(2026, 2, 5), at_risk_day={"fds_28": 14})["fds_28"].state == ClockState.AT_RISK


def test_handover_day_38():
    assert handover_day_38(D(2026, 1, 31)) == D(2026, 3, 10)


def test_the_clock_that_matters_is_the_live_clock_due_soonest():
    from referrals.rules import clock_that_matters

    # Diagnosis on time: the 28-day clock is met, so the 62-day one matters.
    assert (
        clock_that_matters(tuple(clocks(diagnosis_communicated_on=D(2026, 2, 1)).values())).standard
        == "rtt_62"
    )
    # Diagnosis late: the breached 28-day clock stays the one that matters, due before the rest.
    late = clock_that_matters(tuple(clocks(diagnosis_communicated_on=D(2026, 2, 18)).values()))
    assert (late.standard, late.state) == ("fds_28", ClockState.BREACHED)
    # A 31-day clock due first wins; on a tie with the 28-day clock, the 28-day clock (rules order).
    assert (
        clock_that_matters(tuple(clocks(decision_to_treat_on=D(2026, 1, 16)).values())).standard == "dtt_31"
    )
    assert (
        clock_that_matters(tuple(clocks(decision_to_treat_on=D(2026, 1, 17)).values())).standard == "fds_28"
    )
    # Every clock met: none.
    done = clocks(
        diagnosis_communicated_on=D(2026, 2, 1),
        decision_to_treat_on=D(2026, 2, 2),
        first_treatment_on=D(2026, 2, 20),
    )
    assert clock_that_matters(tuple(done.values())) is None
