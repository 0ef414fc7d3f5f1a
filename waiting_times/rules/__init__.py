"""Cancer waiting-time clocks counted as NHS England counts them: pure functions, no database.

One pathway's facts go in (`PathwayFacts`), its three clocks come out (`pathway_clocks`): the
28-day Faster Diagnosis Standard, the 62-day standard and the 31-day standard. The sentences of
the guidance each rule follows are quoted in the docstrings below and listed, with their sources,
in docs/cwt-guidance.md:

- NHS England, National Cancer Waiting Times Monitoring Dataset Guidance, version 12.1 (July 2025)
  ("CWT guidance v12.1").
- NHS England and NHS Improvement, National Cancer Breach Allocation Guidance (April 2016).
- The NHS Data Model and Dictionary's items of the National Cancer Waiting Times Monitoring Data
  Set ("Data Dictionary").

Counting: calendar days. The day a clock starts is day 0; "days" runs to the day it stopped, or
to today while it runs, less adjustments; "due" is the start plus 28, 31 or 62 days, moved later
by the whole adjustment (so a clock is met exactly when it stops on or before its due date).

Where the guidance is silent the choice is a field of `ClockPolicy`, commented there; callers
build the policy from the `CWT_CLOCK_POLICY` setting, so these functions never read settings."""

from .accountability import WHOLE, treating_provider_halves
from .clocks import pathway_clocks
from .facts import (
    BREACH_ALLOCATION_GUIDANCE,
    DEFAULT_AT_RISK_DAY,
    DEFAULT_POLICY,
    FDS_ROUTES,
    GUIDANCE,
    RTT_62_ROUTES,
    TARGET_DAYS,
    BreachAllocation,
    Clock,
    ClockPolicy,
    ClockStatus,
    Date,
    DeclinedOffer,
    Ending,
    Outcome,
    PathwayClocks,
    PathwayError,
    PathwayFacts,
    Route,
    Standard,
)
from .tracking import current_clock, day_reached, display_status, is_at_risk, is_running
from .validation import validate

__all__ = [
    "BREACH_ALLOCATION_GUIDANCE",
    "DEFAULT_AT_RISK_DAY",
    "DEFAULT_POLICY",
    "FDS_ROUTES",
    "GUIDANCE",
    "RTT_62_ROUTES",
    "TARGET_DAYS",
    "WHOLE",
    "BreachAllocation",
    "Clock",
    "ClockPolicy",
    "ClockStatus",
    "Date",
    "DeclinedOffer",
    "Ending",
    "Outcome",
    "PathwayClocks",
    "PathwayError",
    "PathwayFacts",
    "Route",
    "Standard",
    "current_clock",
    "day_reached",
    "display_status",
    "is_at_risk",
    "is_running",
    "pathway_clocks",
    "treating_provider_halves",
    "validate",
]
