"""Faults: a worker killed in the middle of a reminder run. The next run sends what remains and
nothing twice, because each reminder's sent-row is written in the same transaction as its
e-mail (MDT reminders: tests/mdt/test_tasks.py has the same test for case lists). The
waiting-time alerts are raised first and then delivered recipient by recipient, each delivery
marked sent in the transaction of its e-mail."""

import datetime
from smtplib import SMTPRecipientsRefused

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from referrals.models import Referral, WaitingTimeAlert, WaitingTimeAlertDelivery
from referrals.services import AlertDeliveryFailed
from referrals.tasks import send_waiting_time_alerts
from second_opinions.models import SecondOpinionReminder
from second_opinions.tasks import send_second_opinion_reminders
from tests.factories import (
    ReceivedReferralFactory,
    RecordsRequestedSecondOpinionRequestFactory,
    UserFactory,
)

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


# Waiting-time alerts: one e-mail per recipient, each in its own transaction --------------------


def run_alert_sweep() -> int:
    with time_machine.travel(TODAY, tick=False):  # day 22 of 28: every FDS clock below is at risk
        return send_waiting_time_alerts.delay().get(timeout=5)


@pytest.fixture
def alert_recipients(office_user, clinician, other_clinician):
    """Two referrals at risk: the office hears of both, each consultant of their own."""
    second_office = UserFactory(username="office2", role="MDT office", is_staff=True)
    for consultant in (clinician, other_clinician):
        ReceivedReferralFactory(received_on=datetime.date(2026, 11, 2), responsible_consultant=consultant)
    return [office_user, second_office, clinician, other_clinician]


def _received(email: str) -> list[str]:
    return [message.body for message in mail.outbox if message.to == [email]]


@pytest.mark.parametrize("killed_after", [0, 1, 3])
def test_an_alert_run_killed_between_recipients_sends_the_rest_next_time_and_nobody_twice(
    alert_recipients, monkeypatch, killed_after
):
    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def dies_on_the_next_send(self, messages):
        calls["n"] += 1
        if calls["n"] == killed_after + 1:
            raise WorkerKilled
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dies_on_the_next_send)
    with pytest.raises(WorkerKilled):
        run_alert_sweep()
    assert len(mail.outbox) == killed_after
    # The alerts were raised before any e-mail went, and survive the crash.
    assert WaitingTimeAlert.objects.count() == 2
    # Exactly the alerts carried by the e-mails that went are marked sent.
    sent_lines = sum(message.body.count("/patients/") for message in mail.outbox)
    assert WaitingTimeAlertDelivery.objects.filter(status="sent").count() == sent_lines

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert run_alert_sweep() == 0  # nothing new raised: the rest of the deliveries go out
    assert run_alert_sweep() == 0
    assert len(mail.outbox) == 4  # one per recipient, none twice
    office_user, second_office, clinician, other_clinician = alert_recipients
    for user in (office_user, second_office):
        (body,) = _received(user.email)
        assert body.count("/patients/") == 2
    for user in (clinician, other_clinician):
        (body,) = _received(user.email)
        assert body.count("/patients/") == 1
    assert not WaitingTimeAlertDelivery.objects.filter(status="pending").exists()


def test_a_mail_server_refusing_one_recipient_leaves_only_that_one_pending(alert_recipients, monkeypatch):
    office_user, second_office, clinician, other_clinician = alert_recipients
    real_send = EmailBackend.send_messages

    def refuses_the_clinician(self, messages):
        if any(clinician.email in message.to for message in messages):
            raise SMTPRecipientsRefused({clinician.email: (450, b"mailbox busy")})
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuses_the_clinician)
    with pytest.raises(AlertDeliveryFailed):
        run_alert_sweep()
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [office_user.email, second_office.email, other_clinician.email]
    )
    pending = WaitingTimeAlertDelivery.objects.filter(status="pending")
    assert list(pending.values_list("recipient", flat=True)) == [clinician.pk]

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    mail.outbox.clear()
    assert run_alert_sweep() == 0
    assert [message.to for message in mail.outbox] == [[clinician.email]]
    delivery = WaitingTimeAlertDelivery.objects.get(recipient=clinician)
    assert delivery.sent_at is not None
    # The alert itself was raised once, and its history says so.
    assert [h.history_change_reason for h in delivery.alert.history.all()] == ["Waiting-time alert sweep."]


def test_pending_alerts_are_withdrawn_from_people_who_no_longer_have_the_patient(
    alert_recipients, monkeypatch
):
    """A run cut off before its e-mails; before the next run the second office user leaves, one
    referral passes to another consultant and the other is closed. Their pending copies are
    withdrawn with the reason, the passed-on alert goes to the new consultant, and the rest go as
    usual."""
    office_user, second_office, clinician, other_clinician = alert_recipients

    def dies(self, messages):
        raise WorkerKilled

    monkeypatch.setattr(EmailBackend, "send_messages", dies)
    with pytest.raises(WorkerKilled):
        run_alert_sweep()
    monkeypatch.undo()
    assert WaitingTimeAlertDelivery.objects.filter(status="pending").count() == 6

    second_office.is_active = False
    second_office.save()
    mine = Referral.objects.get(responsible_consultant=clinician)
    mine.responsible_consultant = other_clinician
    mine.save()
    Referral.objects.filter(pk=WaitingTimeAlert.objects.exclude(referral=mine).get().referral_id).update(
        status="closed"
    )
    assert run_alert_sweep() == 0

    closed = Referral.objects.get(status="closed")
    withdrawn = set(
        WaitingTimeAlertDelivery.objects.filter(status="withdrawn").values_list(
            "recipient", "alert__referral", "withdrawn_reason"
        )
    )
    inactive = "The recipient's account is inactive or has no e-mail address."
    assert withdrawn == {
        (second_office.pk, mine.pk, inactive),
        (second_office.pk, closed.pk, inactive),
        (clinician.pk, mine.pk, "The recipient is no longer the responsible consultant."),
        (office_user.pk, closed.pk, "The referral has ended."),
        (other_clinician.pk, closed.pk, "The referral has ended."),
    }
    # The office and the new consultant hear of the open referral; nobody of the closed one.
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [office_user.email, other_clinician.email]
    )
    for message in mail.outbox:
        assert message.body.count("/patients/") == 1
        assert f"referral {mine.pk}:" in message.body
    assert not WaitingTimeAlertDelivery.objects.filter(status="pending").exists()
    assert run_alert_sweep() == 0
    assert len(mail.outbox) == 2
