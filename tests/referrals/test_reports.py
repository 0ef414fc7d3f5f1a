"""The home page's standards by month (referrals.reports): the clocks' own rule, read as values."""

import datetime
import itertools

from referrals import rules
from referrals.models import Referral
from referrals.reports import standards_by_month
from tests.factories import ReceivedReferralFactory

TODAY = datetime.date(2026, 11, 30)


def _by_the_model(today: datetime.date, months: int) -> dict:
    """The same figures from each referral's Referral.clocks(): the rule the chart must follow."""
    chart = standards_by_month(today=today, months=months)
    first = chart[0][0]
    counts: dict = {}
    for referral in Referral.objects.all():
        for clock in referral.clocks(today):
            if clock.stop is None or not first <= clock.stop <= today:
                continue
            tally = counts.setdefault((clock.stop.replace(day=1), clock.standard), [0, 0])
            tally[0] += clock.state == rules.ClockState.MET
            tally[1] += 1
    return counts


def test_each_months_figures_are_those_of_the_referrals_own_clocks(db):
    received = [datetime.date(2026, 5, 20), datetime.date(2026, 8, 1), datetime.date(2026, 10, 30)]
    after = [None, 10, 28, 29, 40]  # days from receipt: none, met, the last day met, a day late
    for start, diagnosed, treated in itertools.product(received, after, after):
        ReceivedReferralFactory(
            received_on=start,
            diagnosis_communicated_on=start + datetime.timedelta(days=diagnosed) if diagnosed else None,
            decision_to_treat_on=start + datetime.timedelta(days=5) if treated else None,
            first_treatment_on=start + datetime.timedelta(days=treated + 30) if treated else None,
        )
    expected = _by_the_model(TODAY, 6)
    chart = standards_by_month(today=TODAY, months=6)
    found = {
        (month, share.standard): [share.met, share.total]
        for month, shares in chart
        for share in shares
        if share.total
    }
    assert found == expected
    assert sum(total for _met, total in found.values()) > 20
    assert chart[0][0] == datetime.date(2026, 6, 1)
