import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from policies import services
from policies.models import PolicyReviewAlert
from policies.seed import load_reference_data
from policies.tasks import send_review_alerts
from tests.factories import (
    ApprovedPolicyDocumentFactory,
    AwaitingApprovalPolicyDocumentFactory,
    DraftPolicyDocumentFactory,
    SupersededPolicyDocumentFactory,
    UserFactory,
    WithdrawnPolicyDocumentFactory,
)

pytestmark = pytest.mark.django_db

REVIEW = datetime.date(2027, 6, 1)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=datetime.UTC)


def run_on(day: datetime.date) -> int:
    with time_machine.travel(noon(day), tick=False):
        return send_review_alerts()


def sent_thresholds(document) -> list[str]:
    return list(
        document.review_alerts.filter(status=PolicyReviewAlert.Status.SENT)
        .order_by("due_on")
        .values_list("threshold", flat=True)
    )


@pytest.fixture
def document(office_user):
    return ApprovedPolicyDocumentFactory(
        title="LSESN Pathway for retroperitoneal sarcomas",
        version_number="4",
        approval_date=datetime.date(2025, 6, 1),
        review_date=REVIEW,
        owners=[office_user],
    )


def test_run_every_day_sends_each_threshold_once_on_its_day(document, sag_member):
    sent_on = {}
    day = datetime.date(2026, 11, 24)
    while day <= datetime.date(2027, 6, 22):
        outbox_before = len(mail.outbox)
        run_on(day)
        for message in mail.outbox[outbox_before:]:
            sent_on[day] = message.subject
        day += datetime.timedelta(days=1)

    assert list(sent_on) == [
        datetime.date(2026, 12, 3),  # six months (180 days) before
        datetime.date(2027, 3, 3),  # 90 days before
        datetime.date(2027, 5, 2),  # 30 days before
        datetime.date(2027, 5, 25),  # 7 days before
        datetime.date(2027, 6, 1),  # on the day
        datetime.date(2027, 6, 8),  # overdue, week 1
        datetime.date(2027, 6, 15),  # overdue, week 2
        datetime.date(2027, 6, 22),  # overdue, week 3
    ]
    assert sent_thresholds(document) == [
        "before-180",
        "before-90",
        "before-30",
        "before-7",
        "on-the-day",
        "overdue-week-1",
        "overdue-week-2",
        "overdue-week-3",
    ]
    assert sent_on[datetime.date(2026, 12, 3)].startswith("Policy review due 1 June 2027")
    assert sent_on[datetime.date(2027, 6, 1)].startswith("Policy review due today")
    assert sent_on[datetime.date(2027, 6, 8)].startswith("Policy review overdue")


def test_a_skipped_day_does_not_lose_the_alert(document, sag_member):
    assert run_on(datetime.date(2027, 3, 2)) == 1  # the six-months alert
    assert sent_thresholds(document) == ["before-180"]
    # The task did not run on 3 March, the 90-days-before day.
    assert run_on(datetime.date(2027, 3, 4)) == 1
    assert len(mail.outbox) == 2
    assert sent_thresholds(document)[-1] == "before-90"


def test_several_missed_thresholds_send_only_the_latest(document, sag_member):
    # First seen a week overdue: one e-mail, not six; the older thresholds are recorded as
    # superseded so they are never sent later either.
    assert run_on(datetime.date(2027, 6, 9)) == 1
    assert len(mail.outbox) == 1
    assert "overdue for review, week 1" in mail.outbox[0].body
    statuses = dict(document.review_alerts.values_list("threshold", "status"))
    assert statuses == {
        "before-180": "superseded",
        "before-90": "superseded",
        "before-30": "superseded",
        "before-7": "superseded",
        "on-the-day": "superseded",
        "overdue-week-1": "sent",
    }
    assert run_on(datetime.date(2027, 6, 10)) == 0


def test_a_duplicate_run_on_the_same_day_sends_nothing_more(document, sag_member):
    assert run_on(datetime.date(2027, 5, 25)) == 1
    assert run_on(datetime.date(2027, 5, 25)) == 0
    assert run_on(datetime.date(2027, 5, 26)) == 0
    assert len(mail.outbox) == 1
    assert document.review_alerts.filter(threshold="before-7").count() == 1


def test_an_alert_claimed_by_a_worker_that_died_is_sent_once_after_the_task_time_limit(
    document, sag_member, settings
):
    settings.CELERY_TASK_TIME_LIMIT = 300
    with time_machine.travel(noon(datetime.date(2027, 5, 25)), tick=False):
        claimed = services.review_alert_claim(document_id=document.pk, today=datetime.date(2027, 5, 25))
        # ...the worker is killed here, after the claim was committed and before the e-mail.
        # While the claim could still belong to a running task, nobody else sends it.
        assert send_review_alerts() == 0
    assert mail.outbox == []
    with time_machine.travel(noon(datetime.date(2027, 5, 25)) + datetime.timedelta(minutes=6), tick=False):
        assert send_review_alerts() == 1
        assert send_review_alerts() == 0
    assert len(mail.outbox) == 1
    claimed.refresh_from_db()
    assert claimed.status == PolicyReviewAlert.Status.SENT


def test_an_alert_the_mail_server_refused_is_sent_on_the_next_run(document, sag_member):
    with mock.patch("policies.services.send_mail", side_effect=smtplib.SMTPException("down")):
        assert run_on(datetime.date(2027, 5, 25)) == 0
    alert = document.review_alerts.get(threshold="before-7")
    assert alert.status == PolicyReviewAlert.Status.FAILED
    assert run_on(datetime.date(2027, 5, 26)) == 1
    assert run_on(datetime.date(2027, 5, 26)) == 0
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert alert.status == PolicyReviewAlert.Status.SENT


def test_a_refused_alert_is_superseded_when_a_later_threshold_is_due_by_the_retry(document, sag_member):
    with mock.patch("policies.services.send_mail", side_effect=smtplib.SMTPException("down")):
        run_on(datetime.date(2027, 5, 25))
    assert run_on(datetime.date(2027, 6, 2)) == 1
    assert "the date of review is today" in mail.outbox[0].body
    statuses = dict(document.review_alerts.values_list("threshold", "status"))
    assert statuses["before-7"] == "superseded"
    assert statuses["on-the-day"] == "sent"


def test_one_broken_document_does_not_stop_the_others_and_is_retried(document, sag_member):
    other = ApprovedPolicyDocumentFactory(approval_date=datetime.date(2025, 6, 1), review_date=REVIEW)
    real_render = services.render_to_string
    calls = []

    def render_failing_once(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:
            raise RuntimeError("template broken")
        return real_render(*args, **kwargs)

    with mock.patch("policies.services.render_to_string", side_effect=render_failing_once):
        assert run_on(datetime.date(2027, 5, 25)) == 1
    assert sent_thresholds(other) == ["before-7"]
    assert document.review_alerts.get(threshold="before-7").status == PolicyReviewAlert.Status.FAILED
    assert run_on(datetime.date(2027, 5, 26)) == 1
    assert sent_thresholds(document) == ["before-7"]
    assert len(mail.outbox) == 2


def test_alert_goes_to_owners_and_the_sag_and_says_what_and_where(
    document, sag_member, other_sag_member, clinician
):
    UserFactory(username="retired-sag", role="SAG member", is_active=False)
    run_on(datetime.date(2027, 3, 3))
    [message] = mail.outbox
    assert sorted(message.to) == ["office@example.invalid", "sag2@example.invalid", "sag@example.invalid"]
    assert "LSESN Pathway for retroperitoneal sarcomas" in message.subject
    assert "version 4" in message.subject
    assert "Version: 4" in message.body
    assert "Date of review: 01/06/2027" in message.body
    assert "90 days before the date of review" in message.body
    assert f"http://127.0.0.1:8000/policies/{document.pk}/" in message.body
    alert = document.review_alerts.get(threshold="before-90")
    assert alert.recipients.splitlines() == sorted(message.to)


def test_only_current_approved_versions_alert(sag_member):
    for factory in (
        DraftPolicyDocumentFactory,
        AwaitingApprovalPolicyDocumentFactory,
        SupersededPolicyDocumentFactory,
        WithdrawnPolicyDocumentFactory,
    ):
        factory(review_date=datetime.date(2026, 1, 1), approval_date=datetime.date(2025, 1, 1))
    assert run_on(datetime.date(2026, 11, 24)) == 0
    assert not PolicyReviewAlert.objects.exists()


def test_a_newly_approved_version_gets_its_own_alerts(document, sag_member):
    run_on(datetime.date(2027, 6, 2))
    assert sent_thresholds(document) == ["on-the-day"]
    new = AwaitingApprovalPolicyDocumentFactory(series=document.series, version_number="4.1")
    with time_machine.travel(noon(datetime.date(2027, 6, 3)), tick=False):
        services.policy_version_approve(
            document_id=new.pk, approver=sag_member, review_date=datetime.date(2027, 12, 1)
        )
    run_on(datetime.date(2027, 6, 4))
    assert sent_thresholds(new) == ["before-180"]
    # The superseded version is no longer current: no overdue reminders for it.
    run_on(datetime.date(2027, 6, 10))
    assert sent_thresholds(document) == ["on-the-day"]


def test_the_seeded_spinal_pathway_is_alerted_once_as_overdue_today(sag_member):
    pathway = load_reference_data(owners=[sag_member])
    assert run_on(datetime.date(2026, 11, 24)) == 1
    assert run_on(datetime.date(2026, 11, 24)) == 0
    [message] = mail.outbox
    assert "overdue" in message.subject
    assert "Date of review: 01/03/2026" in message.body
    assert sent_thresholds(pathway) == ["overdue-week-38"]


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_running_the_sweep_twice_sends_each_alert_once(celery_worker):
    # The worker is another process with the real clock, so the dates are relative to today,
    # and its e-mail (locmem) is invisible here: the rows it committed are the evidence.
    today = timezone.localdate()
    sag = UserFactory(username="worker-sag", role="SAG member")
    overdue = ApprovedPolicyDocumentFactory(
        approval_date=today - datetime.timedelta(days=400),
        review_date=today - datetime.timedelta(days=10),
        owners=[sag],
    )
    upcoming = ApprovedPolicyDocumentFactory(
        approval_date=today - datetime.timedelta(days=400),
        review_date=today + datetime.timedelta(days=100),
    )

    first = send_review_alerts.delay()
    second = send_review_alerts.delay()
    assert first.get(timeout=60) == 2
    assert second.get(timeout=60) == 0
    assert send_review_alerts.delay().get(timeout=60) == 0

    assert sent_thresholds(overdue) == ["overdue-week-1"]
    assert sent_thresholds(upcoming) == ["before-180"]
    assert overdue.review_alerts.count() == 6  # five superseded, one sent
    assert overdue.review_alerts.get(threshold="overdue-week-1").recipients == "worker-sag@example.invalid"


def test_a_title_with_a_line_break_is_sent_on_one_line_not_left_claimed(office_user, sag_member):
    """Guards issue 17 finding 8: a title with "\\r\\n" made Django refuse the subject, and the
    alert stayed "claimed" for ever."""
    ApprovedPolicyDocumentFactory(
        title="Pathway\r\nBcc: someone@example.invalid",
        approval_date=datetime.date(2025, 6, 1),
        review_date=REVIEW,
        owners=[office_user],
    )
    assert run_on(datetime.date(2026, 12, 3)) == 1
    (message,) = mail.outbox
    assert "\n" not in message.subject
    assert "\r" not in message.subject
    assert PolicyReviewAlert.objects.get().status == PolicyReviewAlert.Status.SENT


def test_an_alert_that_cannot_be_sent_for_any_reason_is_marked_failed(document, sag_member):
    with mock.patch("policies.services.send_mail", side_effect=ValueError("bad header")):
        run_on(datetime.date(2026, 12, 3))
    assert PolicyReviewAlert.objects.get().status == PolicyReviewAlert.Status.FAILED
