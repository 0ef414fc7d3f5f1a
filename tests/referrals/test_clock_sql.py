"""The database's clock that matters (ReferralQuerySet.with_clock_that_matters) is the rules' own
(rules.clock_that_matters of Referral.clocks): the same standard, due date and state for every
combination of recorded dates on either side of each due date, tie and at-risk day."""

import datetime
import itertools

import pytest

from referrals import rules
from referrals.models import Referral
from tests.factories import ReceivedReferralFactory

pytestmark = pytest.mark.django_db

RECEIVED = datetime.date(2027, 1, 20)  # the 28-day clock is due across a month end, 17 February


def day(n: int) -> datetime.date:
    return RECEIVED + datetime.timedelta(days=n)


DIAGNOSED = [None, day(10), day(28), day(29)]  # met, met on its due date, breached a day late
# A decision to treat before the referral (its 31-day clock due before, and on, the 28-day
# clock's due date), one due between the 28- and 62-day clocks, one due on the 62-day's and after.
DECIDED = [None, day(-4), day(-3), day(20), day(31), day(40)]
TREATED = [None, day(5), day(50), day(62), day(63), day(80)]
TODAYS = [day(n) for n in (0, 20, 21, 28, 29, 44, 50, 54, 55, 62, 63, 71, 72, 120)]


def test_the_database_picks_the_clock_the_rules_pick_on_every_combination_of_dates():
    for diagnosed, decided, treated in itertools.product(DIAGNOSED, DECIDED, TREATED):
        ReceivedReferralFactory(
            received_on=RECEIVED,
            diagnosis_communicated_on=diagnosed,
            decision_to_treat_on=decided,
            first_treatment_on=treated,
        )
    kinds = set()
    for today in TODAYS:
        for referral in Referral.objects.with_clock_that_matters(today):
            clock = rules.clock_that_matters(referral.clocks(today))
            expected = (
                (clock.standard, clock.due_date, clock.state.value, rules.LIVE_STATES.index(clock.state) + 1)
                if clock
                else (None, None, None, 0)
            )
            got = (
                referral.clock_standard,
                referral.clock_due_on,
                referral.matters_state,
                referral.clock_rank,
            )
            assert got == expected, (today, referral.diagnosis_communicated_on, referral.decision_to_treat_on,
                                     referral.first_treatment_on)  # fmt: skip
            kinds.add(expected[0::2])
    # Every standard in every live state, and none running, came up: the grid covers the rules.
    assert kinds >= {(s, state.value) for s in rules.STANDARDS for state in rules.LIVE_STATES} | {
        (None, None)
    }


def test_a_31_day_clock_due_before_the_62_day_clock_is_the_one_that_matters():
    ReceivedReferralFactory(
        received_on=RECEIVED, diagnosis_communicated_on=day(10), decision_to_treat_on=day(30)
    )
    referral = Referral.objects.with_clock_that_matters(day(40)).get()
    assert (referral.clock_standard, referral.clock_due_on, referral.matters_state) == (
        "dtt_31",
        day(61),
        "on_track",
    )
    referral = Referral.objects.with_clock_that_matters(day(54)).get()
    assert (referral.matters_state, referral.clock_rank) == ("at_risk", 2)  # day 24 of 31
    referral = Referral.objects.with_clock_that_matters(day(62)).get()
    assert (referral.matters_state, referral.clock_rank) == ("breached", 3)
