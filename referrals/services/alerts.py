"""The clinicians' weekly digests. (The once-only waiting-time alerts moved to the cancer
pathways, which count the clocks as NHS England does: waiting_times/services/alerts.py. The
WaitingTimeAlert rows this module raised until then stay as the record of what was sent.)

Rules come from `rules.py` (routing, clocks) and `policy_rules.py` (transitions, surgeon, treatment
before MDT); this module applies them inside transactions and records who did what and why."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal import sweeps
from portal.mail import is_secure_address
from portal.roles import Role

from .. import rules
from ..models import DigestSent, HospitalNumber, Patient, Referral, ReferralEvent, WaitingTimeAlertDelivery

logger = logging.getLogger(__name__)

Status = Referral.Status


# Weekly digests --------------------------------------------------------------------------------


def _patient_label(patient: Patient) -> str:
    """Initials and hospital number only: the minimum that identifies a patient in e-mail."""
    return _label(patient.initials, _first_hospital_numbers([patient.pk]).get(patient.pk))


def _label(initials: str, number: tuple[str, str] | None) -> str:
    return (
        f"{initials}, hospital no. {number[0]} ({number[1]})" if number else f"{initials}, no hospital number"
    )


def _patient_url(patient: Patient) -> str:
    return settings.PORTAL_BASE_URL + reverse("referrals:patient_detail", args=[patient.pk])


SWEEP_BATCH = 1000


def _first_hospital_numbers(patient_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each patient's first hospital number (by organisation name) with its organisation's ODS
    code, read SWEEP_BATCH patients at a time."""
    numbers: dict[int, tuple[str, str]] = {}
    for start in range(0, len(patient_ids), SWEEP_BATCH):
        rows = (
            HospitalNumber.objects.filter(patient_id__in=patient_ids[start : start + SWEEP_BATCH])
            .order_by("patient_id", "organisation__name", "pk")
            .values_list("patient_id", "number", "organisation__ods_code")
        )
        for patient_id, number, ods_code in rows:
            numbers.setdefault(patient_id, (number, ods_code))
    return numbers


def _digest_for(user, *, today: datetime.date, identifiable: bool = True) -> dict[str, list[str]]:
    """The lines of one clinician's digest, each with initials, hospital number and a link; or,
    not `identifiable` (an address outside the secure domains), the referral number and a link
    only."""
    week_ago = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time())
    )
    mine = Referral.objects.visible_to(user).select_related("patient")
    changes = ReferralEvent.objects.filter(referral__in=mine, at__gte=week_ago).select_related(
        "referral__patient"
    )
    open_referrals = list(mine.open().select_related("pathology_review"))

    def pathology_pending(referral: Referral) -> str | None:
        """Specialist pathology review still owed: not yet requested, or not yet reported."""
        if not referral.routing_decision.get("specialist_pathology_review"):
            return None
        review = getattr(referral, "pathology_review", None)  # reverse one-to-one: None if missing
        if review is None:
            return "review not yet requested"
        return None if review.reported_on else f"requested {review.requested_on:%d/%m}, awaiting report"

    # Each section: (referral, what happened) pairs.
    sections: dict[str, list[tuple[Referral, str]]] = {
        "changes": [
            (
                e.referral,
                f"{timezone.localtime(e.at):%d/%m} {e.get_from_status_display() or 'New referral'} -> "
                f"{e.get_to_status_display()}",
            )
            for e in changes
        ],
        "pathology": [(r, pending) for r in open_referrals if (pending := pathology_pending(r))],
        "mdt": [(r, "") for r in open_referrals if r.status == Status.AWAITING_MDT],
        "at_risk": [
            (r, f"{clock.label} {clock.state.value.replace('_', ' ')}, due {clock.due_date:%d/%m/%Y}")
            for r in open_referrals
            for clock in r.clocks(today)
            if clock.state in (rules.ClockState.AT_RISK, rules.ClockState.BREACHED)
        ],
    }
    if not identifiable:
        return {
            name: [f"referral {r.pk}: {_patient_url(r.patient)}" for r, _ in entries]
            for name, entries in sections.items()
        }
    return {
        name: [
            ", ".join(
                part for part in (what, f"{_patient_label(r.patient)}: {_patient_url(r.patient)}") if part
            )
            for r, what in entries
        ]
        for name, entries in sections.items()
    }


def weekly_digest_send(*, today: datetime.date) -> int:
    """Send each clinician a digest of their patients for `today`'s ISO week, once: a DigestSent
    row per clinician and week makes a second send impossible. Clinicians with nothing to report
    get no e-mail. One clinician who cannot be sent to does not stop the others. Returns how many
    digests were sent."""
    clinicians = (
        get_user_model().objects.filter(groups__name=Role.CLINICIAN.value, is_active=True).exclude(email="")
    )
    return sum(
        sweeps.each(
            list(clinicians),
            lambda user: _weekly_digest_send_to(user, today=today),
            what="weekly digest to user %s",
        ).done
    )


def _weekly_digest_send_to(user, *, today: datetime.date) -> int:
    """One clinician's digest for `today`'s week, unless already sent; returns 1 if it went. The
    DigestSent row and the e-mail share a transaction: a send that fails records nothing, so the
    next run tries again."""
    iso_year, iso_week, _ = today.isocalendar()
    if DigestSent.objects.filter(recipient=user, iso_year=iso_year, iso_week=iso_week).exists():
        return 0
    secure = is_secure_address(user.email)
    digest = _digest_for(user, today=today, identifiable=secure)
    if not any(digest.values()):
        return 0
    try:
        with transaction.atomic():
            DigestSent.objects.create(recipient=user, iso_year=iso_year, iso_week=iso_week)
            send_mail(
                subject=f"Your sarcoma patients: week {iso_week} of {iso_year}",
                message=render_to_string(
                    "referrals/email/weekly_digest.txt",
                    {
                        "user": user,
                        "digest": digest,
                        "identifiable": secure,
                        "list_url": settings.PORTAL_BASE_URL + reverse("referrals:patient_list"),
                    },
                ),
                from_email=None,
                recipient_list=[user.email],
            )
    except IntegrityError:
        return 0  # another worker sent it first
    return 1


def alert_deliveries_withdraw_for_user(*, user, reason: str) -> int:
    """A deactivated account gets nothing more: pending copies of the referral sweep's alerts
    (before the cancer pathways' alerts replaced it) are withdrawn with the reason."""
    return WaitingTimeAlertDelivery.objects.filter(
        recipient=user, status=WaitingTimeAlertDelivery.Status.PENDING
    ).update(status=WaitingTimeAlertDelivery.Status.WITHDRAWN, withdrawn_reason=reason)
