"""Celery tasks of the second-opinion workflow: short, id-taking and idempotent."""

from celery import shared_task
from django.utils import timezone


@shared_task
def notify_office_of_new_request(request_id: int) -> None:
    """E-mail the MDT office that a request came in (queued on commit by the create service)."""
    from .services import second_opinion_request_notify_office

    second_opinion_request_notify_office(request_id=request_id)


@shared_task
def send_second_opinion_reminders() -> int:
    """Beat sweep: send every records chase and overdue-opinion reminder due on or before today
    and not yet sent (each at most once: see SecondOpinionReminder)."""
    from .services import second_opinion_reminders_send_due

    return second_opinion_reminders_send_due(today=timezone.localdate())
