"""Display and tracking: at risk as a display state, which clock matters now, and when a
running clock reaches a day."""

import datetime

from .facts import Clock, ClockStatus, Date, PathwayClocks, Standard

# Display ------------------------------------------------------------------------------------------


def is_at_risk(clock: Clock, *, threshold_day: int) -> bool:
    """A running clock on or past `threshold_day` (e.g. day 50 of 62): a display state from the
    settings (`CWT_AT_RISK_DAY`), never a status of the clock itself."""
    return clock.status == ClockStatus.RUNNING and clock.days is not None and clock.days >= threshold_day


def display_status(clock: Clock, *, threshold_day: int) -> str:
    """The clock's status for a page: "at_risk" for a running clock at risk, else its status."""
    return "at_risk" if is_at_risk(clock, threshold_day=threshold_day) else clock.status.value


# Tracking: which clock matters now, and when a running clock reaches a day ---------------------

_STANDARD_ORDER = (Standard.FDS, Standard.RTT_62, Standard.DTT_31)


def is_running(clock: Clock) -> bool:
    """Started and not yet stopped or ended (a running clock past its due date is breached and
    still running)."""
    return (
        clock.applies
        and clock.stopped_on is None
        and clock.status in (ClockStatus.RUNNING, ClockStatus.BREACHED)
    )


def current_clock(clocks: PathwayClocks) -> Clock | None:
    """The clock the patient tracking list shows: the running clock due first (the FDS before
    the 62-day clock on a tie, as it is always the nearer milestone); with none running, a clock
    that stopped late (the pathway then waits for its breach reason), else the clock that stopped
    last; None when no clock ever started. A portal choice: the guidance defines the clocks, not
    which one a tracker looks at."""
    ordered = sorted(clocks, key=lambda clock: _STANDARD_ORDER.index(clock.standard))
    running = [clock for clock in ordered if is_running(clock)]
    if running:
        return min(running, key=lambda clock: clock.due)
    breached = [clock for clock in ordered if clock.status == ClockStatus.BREACHED]
    if breached:
        return breached[0]
    stopped = [clock for clock in ordered if clock.applies]
    return max(stopped, key=lambda clock: clock.stopped_on or clock.start) if stopped else None


def day_reached(clock: Clock, day: int) -> Date | None:
    """The date on which `clock`, if it keeps running, counts `day` days: its start plus `day`,
    later by the declined period when the count reaches the offered date before that day (the
    days of the period are adjusted off, so the count stands still through it). None for a clock
    that never started. With `day` = the target + 1 this is the first day of a breach; with the
    at-risk day, the first day shown at risk: stable dates, so a list can sort and filter on them
    without counting every clock every day."""
    if clock.start is None:
        return None
    plain = clock.start + datetime.timedelta(days=day)
    if clock.adjusted_from is None or clock.adjusted_until is None:
        return plain
    adjusted_from = max(clock.adjusted_from, clock.start)
    if clock.adjusted_until <= adjusted_from or plain <= adjusted_from:
        return plain
    return plain + (clock.adjusted_until - adjusted_from)
