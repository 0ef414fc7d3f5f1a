import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def heartbeat() -> str:
    """Proves the worker and beat are alive; logs the time only."""
    now = timezone.now().isoformat()
    logger.info("Celery heartbeat at %s", now)
    return now


@shared_task
def ping(value: str) -> str:
    """Echo used by the test that runs a task through a real worker."""
    return f"pong:{value}"


@shared_task
def dispatch_outbox() -> int:
    """Every minute: hand the broker whatever the outbox still owes (Redis was down on commit)."""
    from .outbox import outbox_dispatch

    return outbox_dispatch()


@shared_task
def notify_lead_of_break_glass(grant_id: int) -> int:
    """Tell the MDT office lead of a break-glass grant (queued through the outbox on commit)."""
    from .services import break_glass_notify_lead

    return break_glass_notify_lead(grant_id=grant_id)
