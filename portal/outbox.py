"""The transactional outbox: notifications that survive Redis or the worker being down.

`enqueue("app.tasks.name", *args)` replaces `transaction.on_commit(lambda: task.delay(*args))`. It writes an
`OutboxMessage` row in the caller's transaction (so the notification is owed exactly when the
record is saved) and, on commit, tries to hand it to the broker. A broker error is logged and the
row stays undispatched; `portal.tasks.dispatch_outbox` (beat, every minute) sends what is left.
Saving a record therefore never fails because of the broker, and nothing owed is lost.

Dispatch claims its rows (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional update
elsewhere), so two dispatchers do not both send a row; and since every task records what it sent
under a unique constraint, even a duplicate dispatch sends no e-mail twice."""

import logging

from celery import current_app as app
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


def enqueue(task_name: str, *args) -> OutboxMessage:
    """Record that the task registered as `task_name` is owed, with `args`, once the current
    transaction commits, and try to send it on commit. Arguments must be JSON (ids, lists of ids).

    The task is named, not imported, so a service never imports the tasks module that calls it
    (no import circle); an unknown name is refused here, at the write, not at dispatch."""
    if task_name not in app.tasks:
        app.loader.import_default_modules()  # every app's tasks.py (autodiscover), once
    if task_name not in app.tasks:
        raise LookupError(f"No Celery task is registered as {task_name!r}.")
    message = OutboxMessage.objects.create(task=task_name, args=list(args))
    transaction.on_commit(lambda: outbox_dispatch(ids=[message.pk]))
    return message


def _send(message: OutboxMessage) -> None:
    task = app.tasks[message.task]
    if app.conf.task_always_eager:
        task.apply_async(args=message.args)
        return
    # A fresh connection to the configured broker, without kombu's publish retries: a broker that
    # is down fails the attempt at once and the sweep tries again.
    options = {**(app.conf.broker_transport_options or {}), "max_retries": 0}
    with app.connection_for_write(transport_options=options) as conn:
        task.apply_async(args=message.args, connection=conn, retry=False)


def _claim(queryset) -> list[OutboxMessage]:
    """Claim undispatched rows inside the caller's transaction."""
    if connection.features.has_select_for_update_skip_locked:
        return list(queryset.select_for_update(skip_locked=True))
    claimed = []
    for message in queryset:
        # Conditional update: only one dispatcher moves attempts from the value it read.
        if OutboxMessage.objects.filter(
            pk=message.pk, dispatched_at__isnull=True, attempts=message.attempts
        ).update(attempts=F("attempts") + 1):
            message.attempts += 1
            claimed.append(message)
    return claimed


def outbox_dispatch(*, ids: list[int] | None = None, limit: int = BATCH_SIZE) -> int:
    """Hand undispatched messages (all, or those with `ids`) to the broker; returns how many went.

    Each message is marked dispatched only after the broker accepted it; a broker error is logged
    and recorded on the row (never raised), so the caller's save is unaffected."""
    sent = 0
    with transaction.atomic():
        queryset = OutboxMessage.objects.filter(dispatched_at__isnull=True).order_by("created_at", "pk")
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        messages = _claim(queryset[:limit])
        for message in messages:
            if connection.features.has_select_for_update_skip_locked:
                message.attempts += 1
            try:
                _send(message)
            except Exception as exc:  # any broker or transport error: keep the row for the sweep
                logger.warning("Outbox message %s not dispatched: %s", message.pk, type(exc).__name__)
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                message.save(update_fields=["attempts", "last_error"])
                continue
            message.dispatched_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "dispatched_at", "last_error"])
            sent += 1
    return sent
