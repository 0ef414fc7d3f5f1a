"""Letters' Celery tasks: each takes ids, calls one service and is idempotent."""

from celery import shared_task

from . import services


@shared_task(name="letters.tasks.letter_email")
def letter_email(letter_id: int) -> bool:
    """E-mail a sent letter's PDF (once: the service claims the letter)."""
    return services.letter_email_deliver(letter_id=letter_id)


@shared_task(name="letters.tasks.letters_print_batch")
def letters_print_batch() -> int | None:
    """The daily print batch: every letter marked for the post, in one PDF for the MDT office.
    Letters marked on a day the task did not run are gathered by the next run."""
    batch = services.print_batch_create()
    return batch.pk if batch else None
