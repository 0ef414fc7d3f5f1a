"""The cancer waiting-time clocks, one test per sentence of the guidance they follow.

Every expected date is counted by hand from the calendar. The usual referral is received on
Monday 6 January 2025 (day 0): day 28 is Mon 3 Feb, day 38 Thu 13 Feb, day 62 Sun 9 Mar (Jan 6 ->
Feb 6 is 31 days, -> Mar 6 is 59, 2025 not being a leap year).
Sources: docs/cwt-guidance.md."""

import datetime

import pytest

from waiting_times.rules import (
    BreachAllocation,
    ClockPolicy,
    ClockStatus,
    DeclinedOffer,
    Ending,
    Outcome,
    PathwayError,
    PathwayFacts,
    Route,
    Standard,
    display_status,
    is_at_risk,
    pathway_clocks,
    treating_provider_halves,
    validate,
)

D = datetime.date
RECEIVED = D(2025, 1, 6)
USC = Route.URGENT_SUSPECTED_CANCER


def clocks(policy: ClockPolicy | None = None, **facts):
    values = {"route": USC, "received_on": RECEIVED, "today": D(2025, 1, 20)}
    values.update(facts)
    return pathway_clocks(PathwayFacts(**values), **({"policy": policy} if policy else {}))


# The 28-day Faster Diagnosis Standard ------------------------------------------------------------


def test_fds_runs_from_receipt_of_the_urgent_referral_to_the_day_the_patient_is_told():
    """CWT guidance v12.1, 1.1: "Maximum 28 days from: Receipt of urgent referral for suspected
    cancer ... to the date the patient is informed of a diagnosis or ruling out of cancer"."""
    fds = clocks(told_on=D(2025, 1, 31), outcome=Outcome.CANCER, today=D(2025, 2, 10)).fds
    assert fds.applies is True
    assert fds.start == D(2025, 1, 6)
    assert fds.due == D(2025, 2, 3)
    assert fds.stopped_on == D(2025, 1, 31)
    assert fds.days == 25
    assert fds.status == ClockStatus.MET


@pytest.mark.parametrize(
    ("told_on", "days", "status"),
    [(D(2025, 2, 3), 28, ClockStatus.MET), (D(2025, 2, 4), 29, ClockStatus.BREACHED)],
)
def test_fds_told_on_day_28_is_met_and_on_day_29_breached(told_on, days, status):
    """CWT guidance v12.1, 1.1: "Maximum 28 days from: Receipt of urgent referral for suspected
    cancer ... to the date the patient is informed of a diagnosis or ruling out of cancer"."""
    fds = clocks(told_on=told_on, outcome=Outcome.CANCER, today=D(2025, 2, 20)).fds
    assert (fds.days, fds.status) == (days, status)


@pytest.mark.parametrize(
    ("today", "days", "status"),
    [(D(2025, 2, 3), 28, ClockStatus.RUNNING), (D(2025, 2, 4), 29, ClockStatus.BREACHED)],
)
def test_fds_still_running_past_its_due_date_is_breached(today, days, status):
    """CWT guidance v12.1, 1.1: "Maximum 28 days from: Receipt of urgent referral for suspected
    cancer ... to the date the patient is informed of a diagnosis or ruling out of cancer"."""
    fds = clocks(today=today).fds
    assert (fds.stopped_on, fds.days, fds.status) == (None, days, status)


@pytest.mark.parametrize(
    ("route", "applies"),
    [
        (Route.URGENT_SUSPECTED_CANCER, True),
        (Route.SCREENING, True),
        (Route.BREAST_SYMPTOMATIC, True),
        (Route.CONSULTANT_UPGRADE, False),
        (Route.OTHER, False),
    ],
)
def test_fds_applies_to_urgent_screening_and_breast_symptomatic_referrals_only(route, applies):
    """CWT guidance v12.1, 1.1: the 28 days run from "Receipt of urgent referral for suspected
    cancer, receipt of urgent referral from a cancer screening programme (breast, bowel,
    cervical, lung), or receipt of urgent referral of any patient with breast symptoms (where
    cancer not suspected)"."""
    upgrade = {"upgraded_on": D(2025, 1, 10)} if route == Route.CONSULTANT_UPGRADE else {}
    fds = clocks(route=route, **upgrade).fds
    assert fds.applies is applies
    if not applies:
        assert fds.status == ClockStatus.NOT_APPLICABLE
        assert (fds.start, fds.due, fds.days) == (None, None, None)


def test_a_decision_to_treat_before_the_patient_is_told_stops_the_fds():
    """Data Dictionary, Cancer Faster Diagnosis Pathway: from the referral "to having cancer
    either diagnosed or ruled out or reaching a Decision To Treat, whichever comes first"."""
    fds = clocks(
        decision_to_treat_on=D(2025, 1, 20),
        told_on=D(2025, 1, 27),
        outcome=Outcome.CANCER,
        today=D(2025, 2, 1),
    ).fds
    assert (fds.stopped_on, fds.days, fds.status) == (D(2025, 1, 20), 14, ClockStatus.MET)


def test_ruled_out_stops_the_fds_and_ends_the_62_day_pathway_without_a_breach():
    """CWT guidance v12.1, 1.1: the FDS ends on "the date the patient is informed of a diagnosis
    or ruling out of cancer"; issue 18: "Ruled out stops the 28-day clock and ends the 62-day
    pathway with no breach". Told on 20 March: day 73 (Jan 6 -> Mar 6 is 59, +14)."""
    result = clocks(told_on=D(2025, 3, 20), outcome=Outcome.RULED_OUT, today=D(2025, 3, 25))
    assert (result.fds.stopped_on, result.fds.days, result.fds.status) == (
        D(2025, 3, 20),
        73,
        ClockStatus.BREACHED,
    )
    assert result.rtt_62.status == ClockStatus.ENDED
    assert (result.rtt_62.stopped_on, result.rtt_62.days) == (D(2025, 3, 20), 73)
    assert result.rtt_62.breach_allocation is None
    assert result.dtt_31.status == ClockStatus.NOT_APPLICABLE


# The 62-day standard ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("treated_on", "days", "status"),
    [(D(2025, 3, 9), 62, ClockStatus.MET), (D(2025, 3, 10), 63, ClockStatus.BREACHED)],
)
def test_62_day_clock_runs_from_receipt_to_first_definitive_treatment(treated_on, days, status):
    """CWT guidance v12.1, 1.1: "Maximum two months (62 days) from: From receipt of an urgent GP
    (or other referrer) referral for urgent suspected cancer ... to First Definitive Treatment of
    cancer"."""
    rtt = clocks(
        told_on=D(2025, 2, 1), outcome=Outcome.CANCER, decision_to_treat_on=D(2025, 2, 20),
        treated_on=treated_on, today=D(2025, 3, 12),
    ).rtt_62  # fmt: skip
    assert (rtt.start, rtt.due) == (D(2025, 1, 6), D(2025, 3, 9))
    assert (rtt.stopped_on, rtt.days, rtt.status) == (treated_on, days, status)


def test_62_day_clock_still_running_past_day_62_is_breached():
    """CWT guidance v12.1, 1.1: "Maximum two months (62 days) from: From receipt of an urgent GP
    (or other referrer) referral for urgent suspected cancer ... to First Definitive Treatment of
    cancer"."""
    running = clocks(told_on=D(2025, 2, 1), outcome=Outcome.CANCER, today=D(2025, 3, 9)).rtt_62
    late = clocks(told_on=D(2025, 2, 1), outcome=Outcome.CANCER, today=D(2025, 3, 10)).rtt_62
    assert (running.days, running.status) == (62, ClockStatus.RUNNING)
    assert (late.stopped_on, late.days, late.status) == (None, 63, ClockStatus.BREACHED)


def test_62_day_due_date_across_a_leap_february():
    """CWT guidance v12.1, 1.1: "Maximum two months (62 days)". 31 Jan 2028 + 62 days: Feb 29 is
    day 29, Mar 31 day 60, Apr 2 day 62."""
    rtt = clocks(received_on=D(2028, 1, 31), today=D(2028, 2, 1)).rtt_62
    assert rtt.due == D(2028, 4, 2)


@pytest.mark.parametrize("route", [Route.URGENT_SUSPECTED_CANCER, Route.SCREENING, Route.BREAST_SYMPTOMATIC])
def test_62_day_clock_applies_to_urgent_screening_and_breast_symptomatic_referrals(route):
    """CWT guidance v12.1, 1.1: 62 days "From receipt of an urgent GP (or other referrer) referral
    for urgent suspected cancer or breast symptomatic referral, or urgent screening referral"."""
    rtt = clocks(route=route).rtt_62
    assert (rtt.applies, rtt.start, rtt.status) == (True, D(2025, 1, 6), ClockStatus.RUNNING)


def test_consultant_upgrade_starts_the_62_day_clock_on_the_upgrade_date():
    """CWT guidance v12.1, 1.1: 62 days from "... or consultant upgrade to First Definitive
    Treatment of cancer"; Data Dictionary, Consultant Upgrade Date: "the DATE that the CONSULTANT
    ... decided that the PATIENT should be upgraded onto an urgent Cancer PATIENT PATHWAY". Upgraded
    1 Feb 2025: day 38 is Tue 11 Mar (Feb 1 -> Mar 1 is 28), day 62 Fri 4 Apr (-> Apr 1 is 59)."""
    result = clocks(route=Route.CONSULTANT_UPGRADE, upgraded_on=D(2025, 2, 1), today=D(2025, 2, 11))
    assert (result.rtt_62.start, result.rtt_62.days) == (D(2025, 2, 1), 10)
    assert result.rtt_62.due == D(2025, 4, 4)
    assert result.rtt_62.handover_by == D(2025, 3, 11)
    assert result.fds.status == ClockStatus.NOT_APPLICABLE


@pytest.mark.parametrize("route", [Route.SCREENING, Route.URGENT_SUSPECTED_CANCER, Route.OTHER])
def test_an_upgrade_date_is_refused_on_any_route_but_consultant_upgrade(route):
    """Data Dictionary, Consultant Upgrade Date: "Consultant upgrades are not allowed for PATIENTS
    who were urgently referred with suspected cancer from an NHS Cancer Screening Programme", and
    it "should only be recorded when the PRIORITY TYPE of the original SERVICE REQUEST was not
    National Code 'Two Week Wait'"."""
    with pytest.raises(PathwayError) as error:
        clocks(route=route, upgraded_on=D(2025, 1, 10))
    assert error.value.key == "upgraded_on"


def test_other_routes_have_only_the_31_day_clock():
    """CWT guidance v12.1, 1.1: the 28- and 62-day standards list their referral routes; the
    31-day standard runs "From Decision To Treat/Earliest Clinically Appropriate Date to
    Treatment of cancer" whatever the route."""
    result = clocks(
        route=Route.OTHER, told_on=D(2025, 1, 25), outcome=Outcome.CANCER,
        decision_to_treat_on=D(2025, 2, 1), treated_on=D(2025, 2, 20), today=D(2025, 2, 21),
    )  # fmt: skip
    assert result.fds.status == ClockStatus.NOT_APPLICABLE
    assert result.rtt_62.status == ClockStatus.NOT_APPLICABLE
    assert (result.rtt_62.handover_by, result.rtt_62.breach_allocation) == (None, None)
    assert (result.dtt_31.start, result.dtt_31.days, result.dtt_31.status) == (
        D(2025, 2, 1),
        19,
        ClockStatus.MET,
    )


# Inter-provider transfers and breach allocation ---------------------------------------------------


def test_a_transfer_keeps_the_first_providers_receipt_as_the_clock_start():
    """Data Dictionary, Cancer Faster Diagnosis Pathway: "During this time, the PATIENT may be
    recorded as having multiple Out-Patient Appointments, Imaging or Radiodiagnostic Events and
    inter-provider transfers"; issue 18: "The 62-day clock runs from the first provider's
    receipt". Transferred 10 Feb, today 20 Feb: day 45 (Feb 6 is day 31)."""
    result = clocks(transferred_on=D(2025, 2, 10), today=D(2025, 2, 20))
    assert (result.fds.start, result.rtt_62.start) == (D(2025, 1, 6), D(2025, 1, 6))
    assert result.rtt_62.days == 45
    assert result.rtt_62.due == D(2025, 3, 9)


def test_the_handover_date_is_day_38_of_the_62_day_clock():
    """National Cancer Breach Allocation Guidance (2016): local policies "should adopt a single
    maximum handover date of day 38, the date by which cancer patients on an inter provider (IPT)
    pathways should be transferred from the referring trust/s to the treating trust"."""
    assert clocks().rtt_62.handover_by == D(2025, 2, 13)


def treated_after_transfer(transferred_on, treated_on, **kwargs):
    return clocks(
        told_on=D(2025, 2, 1), outcome=Outcome.CANCER, transferred_on=transferred_on,
        decision_to_treat_on=transferred_on, treated_on=treated_on, today=D(2025, 3, 20), **kwargs,
    ).rtt_62  # fmt: skip


def test_a_breach_after_a_transfer_by_day_38_is_the_treating_providers():
    """National Cancer Breach Allocation Guidance (2016), day 38 the handover date; issue 18:
    "transfer by day 38" allocates the breach to the treating provider. Transferred on day 38
    (13 Feb), treated 14 Mar: day 67 (Mar 9 is day 62)."""
    rtt = treated_after_transfer(D(2025, 2, 13), D(2025, 3, 14))
    assert (rtt.days, rtt.status) == (67, ClockStatus.BREACHED)
    assert rtt.breach_allocation == BreachAllocation.TREATING


def test_a_breach_after_a_late_transfer_treated_within_24_days_is_the_referring_providers():
    """National Cancer Breach Allocation Guidance (2016); issue 18: "after day 38 and treated
    within 24 days of the transfer" allocates the breach to the referring provider. Transferred
    on day 39 (14 Feb), treated 24 days later on 10 Mar (Feb 28 is +14): day 63."""
    rtt = treated_after_transfer(D(2025, 2, 14), D(2025, 3, 10))
    assert (rtt.days, rtt.status) == (63, ClockStatus.BREACHED)
    assert rtt.breach_allocation == BreachAllocation.REFERRING


def test_a_breach_after_a_late_transfer_treated_later_is_shared():
    """National Cancer Breach Allocation Guidance (2016); issue 18: "after day 38 and treated
    later" shares the breach. Transferred on day 39 (14 Feb), treated 25 days later on 11 Mar:
    day 64."""
    rtt = treated_after_transfer(D(2025, 2, 14), D(2025, 3, 11))
    assert (rtt.days, rtt.status) == (64, ClockStatus.BREACHED)
    assert rtt.breach_allocation == BreachAllocation.SHARED


def test_no_breach_allocation_without_a_breach_a_treatment_or_a_transfer():
    """National Cancer Breach Allocation Guidance (2016): allocation concerns breaches of
    patients on inter-provider pathways, after treatment."""
    met = treated_after_transfer(D(2025, 2, 20), D(2025, 3, 9))
    assert (met.status, met.breach_allocation) == (ClockStatus.MET, None)
    not_transferred = clocks(
        decision_to_treat_on=D(2025, 3, 1), treated_on=D(2025, 3, 14), told_on=D(2025, 2, 1),
        outcome=Outcome.CANCER, today=D(2025, 3, 20),
    ).rtt_62  # fmt: skip
    assert (not_transferred.status, not_transferred.breach_allocation) == (ClockStatus.BREACHED, None)
    untreated = clocks(transferred_on=D(2025, 2, 20), today=D(2025, 3, 20)).rtt_62
    assert (untreated.status, untreated.breach_allocation) == (ClockStatus.BREACHED, None)


def test_a_network_may_choose_another_handover_day():
    """National Cancer Breach Allocation Guidance (2016): "This guidance provides a clear process on
    creating local breach allocation policies". With day 31, a transfer on day 38 is late."""
    rtt = treated_after_transfer(D(2025, 2, 13), D(2025, 3, 14), policy=ClockPolicy(handover_day=31))
    assert rtt.handover_by == D(2025, 2, 6)
    assert rtt.breach_allocation == BreachAllocation.SHARED


# First appointment not attended -------------------------------------------------------------------


def test_a_first_appointment_not_attended_restarts_the_clocks_from_the_rebooking():
    """Data Dictionary, Cancer Referral To Treatment Period: it "does NOT complete automatically
    if the PATIENT does not attend the first APPOINTMENT"; WAITING TIME ADJUSTMENT REASON (FIRST
    SEEN) code 3 "Did Not Attend APPOINTMENT"; issue 18: "the clocks restart from the date the
    patient rebooks". Rebooked 13 Jan: day 28 Mon 10 Feb, day 38 Thu 20 Feb, day 62 Sun 16 Mar."""
    result = clocks(dna_rebooked_on=D(2025, 1, 13), today=D(2025, 2, 10))
    assert (result.fds.start, result.fds.due, result.fds.days) == (D(2025, 1, 13), D(2025, 2, 10), 28)
    assert result.fds.status == ClockStatus.RUNNING
    assert (result.rtt_62.start, result.rtt_62.due) == (D(2025, 1, 13), D(2025, 3, 16))
    assert result.rtt_62.handover_by == D(2025, 2, 20)


# Decision to treat and the 31-day standard --------------------------------------------------------


def test_a_decision_to_treat_before_the_mdt_starts_the_31_day_clock():
    """CWT guidance v12.1, 1.1: 31 days "From Decision To Treat/Earliest Clinically Appropriate
    Date to Treatment of cancer"; Data Dictionary, Multidisciplinary Team Discussion Date
    (Cancer): "The treatment planning decision may differ from the treatment which is
    subsequently agreed with the PATIENT". Agreed on 8 Jan, two days after referral, before any
    MDT; treated 20 Jan."""
    result = clocks(decision_to_treat_on=D(2025, 1, 8), treated_on=D(2025, 1, 20), today=D(2025, 1, 21))
    dtt = result.dtt_31
    assert (dtt.start, dtt.due, dtt.stopped_on, dtt.days) == (
        D(2025, 1, 8),
        D(2025, 2, 8),
        D(2025, 1, 20),
        12,
    )
    assert dtt.status == ClockStatus.MET
    assert (result.fds.stopped_on, result.fds.days) == (D(2025, 1, 8), 2)


@pytest.mark.parametrize(
    ("treated_on", "days", "status"),
    [(D(2025, 3, 3), 31, ClockStatus.MET), (D(2025, 3, 4), 32, ClockStatus.BREACHED)],
)
def test_31_day_clock_runs_from_decision_to_treat_to_treatment(treated_on, days, status):
    """CWT guidance v12.1, 1.1: "Maximum one month (31 days) from: From Decision To
    Treat/Earliest Clinically Appropriate Date to Treatment of cancer". Decided 31 Jan: day 31 is
    3 Mar (Feb has 28 days)."""
    dtt = clocks(decision_to_treat_on=D(2025, 1, 31), treated_on=treated_on, today=D(2025, 3, 5)).dtt_31
    assert (dtt.due, dtt.days, dtt.status) == (D(2025, 3, 3), days, status)


def test_the_31_day_clock_has_not_started_without_a_decision_to_treat():
    """CWT guidance v12.1, 1.1: the 31 days run "From Decision To Treat"."""
    dtt = clocks(told_on=D(2025, 1, 20), outcome=Outcome.CANCER, today=D(2025, 1, 25)).dtt_31
    assert (dtt.applies, dtt.status, dtt.start, dtt.days) == (False, ClockStatus.NOT_APPLICABLE, None, None)


# A declined offer of admitted treatment -----------------------------------------------------------

OFFER = DeclinedOffer(offered_for=D(2025, 3, 1), available_from=D(2025, 3, 15))  # 14 days


def with_offer(**kwargs):
    values = {
        "told_on": D(2025, 2, 1), "outcome": Outcome.CANCER, "decision_to_treat_on": D(2025, 2, 20),
        "admitted_offer_declined": OFFER, "treated_on": D(2025, 3, 20), "today": D(2025, 3, 21),
    }  # fmt: skip
    values.update(kwargs)
    return clocks(**values)


def test_a_declined_offer_of_admitted_treatment_is_adjusted_off_the_31_and_62_day_waits():
    """Issue 18, after CWT guidance v12.1: "the days from the offered date to the date the patient
    is available are adjusted off the 31- and 62-day waits (admitted treatment only)". Offered
    1 Mar, available 15 Mar: 14 days. 31-day: 20 Feb -> 20 Mar is 28 days, 14 after adjustment,
    due 6 Apr (day 31 + 14). 62-day: 73 days raw (breached without the adjustment), 59 adjusted,
    due 23 Mar."""
    result = with_offer(treatment_admitted=True)
    assert (result.dtt_31.adjustment_days, result.dtt_31.days) == (14, 14)
    assert (result.dtt_31.due, result.dtt_31.status) == (D(2025, 4, 6), ClockStatus.MET)
    assert (result.rtt_62.adjustment_days, result.rtt_62.days) == (14, 59)
    assert (result.rtt_62.due, result.rtt_62.status) == (D(2025, 3, 23), ClockStatus.MET)
    assert result.fds.adjustment_days == 0


def test_no_adjustment_when_the_first_treatment_is_not_admitted():
    """Issue 18, after CWT guidance v12.1: the declined-offer adjustment applies to "admitted
    treatment only"; Data Dictionary (superseded WAITING TIME ADJUSTMENT (TREATMENT)): "when a
    patient defers an in-patient admission"."""
    result = with_offer(treatment_admitted=False)
    assert (result.dtt_31.adjustment_days, result.dtt_31.days, result.dtt_31.due) == (0, 28, D(2025, 3, 23))
    assert (result.rtt_62.adjustment_days, result.rtt_62.days) == (0, 73)
    assert (result.rtt_62.due, result.rtt_62.status) == (D(2025, 3, 9), ClockStatus.BREACHED)


def test_an_unrecorded_treatment_setting_is_adjusted_unless_the_network_chooses_otherwise():
    """Issue 18: "admitted treatment only"; the guidance is silent on a setting not yet recorded
    (docs/cwt-guidance.md, the portal's choices)."""
    assert with_offer().rtt_62.adjustment_days == 14
    assert with_offer(policy=ClockPolicy(adjust_when_setting_unknown=False)).rtt_62.adjustment_days == 0


def test_a_running_clock_is_adjusted_only_for_the_declined_days_already_passed():
    """Issue 18: "the days from the offered date to the date the patient is available are adjusted
    off". On 5 Mar, 4 of the 14 declined days have passed: 13 days since the decision, 9 counted;
    the due date already counts all 14."""
    dtt = with_offer(treated_on=None, treatment_admitted=True, today=D(2025, 3, 5)).dtt_31
    assert (dtt.adjustment_days, dtt.days, dtt.due, dtt.status) == (4, 9, D(2025, 4, 6), ClockStatus.RUNNING)


# Endings ------------------------------------------------------------------------------------------


def test_a_patient_who_died_ends_the_running_clocks_without_a_breach():
    """Issue 18: "Endings: died, declined all treatment, ruled out: the running clocks end, not
    breach". Died 20 Mar, past the 62-day due date: the FDS had already stopped (met, day 24);
    the 62-day clock ends on day 73, the 31-day on day 38 (10 Feb -> 10 Mar is 28)."""
    result = clocks(
        told_on=D(2025, 1, 30), outcome=Outcome.CANCER, decision_to_treat_on=D(2025, 2, 10),
        ended=Ending.DIED, ended_on=D(2025, 3, 20), today=D(2025, 3, 25),
    )  # fmt: skip
    assert (result.fds.status, result.fds.days) == (ClockStatus.MET, 24)
    assert (result.rtt_62.status, result.rtt_62.stopped_on, result.rtt_62.days) == (
        ClockStatus.ENDED,
        D(2025, 3, 20),
        73,
    )
    assert result.rtt_62.breach_allocation is None
    assert (result.dtt_31.status, result.dtt_31.days) == (ClockStatus.ENDED, 38)


def test_declining_all_treatment_ends_the_clocks_even_without_its_date():
    """Issue 18: "Endings: died, declined all treatment, ruled out: the running clocks end, not
    breach". Without the date of the ending there is no stop date and no day count."""
    result = clocks(ended=Ending.DECLINED_TREATMENT, today=D(2025, 4, 1))
    for clock in (result.fds, result.rtt_62):
        assert (clock.status, clock.stopped_on, clock.days) == (ClockStatus.ENDED, None, None)
    assert result.dtt_31.status == ClockStatus.NOT_APPLICABLE


def test_a_death_after_treatment_leaves_the_stopped_clocks_as_they_were():
    """Issue 18: "the running clocks end"; clocks already stopped keep their result."""
    result = clocks(
        told_on=D(2025, 1, 30), outcome=Outcome.CANCER, decision_to_treat_on=D(2025, 2, 10),
        treated_on=D(2025, 3, 10), ended=Ending.DIED, ended_on=D(2025, 3, 20), today=D(2025, 3, 25),
    )  # fmt: skip
    assert [clock.status for clock in result] == [ClockStatus.MET, ClockStatus.BREACHED, ClockStatus.MET]


# Validation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "key"),
    [
        ({"route": "urgent"}, "route"),
        ({"treated_on": D(2025, 1, 5), "decision_to_treat_on": D(2025, 1, 5)}, "decision_to_treat_on"),
        ({"treated_on": D(2025, 1, 5)}, "treated_on"),
        ({"received_on": D(2025, 1, 21)}, "received_on"),
        ({"told_on": D(2025, 1, 21), "outcome": Outcome.CANCER}, "told_on"),
        ({"treated_on": D(2025, 1, 10), "decision_to_treat_on": D(2025, 1, 12)}, "treated_on"),
        ({"told_on": D(2025, 1, 10)}, "outcome"),
        ({"outcome": Outcome.CANCER}, "told_on"),
        ({"outcome": "benign", "told_on": D(2025, 1, 10)}, "outcome"),
        (
            {"told_on": D(2025, 1, 10), "outcome": Outcome.RULED_OUT, "decision_to_treat_on": D(2025, 1, 12)},
            "outcome",
        ),
        ({"route": Route.CONSULTANT_UPGRADE}, "upgraded_on"),
        (
            {"route": Route.CONSULTANT_UPGRADE, "upgraded_on": D(2025, 1, 15), "treated_on": D(2025, 1, 12)},
            "upgraded_on",
        ),
        ({"transferred_on": D(2025, 1, 15), "treated_on": D(2025, 1, 12)}, "transferred_on"),
        (
            {"dna_rebooked_on": D(2025, 1, 15), "told_on": D(2025, 1, 12), "outcome": "cancer"},
            "dna_rebooked_on",
        ),
        ({"admitted_offer_declined": OFFER}, "admitted_offer_declined"),
        (
            {
                "decision_to_treat_on": D(2025, 1, 10),
                "admitted_offer_declined": DeclinedOffer(D(2025, 1, 15), D(2025, 1, 15)),
            },
            "admitted_offer_declined",
        ),
        (
            {
                "decision_to_treat_on": D(2025, 1, 10),
                "admitted_offer_declined": DeclinedOffer(D(2025, 1, 8), D(2025, 1, 15)),
            },
            "admitted_offer_declined",
        ),
        ({"ended": "moved_away"}, "ended"),
        ({"ended": Ending.DECLINED_TREATMENT, "treated_on": D(2025, 1, 12)}, "ended"),
        ({"ended_on": D(2025, 1, 12)}, "ended_on"),
        (
            {
                "ended": Ending.DIED,
                "ended_on": D(2025, 1, 10),
                "told_on": D(2025, 1, 12),
                "outcome": "cancer",
            },
            "ended_on",
        ),
    ],
)
def test_impossible_facts_are_refused_naming_the_key(facts, key):
    """A clock computed from impossible facts would be wrong without saying so (hazard H11)."""
    values = {"route": USC, "received_on": RECEIVED, "today": D(2025, 1, 20), **facts}
    with pytest.raises(PathwayError) as error:
        validate(PathwayFacts(**values))
    assert error.value.key == key
    assert f"key '{key}'" in str(error.value)


def test_a_treatment_before_the_referral_is_refused():
    """The 62-day wait runs "From receipt of ... referral ... to First Definitive Treatment"
    (CWT guidance v12.1, 1.1): a treatment cannot come before its referral."""
    with pytest.raises(PathwayError, match="before the referral was received") as error:
        clocks(decision_to_treat_on=D(2025, 1, 2), treated_on=D(2025, 1, 3))
    assert error.value.key == "decision_to_treat_on"


# Guidance version and display ---------------------------------------------------------------------


def test_each_clock_names_the_guidance_it_follows():
    """Issue 18: "each clock says which guidance version it follows"."""
    result = clocks(route=Route.OTHER)
    assert all("v12.1" in clock.guidance for clock in result)
    assert "Breach Allocation Guidance" in result.rtt_62.guidance
    assert "2016" in result.rtt_62.guidance
    assert [clock.standard for clock in result] == [Standard.FDS, Standard.RTT_62, Standard.DTT_31]


@pytest.mark.parametrize(
    ("today", "shown"),
    [(D(2025, 2, 24), "running"), (D(2025, 2, 25), "at_risk"), (D(2025, 3, 10), "breached")],
)
def test_at_risk_is_a_display_state_from_a_threshold_day(today, shown):
    """Issue 18: "'at risk' stays a display state from the settings". Day 50 is 25 Feb."""
    rtt = clocks(told_on=D(2025, 1, 20), outcome=Outcome.CANCER, today=today).rtt_62
    assert display_status(rtt, threshold_day=50) == shown
    assert is_at_risk(rtt, threshold_day=50) is (shown == "at_risk")
    assert rtt.status != "at_risk"


def test_a_stopped_clock_is_never_at_risk():
    """Issue 18: "'at risk' stays a display state"; only a running clock can be at risk."""
    fds = clocks(told_on=D(2025, 2, 1), outcome=Outcome.CANCER, today=D(2025, 2, 10)).fds
    assert (fds.days, is_at_risk(fds, threshold_day=21)) == (26, False)


# Which provider a stopped clock counts to (the performance figures) ---------------------------


def shares(**facts) -> dict[Standard, int | None]:
    values = {"route": USC, "received_on": RECEIVED, "today": D(2025, 3, 20)}
    values.update(facts)
    pathway = PathwayFacts(**values)
    return {clock.standard: treating_provider_halves(pathway, clock) for clock in pathway_clocks(pathway)}


def test_a_62_day_clock_met_on_a_two_provider_pathway_counts_half_to_each_provider():
    """Department of Health, cancer waiting times statistics (from 2005-06 onwards): "Where two
    NHS organisations (Cancer Unit and Cancer Centre) are involved in the care of the patient
    this is taken into account by recording half the activity against the unit that initially
    sees the patient and half against the centre that provides the first definitive treatment".
    Transferred on day 30 (5 Feb), treated on day 50 (25 Feb): met, one half to the treating
    provider (the other half is the referring provider's)."""
    assert treated_after_transfer(D(2025, 2, 5), D(2025, 2, 25)).status == ClockStatus.MET
    assert shares(
        told_on=D(2025, 2, 1), outcome=Outcome.CANCER, transferred_on=D(2025, 2, 5),
        decision_to_treat_on=D(2025, 2, 5), treated_on=D(2025, 2, 25),
    )[Standard.RTT_62] == 1  # fmt: skip


@pytest.mark.parametrize(
    ("transferred_on", "treated_on", "treating_halves"),
    [
        (D(2025, 2, 13), D(2025, 3, 14), 2),  # transferred by day 38: the treating provider's whole
        (D(2025, 2, 14), D(2025, 3, 10), 0),  # late, treated within 24 days: the referring one's
        (D(2025, 2, 14), D(2025, 3, 11), 1),  # late, treated later: shared, half each
    ],
)
def test_a_62_day_breach_on_a_two_provider_pathway_counts_as_the_breach_allocation_says(
    transferred_on, treated_on, treating_halves
):
    """National Cancer Breach Allocation Guidance (2016): local policies "should adopt a single
    maximum handover date of day 38, the date by which cancer patients on an inter provider (IPT)
    pathways should be transferred from the referring trust/s to the treating trust"; a breach
    goes whole to the treating provider (transferred by day 38) or the referring provider
    (transferred later, treated within 24 days), or is shared, half each, as the patient was
    before reallocation (Department of Health: "recording half the activity against the unit
    that initially sees the patient and half against the centre that provides the first
    definitive treatment"). The same dates as the allocation tests above."""
    assert shares(
        told_on=D(2025, 2, 1), outcome=Outcome.CANCER, transferred_on=transferred_on,
        decision_to_treat_on=transferred_on, treated_on=treated_on,
    )[Standard.RTT_62] == treating_halves  # fmt: skip


def test_without_a_transfer_the_provider_counts_every_stopped_clock_whole_and_no_running_one():
    """CWT guidance v12.1, 1.1: each standard counts the patients whose clock stopped, "from"
    its start "to" its stop; one provider, the whole patient. The 62-day clock still runs."""
    assert shares(told_on=D(2025, 1, 31), outcome=Outcome.CANCER, decision_to_treat_on=D(2025, 2, 3)) == {
        Standard.FDS: 2,
        Standard.RTT_62: None,
        Standard.DTT_31: None,
    }


def test_the_fds_counts_to_the_provider_that_had_the_patient_when_it_stopped():
    """Portal choice (docs/cwt-guidance.md): the Faster Diagnosis Pathway ends "to having cancer
    either diagnosed or ruled out or reaching a Decision To Treat, whichever comes first" (Data
    Dictionary): the provider that told the patient counts it, whole. Told on 31 Jan before a
    transfer on 5 Feb: the referring provider's (0 to the treating one); told after it: the
    treating provider's. The 31-day clock, from the treating provider's decision, is its whole."""
    before = shares(told_on=D(2025, 1, 31), outcome=Outcome.CANCER, transferred_on=D(2025, 2, 5),
                    decision_to_treat_on=D(2025, 2, 5), treated_on=D(2025, 2, 25))  # fmt: skip
    after = shares(told_on=D(2025, 2, 6), outcome=Outcome.CANCER, transferred_on=D(2025, 2, 5),
                   decision_to_treat_on=D(2025, 2, 6), treated_on=D(2025, 2, 25))  # fmt: skip
    assert (before[Standard.FDS], after[Standard.FDS]) == (0, 2)
    assert (before[Standard.DTT_31], after[Standard.DTT_31]) == (2, 2)
