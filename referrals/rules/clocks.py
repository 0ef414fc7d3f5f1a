"""Where a referral stands against the national cancer waiting-time standards, as the referral
pages show it (the full CWT counting is in waiting_times.rules)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

# Waiting-time clocks -----------------------------------------------------------------------------


class ClockState(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"


@dataclass(frozen=True)
class Clock:
    standard: str
    label: str
    target_days: int
    start: datetime.date | None
    stop: datetime.date | None
    due_date: datetime.date | None
    days_elapsed: int | None
    state: ClockState


# (standard, label, target days). CWT guidance v12.1 section 1.1: maximum 28 days from receipt of
# an urgent referral for suspected cancer to the date the patient is told of a diagnosis or that
# cancer is ruled out; maximum 62 days from receipt of an urgent referral to first definitive
# treatment; maximum 31 days from decision to treat to treatment.
STANDARDS = {
    "fds_28": ("28-day Faster Diagnosis Standard", 28),
    "rtt_62": ("62-day referral to first treatment", 62),
    "dtt_31": ("31-day decision to treat to first treatment", 31),
}
DEFAULT_AT_RISK_DAY = {"fds_28": 21, "rtt_62": 50, "dtt_31": 24}

# CWT guidance v12.1, inter-provider transfers: a 62-day pathway shared between trusts is
# re-allocated on breach if the referring trust transferred the patient by day 38.
HANDOVER_DAY = 38


def _clock(
    standard: str,
    start: datetime.date | None,
    stop: datetime.date | None,
    today: datetime.date,
    at_risk_day: int,
) -> Clock:
    label, target = STANDARDS[standard]
    if start is None:
        return Clock(standard, label, target, None, None, None, None, ClockState.NOT_STARTED)
    due = start + datetime.timedelta(days=target)
    end = stop or today
    elapsed = (end - start).days
    if stop is not None:
        state = ClockState.MET if stop <= due else ClockState.BREACHED
    elif today > due:
        state = ClockState.BREACHED
    elif elapsed >= at_risk_day:
        state = ClockState.AT_RISK
    else:
        state = ClockState.ON_TRACK
    return Clock(standard, label, target, start, stop, due, elapsed, state)


def waiting_time_clocks(
    *,
    received_on: datetime.date,
    diagnosis_communicated_on: datetime.date | None,
    decision_to_treat_on: datetime.date | None,
    first_treatment_on: datetime.date | None,
    today: datetime.date,
    at_risk_day: Mapping[str, int] | None = None,
) -> tuple[Clock, Clock, Clock]:
    """The three clocks of a referral, counted in calendar days from the day the clock starts
    (day 0): met when stopped on or before the due date, breached when stopped after it or still
    running past it, at risk from the `at_risk_day` of its standard (default day 21 of 28, 50 of
    62 and 24 of 31)."""
    days = {**DEFAULT_AT_RISK_DAY, **(at_risk_day or {})}
    return (
        _clock("fds_28", received_on, diagnosis_communicated_on, today, days["fds_28"]),
        _clock("rtt_62", received_on, first_treatment_on, today, days["rtt_62"]),
        _clock("dtt_31", decision_to_treat_on, first_treatment_on, today, days["dtt_31"]),
    )


LIVE_STATES = (ClockState.ON_TRACK, ClockState.AT_RISK, ClockState.BREACHED)


def clock_that_matters(clocks: tuple[Clock, ...]) -> Clock | None:
    """The clock a coordinator acts on: of the running clocks and those breached (running past
    their due date, or stopped after it), the one due soonest; on a tie the first in `clocks`
    (the 28-day, then the 62-day, then the 31-day). None when every clock is met or not started.
    `ReferralQuerySet.with_clock_that_matters` computes the same in the database."""
    live = [clock for clock in clocks if clock.state in LIVE_STATES and clock.due_date]
    return min(live, key=lambda clock: clock.due_date) if live else None


def handover_day_38(received_on: datetime.date) -> datetime.date:
    """The date by which a transferred patient should reach the treating trust (day 38 of 62)."""
    return received_on + datetime.timedelta(days=HANDOVER_DAY)
