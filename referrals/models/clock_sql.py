"""The clock that matters (`rules.clock_that_matters` of `Referral.clocks`) computed by the
database, so that a list of referrals can sort by it: its standard, due date, state on a day and
a rank of that state. The rules stay the definition; tests/referrals/test_clock_sql.py checks that
these expressions give the same answer on every combination of recorded dates that matters.

Each clock is due `target` days after its start (rules.waiting_time_clocks); it is live (running,
or breached) when it has started and has not stopped on or before its due date. Of the live
clocks the one due soonest wins, the first in rules order on a tie (as `min` picks)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast

from .. import rules

# rules.waiting_time_clocks's three clocks, in its order: (standard, start field, stop field).
CLOCK_DATES = (
    ("fds_28", "received_on", "diagnosis_communicated_on"),
    ("rtt_62", "received_on", "first_treatment_on"),
    ("dtt_31", "decision_to_treat_on", "first_treatment_on"),
)
# The order of the admin's Clock column: nothing running, then on track, at risk, breached.
STATE_RANK = {
    None: 0,
    rules.ClockState.ON_TRACK: 1,
    rules.ClockState.AT_RISK: 2,
    rules.ClockState.BREACHED: 3,
}


def _due(standard: str) -> str:
    return f"_clock_due_{standard}"


def _live(standard: str, start: str, stop: str) -> Q:
    """Started, and not stopped on or before its due date (rules._clock: MET if stop <= due)."""
    return Q(**{f"{start}__isnull": False}) & (
        Q(**{f"{stop}__isnull": True}) | Q(**{f"{stop}__gt": F(_due(standard))})
    )


def _wins(index: int) -> Q:
    """The clock at `index` is the one that matters: live, due before every live clock ahead of it
    in rules order and no later than every live clock after it."""
    standard, start, stop = CLOCK_DATES[index]
    wins = _live(standard, start, stop)
    for other_index, (other, other_start, other_stop) in enumerate(CLOCK_DATES):
        if other_index == index:
            continue
        lookup = "lt" if other_index < index else "lte"
        wins &= ~_live(other, other_start, other_stop) | Q(**{f"{_due(standard)}__{lookup}": F(_due(other))})
    return wins


def _state(standard: str, start: str, stop: str, today: datetime.date, at_risk_day: int) -> Case:
    """The state on `today` of a live clock (rules._clock): stopped (after its due date) or past
    its due date is breached; from its at-risk day, at risk; else on track."""
    target = rules.STANDARDS[standard][1]
    return Case(
        When(Q(**{f"{stop}__isnull": False}), then=Value(rules.ClockState.BREACHED.value)),
        When(
            Q(**{f"{start}__lt": today - datetime.timedelta(days=target)}),
            then=Value(rules.ClockState.BREACHED.value),
        ),
        When(
            Q(**{f"{start}__lte": today - datetime.timedelta(days=at_risk_day)}),
            then=Value(rules.ClockState.AT_RISK.value),
        ),
        default=Value(rules.ClockState.ON_TRACK.value),
    )


def with_clock_that_matters(queryset: models.QuerySet, today: datetime.date) -> models.QuerySet:
    """`queryset` annotated with the clock that matters on `today`: `clock_standard` (None when no
    clock is running or breached), `clock_due_on`, `matters_state` (a rules.ClockState value) and
    `clock_rank` (STATE_RANK: 0 with none). Not `clock_state`: an annotation of that name hid the
    method Referral.clock_state() that the admin's clock-state filter calls (a 500)."""
    at_risk = {**rules.DEFAULT_AT_RISK_DAY, **settings.REFERRAL_AT_RISK_DAY}
    queryset = queryset.alias(
        **{
            _due(standard): Cast(
                F(start) + datetime.timedelta(days=rules.STANDARDS[standard][1]), models.DateField()
            )
            for standard, start, _ in CLOCK_DATES
        }
    )
    wins = [_wins(index) for index in range(len(CLOCK_DATES))]
    return queryset.annotate(
        clock_standard=Case(
            *(
                When(win, then=Value(standard))
                for win, (standard, _, _) in zip(wins, CLOCK_DATES, strict=True)
            ),
            default=Value(None),
            output_field=models.CharField(),
        ),
        clock_due_on=Case(
            *(
                When(win, then=F(_due(standard)))
                for win, (standard, _, _) in zip(wins, CLOCK_DATES, strict=True)
            ),
            default=Value(None),
            output_field=models.DateField(),
        ),
        matters_state=Case(
            *(
                When(win, then=_state(standard, start, stop, today, at_risk[standard]))
                for win, (standard, start, stop) in zip(wins, CLOCK_DATES, strict=True)
            ),
            default=Value(None),
            output_field=models.CharField(),
        ),
    ).annotate(
        clock_rank=Case(
            *(
                When(matters_state=state.value, then=Value(rank))
                for state, rank in STATE_RANK.items()
                if state
            ),
            default=Value(0),
            output_field=models.IntegerField(),
        )
    )
