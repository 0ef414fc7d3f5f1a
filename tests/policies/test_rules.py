import datetime

import pytest

from policies import rules
from policies.rules import Rag

REVIEW = datetime.date(2026, 3, 1)


def codes(thresholds):
    return [threshold.code for threshold in thresholds]


def test_version_numbers_compare_numerically_not_as_text():
    assert rules.parse_version("2.10") > rules.parse_version("2.9")
    assert rules.parse_version("3") > rules.parse_version("2.10")
    assert rules.parse_version("2.1") > rules.parse_version("2")
    assert rules.parse_version("0.1") < rules.parse_version("1")


@pytest.mark.parametrize("text", ["", "v2", "2.", "2.1.1", "02", "2.01", "-1", "two", "1 .2"])
def test_malformed_version_numbers_are_refused(text):
    with pytest.raises(rules.VersionNumberError):
        rules.parse_version(text)


def test_a_draft_is_numbered_0_x_or_n_x():
    assert rules.draft_version_problem("0.1", []) is None
    assert rules.draft_version_problem("2.1", ["1", "2"]) is None
    assert "draft is numbered 0.x or n.x" in rules.draft_version_problem("3", ["2"])


def test_a_draft_number_cannot_go_backwards():
    assert rules.draft_version_problem("2.10", ["2", "2.9"]) is None
    problem = rules.draft_version_problem("2.9", ["2", "2.10"])
    assert "cannot go backwards" in problem
    assert "2.10" in problem
    assert "cannot go backwards" in rules.draft_version_problem("1.5", ["2"])


def test_an_approved_version_takes_a_whole_number_later_than_every_other():
    assert rules.approved_version_problem("3", ["2", "2.1"]) is None
    assert "whole number" in rules.approved_version_problem("2.2", ["2", "2.1"])
    assert "cannot go backwards" in rules.approved_version_problem("2", ["2", "2.1"])


def test_next_approved_version_is_the_next_whole_number():
    assert rules.next_approved_version(["0.3"]) == "1"
    assert rules.next_approved_version(["2", "2.10"]) == "3"
    # A draft 1.1 overtaken by version 2 (approved from draft 1.2) is offered 3, not 2.
    assert rules.next_approved_version(["1", "1.1", "2"]) == "3"


def test_next_draft_version_follows_the_latest_numerically():
    assert rules.next_draft_version([]) == "0.1"
    assert rules.next_draft_version(["1", "2"]) == "2.1"
    assert rules.next_draft_version(["2", "2.9", "2.10"]) == "2.11"


def test_review_date_before_approval_date_is_a_problem():
    assert rules.review_date_problem(datetime.date(2026, 1, 1), datetime.date(2028, 1, 1)) is None
    problem = rules.review_date_problem(datetime.date(2026, 1, 1), datetime.date(2025, 12, 31))
    assert "date of review (31/12/2025) cannot be before the approval date (01/01/2026)" in problem
    assert "needs a date of review" in rules.review_date_problem(datetime.date(2026, 1, 1), None)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2025, 11, 30), Rag.GREEN),  # 91 days before
        (datetime.date(2025, 12, 1), Rag.AMBER),  # 90 days before
        (REVIEW, Rag.AMBER),  # due today, not yet overdue
        (datetime.date(2026, 3, 2), Rag.RED),
        (datetime.date(2026, 11, 24), Rag.RED),
    ],
)
def test_review_rag(today, expected):
    assert rules.review_rag(REVIEW, today) == expected


def test_nothing_is_due_more_than_six_months_before_review():
    assert rules.alert_thresholds_due(REVIEW, datetime.date(2025, 9, 1)) == []


def test_thresholds_fall_due_six_months_90_30_7_days_before_and_on_the_day():
    due = rules.alert_thresholds_due(REVIEW, REVIEW)
    assert [(t.code, t.due_on) for t in due] == [
        ("before-180", datetime.date(2025, 9, 2)),
        ("before-90", datetime.date(2025, 12, 1)),
        ("before-30", datetime.date(2026, 1, 30)),
        ("before-7", datetime.date(2026, 2, 22)),
        ("on-the-day", REVIEW),
    ]


def test_weekly_thresholds_while_overdue():
    assert codes(rules.alert_thresholds_due(REVIEW, datetime.date(2026, 3, 7)))[-1] == "on-the-day"
    due = rules.alert_thresholds_due(REVIEW, datetime.date(2026, 3, 15))
    assert codes(due)[-2:] == ["overdue-week-1", "overdue-week-2"]
    assert due[-1].due_on == datetime.date(2026, 3, 15)


def test_only_the_latest_unrecorded_threshold_is_sent_and_older_ones_are_superseded():
    due = rules.alert_thresholds_due(REVIEW, datetime.date(2026, 3, 20))
    to_send, superseded = rules.alerts_to_send(due, ["before-180", "before-90"])
    assert to_send.code == "overdue-week-2"
    assert codes(superseded) == ["before-30", "before-7", "on-the-day", "overdue-week-1"]


def test_a_document_first_seen_overdue_sends_one_alert_and_supersedes_the_rest():
    due = rules.alert_thresholds_due(REVIEW, datetime.date(2026, 3, 9))
    to_send, superseded = rules.alerts_to_send(due, [])
    assert to_send.code == "overdue-week-1"
    assert codes(superseded) == ["before-180", "before-90", "before-30", "before-7", "on-the-day"]


def test_nothing_to_send_when_every_due_threshold_is_recorded():
    due = rules.alert_thresholds_due(REVIEW, datetime.date(2025, 12, 5))
    assert rules.alerts_to_send(due, ["before-180", "before-90"]) == (None, [])


def test_a_threshold_older_than_one_already_recorded_is_never_sent():
    due = rules.alert_thresholds_due(REVIEW, datetime.date(2026, 1, 30))
    to_send, superseded = rules.alerts_to_send(due, ["before-30"])
    assert to_send is None
    assert codes(superseded) == ["before-180", "before-90"]


def test_thresholds_are_described_in_words():
    assert rules.describe_threshold("before-180") == "six months before the date of review"
    assert rules.describe_threshold("before-30") == "30 days before the date of review"
    assert rules.describe_threshold("overdue-week-3") == "overdue for review, week 3"


# Issue 16 item 5: do the rules still follow the approved version? -----------------------------------

TITLE = "LSESN Pathway for spinal sarcomas, including sacrum and paraspinal tissues"
V2 = rules.RegisteredVersion("2", datetime.date(2024, 3, 22), datetime.date(2026, 3, 1))


@pytest.mark.parametrize(
    ("registered", "approved", "today", "expected"),
    [
        (True, V2, datetime.date(2026, 2, 28), None),
        (True, V2, datetime.date(2026, 3, 1), None),
        (True, V2, datetime.date(2026, 3, 2), "date of review (01/03/2026) has passed"),
        (True, rules.RegisteredVersion("3", datetime.date(2026, 10, 1), None), datetime.date(2026, 10, 2),
         "version 3 is the approved one (approved on 01/10/2026)"),
        (True, None, datetime.date(2026, 1, 1), "holds no approved version"),
        (False, None, datetime.date(2026, 1, 1), "not in the policies register"),
    ],
)  # fmt: skip
def test_implemented_version_warning(registered, approved, today, expected):
    """Item 5. spinal-sarcoma-pathway-lsesn.txt: "<b>Date of Review</b>	March 2026" """
    warning = rules.implemented_version_warning(
        title=TITLE, implemented="2", registered=registered, approved=approved, today=today
    )
    if expected is None:
        assert warning is None
    else:
        assert expected in warning
        assert "follow version 2" in warning
        assert "the MDT office must check each decision" in warning
