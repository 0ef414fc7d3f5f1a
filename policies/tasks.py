"""Scheduled work for policies: the daily review-date alert sweep (beat entry in portal/celery.py)."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from . import rules, services
from .models import PolicyDocument

logger = logging.getLogger(__name__)


@shared_task
def send_review_alerts() -> int:
    """For each approved, current version, send every review-date alert due on or before today
    and not yet recorded. Each alert is claimed (committed) before it is sent, so running twice,
    a retry or a worker dying mid-run never sends one twice. Returns how many were sent."""
    today = timezone.localdate()
    earliest_alert = datetime.timedelta(days=max(rules.DAYS_BEFORE_REVIEW))
    document_ids = (
        PolicyDocument.objects.approved()
        .filter(review_date__lte=today + earliest_alert)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for document_id in document_ids:
        try:
            alert = services.review_alert_claim(document_id=document_id, today=today)
            if alert is not None and services.review_alert_send(alert_id=alert.pk):
                sent += 1
        except Exception:
            # One broken document must not stop the others' alerts; its own is retried tomorrow.
            logger.exception("Review alerts for policy version %s failed", document_id)
    return sent
