"""Returns of incomplete referrals: what a referral lacks, the return to its referrer (e-mailed
once, through the outbox) and the resubmission.

Every write is atomic, locks the referral's row and records who did it (simple-history, and a
ReferralEvent where the referral's path changes). Rules are in diagnostics/rules.py."""

import logging

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal.mail import is_secure_address
from portal.outbox import enqueue
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_claim

from .. import rules as drules
from ..models import ReferralReturn
from .clinics import referral_apply_intake_suggestions

logger = logging.getLogger(__name__)

Status = Referral.Status
WAITING_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED, Status.UNDER_INVESTIGATION)


# Returns of incomplete referrals ---------------------------------------------------------------------


def referral_content(referral: Referral) -> drules.ReferralContent:
    return drules.ReferralContent(
        tumour_type=referral.tumour_type,
        presentation=referral.presentation,
        postcode=referral.patient.postcode,
        referring_clinician=referral.referring_clinician,
        referrer_contact=referral.referrer_contact,
        lump_size_cm=float(referral.lump_size_cm) if referral.lump_size_cm is not None else None,
        lump_depth=referral.lump_depth,
        lump_growing=referral.lump_growing,
        lump_painful=referral.lump_painful,
        imaging_done=referral.imaging_done,
        imaging_result=referral.imaging_result,
    )


@transaction.atomic
def referral_return(*, referral_id: int, by, note: str = "") -> ReferralReturn:
    """Return an incomplete referral to its referrer, recording what is missing (the rule's
    list), when and by whom. Refused when nothing is missing or a return is still outstanding."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    if referral.status not in (Status.RECEIVED, Status.TRIAGED):
        raise ValidationError(
            {"referral": "Only a referral not yet accepted can be returned to the referrer."}
        )
    missing = drules.missing_information(referral_content(referral))
    if not missing:
        raise ValidationError(
            {"referral": "Nothing is missing from this referral, so it cannot be returned."}
        )
    try:
        with transaction.atomic():
            returned = ReferralReturn.objects.create(
                referral=referral,
                returned_at=timezone.now(),
                returned_by=by,
                missing=missing,
                note=note.strip(),
            )
    except IntegrityError as error:
        raise ValidationError(
            {"referral": "Another user got there first: this referral is already back with the referrer."}
        ) from error
    ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        from_status=referral.status,
        to_status=referral.status,
        reason="Returned to the referrer; missing: " + " ".join(missing),
    )
    enqueue("diagnostics.tasks.notify_referrer_of_return", returned.pk)
    return returned


def _email_address(contact: str) -> str:
    try:
        validate_email(contact.strip())
    except ValidationError:
        return ""
    return contact.strip()


@transaction.atomic
def referral_return_notify(*, return_id: int) -> bool:
    """E-mail the referrer what is missing, once: the return is claimed by setting
    referrer_notified_at, so a redelivered task sends nothing. Only the referral number and the
    patient's initials identify the patient. False when already sent or the referrer's contact
    is not an e-mail address (the MDT office telephones them)."""
    returned = (
        ReferralReturn.objects.select_for_update().select_related("referral__patient").get(pk=return_id)
    )
    address = _email_address(returned.referral.referrer_contact)
    if returned.referrer_notified_at is not None or returned.resubmitted_at is not None or not address:
        return False
    returned.referrer_notified_at = timezone.now()
    returned.save(update_fields=["referrer_notified_at"])
    send_mail(
        subject=f"Sarcoma referral {returned.referral_id}: information needed",
        message=render_to_string(
            "diagnostics/email/referral_returned.txt",
            {"returned": returned, "identifiable": is_secure_address(address)},
        ),
        from_email=None,
        recipient_list=[address],
    )
    return True


FEATURE_FIELDS = (
    "referring_clinician",
    "referrer_contact",
    "lump_size_cm",
    "lump_depth",
    "lump_growing",
    "lump_painful",
    "imaging_done",
    "imaging_result",
)


@transaction.atomic
def referral_resubmit(*, referral_id: int, by, values: dict, postcode: str | None = None) -> ReferralReturn:
    """The referrer's missing information arrives: update the referral and close its outstanding
    return. Refused, naming what is still missing, if the referral is still incomplete."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    outstanding = ReferralReturn.objects.select_for_update().outstanding().filter(referral=referral).first()
    if outstanding is None:
        raise ValidationError({"referral": "This referral has no outstanding return."})
    for name in FEATURE_FIELDS:
        if name in values and values[name] is not None:
            setattr(referral, name, values[name])
    if postcode is not None and postcode.strip():
        referral.patient.postcode = postcode.strip().upper()
        referral.patient.save(update_fields=["postcode"])
    missing = drules.missing_information(referral_content(referral))
    if missing:
        raise ValidationError({"referral": ["Still missing: " + " ".join(missing)]})
    referral._change_reason = "Missing information received"
    referral.save(update_fields=list(FEATURE_FIELDS))
    if not referral.diagnostic_clinic_id:
        referral_apply_intake_suggestions(referral=referral)
    outstanding.resubmitted_at = timezone.now()
    outstanding.resubmitted_by = by
    outstanding.save(update_fields=["resubmitted_at", "resubmitted_by"])
    ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        from_status=referral.status,
        to_status=referral.status,
        reason="Missing information received from the referrer.",
    )
    return outstanding
