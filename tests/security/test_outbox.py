"""Faults: Redis or the worker down must fail no save, and what the save owes is sent once later.

The broker is made unreachable by pointing Celery at a closed port on this machine with eager
mode off, as a stopped Redis looks to the portal; "service back" is eager mode (or, in the
`celery_worker` test, the real Redis), and `dispatch_outbox` is the beat sweep that runs every
minute."""

import datetime
import os
import time

import pytest
from django.core import mail
from django.db import transaction

from directory import services as directory_services
from directory.models import ChangeRequest
from directory.seed import load_reference_data
from mdt import services as mdt_services
from mdt.models import MdtDiscussion
from portal.celery import app
from portal.models import OutboxMessage
from portal.outbox import outbox_dispatch
from portal.tasks import dispatch_outbox
from referrals import services as referral_services
from referrals.models import Referral
from second_opinions import services as second_opinion_services
from second_opinions.models import SecondOpinionRequest
from tests.factories import (
    HeldMeetingFactory,
    MdtDiscussionFactory,
    PatientFactory,
    PlannedMeetingFactory,
    PractitionerFactory,
)
from tests.referrals.test_services import patient_details, referral_details
from tests.second_opinions.test_services import details

CLOSED_PORT_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens here


@pytest.fixture
def broker_down(settings):
    """The broker unreachable and tasks no longer run in-process, until the test ends."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = CLOSED_PORT_BROKER
    app.conf.task_always_eager = False

    def back_up():
        app.conf.broker_url, app.conf.task_always_eager = saved

    yield back_up
    back_up()


def propose(practitioner, proposer) -> ChangeRequest:
    return directory_services.change_request_propose(
        proposer=proposer,
        kind="change",
        target_type="practitioner",
        target_id=practitioner.pk,
        values={"phone": "020 7946 0999"},
        reason="New direct line.",
    )


def second_opinion(office_user) -> SecondOpinionRequest:
    return second_opinion_services.second_opinion_request_create(
        patient=PatientFactory(),
        details=details(),
        received_on=datetime.date(2026, 11, 20),
        by=office_user,
    )


def test_a_change_request_is_saved_with_the_broker_down_and_the_sag_is_emailed_once_it_returns(
    broker_down, office_user, sag_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_request = propose(PractitionerFactory(), office_user)

    assert ChangeRequest.objects.filter(pk=change_request.pk, status="pending").exists()
    owed = OutboxMessage.objects.get()
    assert (owed.task, owed.args, owed.dispatched_at) == (
        "directory.tasks.notify_sag_of_new_requests",
        [[change_request.pk]],
        None,
    )
    assert owed.attempts == 1
    assert "OperationalError" in owed.last_error
    assert mail.outbox == []

    assert dispatch_outbox() == 0  # a sweep while it is still down keeps the row
    assert OutboxMessage.objects.get().attempts == 2

    broker_down()  # service returns
    assert dispatch_outbox() == 1
    assert dispatch_outbox() == 0
    assert [m.to for m in mail.outbox] == [[sag_member.email]]
    owed.refresh_from_db()
    assert owed.dispatched_at is not None
    assert owed.last_error == ""


def test_a_second_opinion_request_is_saved_with_the_broker_down_and_the_office_told_once_it_returns(
    broker_down, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = second_opinion(office_user)

    assert SecondOpinionRequest.objects.filter(pk=request.pk).exists()
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 1
    assert mail.outbox == []

    broker_down()
    dispatch_outbox()
    dispatch_outbox()
    assert len(mail.outbox) == 1
    assert f"/second-opinions/{request.pk}/" in mail.outbox[0].body


def test_a_meeting_cancelled_with_the_broker_down_owes_its_cancellations(
    broker_down, office_user, django_capture_on_commit_callbacks
):
    meeting = PlannedMeetingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        mdt_services.meeting_cancel(meeting_id=meeting.pk, reason="Strike", by=office_user)

    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    owed = OutboxMessage.objects.get()
    assert (owed.task, owed.args, owed.dispatched_at) == (
        "mdt.tasks.mdt_send_cancellations",
        [meeting.pk],
        None,
    )
    broker_down()
    assert dispatch_outbox() == 1


def test_a_duplicate_dispatch_sends_no_email_twice(
    office_user, sag_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        propose(PractitionerFactory(), office_user)
    assert len(mail.outbox) == 1
    # As if a dispatcher died after the broker took the message but before it was marked.
    OutboxMessage.objects.update(dispatched_at=None)
    assert outbox_dispatch() == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_save_owes_nothing(office_user, sag_member):
    practitioner = PractitionerFactory()

    def view_that_fails_after_the_service():
        with transaction.atomic():
            propose(practitioner, office_user)
            raise RuntimeError("the view failed after the service")

    with pytest.raises(RuntimeError):
        view_that_fails_after_the_service()
    assert OutboxMessage.objects.count() == 0
    assert ChangeRequest.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_with_redis_unreachable_then_back_a_real_worker_emails_the_sag_once(
    celery_worker, office_user, sag_member
):
    """Nothing is stopped or started: the portal first talks to a closed port, then to the real
    Redis, where a real worker (on the same PostgreSQL database) runs the task."""
    real_broker = app.conf.broker_url
    app.conf.broker_url = CLOSED_PORT_BROKER
    try:
        change_request = propose(PractitionerFactory(), office_user)  # commits: transaction=True
    finally:
        app.conf.broker_url = real_broker
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 1
    assert ChangeRequest.objects.get(pk=change_request.pk).sag_notified_at is None

    assert outbox_dispatch() == 1
    deadline = time.monotonic() + 30
    while ChangeRequest.objects.get(pk=change_request.pk).sag_notified_at is None:
        assert time.monotonic() < deadline, "the worker did not run the owed notification"
        time.sleep(0.2)
    notified_at = ChangeRequest.objects.get(pk=change_request.pk).sag_notified_at
    # A second dispatch of the same message (a duplicate) changes nothing: the task is idempotent.
    OutboxMessage.objects.update(dispatched_at=None)
    assert outbox_dispatch() == 1
    assert os.environ.get("REDIS_URL")
    time.sleep(1)
    assert ChangeRequest.objects.get(pk=change_request.pk).sag_notified_at == notified_at


def test_a_referral_and_an_mdt_outcome_are_saved_with_the_broker_down(
    broker_down, office_user, clinician, django_capture_on_commit_callbacks
):
    """They owe nothing to the broker: a new referral's alerts come from the daily sweep, which
    selects what is due on or before today, and the outcome letter is sent by `outcome_send` in
    the request, recorded in the same transaction."""
    load_reference_data()
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_services.referral_create(
            by=office_user,
            patient=patient_details(),
            referral=referral_details(responsible_consultant=clinician),
        )
        discussion = MdtDiscussionFactory(meeting=HeldMeetingFactory(), referral=referral)
        mdt_services.outcome_record(
            discussion_id=discussion.pk,
            version=0,
            outcome="surgery",
            recommendation="Wide local excision.",
            decision_to_treat_on=None,
            outcome_recipients="referrer",
            # Issue 16: no attendance was recorded, so the outcome needs its reason.
            outcome_caveat_reason="Attendance to be entered from the paper register.",
            by=office_user,
        )
    assert Referral.objects.filter(pk=referral.pk).exists()
    assert MdtDiscussion.objects.get(pk=discussion.pk).outcome == "surgery"
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 0
