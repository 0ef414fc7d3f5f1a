"""The XmR arithmetic and the Making Data Count special-cause rules (portal/spc.py), each expected
figure computed by hand in the test."""

import pytest

from portal import spc


def test_mean_moving_range_and_process_limits_are_mean_plus_minus_2_66_mean_moving_ranges():
    """Making Data Count XmR: process limits at mean ± 2.66 x mean moving range (NHSRplotthedots
    `limit <- 2.66`). By hand: mean (10+12+11+13+12)/5 = 11.6; moving ranges 2, 1, 2, 1, mean 1.5;
    limits 11.6 ± 3.99 = 15.59 and 7.61. No point is special cause."""
    chart = spc.xmr([10, 12, 11, 13, 12])
    assert chart.mean == pytest.approx(11.6)
    assert chart.mean_moving_range == pytest.approx(1.5)
    assert chart.upper_limit == pytest.approx(15.59)
    assert chart.lower_limit == pytest.approx(7.61)
    assert chart.special_causes == []


def test_a_point_outside_the_process_limits_is_special_cause():
    """ "A single point outside the process limits". By hand: mean 70/5 = 14; moving ranges 0, 0,
    0, 20, mean 5; upper limit 14 + 13.3 = 27.3, so 30 is outside; lower 0.7, so 10 is inside."""
    chart = spc.xmr([10, 10, 10, 10, 30])
    assert chart.upper_limit == pytest.approx(27.3)
    assert chart.lower_limit == pytest.approx(0.7)
    assert chart.special_causes == [4]
    assert chart.points[4].outside_limits
    assert chart.points[4].reasons() == ["outside the process limits"]


def test_a_run_of_seven_on_one_side_of_the_mean_is_a_shift_and_six_is_not():
    """ "A run of seven or more consecutive points above or below the mean". By hand: mean 34/14 =
    2.43; the first seven (1s and 2s) are below it, the last seven (3s and 4s) above; moving ranges
    twelve 1s and one 2, mean 14/13 = 1.08, limits -0.44 to 5.29, so none is outside. With six
    either side (mean 2.5) nothing is flagged."""
    chart = spc.xmr([1, 2, 1, 2, 1, 2, 1, 3, 4, 3, 4, 3, 4, 3])
    assert chart.mean == pytest.approx(34 / 14)
    assert chart.mean_moving_range == pytest.approx(14 / 13)
    assert all(point.in_shift for point in chart.points)
    assert not any(point.outside_limits or point.in_trend for point in chart.points)
    assert [point.side for point in chart.points] == [-1] * 7 + [1] * 7
    six = spc.xmr([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
    assert six.mean == pytest.approx(2.5)
    assert six.special_causes == []


def test_a_point_on_the_mean_breaks_a_run():
    """By hand: six 1s, a 2, six 3s: sum 26 over 13, mean 2; the 2 sits on the mean, so the
    six below and the six above are two runs of six, and neither is a shift."""
    values = [1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3]
    chart = spc.xmr(values)
    assert chart.mean == pytest.approx(2.0)  # 6 ones + 2 + 6 threes = 26, over 13
    assert chart.points[6].side == 0
    assert not any(point.in_shift for point in chart.points)


def test_seven_points_each_rising_are_a_trend():
    """A run of seven rising points: every one of them is in the trend. By hand: mean 4, moving
    ranges all 1, limits 1.34 and 6.66, so 1 and 7 are also outside the limits."""
    chart = spc.xmr([1, 2, 3, 4, 5, 6, 7])
    assert all(point.in_trend for point in chart.points)
    assert chart.lower_limit == pytest.approx(1.34)
    assert chart.upper_limit == pytest.approx(6.66)
    assert [point.outside_limits for point in chart.points] == [True, False, False, False, False, False, True]
    six_then_fall = spc.xmr([1, 2, 3, 4, 5, 6, 2])
    assert not any(point.in_trend for point in six_then_fall.points)


def test_two_of_three_close_to_a_limit_on_one_side_are_special_cause():
    """Two of three consecutive points beyond two thirds of the way to a limit (NHSRplotthedots
    `limitclose <- 2 * (limit / 3)`), the three on one side of the mean. By hand: eight pairs of
    (4, 3) then 6, 5, 6, 3: sum 76, mean 3.8; moving ranges fifteen 1s, then 3, 1, 1, 3: 23/19 =
    1.2105; upper limit 3.8 + 2.66 x 1.2105 = 7.02; "close" from 3.8 + 1.7733 x 1.2105 = 5.947.
    Both 6s are close (5 is not), all three above the mean: the 6s are flagged, the 5 is not."""
    values = [4, 3] * 8 + [6, 5, 6, 3]
    chart = spc.xmr(values)
    assert chart.mean == pytest.approx(3.8)
    assert chart.mean_moving_range == pytest.approx(23 / 19)
    assert chart.upper_limit == pytest.approx(7.02)
    assert chart.special_causes == [16, 18]
    assert chart.points[16].reasons() == ["two of three close to a process limit"]


def test_special_cause_is_improvement_or_concern_by_the_measures_direction():
    chart = spc.xmr([10, 10, 10, 10, 30])
    assert chart.points[4].variation(higher_is_better=True) == "improvement"
    assert chart.points[4].variation(higher_is_better=False) == "concern"
    assert chart.points[4].variation(higher_is_better=None) == "neutral"
    assert chart.points[0].variation(higher_is_better=True) == "common"


def test_months_with_nothing_to_measure_are_left_out_of_the_arithmetic():
    """By hand: 3 and 5 are the known values: mean 4, one moving range of 2, limits 4 ± 5.32."""
    chart = spc.xmr([3, None, 5])
    assert chart.mean == pytest.approx(4.0)
    assert chart.mean_moving_range == pytest.approx(2.0)
    assert chart.points[1].value is None
    assert chart.upper_limit == pytest.approx(9.32)


def test_fewer_than_two_values_give_no_chart():
    assert spc.xmr([]) is None
    assert spc.xmr([None, 7, None]) is None
