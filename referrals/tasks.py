"""Scheduled sweeps (portal/celery.py): each finds what is due on or before today in the database
and records what it sent, so a missed run or a redelivered task neither loses nor repeats one."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def send_weekly_digests() -> int:
    """Weekly: each clinician's digest of their patients, once per ISO week."""
    return services.weekly_digest_send(today=timezone.localdate())
