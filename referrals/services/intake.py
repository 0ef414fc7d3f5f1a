"""Intake: the routing decision from the directory, finding an existing or likely duplicate
patient, taking a referral in, and merging two records of one patient.

Rules come from `rules.py` (routing, clocks) and `policy_rules.py` (transitions, surgeon, treatment
before MDT); this module applies them inside transactions and records who did what and why."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.module_loading import import_string

from directory.models import Organisation

from .. import policy_rules, rules
from ..models import (
    HospitalNumber,
    Patient,
    Referral,
    ReferralEvent,
)
from .transitions import ReferralConflict, capability_holders

logger = logging.getLogger(__name__)

Status = Referral.Status


# Routing --------------------------------------------------------------------------------------


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
        case,
        holders=capability_holders(),
        choices=routing_choices(),
        policy_warnings=routing_policy_warnings(),
    )


def routing_choices() -> rules.RoutingChoices:
    """The network's choices where the pathway documents are silent, from the settings."""
    band = settings.REFERRAL_TYA_AGE_BAND
    return rules.RoutingChoices(
        child_age_limit=settings.REFERRAL_CHILD_AGE_LIMIT,
        child_pathway_all_sites=settings.REFERRAL_CHILD_PATHWAY_ALL_SITES,
        tya_age_band=tuple(band) if band else None,
        unknown_tumour_route=settings.REFERRAL_UNKNOWN_TUMOUR_ROUTE,
    )


def routing_policy_warnings() -> list[str]:
    """Warnings where a document the routing rules implement is no longer the approved version in
    the policies register, or is past its date of review. The register is asked through the
    setting REFERRAL_POLICY_CHECK (the composition root's wiring: referrals/ imports no policies/)."""
    check = settings.REFERRAL_POLICY_CHECK
    if not check:
        return [
            "The portal is not set to check the policies register (REFERRAL_POLICY_CHECK), so it cannot "
            "say whether the routing rules still follow the approved pathway: check each decision."
        ]
    return list(import_string(check)(documents=rules.IMPLEMENTED_DOCUMENTS))


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
    # The system that submitted it over the FHIR API (fhir_api), named on the referral.
    source_system: str = ""


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
        source_system=referral.source_system,
    )
    for step in settings.REFERRAL_INTAKE_STEPS:
        import_string(step)(referral=created)
    if referral.care_team:
        created.care_team.set(referral.care_team)
    ReferralEvent.objects.create(
        referral=created, actor=by, from_status="", to_status=Status.RECEIVED, reason="Referral received."
    )
    logger.info("Referral %s taken in (pathway %s)", created.pk, decision.pathway)
    return created


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
