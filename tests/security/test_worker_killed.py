"""Faults: a worker killed in the middle of a reminder run. The next run sends what remains and
nothing twice, because each reminder's sent-row is written in the same transaction as its
e-mail (MDT reminders: tests/referrals/test_mdt_tasks.py has the same test for case lists)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from second_opinions.models import SecondOpinionReminder
from second_opinions.tasks import send_second_opinion_reminders
from tests.factories import RecordsRequestedSecondOpinionRequestFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC)


class WorkerKilled(BaseException):
    """Like SIGKILL to the worker: nothing in the sweep catches it."""


def run_sweep() -> int:
    with time_machine.travel(TODAY, tick=False):
        return send_second_opinion_reminders.delay().get(timeout=5)


@pytest.mark.parametrize("killed_after", [0, 1, 3])
def test_a_reminder_run_killed_after_n_sends_is_finished_by_the_next_run_with_nothing_twice(
    settings, office_user, monkeypatch, killed_after
):
    settings.SECOND_OPINION_RECORDS_CHASE_DAYS = 10
    requests = [
        RecordsRequestedSecondOpinionRequestFactory(received_on=datetime.date(2026, 11, 1)) for _ in range(4)
    ]
    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def dies_on_the_next_send(self, messages):
        calls["n"] += 1
        if calls["n"] == killed_after + 1:
            raise WorkerKilled
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dies_on_the_next_send)
    with pytest.raises(WorkerKilled):
        run_sweep()
    assert len(mail.outbox) == killed_after
    assert SecondOpinionReminder.objects.count() == killed_after  # the interrupted one left no row

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert run_sweep() == 4 - killed_after
    assert run_sweep() == 0
    reminded = sorted(SecondOpinionReminder.objects.values_list("request_id", flat=True))
    assert reminded == sorted(request.pk for request in requests)
    assert len(mail.outbox) == 4
    bodies = [message.body for message in mail.outbox]
    for request in requests:
        assert sum(f"/second-opinions/{request.pk}/" in body for body in bodies) == 1
