"""Reminders: records chased and overdue opinions flagged, each at most once, everything due on or
before today (a skipped day loses nothing)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError

from portal.celery import app
from second_opinions.models import SecondOpinionReminder
from second_opinions.tasks import send_second_opinion_reminders
from tests.factories import (
    ClosedSecondOpinionRequestFactory,
    DecidedSecondOpinionRequestFactory,
    NotRoutinelyAvailableSecondOpinionRequestFactory,
    OpinionSentSecondOpinionRequestFactory,
    RecordsReceivedSecondOpinionRequestFactory,
    RecordsRequestedSecondOpinionRequestFactory,
    ReviewedSecondOpinionRequestFactory,
)

pytestmark = pytest.mark.django_db
Kind = SecondOpinionReminder.Kind
TODAY = datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _settings(settings, office_user):
    settings.SECOND_OPINION_RECORDS_CHASE_DAYS = 10
    settings.SECOND_OPINION_OPINION_DUE_DAYS = 30


def run_on(day: datetime.datetime) -> int:
    with time_machine.travel(day, tick=False):
        return send_second_opinion_reminders.delay().get(timeout=5)


def test_records_not_received_after_the_set_days_are_chased_once():
    # Records requested 14 Nov: due on 24 Nov (10 days).
    request = RecordsRequestedSecondOpinionRequestFactory(
        received_on=datetime.date(2026, 11, 13), records_requested_on=datetime.date(2026, 11, 14)
    )
    assert run_on(TODAY - datetime.timedelta(days=1)) == 0
    assert mail.outbox == []
    assert run_on(TODAY) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Second-opinion request {request.pk}: records not received"
    assert mail.outbox[0].to == ["office@example.invalid"]
    assert run_on(TODAY) == 0
    assert run_on(TODAY + datetime.timedelta(days=3)) == 0
    assert len(mail.outbox) == 1
    assert list(request.reminders.values_list("kind", flat=True)) == [Kind.RECORDS_CHASE]


def test_a_skipped_day_does_not_lose_a_reminder():
    RecordsRequestedSecondOpinionRequestFactory(
        received_on=datetime.date(2026, 11, 1), records_requested_on=datetime.date(2026, 11, 2)
    )
    # Due 12 Nov; the sweep first runs on 24 Nov.
    assert run_on(TODAY) == 1


@pytest.mark.parametrize(
    "factory", [RecordsReceivedSecondOpinionRequestFactory, ReviewedSecondOpinionRequestFactory]
)
def test_records_already_received_are_not_chased(factory):
    factory(received_on=datetime.date(2026, 11, 13), records_requested_on=datetime.date(2026, 11, 1))
    run_on(TODAY)
    assert not SecondOpinionReminder.objects.filter(kind=Kind.RECORDS_CHASE).exists()


def test_the_chase_interval_is_a_setting(settings):
    settings.SECOND_OPINION_RECORDS_CHASE_DAYS = 20
    RecordsRequestedSecondOpinionRequestFactory(
        received_on=datetime.date(2026, 11, 13), records_requested_on=datetime.date(2026, 11, 14)
    )
    assert run_on(TODAY) == 0
    assert run_on(datetime.datetime(2026, 12, 4, 9, tzinfo=datetime.UTC)) == 1


@pytest.mark.parametrize(
    "factory",
    [
        DecidedSecondOpinionRequestFactory,
        RecordsReceivedSecondOpinionRequestFactory,
        ReviewedSecondOpinionRequestFactory,
    ],
)
def test_an_opinion_overdue_is_flagged_once(factory):
    # Received 25 Oct: the opinion is due within 30 days, so overdue from 24 Nov.
    request = factory(received_on=datetime.date(2026, 10, 25))
    assert run_on(TODAY - datetime.timedelta(days=1)) == 0
    assert run_on(TODAY) == 1
    assert mail.outbox[-1].subject == f"Second-opinion request {request.pk}: opinion overdue"
    assert run_on(TODAY + datetime.timedelta(days=7)) == 0
    assert request.reminders.filter(kind=Kind.OPINION_OVERDUE).count() == 1


def test_records_chase_and_overdue_opinion_are_separate_reminders_for_one_request():
    request = RecordsRequestedSecondOpinionRequestFactory(
        received_on=datetime.date(2026, 10, 1), records_requested_on=datetime.date(2026, 10, 2)
    )
    assert run_on(TODAY) == 2
    assert set(request.reminders.values_list("kind", flat=True)) == {Kind.RECORDS_CHASE, Kind.OPINION_OVERDUE}
    assert run_on(TODAY) == 0


@pytest.mark.parametrize(
    "factory",
    [
        OpinionSentSecondOpinionRequestFactory,
        ClosedSecondOpinionRequestFactory,
    ],
)
def test_no_overdue_reminder_once_the_opinion_is_sent_or_closed(factory):
    factory(received_on=datetime.date(2026, 9, 1))
    assert run_on(TODAY) == 0


def test_no_overdue_reminder_for_requests_not_accepted():
    NotRoutinelyAvailableSecondOpinionRequestFactory(received_on=datetime.date(2026, 9, 1), status="decided")
    assert run_on(TODAY) == 0


def test_a_second_reminder_row_is_impossible():
    request = RecordsRequestedSecondOpinionRequestFactory()
    SecondOpinionReminder.objects.create(request=request, kind=Kind.RECORDS_CHASE, sent_at=TODAY)
    with pytest.raises(IntegrityError):
        SecondOpinionReminder.objects.create(request=request, kind=Kind.RECORDS_CHASE, sent_at=TODAY)


def test_a_failed_send_is_retried_by_the_next_sweep_and_does_not_stop_the_others(monkeypatch):
    from second_opinions import services

    failing = RecordsRequestedSecondOpinionRequestFactory(
        received_on=datetime.date(2026, 11, 13), records_requested_on=datetime.date(2026, 11, 14)
    )
    other = RecordsRequestedSecondOpinionRequestFactory(
        received_on=datetime.date(2026, 11, 13), records_requested_on=datetime.date(2026, 11, 14)
    )
    real_send_mail = services.send_mail

    def flaky(**kwargs):
        if str(failing.pk) in kwargs["subject"].split(":")[0].split():
            raise ConnectionError("SMTP down")
        return real_send_mail(**kwargs)

    monkeypatch.setattr(services, "send_mail", flaky)
    assert run_on(TODAY) == 1
    assert list(SecondOpinionReminder.objects.values_list("request", flat=True)) == [other.pk]
    monkeypatch.undo()
    assert run_on(TODAY) == 1
    assert failing.reminders.count() == 1
    assert other.reminders.count() == 1


def test_reminders_carry_no_patient_identifiers():
    request = RecordsRequestedSecondOpinionRequestFactory(
        received_on=datetime.date(2026, 10, 1),
        records_requested_on=datetime.date(2026, 10, 2),
        patient__given_name="Zebedee",
        patient__family_name="Quux",
    )
    run_on(TODAY)
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Zebedee" not in text
        assert "Quux" not in text
        assert request.patient.nhs_number not in text
        assert f"/second-opinions/{request.pk}/" in text


def test_the_sweep_is_on_the_beat_schedule():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == send_second_opinion_reminders.name]
    assert len(entries) == 1


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_runs_through_a_real_worker(celery_worker):
    # The worker runs on today's real date: anything requested long ago is due.
    request = RecordsRequestedSecondOpinionRequestFactory(
        received_on=datetime.date(2020, 1, 1), records_requested_on=datetime.date(2020, 1, 2)
    )
    assert send_second_opinion_reminders.delay().get(timeout=60) == 2
    assert send_second_opinion_reminders.delay().get(timeout=60) == 0
    assert request.reminders.count() == 2
