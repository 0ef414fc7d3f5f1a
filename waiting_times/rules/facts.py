"""The vocabulary of the clocks: routes, outcomes, endings, standards and statuses, the network's
choices (`ClockPolicy`), one pathway's facts and the clocks that come out."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

Date = datetime.date

GUIDANCE = "CWT guidance v12.1 (NHS England, July 2025)"
BREACH_ALLOCATION_GUIDANCE = "National Cancer Breach Allocation Guidance (NHS England, April 2016)"


class Route(StrEnum):
    """How the pathway started."""

    URGENT_SUSPECTED_CANCER = "urgent_suspected_cancer"
    SCREENING = "screening"
    BREAST_SYMPTOMATIC = "breast_symptomatic"
    CONSULTANT_UPGRADE = "consultant_upgrade"
    OTHER = "other"  # a routine or emergency referral, then found to be cancer


class Outcome(StrEnum):
    """What the patient was told at the end of the diagnostic part of the pathway."""

    CANCER = "cancer"
    RULED_OUT = "ruled_out"


class Ending(StrEnum):
    """How a pathway ends without a first definitive treatment."""

    DIED = "died"
    DECLINED_TREATMENT = "declined_treatment"


class Standard(StrEnum):
    FDS = "fds"
    RTT_62 = "62"
    DTT_31 = "31"


class ClockStatus(StrEnum):
    RUNNING = "running"
    MET = "met"
    BREACHED = "breached"  # stopped late, or still running past its due date
    ENDED = "ended"  # the pathway ended (ruled out, died, declined all treatment): no breach
    NOT_APPLICABLE = "not_applicable"  # the clock never started


class BreachAllocation(StrEnum):
    TREATING = "treating"
    REFERRING = "referring"
    SHARED = "shared"


TARGET_DAYS = {Standard.FDS: 28, Standard.RTT_62: 62, Standard.DTT_31: 31}

# CWT guidance v12.1, 1.1: the 28-day standard runs from "Receipt of urgent referral for suspected
# cancer, receipt of urgent referral from a cancer screening programme (breast, bowel, cervical,
# lung), or receipt of urgent referral of any patient with breast symptoms (where cancer not
# suspected)"; the 62-day standard "From receipt of an urgent GP (or other referrer) referral for
# urgent suspected cancer or breast symptomatic referral, or urgent screening referral or
# consultant upgrade".
FDS_ROUTES = frozenset({Route.URGENT_SUSPECTED_CANCER, Route.SCREENING, Route.BREAST_SYMPTOMATIC})
RTT_62_ROUTES = FDS_ROUTES | {Route.CONSULTANT_UPGRADE}

# The day of each clock from which a running clock is shown as "at risk" (a display state only).
DEFAULT_AT_RISK_DAY = {Standard.FDS: 21, Standard.RTT_62: 50, Standard.DTT_31: 24}


@dataclass(frozen=True, kw_only=True)
class ClockPolicy:
    """The portal's choices where the guidance leaves room; the defaults are the network's.

    Built by the caller from the `CWT_CLOCK_POLICY` setting (a dict of these field names)."""

    # Breach Allocation Guidance (2016): local policies "should adopt a single maximum handover
    # date of day 38". A setting because the guidance asks for local policies built on it.
    handover_day: int = 38
    # Breach Allocation Guidance (2016): a patient transferred after day 38 and treated within 24
    # days of the transfer is the referring provider's breach; treated later, a shared one. We
    # read "within 24 days" as 24 days or fewer after the day the transfer arrived.
    late_transfer_treat_within_days: int = 24
    # The Data Dictionary ends the Faster Diagnosis Pathway at diagnosis, ruling out "or reaching
    # a Decision To Treat, whichever comes first". Silent on a treatment recorded with neither:
    # we stop the 28-day clock at the treatment, which cannot come before a decision to treat.
    fds_stops_at_treatment: bool = True
    # The declined-offer adjustment is for admitted treatment only. Silent on a pathway whose
    # first treatment's setting is not yet recorded: the offer declined was of admitted
    # treatment, so we adjust until a non-admitted first treatment is recorded.
    adjust_when_setting_unknown: bool = True


DEFAULT_POLICY = ClockPolicy()


@dataclass(frozen=True)
class DeclinedOffer:
    """An offer of admitted treatment the patient declined: the date offered and the date from
    which the patient said they were available."""

    offered_for: Date
    available_from: Date


@dataclass(frozen=True, kw_only=True)
class PathwayFacts:
    """What is known of one pathway on `today`. Dates not yet known are None.

    `received_on` is the date the *first* provider received the referral: for a patient
    transferred in, the referring provider's receipt, not this provider's (`transferred_on`)."""

    route: Route
    received_on: Date
    today: Date
    upgraded_on: Date | None = None
    transferred_on: Date | None = None
    dna_rebooked_on: Date | None = None
    told_on: Date | None = None
    outcome: Outcome | None = None
    decision_to_treat_on: Date | None = None
    admitted_offer_declined: DeclinedOffer | None = None
    treated_on: Date | None = None
    treatment_admitted: bool | None = None  # the first treatment's setting; None: not recorded
    ended: Ending | None = None
    ended_on: Date | None = None  # None: the date of the ending is not known


@dataclass(frozen=True)
class Clock:
    """One standard's clock. `days`, `start`, `due` and `stopped_on` are None when the clock
    never started; `days` is also None for a clock ended on an unknown date."""

    standard: Standard
    applies: bool
    start: Date | None
    due: Date | None
    stopped_on: Date | None
    days: int | None
    status: ClockStatus
    adjustment_days: int
    guidance: str
    handover_by: Date | None = None  # 62-day clock only: day 38
    breach_allocation: BreachAllocation | None = None  # 62-day clock only
    # The declined period adjusted off this clock (the offered date and the date the patient was
    # available from), or None: what `day_reached` needs to date a day of a running clock.
    adjusted_from: Date | None = None
    adjusted_until: Date | None = None

    @property
    def target_days(self) -> int:
        return TARGET_DAYS[self.standard]

    def as_dict(self) -> dict:
        """The `cwt_clocks` command's output for this clock: dates as YYYY-MM-DD."""
        data = {
            "applies": self.applies,
            "start": _iso(self.start),
            "due": _iso(self.due),
            "stopped_on": _iso(self.stopped_on),
            "days": self.days,
            "status": self.status.value,
            "adjustment_days": self.adjustment_days,
        }
        if self.standard == Standard.RTT_62:
            data["handover_by"] = _iso(self.handover_by)
            data["breach_allocation"] = self.breach_allocation.value if self.breach_allocation else None
        return data


@dataclass(frozen=True)
class PathwayClocks:
    fds: Clock
    rtt_62: Clock
    dtt_31: Clock

    def __iter__(self) -> Iterator[Clock]:
        return iter((self.fds, self.rtt_62, self.dtt_31))

    def as_dict(self) -> dict:
        return {clock.standard.value: clock.as_dict() for clock in self}


class PathwayError(ValueError):
    """Facts that cannot describe a real pathway; `key` names the offending fact."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"key '{key}' {message}")


def _iso(day: Date | None) -> str | None:
    return day.isoformat() if day else None


def _days(start: Date, end: Date) -> int:
    return (end - start).days
