"""Which clock the PTL tracks, and the stored dates it sorts and filters on, against the clocks
the rules count day by day. Dates counted by hand: the referral is received on Monday 6 January
2025 (day 0); day 28 is Mon 3 Feb, day 38 Thu 13 Feb, day 62 Sun 9 Mar."""

import datetime
from types import SimpleNamespace

import pytest

from waiting_times import rules
from waiting_times.rules import (
    ClockStatus,
    DeclinedOffer,
    Outcome,
    PathwayFacts,
    Route,
    Standard,
    current_clock,
    day_reached,
    display_status,
    pathway_clocks,
)
from waiting_times.tracking import CANNOT_COUNT, NOTHING_DUE, PtlStatus, Tracking, tracking_fields

D = datetime.date
RECEIVED = D(2025, 1, 6)


def clocks(**facts):
    values = {"route": Route.URGENT_SUSPECTED_CANCER, "received_on": RECEIVED, "today": D(2025, 1, 20)}
    values.update(facts)
    return pathway_clocks(PathwayFacts(**values))


def test_the_fds_is_tracked_first_while_both_referral_clocks_run():
    """CWT guidance v12.1, 1.1: the 28-day standard runs "to the date the patient is informed of a
    diagnosis or ruling out of cancer", the 62-day one to treatment: the 28-day milestone comes
    first, so the PTL shows it while both run."""
    clock = current_clock(clocks())
    assert clock.standard == Standard.FDS
    assert clock.due == D(2025, 2, 3)


def test_after_diagnosis_the_clock_due_first_is_tracked():
    """CWT guidance v12.1, 1.1: the 31-day standard runs "From Decision To Treat ... to Treatment of
    cancer": with the FDS stopped, the running clock due first is tracked (the 62-day, due 9 Mar,
    before the 31-day from a decision on 20 Feb, due 23 Mar)."""
    both = clocks(
        told_on=D(2025, 1, 30),
        outcome=Outcome.CANCER,
        decision_to_treat_on=D(2025, 2, 20),
        today=D(2025, 2, 21),
    )
    assert current_clock(both).standard == Standard.RTT_62


def test_a_clock_that_stopped_late_is_tracked_once_nothing_runs():
    """CWT guidance v12.1, 1.1, 62 days "to First Definitive Treatment": treated on day 70 (17 Mar),
    the 62-day clock stopped breached and the pathway waits for its breach reason."""
    treated = clocks(
        told_on=D(2025, 1, 30),
        outcome=Outcome.CANCER,
        decision_to_treat_on=D(2025, 3, 1),
        treated_on=D(2025, 3, 17),
        today=D(2025, 3, 18),
    )
    clock = current_clock(treated)
    assert (clock.standard, clock.status) == (Standard.RTT_62, ClockStatus.BREACHED)


def test_no_clock_is_tracked_on_a_routine_referral_before_a_decision_to_treat():
    """CWT guidance v12.1, 1.1: the 28- and 62-day standards start only on an urgent, screening,
    breast symptomatic referral or an upgrade; the 31-day one at the decision to treat."""
    assert current_clock(clocks(route=Route.OTHER)) is None


@pytest.mark.parametrize(("day", "expected"), [(50, D(2025, 2, 25)), (63, D(2025, 3, 10))])
def test_day_reached_without_adjustment_is_the_start_plus_the_days(day, expected):
    """Issue 18: "Days" are calendar days from the start (day 0)."""
    assert day_reached(clocks().rtt_62, day) == expected


def test_day_reached_stands_still_through_a_declined_offer_of_admitted_treatment():
    """Issue 18, after CWT guidance v12.1: "the days from the offered date to the date the patient
    is available are adjusted off the 31- and 62-day waits (admitted treatment only)". Offered
    24 Feb (day 49), available from 10 Mar (14 days later): day 50 is reached on 11 Mar, day 63
    (the first breached day) on 24 Mar, 14 days after 10 Mar."""
    facts = {
        "told_on": D(2025, 1, 30),
        "outcome": Outcome.CANCER,
        "decision_to_treat_on": D(2025, 2, 20),
        "admitted_offer_declined": DeclinedOffer(D(2025, 2, 24), D(2025, 3, 10)),
        "today": D(2025, 2, 25),
    }
    rtt = clocks(**facts).rtt_62
    assert day_reached(rtt, 49) == D(2025, 2, 24)
    assert day_reached(rtt, 50) == D(2025, 3, 11)
    assert day_reached(rtt, 63) == D(2025, 3, 24)


@pytest.mark.parametrize(
    "offer",
    [
        None,
        DeclinedOffer(D(2025, 2, 24), D(2025, 3, 10)),  # declined before the breach
        DeclinedOffer(D(2025, 3, 14), D(2025, 3, 30)),  # declined after the breach (day 67)
        DeclinedOffer(D(2025, 2, 21), D(2025, 2, 22)),  # one day
    ],
)
def test_the_stored_dates_give_the_status_the_rules_give_on_every_day(offer):
    """The PTL filters on stored dates: on each day from the start to well past the due date, the
    status they give is the one the rules count that day (at risk from CWT_AT_RISK_DAY)."""
    base = {
        "route": Route.URGENT_SUSPECTED_CANCER,
        "received_on": RECEIVED,
        "told_on": D(2025, 1, 30),
        "outcome": Outcome.CANCER,
        "decision_to_treat_on": D(2025, 2, 20),
        "admitted_offer_declined": offer,
    }
    latest = max(d for d in (D(2025, 2, 20), offer.offered_for if offer else None) if d)
    first = rules.current_clock(pathway_clocks(PathwayFacts(**base, today=latest)))
    at_risk_on, breached_on = day_reached(first, 50), day_reached(first, 63)
    day = latest
    while day < D(2025, 6, 1):
        clock = rules.current_clock(pathway_clocks(PathwayFacts(**base, today=day)))
        expected = display_status(clock, threshold_day=50)
        stored = "breached" if day >= breached_on else "at_risk" if day >= at_risk_on else "running"
        assert (day, stored) == (day, expected)
        day += datetime.timedelta(days=1)


def _pathway(**values):
    fields = dict.fromkeys(
        (
            "first_received_on",
            "transferred_on",
            "upgraded_on",
            "dna_rebooked_on",
            "told_on",
            "decision_to_treat_on",
            "offer_declined_for",
            "offer_available_from",
            "treated_on",
            "treatment_admitted",
            "ended_on",
        )
    )
    fields.update(route="urgent_suspected_cancer", outcome="", ended="", first_received_on=RECEIVED)
    fields.update(values)
    return SimpleNamespace(**fields)


def test_tracking_fields_of_a_running_pathway(settings):
    settings.CWT_AT_RISK_DAY = {"fds": 21, "62": 50, "31": 24}
    fields = tracking_fields(_pathway(), today=D(2025, 1, 20))
    assert fields == {
        "ptl_standard": "fds",
        "ptl_due_on": D(2025, 2, 3),
        "ptl_at_risk_on": D(2025, 1, 27),
        "ptl_breached_on": D(2025, 2, 4),
        "ptl_status": "",
        "ptl_handover_by": D(2025, 2, 13),
    }


def test_tracking_fields_of_dates_the_rules_refuse_sort_first_as_dates_to_correct():
    """A treatment before the decision to treat (possible in the old referral fields) is refused
    by the rules; the PTL shows the pathway first, as "dates to correct"."""
    pathway = _pathway(
        told_on=D(2025, 1, 30),
        outcome="cancer",
        decision_to_treat_on=D(2025, 2, 20),
        treated_on=D(2025, 2, 10),
    )
    fields = tracking_fields(pathway, today=D(2025, 3, 1))
    assert (fields["ptl_status"], fields["ptl_due_on"]) == (PtlStatus.INVALID, CANNOT_COUNT)
    assert "treated_on" in Tracking(pathway, D(2025, 3, 1)).error


def test_a_pathway_ruled_out_shows_its_fds_result_and_sorts_last():
    """Issue 18: "Ruled out stops the 28-day clock and ends the 62-day pathway with no breach": the
    FDS, told on day 24, is met; nothing is due any more."""
    fields = tracking_fields(_pathway(told_on=D(2025, 1, 30), outcome="ruled_out"), today=D(2025, 2, 1))
    assert (fields["ptl_standard"], fields["ptl_status"], fields["ptl_due_on"]) == ("fds", "met", NOTHING_DUE)


def test_a_transfer_without_its_first_receipt_date_counts_from_the_transfer():
    """Issue 18: the transfer flag "becomes a transfer with an unknown first receipt date (shown as
    "first receipt date missing" on the PTL until someone enters it)"; until then the clocks are
    counted from the transfer, the date the old fields counted from."""
    tracking = Tracking(_pathway(first_received_on=None, transferred_on=RECEIVED), D(2025, 1, 20))
    assert tracking.clock.start == RECEIVED
    assert tracking.status == PtlStatus.RUNNING
    assert tracking.days_left == 14
