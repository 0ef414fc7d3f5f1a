"""Scheduled sweeps (portal/celery.py): each finds what is due on or before today in the database
and records what it sent, so a missed run or a redelivered task neither loses nor repeats one."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def send_pathway_alerts() -> int:
    """Daily: alert about clocks at risk or breached and day-38 handovers due, each alert once."""
    return services.pathway_alerts_send(today=timezone.localdate())
