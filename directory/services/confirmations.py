"""The annual confirmation of each practitioner's entry, and flagging unconfirmed ones to the SAG."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import sweeps

from .. import notifications, rules
from ..models import ConfirmationRequest, Practitioner


def confirmation_requests_send_due(*, today: datetime.date | None = None) -> list[int]:
    """Ask every active practitioner without a confirmation request this year to confirm their
    entry. Returns the ids of the requests sent."""
    today = today or timezone.localdate()
    year = rules.confirmation_year_due(today=today)
    due = Practitioner.objects.filter(active=True).exclude(confirmation_requests__year=year)
    # One practitioner who cannot be sent to (a mail server's refusal, a bad header) is logged and
    # tried again on the next run (nothing was recorded for them); the others still go now.
    result = sweeps.each(
        list(due.values_list("pk", flat=True)),
        lambda practitioner_id: confirmation_request_send(practitioner_id=practitioner_id, year=year),
        what="annual confirmation request to practitioner %s",
    )
    return [confirmation.pk for confirmation in result.done if confirmation is not None]


@transaction.atomic
def confirmation_request_send(*, practitioner_id: int, year: int) -> ConfirmationRequest | None:
    """Send one practitioner's annual confirmation request (to the MDT office if they have no
    e-mail address), recording it first: the unique (practitioner, year) row makes a second send
    impossible. Returns None if it was already sent."""
    practitioner = Practitioner.objects.select_related("organisation").get(pk=practitioner_id)
    recipients = [practitioner.email] if practitioner.email else notifications.office_emails()
    if not recipients:
        return None  # nobody to ask yet; the next run tries again
    try:
        with transaction.atomic():
            confirmation = ConfirmationRequest.objects.create(
                practitioner=practitioner, year=year, sent_at=timezone.now(), sent_to="\n".join(recipients)
            )
    except IntegrityError:
        return None
    notifications.send_confirmation_request(confirmation, recipients, on_behalf=not practitioner.email)
    return confirmation


@transaction.atomic
def confirmation_request_confirm(*, token: str) -> ConfirmationRequest:
    """Record that the practitioner (or the MDT office for them) confirmed the entry. Confirming
    twice changes nothing."""
    confirmation = ConfirmationRequest.objects.select_for_update().get(token=token)
    if confirmation.confirmed_at is None:
        confirmation.confirmed_at = timezone.now()
        confirmation.save()
    return confirmation


CONFIRMATION_GRACE_DAYS = 30


@transaction.atomic
def confirmation_requests_flag_unconfirmed(*, now: datetime.datetime | None = None) -> list[int]:
    """Flag to the SAG, in one e-mail, every entry whose confirmation request has gone unanswered
    for CONFIRMATION_GRACE_DAYS; each is flagged once. Returns the ids flagged."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=CONFIRMATION_GRACE_DAYS)
    overdue = list(
        ConfirmationRequest.objects.unconfirmed_since(cutoff)
        .filter(flagged_to_sag_at__isnull=True, practitioner__active=True)
        .select_for_update(of=("self",))
        .select_related("practitioner__organisation")
    )
    for confirmation in overdue:
        confirmation.flagged_to_sag_at = now
        confirmation.save()
    if overdue:
        notifications.send_unconfirmed_to_sag(overdue)
    return [confirmation.pk for confirmation in overdue]
