"""Two workers or two users at once, on PostgreSQL (row locks and unique keys for real), and the
reminder sweep through a real Celery worker on Redis."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from mdt import services as mdt_services
from mdt import tasks as mdt_tasks
from mdt.models import MdtDiscussion, MdtReminderSent
from mdt.services import reminders as mdt_reminders
from tests.factories import (
    MdtDiscussionFactory,
    MdtFactory,
    MdtPractitionerFactory,
    PlannedMeetingFactory,
    QuorateHeldMeetingFactory,
    UserFactory,
    set_core_members,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(*calls):
    """Run the calls in threads released at the same moment; return what each raised (or None)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _meeting_with_core_members(starts_at):
    mdt = MdtFactory()
    set_core_members(mdt, [MdtPractitionerFactory(email=f"m{i}@example.invalid") for i in range(3)])
    return PlannedMeetingFactory(
        mdt=mdt, starts_at=starts_at, cutoff_at=starts_at - datetime.timedelta(hours=40)
    )


def test_two_sweeps_at_once_send_each_case_list_once():
    starts = timezone.now() + datetime.timedelta(hours=30)
    _meeting_with_core_members(starts)
    now = timezone.now()
    errors = _together(
        lambda: mdt_reminders.reminders_send_case_lists(now=now),
        lambda: mdt_reminders.reminders_send_case_lists(now=now),
    )
    assert errors == [None, None]
    assert MdtReminderSent.objects.count() == 3
    assert sorted(a for m in mail.outbox for a in m.to) == [f"m{i}@example.invalid" for i in range(3)]


def test_two_users_saving_an_outcome_at_once_one_is_told_another_got_there_first():
    discussion = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory())
    first, second = UserFactory(), UserFactory()

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
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1
    assert isinstance(refused[0], ValidationError)
    assert "Another user got there first" in refused[0].messages[0]
    assert MdtDiscussion.objects.get(pk=discussion.pk).version == 1


@pytest.mark.celery_worker
def test_a_duplicate_case_list_task_on_a_real_worker_sends_once(celery_worker):
    _meeting_with_core_members(timezone.now() + datetime.timedelta(hours=30))
    first = mdt_tasks.mdt_send_case_lists.delay()
    second = mdt_tasks.mdt_send_case_lists.delay()
    assert sorted([first.get(timeout=60), second.get(timeout=60)]) == [0, 3]
    assert MdtReminderSent.objects.count() == 3
