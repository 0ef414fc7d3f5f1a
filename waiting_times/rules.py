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
build the policy from the `CWT_CLOCK_POLICY` setting, so these functions never read settings.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, replace
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


# Validation ---------------------------------------------------------------------------------------

_EVENT_KEYS = (
    "upgraded_on",
    "transferred_on",
    "dna_rebooked_on",
    "told_on",
    "decision_to_treat_on",
    "treated_on",
    "ended_on",
)
# (earlier, later, the key blamed): facts that must not come in the other order. The rebooked
# first appointment comes before anything that follows being seen; the treating provider treats
# after the transfer reaches it; an ending's date follows everything recorded.
_ORDER = (
    ("decision_to_treat_on", "treated_on", "treated_on"),
    ("upgraded_on", "treated_on", "upgraded_on"),
    ("transferred_on", "treated_on", "transferred_on"),
    *(
        ("dna_rebooked_on", later, "dna_rebooked_on")
        for later in ("transferred_on", "told_on", "decision_to_treat_on", "treated_on")
    ),
    *((earlier, "ended_on", "ended_on") for earlier in _EVENT_KEYS[:-1]),
)


def validate(facts: PathwayFacts) -> None:
    """Refuse facts no real pathway has, naming the key (PathwayError): an unknown route, outcome
    or ending; a date after today, or before the referral (a treatment before the referral); a
    treatment before the decision to treat; and the contradictions below."""
    _validate_choices(facts)
    if facts.received_on > facts.today:
        raise PathwayError("received_on", f"({facts.received_on}) is after today ({facts.today})")
    for key in _EVENT_KEYS:
        day = getattr(facts, key)
        if day is not None and day > facts.today:
            raise PathwayError(key, f"({day}) is after today ({facts.today})")
        if day is not None and day < facts.received_on:
            raise PathwayError(key, f"({day}) is before the referral was received ({facts.received_on})")
    for earlier, later, blamed in _ORDER:
        first, then = getattr(facts, earlier), getattr(facts, later)
        if first is not None and then is not None and then < first:
            raise PathwayError(blamed, f"({getattr(facts, blamed)}): {later} ({then}) is before {earlier}")
    _validate_upgrade(facts)
    _validate_diagnosis(facts)
    _validate_offer(facts)
    _validate_ending(facts)


def _validate_choices(facts: PathwayFacts) -> None:
    for key, value, choices in (
        ("route", facts.route, Route),
        ("outcome", facts.outcome, Outcome),
        ("ended", facts.ended, Ending),
    ):
        if (value is not None or key == "route") and value not in set(choices):
            allowed = ", ".join(choice.value for choice in choices)
            raise PathwayError(key, f"must be one of {allowed}; got {value!r}")


def _validate_upgrade(facts: PathwayFacts) -> None:
    """Data Dictionary, Consultant Upgrade Date: "The Consultant Upgrade Date should only be
    recorded when the PRIORITY TYPE of the original SERVICE REQUEST was not National Code 'Two
    Week Wait'", and "Consultant upgrades are not allowed for PATIENTS who were urgently referred
    with suspected cancer from an NHS Cancer Screening Programme"."""
    if facts.route == Route.CONSULTANT_UPGRADE and facts.upgraded_on is None:
        raise PathwayError("upgraded_on", "is required when the route is consultant_upgrade")
    if facts.route != Route.CONSULTANT_UPGRADE and facts.upgraded_on is not None:
        raise PathwayError("upgraded_on", f"is only for the route consultant_upgrade, not {facts.route}")


def _validate_diagnosis(facts: PathwayFacts) -> None:
    if facts.told_on is not None and facts.outcome is None:
        raise PathwayError("outcome", "is required with told_on: was the patient told cancer or ruled out?")
    if facts.outcome is not None and facts.told_on is None:
        raise PathwayError("told_on", "is required with outcome: the date the patient was told")
    if facts.outcome == Outcome.RULED_OUT and (facts.decision_to_treat_on or facts.treated_on):
        raise PathwayError("outcome", "is ruled_out, but a decision to treat or a treatment is recorded")


def _validate_offer(facts: PathwayFacts) -> None:
    offer, key = facts.admitted_offer_declined, "admitted_offer_declined"
    if offer is None:
        return
    if offer.available_from <= offer.offered_for:
        raise PathwayError(key, f"available_from ({offer.available_from}) must be after offered_for")
    if facts.decision_to_treat_on is None:
        raise PathwayError(key, "needs decision_to_treat_on: an offer of treatment follows the decision")
    if offer.offered_for < facts.decision_to_treat_on:
        raise PathwayError(key, f"offered_for ({offer.offered_for}) is before the decision to treat")
    if facts.treated_on and offer.offered_for > facts.treated_on:
        raise PathwayError(key, f"offered_for ({offer.offered_for}) is after the treatment")


def _validate_ending(facts: PathwayFacts) -> None:
    if facts.ended_on is not None and facts.ended is None:
        raise PathwayError("ended_on", "needs ended: died or declined_treatment")
    if facts.ended == Ending.DECLINED_TREATMENT and facts.treated_on:
        raise PathwayError("ended", "is declined_treatment, but a treatment is recorded")


# The clocks ---------------------------------------------------------------------------------------


def pathway_clocks(facts: PathwayFacts, *, policy: ClockPolicy = DEFAULT_POLICY) -> PathwayClocks:
    """The pathway's three clocks on `facts.today`, after `validate`.

    Each clock is running, met (stopped on or before its due date), breached (stopped after it,
    or still running past it), ended (the pathway ended without treatment: ruled out, died or
    declined all treatment; a running clock then ends and does not breach) or not_applicable (it
    never started)."""
    validate(facts)
    return PathwayClocks(
        fds=_fds_clock(facts, policy),
        rtt_62=_rtt_62_clock(facts, policy),
        dtt_31=_dtt_31_clock(facts, policy),
    )


def _not_applicable(standard: Standard, guidance: str) -> Clock:
    return Clock(standard, False, None, None, None, None, ClockStatus.NOT_APPLICABLE, 0, guidance)


def _referral_start(facts: PathwayFacts) -> Date:
    """The start of the 28- and 62-day clocks on a referral: the first provider's receipt of the
    referral, or the date the patient rebooked a first appointment they did not attend.

    Data Dictionary, Cancer Faster Diagnosis Pathway: "During this time, the PATIENT may be
    recorded as having multiple Out-Patient Appointments, Imaging or Radiodiagnostic Events and
    inter-provider transfers" (a transfer does not restart the clock). Data Dictionary, Cancer
    Referral To Treatment Period: it "does NOT complete automatically if the PATIENT does not
    attend the first APPOINTMENT"; issue 18 (after CWT guidance v12.1): "the clocks restart from
    the date the patient rebooks"."""
    return facts.dna_rebooked_on or facts.received_on


def _earliest(*days: Date | None) -> Date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def _fds_clock(facts: PathwayFacts, policy: ClockPolicy) -> Clock:
    """CWT guidance v12.1, 1.1: maximum 28 days from receipt of the referral "to the date the
    patient is informed of a diagnosis or ruling out of cancer". Data Dictionary, Cancer Faster
    Diagnosis Pathway: from the referral "to having cancer either diagnosed or ruled out or
    reaching a Decision To Treat, whichever comes first"."""
    guidance = f"{GUIDANCE}, 28-day Faster Diagnosis Standard"
    if facts.route not in FDS_ROUTES:
        return _not_applicable(Standard.FDS, guidance)
    stop = _earliest(
        facts.told_on,
        facts.decision_to_treat_on,
        facts.treated_on if policy.fds_stops_at_treatment else None,
    )
    return _timed_clock(
        Standard.FDS,
        start=_referral_start(facts),
        stop=stop,
        ended_on=facts.ended_on if facts.ended else None,
        ended=facts.ended is not None,
        today=facts.today,
        adjustment=None,
        guidance=guidance,
    )


def _rtt_62_clock(facts: PathwayFacts, policy: ClockPolicy) -> Clock:
    """CWT guidance v12.1, 1.1: maximum 62 days "From receipt of an urgent GP (or other referrer)
    referral for urgent suspected cancer or breast symptomatic referral, or urgent screening
    referral or consultant upgrade to First Definitive Treatment of cancer". For an upgrade the
    clock starts on the Consultant Upgrade Date (Data Dictionary: "the DATE that the CONSULTANT
    ... decided that the PATIENT should be upgraded onto an urgent Cancer PATIENT PATHWAY")."""
    guidance = f"{GUIDANCE}, 62-day standard; breaches allocated by the {BREACH_ALLOCATION_GUIDANCE}"
    if facts.route not in RTT_62_ROUTES:
        return _not_applicable(Standard.RTT_62, guidance)
    start = _referral_start(facts)
    if facts.route == Route.CONSULTANT_UPGRADE and facts.upgraded_on:  # validate() requires it
        start = facts.upgraded_on
    ruled_out = facts.outcome == Outcome.RULED_OUT
    clock = _timed_clock(
        Standard.RTT_62,
        start=start,
        stop=facts.treated_on,
        # Ruled out "ends the 62-day pathway with no breach" (issue 18), on the day the patient
        # is told; died or declined all treatment end it on their date, when known.
        ended_on=facts.told_on if ruled_out else facts.ended_on,
        ended=ruled_out or facts.ended is not None,
        today=facts.today,
        adjustment=_offer_adjustment(facts, policy),
        guidance=guidance,
    )
    return replace(
        clock,
        handover_by=start + datetime.timedelta(days=policy.handover_day),
        breach_allocation=_breach_allocation(facts, clock, start, policy),
    )


def _breach_allocation(
    facts: PathwayFacts, clock: Clock, start: Date, policy: ClockPolicy
) -> BreachAllocation | None:
    """National Cancer Breach Allocation Guidance (2016): local policies "should adopt a single
    maximum handover date of day 38, the date by which cancer patients on an inter provider (IPT)
    pathways should be transferred from the referring trust/s to the treating trust". After
    treatment a breach belongs to the treating provider if the patient was transferred by day
    38; to the referring provider if transferred later and treated within 24 days of the
    transfer; otherwise it is shared. None when there was no transfer, no treatment or no breach.
    Days are calendar days, not adjusted."""
    if facts.transferred_on is None or facts.treated_on is None or clock.status != ClockStatus.BREACHED:
        return None
    if _days(start, facts.transferred_on) <= policy.handover_day:
        return BreachAllocation.TREATING
    if _days(facts.transferred_on, facts.treated_on) <= policy.late_transfer_treat_within_days:
        return BreachAllocation.REFERRING
    return BreachAllocation.SHARED


def _dtt_31_clock(facts: PathwayFacts, policy: ClockPolicy) -> Clock:
    """CWT guidance v12.1, 1.1: maximum 31 days "From Decision To Treat/Earliest Clinically
    Appropriate Date to Treatment of cancer", for every first treatment whatever the route. The
    decision to treat is when the patient agrees the plan, which may come before the MDT (Data
    Dictionary, Multidisciplinary Team Discussion Date (Cancer): "The treatment planning decision
    may differ from the treatment which is subsequently agreed with the PATIENT"), so no MDT date
    bounds it."""
    guidance = f"{GUIDANCE}, 31-day standard"
    if facts.decision_to_treat_on is None:
        return _not_applicable(Standard.DTT_31, guidance)
    return _timed_clock(
        Standard.DTT_31,
        start=facts.decision_to_treat_on,
        stop=facts.treated_on,
        ended_on=facts.ended_on,
        ended=facts.ended is not None,
        today=facts.today,
        adjustment=_offer_adjustment(facts, policy),
        guidance=guidance,
    )


def _offer_adjustment(facts: PathwayFacts, policy: ClockPolicy) -> DeclinedOffer | None:
    """Issue 18, after CWT guidance v12.1: "the days from the offered date to the date the patient
    is available are adjusted off the 31- and 62-day waits (admitted treatment only)". Data
    Dictionary (v2, the superseded WAITING TIME ADJUSTMENT (TREATMENT)): "the number of days that
    should be removed from the derived waiting time between the DECISION TO TREAT DATE and start
    date of the FIRST DEFINITIVE TREATMENT PROVIDED", the first reason being "when a patient
    defers an in-patient admission"."""
    if facts.admitted_offer_declined is None or facts.treatment_admitted is False:
        return None
    if facts.treatment_admitted is None and not policy.adjust_when_setting_unknown:
        return None
    return facts.admitted_offer_declined


def _timed_clock(
    standard: Standard,
    *,
    start: Date,
    stop: Date | None,
    ended: bool,
    ended_on: Date | None,
    today: Date,
    adjustment: DeclinedOffer | None,
    guidance: str,
) -> Clock:
    """A started clock. A stop (told, decided, treated) wins over an ending recorded after it.

    The adjustment removes the days of the declined period that fall between the start and the
    clock's end (today while it runs); the due date moves later by the whole declined period,
    known from the day the offer was declined."""
    target = TARGET_DAYS[standard]
    whole_adjustment = _days(adjustment.offered_for, adjustment.available_from) if adjustment else 0
    due = start + datetime.timedelta(days=target + whole_adjustment)
    if stop is not None:
        end, status_end = stop, None
    elif ended:
        end, status_end = ended_on, ClockStatus.ENDED
    else:
        end, status_end = today, None
    adjustment_days = _adjustment_days(adjustment, start, end or today)
    days = _days(start, end) - adjustment_days if end else None
    if status_end is not None:
        status = status_end
    elif stop is not None:
        status = ClockStatus.MET if days is not None and days <= target else ClockStatus.BREACHED
    else:
        status = ClockStatus.BREACHED if days is not None and days > target else ClockStatus.RUNNING
    stopped_on = stop if stop is not None else (ended_on if ended else None)
    return Clock(
        standard,
        True,
        start,
        due,
        stopped_on,
        days,
        status,
        adjustment_days,
        guidance,
        adjusted_from=adjustment.offered_for if adjustment else None,
        adjusted_until=adjustment.available_from if adjustment else None,
    )


def _adjustment_days(adjustment: DeclinedOffer | None, start: Date, end: Date) -> int:
    if adjustment is None:
        return 0
    first = max(adjustment.offered_for, start)
    last = min(adjustment.available_from, end)
    return max(0, _days(first, last))


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


# Accountability: which provider a stopped clock counts to ----------------------------------------

WHOLE = 2  # shares are counted in half patients: 2 is the whole patient, 1 half of one


def treating_provider_halves(facts: PathwayFacts, clock: Clock) -> int | None:
    """The treating provider's share of a stopped clock, in half patients (the referring
    provider of an inter-provider transfer has the rest); None for a clock that did not stop met
    or breached, which the figures do not count.

    - Without a transfer (`facts.transferred_on` None) the one provider has the whole patient.
    - The 62-day standard on a two-provider pathway: each provider counts half the patient,
      as the national figures have since 2005 (Department of Health, cancer waiting times
      statistics: "Where two NHS organisations (Cancer Unit and Cancer Centre) are involved in the
      care of the patient this is taken into account by recording half the activity against the
      unit that initially sees the patient and half against the centre that provides the first
      definitive treatment"). A breach is then reallocated by the National Cancer Breach
      Allocation Guidance (2016): the whole breach to the treating provider (transferred by day
      38), to the referring provider (transferred later and treated within 24 days of the
      transfer), or shared, half each (`Clock.breach_allocation`).
    - The 31-day standard runs at the treating provider, from its decision to treat: whole to it.
    - The 28-day FDS counts to the provider that had the patient when the clock stopped: the
      referring provider if it stopped before the transfer, else the treating provider. A
      portal choice: the guidance we could read does not share the FDS."""
    if clock.status not in (ClockStatus.MET, ClockStatus.BREACHED) or clock.stopped_on is None:
        return None
    if facts.transferred_on is None:
        return WHOLE
    if clock.standard == Standard.DTT_31:
        return WHOLE
    if clock.standard == Standard.FDS:
        return WHOLE if clock.stopped_on >= facts.transferred_on else 0
    if clock.status == ClockStatus.MET:
        return 1
    return {
        BreachAllocation.TREATING: WHOLE,
        BreachAllocation.REFERRING: 0,
        BreachAllocation.SHARED: 1,
    }[clock.breach_allocation]
