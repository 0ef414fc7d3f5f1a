"""The three clocks of one pathway (28-day FDS, 62-day, 31-day), each rule quoting the guidance
sentence it follows."""

import datetime
from dataclasses import replace

from .facts import (
    BREACH_ALLOCATION_GUIDANCE,
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
    Outcome,
    PathwayClocks,
    PathwayFacts,
    Route,
    Standard,
    _days,
)
from .validation import validate

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
