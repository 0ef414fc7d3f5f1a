"""Two users acting on the same record at once, on PostgreSQL: one wins, the other is told why,
and the history shows exactly what happened (the directory's approve race, with its history, is
in tests/directory/test_concurrency.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from mdt import rules as mdt_rules
from mdt import services as mdt_services
from mdt.models import MdtDiscussion
from tests.factories import (
    MdtDiscussionFactory,
    PlannedMeetingFactory,
    QuorateHeldMeetingFactory,
    UserFactory,
)
from tests.mdt.test_concurrency import _together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_users_moving_a_case_at_once_one_moves_it_and_the_other_is_told_it_is_there():
    discussion = MdtDiscussionFactory()
    later = PlannedMeetingFactory(
        mdt=discussion.meeting.mdt, starts_at=datetime.datetime(2026, 12, 9, 8, 0, tzinfo=mdt_rules.LONDON)
    )
    first, second = UserFactory(), UserFactory()
    history_before = discussion.history.count()

    def move(user, reason):
        return lambda: mdt_services.discussion_move(
            discussion_id=discussion.pk,
            to_meeting_id=later.pk,
            reason=reason,
            by=user,
            now=datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC),
        )

    errors = _together(move(first, "Imaging not back"), move(second, "Surgeon away"))
    refused = [error for error in errors if error is not None]
    assert len(refused) == 1
    assert isinstance(refused[0], ValidationError)
    assert refused[0].message_dict == {"to_meeting": ["The case is already on that meeting."]}
    assert MdtDiscussion.objects.get(pk=discussion.pk).meeting_id == later.pk
    rows = list(discussion.history.order_by("history_id"))
    assert len(rows) == history_before + 1
    winner = "Imaging not back" if errors[0] is None else "Surgeon away"
    assert rows[-1].history_change_reason == f"Moved: {winner}"
    assert rows[-1].meeting_id == later.pk


def test_two_users_moving_a_case_to_different_meetings_at_once_one_wins_the_other_is_told():
    discussion = MdtDiscussionFactory()
    start = discussion.meeting
    one = PlannedMeetingFactory(
        mdt=start.mdt, starts_at=datetime.datetime(2026, 12, 9, 8, 0, tzinfo=mdt_rules.LONDON)
    )
    two = PlannedMeetingFactory(
        mdt=start.mdt, starts_at=datetime.datetime(2026, 12, 16, 8, 0, tzinfo=mdt_rules.LONDON)
    )
    history_before = discussion.history.count()

    def move(user, to, reason):
        return lambda: mdt_services.discussion_move(
            discussion_id=discussion.pk, to_meeting_id=to.pk, from_meeting_id=start.pk, reason=reason,
            by=user, now=datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC),
        )  # fmt: skip

    errors = _together(move(UserFactory(), one, "Imaging not back"), move(UserFactory(), two, "Surgeon away"))
    refused = [error for error in errors if error is not None]
    assert len(refused) == 1
    assert "Another user got there first" in str(refused[0])
    winner_meeting, winner_reason = (one, "Imaging not back") if errors[0] is None else (two, "Surgeon away")
    assert MdtDiscussion.objects.get(pk=discussion.pk).meeting_id == winner_meeting.pk
    rows = list(discussion.history.order_by("history_id"))
    assert len(rows) == history_before + 1
    assert rows[-1].history_change_reason == f"Moved: {winner_reason}"


def test_two_outcomes_saved_at_once_leave_one_outcome_and_one_history_row():
    discussion = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory())
    first, second = UserFactory(), UserFactory()
    history_before = discussion.history.count()

    def save(user, outcome):
        return lambda: mdt_services.outcome_record(
            discussion_id=discussion.pk,
            version=0,
            outcome=outcome,
            recommendation="Plan",
            decision_to_treat_on=None,
            outcome_recipients="referrer",
            by=user,
        )

    errors = _together(save(first, "surgery"), save(second, "radiotherapy"))
    winner = "surgery" if errors[0] is None else "radiotherapy"
    assert sum(error is None for error in errors) == 1
    saved = MdtDiscussion.objects.get(pk=discussion.pk)
    assert (saved.outcome, saved.version) == (winner, 1)
    rows = list(discussion.history.order_by("history_id"))
    assert len(rows) == history_before + 1
    assert rows[-1].outcome == winner
