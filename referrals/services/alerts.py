"""The once-only waiting-time alerts and the clinicians' weekly digests.

Rules come from `rules.py` (routing, clocks) and `policy_rules.py` (transitions, surgeon, treatment
before MDT); this module applies them inside transactions and records who did what and why."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from portal import sweeps
from portal.mail import is_secure_address, send_patient_mail
from portal.roles import Role

from .. import rules
from ..models import (
    DigestSent,
    HospitalNumber,
    Patient,
    Referral,
    ReferralEvent,
    WaitingTimeAlert,
    WaitingTimeAlertDelivery,
)

logger = logging.getLogger(__name__)

Status = Referral.Status


# Waiting-time alerts and weekly digests -------------------------------------------------------


def _mdt_office_users():
    return (
        get_user_model().objects.filter(groups__name=Role.MDT_OFFICE.value, is_active=True).exclude(email="")
    )


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
SWEEP_FINISHED_STATUSES = (Status.CLOSED, Status.DECLINED, Status.REDIRECTED)
WANTED_ALERTS = {
    rules.ClockState.AT_RISK: WaitingTimeAlert.Kind.AT_RISK,
    rules.ClockState.BREACHED: WaitingTimeAlert.Kind.BREACHED,
}


class AlertDeliveryFailed(Exception):
    """Some recipients' waiting-time alert e-mails could not be sent; they stay pending."""


def _id_batches(queryset, size: int = SWEEP_BATCH):
    """The primary keys of `queryset`, `size` at a time in key order (keyset paging), so memory
    holds one batch whatever the size of the table and each batch can be its own transaction."""
    last = 0
    while batch := list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]):
        yield batch
        last = batch[-1]


def _serialise_sweep(name: str) -> None:
    """Inside a transaction: wait for any other run of the sweep `name` to commit its batch. On
    PostgreSQL a transaction-level advisory lock; SQLite's BEGIN IMMEDIATE already serialises
    writers (portal/settings/base.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def _raise_alerts(ids: list[int], *, today: datetime.date, office: list) -> int:
    """One transaction: the alert rows for the clocks of referrals `ids` that are at risk or
    breached and not yet alerted, and one pending delivery row per alert and recipient (the MDT
    office and the responsible consultant). Returns how many alerts were raised."""
    with transaction.atomic():
        _serialise_sweep("waiting-time alerts")
        referrals = (
            Referral.objects.filter(pk__in=ids)
            .order_by("pk")
            .select_related("responsible_consultant")
            .prefetch_related("alerts")
        )
        alerts, recipients = [], []
        for referral in referrals:
            already = {(alert.standard, alert.kind) for alert in referral.alerts.all()}
            for clock in referral.clocks(today):
                kind = WANTED_ALERTS.get(clock.state)
                if kind is None or (clock.standard, kind) in already:
                    continue
                alerts.append(
                    WaitingTimeAlert(
                        referral=referral,
                        standard=clock.standard,
                        kind=kind,
                        due_on=clock.due_date,
                        days_elapsed=clock.days_elapsed,
                    )
                )
                people = {user.pk: user for user in office}
                consultant = referral.responsible_consultant
                if consultant is not None and consultant.is_active and consultant.email:
                    people[consultant.pk] = consultant
                recipients.append(people.values())
        if not alerts:
            return 0
        reason = "Waiting-time alert sweep."
        alerts = bulk_create_with_history(
            alerts, WaitingTimeAlert, batch_size=SWEEP_BATCH, default_change_reason=reason
        )
        deliveries = [
            WaitingTimeAlertDelivery(alert=alert, recipient=user)
            for alert, people in zip(alerts, recipients, strict=True)
            for user in people
        ]
        WaitingTimeAlertDelivery.objects.bulk_create(deliveries, batch_size=SWEEP_BATCH)
    return len(alerts)


def _alert_line(row: dict, number: tuple[str, str] | None) -> str:
    label, target = rules.STANDARDS[row["alert__standard"]]
    kind = WaitingTimeAlert.Kind(row["alert__kind"]).label.lower()
    day = f"day {row['alert__days_elapsed']} of {target}, " if row["alert__days_elapsed"] is not None else ""
    initials = f"{row['given_name'][:1]}{row['family_name'][:1]}".upper()
    return (
        f"- {label}: {kind} ({day}due {row['alert__due_on']:%d/%m/%Y}) for "
        f"{_label(initials, number)}, referral {row['alert__referral_id']}: "
        f"{settings.PORTAL_BASE_URL}{reverse('referrals:patient_detail', args=[row['patient_id']])}"
    )


def _link_only_line(referral_id: int, patient_id: int) -> str:
    """A referral in e-mail to an address outside the secure domains: its number and a link."""
    url = settings.PORTAL_BASE_URL + reverse("referrals:patient_detail", args=[patient_id])
    return f"- Referral {referral_id}: {url}"


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


NOT_THE_CONSULTANT = "The recipient is no longer the responsible consultant."


def _withdrawal_reason(row: dict, recipient) -> str:
    """Why a pending alert should no longer go to `recipient` (a user with is_mdt_office), or ""
    if it should: the recipient must still have the patient, and the referral must still run."""
    if not recipient.is_active or not recipient.email:
        return "The recipient's account is inactive or has no e-mail address."
    if row["referral_status"] in SWEEP_FINISHED_STATUSES:
        return "The referral has ended."
    if not recipient.is_mdt_office and row["consultant_id"] != recipient.pk:
        return NOT_THE_CONSULTANT
    return ""


def _deliver_alerts_to(recipient_id: int) -> int:
    """One transaction: one e-mail listing every pending alert of one recipient, and those
    deliveries marked sent; pending alerts the recipient should no longer have are withdrawn with
    the reason. Rows another worker is sending are skipped (PostgreSQL); if the mail server
    refuses, the rows stay pending for the next run. Returns how many alerts it carried.
    Plain values, not model instances: a first run over years of data carries tens of thousands."""
    Delivery = WaitingTimeAlertDelivery
    with transaction.atomic():
        rows = list(
            Delivery.objects.filter(recipient_id=recipient_id, status=Delivery.Status.PENDING)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("alert__referral_id", "alert__standard", "alert__kind")
            .values(
                "pk",
                "alert_id",
                "alert__standard",
                "alert__kind",
                "alert__days_elapsed",
                "alert__due_on",
                "alert__referral_id",
                referral_status=F("alert__referral__status"),
                consultant_id=F("alert__referral__responsible_consultant_id"),
                patient_id=F("alert__referral__patient_id"),
                given_name=F("alert__referral__patient__given_name"),
                family_name=F("alert__referral__patient__family_name"),
            )
        )
        if not rows:
            return 0
        recipient = get_user_model().objects.get(pk=recipient_id)
        reasons = {row["pk"]: _withdrawal_reason(row, recipient) for row in rows}
        withdrawn: dict[str, list[int]] = {}
        for pk, reason in reasons.items():
            if reason:
                withdrawn.setdefault(reason, []).append(pk)
        for reason, ids in withdrawn.items():
            _set_deliveries(ids, status=Delivery.Status.WITHDRAWN, withdrawn_reason=reason)
        # An alert follows its patient to the new responsible consultant.
        passed_on = [
            Delivery(alert_id=row["alert_id"], recipient_id=row["consultant_id"])
            for row in rows
            if reasons[row["pk"]] == NOT_THE_CONSULTANT and row["consultant_id"] is not None
        ]
        Delivery.objects.bulk_create(passed_on, ignore_conflicts=True)
        rows = [row for row in rows if not reasons[row["pk"]]]
        if not rows:
            return 0
        numbers = _first_hospital_numbers(sorted({row["patient_id"] for row in rows}))
        lines = [_alert_line(row, numbers.get(row["patient_id"])) for row in rows]
        send_patient_mail(
            subject=f"Waiting-time alerts: {len(lines)} clock(s) at risk or breached",
            identifiable_body=render_to_string(
                "referrals/email/waiting_time_alerts.txt", {"lines": lines, "identifiable": True}
            ),
            link_only_body=render_to_string(
                "referrals/email/waiting_time_alerts.txt",
                {"lines": [_link_only_line(row["alert__referral_id"], row["patient_id"]) for row in rows]},
            ),
            to=[recipient.email],
        )
        _set_deliveries([row["pk"] for row in rows], status=Delivery.Status.SENT, sent_at=timezone.now())
    return len(rows)


def _set_deliveries(ids: list[int], **values) -> None:
    """One UPDATE per SWEEP_BATCH ids (bulk_update's CASE per row is slow at a first run's size)."""
    for start in range(0, len(ids), SWEEP_BATCH):
        WaitingTimeAlertDelivery.objects.filter(pk__in=ids[start : start + SWEEP_BATCH]).update(**values)


def waiting_time_alerts_send(*, today: datetime.date) -> int:
    """Alert the responsible consultant and the MDT office about every open clock that is at risk
    or breached on or before `today` and not yet alerted; one e-mail per recipient lists them.

    Two steps, so that nothing is lost and nothing goes twice:
    1. Raise: batch by batch of referrals, each batch one transaction, a WaitingTimeAlert row per
       referral, standard and kind (the unique constraint makes each alert once-only, so a skipped
       day is caught up and a second run raises nothing) with a pending delivery row for each
       recipient.
    2. Deliver: recipient by recipient, each its own transaction, one e-mail with all of that
       recipient's pending alerts, and those deliveries marked sent (or withdrawn, with the
       reason, if the recipient no longer has the patient or the referral has ended). A run
       killed between two recipients leaves the others pending and the next run sends them; one
       whose mail server fails leaves that recipient pending and raises AlertDeliveryFailed
       after the others.

    Each step commits its own transactions: called inside an atomic block they would become
    savepoints of one transaction, and a crash would roll back the e-mails' sent-marks too.

    Returns how many alerts this run raised."""
    running = [status for status in Status.values if status not in SWEEP_FINISHED_STATUSES]
    office = list(_mdt_office_users())
    raised = sum(
        _raise_alerts(ids, today=today, office=office)
        for ids in _id_batches(Referral.objects.filter(status__in=running))
    )
    pending = (
        WaitingTimeAlertDelivery.objects.filter(status=WaitingTimeAlertDelivery.Status.PENDING)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    failed, done = [], set()
    # A second pass for the consultants alerts were passed on to during the first.
    for _ in range(2):
        for recipient_id in [pk for pk in pending if pk not in done]:
            done.add(recipient_id)
            try:
                _deliver_alerts_to(recipient_id)
            except Exception:  # any failure for one recipient: they stay pending, the rest go on
                # The user id only: no patient identifiers in logs.
                logger.exception(
                    "Waiting-time alert e-mail to user %s failed; it stays pending", recipient_id
                )
                failed.append(recipient_id)
    if failed:
        raise AlertDeliveryFailed(
            f"Alert e-mails to {len(failed)} recipient(s) stay pending for the next run."
        )
    return raised


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
    """A deactivated account gets nothing more: its pending alert e-mails are withdrawn with the
    reason (portal.services.user_deactivate runs this through USER_DEACTIVATION_STEPS)."""
    return WaitingTimeAlertDelivery.objects.filter(
        recipient=user, status=WaitingTimeAlertDelivery.Status.PENDING
    ).update(status=WaitingTimeAlertDelivery.Status.WITHDRAWN, withdrawn_reason=reason)
