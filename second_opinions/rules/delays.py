"""What a delay would mean against the patient's running clocks (issue 16)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

# What a delay would mean against the patient's running clocks (issue 16) ---------------------------

# The osteosarcoma patient guide (shared/seeds/second-opinion-patient-guide-osteosarcoma.txt).
DELAY_ADVICE = (
    "Therefore, if seeking a second opinion will delay treatment it is important to discuss with your "
    "doctor the impact, if any, this delay could have."
)


@dataclass(frozen=True)
class DelayImpact:
    """One running waiting-time clock, today and if treatment waited `delay_days` longer."""

    label: str
    target_days: int
    days_elapsed: int
    due_date: datetime.date
    delay_days: int
    days_past_due_after_delay: int  # 0: still within the standard after the delay

    @property
    def text(self) -> str:
        today = (
            f"{self.label}: day {self.days_elapsed} of {self.target_days} today, due {self.due_date:%d/%m/%Y}"
        )
        after = self.days_elapsed + self.delay_days
        if self.days_past_due_after_delay:
            outcome = f"{self.days_past_due_after_delay} days past the standard"
        else:
            outcome = "still within the standard"
        waited = f"If treatment waited {self.delay_days} days for a second opinion: day {after}"
        return f"{today}. {waited}, {outcome}."


def delay_impact(*, clocks: Iterable, today: datetime.date, delay_days: int) -> list[DelayImpact]:
    """For each clock still running on `today` (started, not stopped: the referrals' waiting-time
    clocks), where it stands and where it would stand `delay_days` later."""
    impacts = []
    for clock in clocks:
        if clock.start is None or clock.stop is not None or clock.due_date is None:
            continue
        elapsed = (today - clock.start).days
        past_due = (today + datetime.timedelta(days=delay_days) - clock.due_date).days
        impacts.append(
            DelayImpact(
                label=clock.label,
                target_days=clock.target_days,
                days_elapsed=elapsed,
                due_date=clock.due_date,
                delay_days=delay_days,
                days_past_due_after_delay=max(past_due, 0),
            )
        )
    return impacts
