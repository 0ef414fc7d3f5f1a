"""The MDT office's performance chart: the share of clocks stopped in each month that met their
standard. A read built on the pure clock rules."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from portal import charts

from . import rules
from .models import Referral

STANDARDS = (("fds_28", "28-day FDS"), ("rtt_62", "62-day"), ("dtt_31", "31-day"))


@dataclass(frozen=True)
class MonthShare:
    standard: str
    label: str
    met: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.total) if self.total else None


def _month_start(day: datetime.date, back: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - back
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def standards_by_month(
    *, today: datetime.date, months: int = 6
) -> list[tuple[datetime.date, list[MonthShare]]]:
    """For each of the last `months` months (oldest first), per standard: how many clocks stopped
    in that month and how many of those stopped within the target."""
    first = _month_start(today, months - 1)
    counts: dict[tuple[datetime.date, str], list[int]] = {}
    # The four dates the clocks are counted from, as values: Referral.clocks's rule without making
    # 27,000 referrals into models at 1,000,000 (the home page took a second).
    stopped = Referral.objects.filter(
        Q(diagnosis_communicated_on__gte=first) | Q(first_treatment_on__gte=first)
    ).values_list(*Referral.CLOCK_DATES)
    for dates in stopped:
        clocks = Referral.clocks_from(*dates, today=today)
        for clock in clocks:
            if clock.stop is None or clock.stop < first or clock.stop > today:
                continue
            tally = counts.setdefault((clock.stop.replace(day=1), clock.standard), [0, 0])
            tally[0] += clock.state == rules.ClockState.MET
            tally[1] += 1
    chart = []
    for back in range(months - 1, -1, -1):
        month = _month_start(today, back)
        chart.append(
            (
                month,
                [MonthShare(code, label, *counts.get((month, code), [0, 0])) for code, label in STANDARDS],
            )
        )
    return chart


def standards_chart(chart: list[tuple[datetime.date, list[MonthShare]]]) -> dict:
    """The home page's chart (portal.charts, drawn by static/portal/charts.js): per month, the
    share of clocks that met each standard, one bar per standard in the NHS colours. Six months
    are too few for process limits (Making Data Count's runs need seven points): the performance
    page draws each standard over twelve months as an XmR chart."""
    labels = [f"{month:%b %Y}" for month, _ in chart]
    datasets = [
        charts.dataset(
            label,
            [shares[index].percent for _, shares in chart],
            charts.series_colour(index),
        )
        for index, (_code, label) in enumerate(STANDARDS)
    ]
    return charts.chart(
        kind="bar",
        labels=labels,
        datasets=datasets,
        x_title="Month the clock stopped",
        y_title="Clocks meeting the standard",
        y_min=0,
        y_max=100,
        y_suffix="%",
    )
