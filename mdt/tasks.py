"""Scheduled MDT sweeps (the beat schedule is in portal/celery.py). Each calls one service that
finds what is due on or before now, sends it once and records it, so a duplicate, retried or
skipped run neither repeats nor loses a reminder."""

from celery import shared_task

from . import services as mdt_services
from .models import Mdt
from .services import reminders as mdt_reminders


@shared_task
def mdt_generate_meetings() -> int:
    """Create each active MDT's meetings ahead from its weekly slot."""
    return sum(len(mdt_services.mdt_meetings_generate(mdt=mdt)) for mdt in Mdt.objects.filter(active=True))


@shared_task
def mdt_close_lists() -> int:
    """Close the case lists whose cut-off has passed."""
    return mdt_services.meeting_lists_close_due()


@shared_task
def mdt_send_readiness_chases() -> int:
    return mdt_reminders.reminders_send_readiness_chases()


@shared_task
def mdt_send_case_lists() -> int:
    return mdt_reminders.reminders_send_case_lists()


@shared_task
def mdt_send_missing_outcome_reminders() -> int:
    return mdt_reminders.reminders_send_missing_outcomes()


@shared_task
def mdt_send_outcome_not_sent_reminders() -> int:
    return mdt_reminders.reminders_send_outcomes_not_sent()


@shared_task
def mdt_send_cancellations(meeting_id: int | None = None) -> int:
    """Queued when a meeting is cancelled; also a beat sweep in case that message was lost."""
    return mdt_reminders.reminders_send_cancellations(meeting_id=meeting_id)
