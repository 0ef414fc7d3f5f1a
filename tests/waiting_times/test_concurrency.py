"""The pathway alert sweep with the real services: run by a real Celery worker on Redis, and two
runs at once on PostgreSQL. Skipped without them (see tests/conftest.py)."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from tests.factories import RunningPathwayFactory
from waiting_times import services, tasks
from waiting_times.models import PathwayAlert, PathwayAlertDelivery


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pathway_alerts_run_once_through_a_real_worker(celery_worker, clinician, office_user):
    # The worker runs on the real clock, so the pathway is placed relative to today.
    received = timezone.localdate() - datetime.timedelta(days=22)
    RunningPathwayFactory(referral__received_on=received, referral__responsible_consultant=clinician)
    assert tasks.send_pathway_alerts.delay().get(timeout=60) == 1
    assert tasks.send_pathway_alerts.delay().get(timeout=60) == 0
    assert list(PathwayAlert.objects.values_list("standard", "kind")) == [("fds", "at_risk")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_alert_runs_at_once_raise_and_send_each_alert_once(clinician, office_user):
    """A redelivered task running beside the original: the advisory lock serialises the raising,
    the row locks (SKIP LOCKED) the sending; between them each alert and each e-mail happens once."""
    today = datetime.date(2026, 11, 24)
    for _ in range(3):
        RunningPathwayFactory(
            referral__received_on=today - datetime.timedelta(days=22),
            referral__responsible_consultant=clinician,
        )
    raised: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait(timeout=30)
            raised.append(services.pathway_alerts_send(today=today))
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=60)

    assert sorted(raised) == [0, 3]
    assert PathwayAlert.objects.count() == 3
    assert PathwayAlertDelivery.objects.filter(status="pending").count() == 0
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([clinician.email, office_user.email])
    assert all(message.body.count("/ptl/pathways/") == 3 for message in mail.outbox)
