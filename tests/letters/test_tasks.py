"""The letters tasks: the daily print batch (beat) and the e-mail of a sent letter (outbox)."""

import pytest
from django.core import mail

from letters import services, tasks
from letters.models import Letter
from portal.celery import app

pytestmark = pytest.mark.django_db


def test_the_print_batch_runs_daily_from_the_beat_schedule():
    entries = [
        entry
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == "letters.tasks.letters_print_batch"
    ]
    assert len(entries) == 1


def test_the_daily_batch_gathers_letters_marked_on_a_missed_day_too(discussion, office_user):
    letter = services.letter_generate(
        kind=Letter.Kind.MDT_OUTCOME_REFERRER,
        source_id=discussion.pk,
        by=office_user,
        recipient_name="Dr Rita Referrer",
        recipient_address="1 Surgery Lane\nLondon",
    )
    services.letter_send(letter_id=letter.pk, method=Letter.Method.POST, by=office_user)
    batch_id = tasks.letters_print_batch()
    letter.refresh_from_db()
    assert letter.print_batch_id == batch_id
    assert tasks.letters_print_batch() is None


def test_the_email_task_sends_once(discussion, office_user):
    letter = services.letter_generate(
        kind=Letter.Kind.MDT_OUTCOME_REFERRER,
        source_id=discussion.pk,
        by=office_user,
        recipient_name="Dr Rita Referrer",
        recipient_email="rita.referrer@nhs.net",
    )
    services.letter_send(letter_id=letter.pk, method=Letter.Method.EMAIL, by=office_user)
    assert tasks.letter_email(letter.pk) is True
    assert tasks.letter_email(letter.pk) is False
    assert len(mail.outbox) == 1
