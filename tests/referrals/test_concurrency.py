"""Behaviour that needs the real services: row locks on PostgreSQL, and the alert sweep run by a
real Celery worker on Redis. Skipped without them (see tests/conftest.py)."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from referrals import services, tasks
from referrals.models import Referral, ReferralEvent, WaitingTimeAlert, WaitingTimeAlertDelivery
from tests.factories import ReceivedReferralFactory


def _wait_until_another_session_waits_for_a_lock() -> None:
    """Poll (not a timed assertion) until a second session is blocked on a row lock."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second transition never waited for the row lock")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_transition_waits_for_the_row_and_then_refuses(office_user):
    referral = ReceivedReferralFactory()
    outcome: dict[str, object] = {}

    def second_user() -> None:
        try:
            services.referral_transition(
                referral_id=referral.pk,
                to_status="declined",
                by=office_user,
                reason="Not a sarcoma",
                expected_status="received",
            )
            outcome["result"] = "moved"
        except services.ReferralConflict as error:
            outcome["result"] = str(error.messages[0])
        finally:
            connection.close()

    with transaction.atomic():
        services.referral_transition(
            referral_id=referral.pk, to_status="triaged", by=office_user, expected_status="received"
        )
        other = threading.Thread(target=second_user)
        other.start()
        _wait_until_another_session_waits_for_a_lock()
    other.join(timeout=60)

    assert "Another user got there first" in outcome["result"]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.TRIAGED
    assert list(ReferralEvent.objects.values_list("to_status", flat=True)) == ["triaged"]


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_waiting_time_alerts_run_once_through_a_real_worker(celery_worker, clinician, office_user):
    # The worker runs on the real clock, so the referral is placed relative to today.
    today = timezone.localdate()
    ReceivedReferralFactory(received_on=today - datetime.timedelta(days=22), responsible_consultant=clinician)
    assert tasks.send_waiting_time_alerts.delay().get(timeout=60) == 1
    assert tasks.send_waiting_time_alerts.delay().get(timeout=60) == 0
    assert list(WaitingTimeAlert.objects.values_list("standard", "kind")) == [("fds_28", "at_risk")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_alert_runs_at_once_raise_and_send_each_alert_once(clinician, office_user):
    """A redelivered task running beside the original: the advisory lock serialises the raising,
    the row locks (SKIP LOCKED) the sending; between them each alert and each e-mail happens once."""
    today = datetime.date(2026, 11, 24)
    for _ in range(3):
        ReceivedReferralFactory(
            received_on=today - datetime.timedelta(days=22), responsible_consultant=clinician
        )
    raised: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait(timeout=30)
            raised.append(services.waiting_time_alerts_send(today=today))
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=60)

    assert sorted(raised) == [0, 3]
    assert WaitingTimeAlert.objects.count() == 3
    assert WaitingTimeAlertDelivery.objects.filter(status="pending").count() == 0
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([clinician.email, office_user.email])
    assert all(message.body.count("/patients/") == 3 for message in mail.outbox)
