"""Faults: a worker killed in the middle of a reminder run. The next run sends what remains and
nothing twice, because each reminder's sent-row is written in the same transaction as its
e-mail (MDT reminders: tests/mdt/test_tasks.py has the same test for case lists). The
pathway alerts (waiting_times/services/alerts.py) are raised first and then delivered address by
address, each delivery marked sent in the transaction of its e-mail."""

import datetime
from smtplib import SMTPRecipientsRefused

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from second_opinions.models import SecondOpinionReminder
from second_opinions.tasks import send_second_opinion_reminders
from tests.factories import (
    RecordsRequestedSecondOpinionRequestFactory,
    RunningPathwayFactory,
    UserFactory,
)
from waiting_times.models import CancerPathway, PathwayAlert, PathwayAlertDelivery
from waiting_times.services import AlertDeliveryFailed
from waiting_times.tasks import send_pathway_alerts

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


# Pathway alerts: one e-mail per address, each in its own transaction ----------------------------


def run_alert_sweep() -> int:
    with time_machine.travel(TODAY, tick=False):  # day 22 of 28: every FDS clock below is at risk
        return send_pathway_alerts.delay().get(timeout=5)


@pytest.fixture
def alert_recipients(office_user, clinician, other_clinician):
    """Two pathways at risk: the office hears of both, each consultant of their own."""
    second_office = UserFactory(username="office2", role="MDT office", is_staff=True)
    for consultant in (clinician, other_clinician):
        RunningPathwayFactory(referral__responsible_consultant=consultant)  # received 2 Nov 2026
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
    assert PathwayAlert.objects.count() == 2
    # Exactly the alerts carried by the e-mails that went are marked sent.
    sent_lines = sum(message.body.count("/ptl/pathways/") for message in mail.outbox)
    assert PathwayAlertDelivery.objects.filter(status="sent").count() == sent_lines

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert run_alert_sweep() == 0  # nothing new raised: the rest of the deliveries go out
    assert run_alert_sweep() == 0
    assert len(mail.outbox) == 4  # one per recipient, none twice
    office_user, second_office, clinician, other_clinician = alert_recipients
    for user in (office_user, second_office):
        (body,) = _received(user.email)
        assert body.count("/ptl/pathways/") == 2
    for user in (clinician, other_clinician):
        (body,) = _received(user.email)
        assert body.count("/ptl/pathways/") == 1
    assert not PathwayAlertDelivery.objects.filter(status="pending").exists()


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
    pending = PathwayAlertDelivery.objects.filter(status="pending")
    assert list(pending.values_list("recipient", flat=True)) == [clinician.pk]

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    mail.outbox.clear()
    assert run_alert_sweep() == 0
    assert [message.to for message in mail.outbox] == [[clinician.email]]
    delivery = PathwayAlertDelivery.objects.get(recipient=clinician)
    assert delivery.sent_at is not None
    assert PathwayAlert.objects.count() == 2  # each raised once


def test_pending_alerts_are_withdrawn_from_people_who_no_longer_have_the_patient(
    alert_recipients, monkeypatch
):
    """A run cut off before its e-mails; before the next run the second office user leaves, one
    patient passes to another consultant and the other's pathway is closed. Their pending copies
    are withdrawn with the reason, the passed-on alert goes to the new consultant, and the rest
    go as usual."""
    office_user, second_office, clinician, other_clinician = alert_recipients

    def dies(self, messages):
        raise WorkerKilled

    monkeypatch.setattr(EmailBackend, "send_messages", dies)
    with pytest.raises(WorkerKilled):
        run_alert_sweep()
    monkeypatch.undo()
    assert PathwayAlertDelivery.objects.filter(status="pending").count() == 6

    second_office.is_active = False
    second_office.save()
    mine = CancerPathway.objects.get(referral__responsible_consultant=clinician)
    mine.referral.responsible_consultant = other_clinician
    mine.referral.save()
    closed = CancerPathway.objects.exclude(pk=mine.pk).get()
    CancerPathway.objects.filter(pk=closed.pk).update(closed_at=TODAY)
    assert run_alert_sweep() == 0

    withdrawn = set(
        PathwayAlertDelivery.objects.filter(status="withdrawn").values_list(
            "recipient", "alert__pathway", "withdrawn_reason"
        )
    )
    inactive = "The recipient's account is inactive or has no e-mail address."
    assert withdrawn == {
        (second_office.pk, mine.pk, inactive),
        (second_office.pk, closed.pk, "The pathway has been closed."),
        (clinician.pk, mine.pk, "The recipient is no longer the responsible consultant."),
        (office_user.pk, closed.pk, "The pathway has been closed."),
        (other_clinician.pk, closed.pk, "The pathway has been closed."),
    }
    # The office and the new consultant hear of the open pathway; nobody of the closed one.
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [office_user.email, other_clinician.email]
    )
    for message in mail.outbox:
        assert message.body.count("/ptl/pathways/") == 1
        assert f"pathway {mine.pk}:" in message.body
    assert not PathwayAlertDelivery.objects.filter(status="pending").exists()
    assert run_alert_sweep() == 0
    assert len(mail.outbox) == 2
