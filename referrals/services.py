"""Every write on patients and referrals: intake, transitions, surgeon assignment, first
treatment, patient merge, and the once-only waiting-time alerts and weekly digests.

Rules come from `rules.py` (routing, clocks) and `policy_rules.py` (transitions, surgeon, treatment
before MDT); this module applies them inside transactions and records who did what and why.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from directory.models import Capability, Organisation, Practitioner
from portal import sweeps
from portal.mail import is_secure_address, send_patient_mail
from portal.roles import Role

from . import policy_rules, rules
from .models import (
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


# Routing --------------------------------------------------------------------------------------


def capability_holders() -> rules.CapabilityHolders:
    """Which directory services hold each capability, as the routing rules want it. A SAG-approved
    directory change (a capability moved between services) therefore moves the routing."""
    holders: dict[str, tuple[str, ...]] = {}
    for capability in Capability.objects.prefetch_related("services"):
        holders[capability.code] = tuple(sorted(service.code for service in capability.services.all()))
    return holders


def routing_decide(
    *,
    date_of_birth: datetime.date,
    received_on: datetime.date,
    presentation: str,
    tumour_type: str,
    site: str,
    skull_base: bool = False,
    transnasal_ccj: bool = False,
    suspected_mscc: bool = False,
    clinically_urgent: bool = False,
) -> rules.RoutingDecision:
    """The pathway decision for a case, with the directory's current capability holders."""
    case = rules.RoutingCase(
        age=rules.age_on(date_of_birth, received_on),
        presentation=presentation,
        tumour=tumour_type,
        site=site,
        skull_base=skull_base,
        transnasal_ccj=transnasal_ccj,
        suspected_mscc=suspected_mscc,
        clinically_urgent=clinically_urgent,
    )
    return rules.route_referral(
        case, holders=capability_holders(), child_age_limit=settings.REFERRAL_CHILD_AGE_LIMIT
    )


# Intake ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientDetails:
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    nhs_number: str = ""
    sex: str = Patient.Sex.NOT_KNOWN
    postcode: str = ""
    key_worker: object | None = None
    hospital_number: str = ""
    hospital_organisation: Organisation | None = None


@dataclass(frozen=True)
class ReferralDetails:
    received_on: datetime.date
    presentation: str
    tumour_type: str
    site: str
    referring_organisation: Organisation | None = None
    referring_clinician: str = ""
    referrer_contact: str = ""
    skull_base: bool = False
    transnasal_ccj: bool = False
    suspected_mscc: bool = False
    clinically_urgent: bool = False
    transferred_between_trusts: bool = False
    responsible_consultant: object | None = None
    care_team: list = field(default_factory=list)
    # The urgent suspected sarcoma referral's clinical features (NICE NG12 1.11).
    lump_size_cm: object | None = None
    lump_depth: str = ""
    lump_growing: str = ""
    lump_painful: str = ""
    imaging_done: str = ""
    imaging_result: str = ""


def patient_find_existing(*, nhs_number: str) -> Patient | None:
    """The patient with this NHS number (any spacing), if there is one. Raises ValidationError
    naming the field when the number is not a valid NHS number."""
    if not nhs_number:
        return None
    try:
        normalised = policy_rules.normalise_nhs_number(nhs_number)
    except ValueError as error:
        raise ValidationError({"nhs_number": str(error)}) from error
    patient = Patient.objects.filter(nhs_number=normalised).first()
    while patient is not None and patient.merged_into_id:
        patient = patient.merged_into
    return patient


def patient_find_likely_duplicate(
    *, given_name: str, family_name: str, date_of_birth: datetime.date, nhs_number: str
) -> Patient | None:
    """A current patient with the same name and date of birth but a different or missing NHS
    number: probably the same person entered twice."""
    candidates = Patient.objects.current().filter(
        given_name__iexact=given_name.strip(),
        family_name__iexact=family_name.strip(),
        date_of_birth=date_of_birth,
    )
    if nhs_number:
        candidates = candidates.exclude(nhs_number=nhs_number)
    return candidates.order_by("pk").first()


def _add_hospital_number(*, patient: Patient, organisation: Organisation | None, number: str) -> None:
    number = number.strip()
    if not number or organisation is None:
        return
    clash = HospitalNumber.objects.filter(organisation=organisation, number=number).first()
    if clash is not None and clash.patient_id != patient.pk:
        raise ValidationError(
            {"hospital_number": "This hospital number belongs to another patient at that organisation."}
        )
    existing = HospitalNumber.objects.filter(patient=patient, organisation=organisation).first()
    if existing is None:
        HospitalNumber.objects.create(patient=patient, organisation=organisation, number=number)
    elif existing.number != number:
        raise ValidationError(
            {"hospital_number": f"This patient already has hospital number {existing.number} there."}
        )


@transaction.atomic
def referral_create(*, by, patient: PatientDetails, referral: ReferralDetails) -> Referral:
    """Take in a referral: find the patient by NHS number (never a duplicate) or create them,
    flag a likely duplicate, route the case and store the decision with its reasons, and log the
    first event. Raises ValidationError naming the field; nothing is saved then."""
    existing = patient_find_existing(nhs_number=patient.nhs_number)
    if existing is not None:
        record = existing
        if record.key_worker_id is None and patient.key_worker is not None:
            record.key_worker = patient.key_worker
            record.save(update_fields=["key_worker"])
    else:
        nhs = policy_rules.normalise_nhs_number(patient.nhs_number) if patient.nhs_number else None
        record = Patient(
            nhs_number=nhs,
            given_name=patient.given_name.strip(),
            family_name=patient.family_name.strip(),
            date_of_birth=patient.date_of_birth,
            sex=patient.sex,
            postcode=patient.postcode.strip().upper(),
            key_worker=patient.key_worker,
            possible_duplicate_of=patient_find_likely_duplicate(
                given_name=patient.given_name,
                family_name=patient.family_name,
                date_of_birth=patient.date_of_birth,
                nhs_number=nhs or "",
            ),
        )
        record.save()
    _add_hospital_number(
        patient=record, organisation=patient.hospital_organisation, number=patient.hospital_number
    )

    decision = routing_decide(
        date_of_birth=record.date_of_birth,
        received_on=referral.received_on,
        presentation=referral.presentation,
        tumour_type=referral.tumour_type,
        site=referral.site,
        skull_base=referral.skull_base,
        transnasal_ccj=referral.transnasal_ccj,
        suspected_mscc=referral.suspected_mscc,
        clinically_urgent=referral.clinically_urgent,
    )
    created = Referral.objects.create(
        patient=record,
        referring_organisation=referral.referring_organisation,
        referring_clinician=referral.referring_clinician.strip(),
        referrer_contact=referral.referrer_contact.strip(),
        received_on=referral.received_on,
        presentation=referral.presentation,
        tumour_type=referral.tumour_type,
        site=referral.site,
        skull_base=referral.skull_base,
        transnasal_ccj=referral.transnasal_ccj,
        suspected_mscc=referral.suspected_mscc,
        clinically_urgent=referral.clinically_urgent,
        transferred_between_trusts=referral.transferred_between_trusts,
        responsible_consultant=referral.responsible_consultant,
        pathway=decision.pathway,
        routing_decision=decision.as_dict(),
        status=Status.RECEIVED,
        lump_size_cm=referral.lump_size_cm,
        lump_depth=referral.lump_depth,
        lump_growing=referral.lump_growing,
        lump_painful=referral.lump_painful,
        imaging_done=referral.imaging_done,
        imaging_result=referral.imaging_result,
    )
    from .diagnostic_services import referral_apply_intake_suggestions

    referral_apply_intake_suggestions(referral=created)
    if referral.care_team:
        created.care_team.set(referral.care_team)
    ReferralEvent.objects.create(
        referral=created, actor=by, from_status="", to_status=Status.RECEIVED, reason="Referral received."
    )
    logger.info("Referral %s taken in (pathway %s)", created.pk, decision.pathway)
    return created


# Transitions ----------------------------------------------------------------------------------


class ReferralConflict(ValidationError):
    """The referral changed under the user: another user got there first."""


def _claim(*, referral_id: int, expected_status: str | None) -> Referral:
    """Lock the referral's row for this transaction and check nobody moved it meanwhile."""
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if expected_status is not None and referral.status != expected_status:
        raise ReferralConflict(
            f"Another user got there first: this referral is now {referral.get_status_display().lower()}."
        )
    return referral


def _move(*, referral: Referral, to_status: str, by, reason: str, update_fields: list[str]) -> Referral:
    from_status = referral.status
    referral.status = to_status
    referral._change_reason = reason[:100]
    referral.save(update_fields=["status", *update_fields])
    ReferralEvent.objects.create(
        referral=referral, actor=by, from_status=from_status, to_status=to_status, reason=reason
    )
    return referral


@transaction.atomic
def referral_transition(
    *,
    referral_id: int,
    to_status: str,
    by,
    reason: str = "",
    redirect_destination: str = "",
    expected_status: str | None = None,
) -> Referral:
    """Move a referral along the allowed-transitions table, recording who, when and why.
    Redirecting needs a destination and declining a reason; a first treatment is recorded with
    `referral_record_first_treatment`, which applies the treatment-before-MDT rule."""
    referral = _claim(referral_id=referral_id, expected_status=expected_status)
    if to_status == Status.FIRST_TREATMENT_GIVEN:
        raise ValidationError(
            {"to_status": "Record a first treatment with its date, not as a status change."}
        )
    refusal = policy_rules.transition_refusal(referral.status, to_status)
    if refusal:
        raise ValidationError({"to_status": refusal})
    reason = reason.strip()
    update_fields: list[str] = []
    if to_status == Status.REDIRECTED:
        if not redirect_destination.strip():
            raise ValidationError({"redirect_destination": "Say where the referral is redirected to."})
        referral.redirect_destination = redirect_destination.strip()
        update_fields.append("redirect_destination")
        reason = reason or f"Redirected to {referral.redirect_destination}."
    if to_status == Status.DECLINED:
        if not reason:
            raise ValidationError({"reason": "Give the reason for declining the referral."})
        referral.decline_reason = reason
        update_fields.append("decline_reason")
    if to_status == Status.DISCUSSED_AT_MDT and referral.mdt_outcome_on is None:
        referral.mdt_outcome_on = timezone.localdate()
        update_fields.append("mdt_outcome_on")
    return _move(referral=referral, to_status=to_status, by=by, reason=reason, update_fields=update_fields)


@transaction.atomic
def referral_assign_surgeon(*, referral_id: int, practitioner_id: int, by) -> Referral:
    """Name the case's surgeon. For a spinal case only a core MDT member or a practitioner
    designated for spinal surgery may be named; anyone else is refused with the rule quoted."""
    referral = _claim(referral_id=referral_id, expected_status=None)
    practitioner = Practitioner.objects.get(pk=practitioner_id)
    refusal = policy_rules.surgeon_refusal(
        spinal_case=policy_rules.is_spinal_case(pathway=referral.pathway, site=referral.site),
        candidate=policy_rules.SurgeonCandidate(
            active=practitioner.active,
            is_core_mdt_member=practitioner.is_core_mdt_member,
            designation_scope=practitioner.designation_scope,
        ),
    )
    if refusal:
        raise ValidationError({"surgeon": refusal})
    referral.surgeon = practitioner
    referral._change_reason = f"Surgeon assigned by {by}"[:100]
    referral.save(update_fields=["surgeon"])
    return referral


@transaction.atomic
def referral_record_first_treatment(
    *,
    referral_id: int,
    treated_on: datetime.date,
    by,
    urgent_override_reason: str = "",
    expected_status: str | None = None,
) -> Referral:
    """Record the first definitive treatment (stops the 62- and 31-day clocks). Refused without
    an MDT outcome unless a clinically urgent override is recorded with its reason."""
    referral = _claim(referral_id=referral_id, expected_status=expected_status)
    refusal = policy_rules.transition_refusal(referral.status, Status.FIRST_TREATMENT_GIVEN)
    if refusal:
        raise ValidationError({"to_status": refusal})
    if treated_on < referral.received_on:
        raise ValidationError(
            {"treated_on": "The first treatment cannot be before the referral was received."}
        )
    outcome = policy_rules.has_mdt_outcome(status=referral.status, mdt_outcome_on=referral.mdt_outcome_on)
    override = urgent_override_reason.strip()
    refusal = policy_rules.first_treatment_refusal(has_mdt_outcome=outcome, urgent_override_reason=override)
    if refusal:
        raise ValidationError({"urgent_override_reason": refusal})
    referral.first_treatment_on = treated_on
    update_fields = ["first_treatment_on"]
    reason = f"First treatment on {treated_on:%d/%m/%Y}."
    if not outcome:
        referral.urgent_override_reason = override
        update_fields.append("urgent_override_reason")
        reason = f"{reason} Clinically urgent override, before MDT: {override}"
    return _move(
        referral=referral,
        to_status=Status.FIRST_TREATMENT_GIVEN,
        by=by,
        reason=reason,
        update_fields=update_fields,
    )


# Merge ----------------------------------------------------------------------------------------


@transaction.atomic
def patient_merge(*, keep_id: int, merge_id: int, by) -> Patient:
    """Merge the record `merge_id` into `keep_id`: every referral (with its events and history)
    and hospital number moves to the kept record, which takes the NHS number if it had none. The
    merged record stays, marked as merged, so its history is never lost."""
    if keep_id == merge_id:
        raise ValidationError("Choose two different patient records to merge.")
    keep, merge = (
        Patient.objects.select_for_update().get(pk=keep_id),
        Patient.objects.select_for_update().get(pk=merge_id),
    )
    if keep.merged_into_id or merge.merged_into_id:
        raise ReferralConflict("Another user got there first: one of these records is already merged.")
    if keep.nhs_number and merge.nhs_number and keep.nhs_number != merge.nhs_number:
        raise ValidationError(
            "These records have different NHS numbers, so they are different people; they cannot be merged."
        )
    reason = f"Merged patient {merge.pk} into {keep.pk}"
    for referral in merge.referrals.all():
        referral.patient = keep
        referral._change_reason = reason
        referral.save(update_fields=["patient"])
    for number in merge.hospital_numbers.all():
        clash = keep.hospital_numbers.filter(organisation=number.organisation_id).first()
        if clash is None:
            number.patient = keep
            number._change_reason = reason
            number.save(update_fields=["patient"])
        elif clash.number != number.number:
            raise ValidationError(
                f"The records have different hospital numbers at {number.organisation}; correct one first."
            )
    nhs = merge.nhs_number
    merge.nhs_number = None
    merge.merged_into = keep
    merge.possible_duplicate_of = None
    merge._change_reason = reason
    merge.save(update_fields=["nhs_number", "merged_into", "possible_duplicate_of"])
    keep.nhs_number = keep.nhs_number or nhs
    keep.key_worker = keep.key_worker or merge.key_worker
    if keep.possible_duplicate_of_id == merge.pk:
        keep.possible_duplicate_of = None
    keep._change_reason = reason
    keep.save(update_fields=["nhs_number", "key_worker", "possible_duplicate_of"])
    # One save per row (not a queryset update) so each re-pointed flag is in the patient's history.
    for flagged in Patient.objects.filter(possible_duplicate_of=merge):
        flagged.possible_duplicate_of = keep
        flagged._change_reason = reason
        flagged.save(update_fields=["possible_duplicate_of"])
    logger.info("Patient %s merged into %s by user %s", merge.pk, keep.pk, getattr(by, "pk", None))
    return keep


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


@transaction.atomic
def referral_mdt_listed(*, referral_id: int, meeting_label: str, by) -> Referral:
    """A referral put on an MDT case list moves to "awaiting MDT" where the transitions table
    allows it (a referral already further on keeps its status)."""
    referral = _claim(referral_id=referral_id, expected_status=None)
    if policy_rules.transition_refusal(referral.status, Status.AWAITING_MDT) is not None:
        return referral
    return _move(
        referral=referral, to_status=Status.AWAITING_MDT, by=by,
        reason=f"Added to the case list of {meeting_label}.", update_fields=[],
    )  # fmt: skip


@transaction.atomic
def referral_mdt_outcome_recorded(
    *, referral_id: int, outcome_on: datetime.date, decision_to_treat_on: datetime.date | None, by
) -> Referral:
    """An MDT outcome for the referral: it has an MDT outcome from `outcome_on` (the first one
    counts), the 31-day clock starts at its first decision to treat (national CWT guidance:
    decision to treat to first treatment), and it moves to "discussed at MDT" where allowed."""
    referral = _claim(referral_id=referral_id, expected_status=None)
    update_fields = []
    if referral.mdt_outcome_on is None or outcome_on < referral.mdt_outcome_on:
        referral.mdt_outcome_on = outcome_on
        update_fields.append("mdt_outcome_on")
    if decision_to_treat_on and (
        referral.decision_to_treat_on is None or decision_to_treat_on < referral.decision_to_treat_on
    ):
        referral.decision_to_treat_on = decision_to_treat_on
        update_fields.append("decision_to_treat_on")
    if policy_rules.transition_refusal(referral.status, Status.DISCUSSED_AT_MDT) is None:
        return _move(
            referral=referral, to_status=Status.DISCUSSED_AT_MDT, by=by,
            reason="MDT outcome recorded.", update_fields=update_fields,
        )  # fmt: skip
    if update_fields:
        referral._change_reason = "MDT outcome recorded"
        referral.save(update_fields=update_fields)
    return referral
