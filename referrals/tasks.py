"""Scheduled sweeps (portal/celery.py): each finds what is due on or before today in the database
and records what it sent, so a missed run or a redelivered task neither loses nor repeats one."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def send_weekly_digests() -> int:
    """Weekly: each clinician's digest of their patients, once per ISO week."""
    return services.weekly_digest_send(today=timezone.localdate())


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=10)
def referral_flag_urgent_override(referral_id: int) -> bool:
    """Queued (outbox) when a first treatment is recorded with a clinically urgent override: tell
    the MDT lead, once. A mail server that is down is retried; the referral shows until then that
    the lead has not been told."""
    return services.referral_urgent_override_notify(referral_id=referral_id)
