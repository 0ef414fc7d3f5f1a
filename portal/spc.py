"""Statistical process control in NHS England's "Making Data Count" style: the XmR chart of a
measure over time, its process limits and its special-cause points. Pure: numbers in, numbers out.

The arithmetic and the rules follow NHSRplotthedots, the NHS-R community's package that "supports
NHS England's 'Making Data Count' programme, and allows users to draw XmR charts ... and apply
rules with summary indicators for when rules are breached":

- the mean of the values, and the mean of the moving ranges (|x[i] - x[i-1]|);
- process limits at mean ± 2.66 x mean moving range (its `limit <- 2.66`);
- "close to a limit": beyond two thirds of the way to a limit (its `limitclose <- 2 * (limit / 3)`).

A point is special cause ("special_cause_flag") when it is
1. outside the process limits (above the upper or below the lower);
2. part of a run of seven or more consecutive points on the same side of the mean (a shift);
3. part of a run of seven or more consecutive points each higher (or each lower) than the one
   before it (a trend);
4. one of two out of three consecutive points close to the same limit, beyond two thirds of the
   way from the mean, the three on the same side of the mean.
The Making Data Count team's advice, as a trust reported it: "Four rules are enough — Anything
more risks false positives." A point on the mean breaks a run. Whether a special cause is an
improvement or a concern depends on the measure's direction (for "per cent seen in time", higher
is better).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

LIMIT = 2.66
CLOSE = 2 * LIMIT / 3
RUN = 7


@dataclass(frozen=True)
class SpcPoint:
    value: float | None
    outside_limits: bool = False
    in_shift: bool = False
    in_trend: bool = False
    in_two_of_three: bool = False
    side: int = 0  # +1 above the mean, -1 below, 0 on it or no value

    @property
    def special_cause(self) -> bool:
        return self.outside_limits or self.in_shift or self.in_trend or self.in_two_of_three

    def variation(self, *, higher_is_better: bool | None) -> str:
        """ "common", "improvement", "concern", or "neutral" (a special cause where the measure has
        no better direction)."""
        if not self.special_cause:
            return "common"
        if higher_is_better is None:
            return "neutral"
        return "improvement" if (self.side > 0) == higher_is_better else "concern"

    def reasons(self) -> list[str]:
        """Why the point is special cause, in words, for the table beside the chart."""
        return [
            text
            for flag, text in (
                (self.outside_limits, "outside the process limits"),
                (self.in_shift, f"a run of {RUN} or more on one side of the mean"),
                (self.in_trend, f"a run of {RUN} or more rising or falling"),
                (self.in_two_of_three, "two of three close to a process limit"),
            )
            if flag
        ]


@dataclass(frozen=True)
class XmrChart:
    mean: float
    mean_moving_range: float
    upper_limit: float
    lower_limit: float
    points: tuple[SpcPoint, ...]

    @property
    def special_causes(self) -> list[int]:
        return [index for index, point in enumerate(self.points) if point.special_cause]


def xmr(values: Sequence[float | None]) -> XmrChart | None:
    """The XmR chart of a measure over time (oldest first). A None is a period with nothing to
    measure: it is left out of the arithmetic and of the runs (the neighbours either side of it
    count as consecutive). None when fewer than two values are known: no moving range, so no limits."""
    known = [(index, float(value)) for index, value in enumerate(values) if value is not None]
    if len(known) < 2:
        return None
    series = [value for _, value in known]
    mean = sum(series) / len(series)
    moving_ranges = [abs(b - a) for a, b in itertools.pairwise(series)]
    mean_mr = sum(moving_ranges) / len(moving_ranges)
    upper, lower = mean + LIMIT * mean_mr, mean - LIMIT * mean_mr
    near_upper, near_lower = mean + CLOSE * mean_mr, mean - CLOSE * mean_mr

    sides = [(value > mean) - (value < mean) for value in series]
    outside = [value > upper or value < lower for value in series]
    close = [
        (not out) and (value > near_upper or value < near_lower)
        for value, out in zip(series, outside, strict=True)
    ]
    shift = _runs(sides, lambda a, b: a == b and a != 0)
    steps = [0] + [(b > a) - (b < a) for a, b in itertools.pairwise(series)]
    trend = _trend(steps)
    two_of_three = _two_of_three(close, sides)

    points: list[SpcPoint] = [SpcPoint(None) for _ in values]
    for position, (index, value) in enumerate(known):
        points[index] = SpcPoint(
            value=value,
            outside_limits=outside[position],
            in_shift=shift[position],
            in_trend=trend[position],
            in_two_of_three=two_of_three[position],
            side=sides[position],
        )
    return XmrChart(mean, mean_mr, upper, lower, tuple(points))


def _runs(keys: list[int], same) -> list[bool]:
    """Every position in a run of RUN or more consecutive positions whose keys are `same`."""
    flags = [False] * len(keys)
    start = 0
    for end in range(1, len(keys) + 1):
        if end == len(keys) or not same(keys[start], keys[end]):
            if same(keys[start], keys[start]) and end - start >= RUN:
                flags[start:end] = [True] * (end - start)
            start = end
    return flags


def _trend(steps: list[int]) -> list[bool]:
    """Every point of a run of RUN or more points each higher (or each lower) than the one before:
    RUN points make RUN - 1 steps in one direction; the run's first point is in it too."""
    flags = [False] * len(steps)
    start = 1  # steps[0] is no step: the first point has nothing before it
    for end in range(2, len(steps) + 1):
        if end == len(steps) or steps[end] != steps[start]:
            if steps[start] != 0 and end - start >= RUN - 1:
                flags[start - 1 : end] = [True] * (end - start + 1)
            start = end
    return flags


def _two_of_three(close: list[bool], sides: list[int]) -> list[bool]:
    """Points close to a limit that are two (or three) of three consecutive points close to the
    same limit, the three on the same side of the mean."""
    flags = [False] * len(close)
    for first in range(len(close) - 2):
        window = range(first, first + 3)
        same_side = abs(sum(sides[i] for i in window)) == 3
        if same_side and sum(close[i] for i in window) >= 2:
            for i in window:
                flags[i] = flags[i] or close[i]
    return flags
