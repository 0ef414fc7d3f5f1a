"""The diagnostic pathway's queued work: each task takes ids, calls one service and is idempotent."""

from celery import shared_task

from . import services


@shared_task
def notify_referrer_of_return(return_id: int) -> bool:
    """E-mail the referrer what their returned referral is missing, once."""
    return services.referral_return_notify(return_id=return_id)
