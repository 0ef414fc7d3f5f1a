"""Celery tasks: each takes ids (or nothing), calls one service and is idempotent; the services
record what was sent, so a redelivered task repeats nothing. The beat entries are in portal/celery.py."""

from celery import shared_task

from . import services


@shared_task
def notify_sag_of_new_requests(change_request_ids: list[int]) -> list[int]:
    return services.change_requests_notify_sag(change_request_ids=change_request_ids)


@shared_task
def notify_proposer_of_decision(change_request_id: int) -> bool:
    return services.change_request_notify_proposer(change_request_id=change_request_id)


@shared_task
def apply_due_change_requests() -> list[int]:
    """Hourly: apply approved changes whose effective date has come (on or before today)."""
    return services.change_request_apply_due()


@shared_task
def send_annual_confirmation_requests() -> list[int]:
    """Daily: ask every practitioner not yet asked this year to confirm their entry."""
    return services.confirmation_requests_send_due()


@shared_task
def flag_unconfirmed_entries() -> list[int]:
    """Daily: tell the SAG about entries left unconfirmed past the grace period."""
    return services.confirmation_requests_flag_unconfirmed()
