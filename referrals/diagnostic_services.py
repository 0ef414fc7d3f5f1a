"""Writes (and the reads that feed the pure rules) of the sarcoma diagnostic pathway: clinic
suggestion and override, returns of incomplete referrals, specialist pathology review, unplanned
excisions, mutual aid and backlogs, the clinic survey and the evaluation figures.

Rules are in `diagnostic_rules.py`; every write here is atomic, locks the referral's row and
records who did it (simple-history, and a ReferralEvent where the referral's path changes)."""

import datetime
import logging
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from directory.models import DiagnosticClinic, Organisation, Practitioner, Service
from portal.outbox import enqueue

from . import diagnostic_rules as drules
from .models import (
    CapacityDeclaration,
    ClinicSurvey,
    MolecularTest,
    PathologyReview,
    Referral,
    ReferralEvent,
    ReferralReturn,
)
from .services import _claim

logger = logging.getLogger(__name__)

Status = Referral.Status
WAITING_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED, Status.UNDER_INVESTIGATION)


# Clinic suggestion ---------------------------------------------------------------------------------


def clinic_catchments() -> list[drules.ClinicCatchment]:
    return [
        drules.ClinicCatchment(clinic.pk, clinic.name, tuple(clinic.catchment))
        for clinic in DiagnosticClinic.objects.filter(active=True)
    ]


def clinic_suggest(*, postcode: str) -> drules.ClinicSuggestion:
    """The diagnostic clinic the patient's postcode suggests, with the reason."""
    return drules.suggest_clinic(postcode, clinic_catchments())


def capacity_declarations() -> list[drules.Declaration]:
    return [
        drules.Declaration(d.service.code, d.partner_service.code, d.starts_on, d.ends_on, d.reason)
        for d in CapacityDeclaration.objects.select_related("service", "partner_service")
    ]


def mutual_aid_suggest(*, refer_to, on: datetime.date) -> list[drules.MutualAidSuggestion]:
    """Partner services suggested for the routing's destinations under mutual aid on `on`."""
    return drules.mutual_aid_suggestions(tuple(refer_to), capacity_declarations(), on)


def referral_apply_intake_suggestions(*, referral: Referral) -> Referral:
    """At intake (inside referral_create's transaction): record the clinic suggested by the
    postcode with its reason, take it as the clinic, name the receiving service (the routing's
    first destination) and record any mutual-aid suggestion in force on the received date."""
    suggestion = clinic_suggest(postcode=referral.patient.postcode)
    referral.clinic_suggestion = suggestion.as_dict()
    referral.diagnostic_clinic_id = suggestion.clinic_id
    refer_to = referral.routing_decision.get("refer_to", [])
    referral.service = Service.objects.filter(code__in=refer_to[:1]).first()
    referral.mutual_aid_suggestion = [
        s.as_dict() for s in mutual_aid_suggest(refer_to=refer_to, on=referral.received_on)
    ]
    referral.save(
        update_fields=["clinic_suggestion", "diagnostic_clinic", "service", "mutual_aid_suggestion"]
    )
    return referral


@transaction.atomic
def referral_override_clinic(*, referral_id: int, clinic_id: int | None, reason: str, by) -> Referral:
    """The MDT office sends the referral to another diagnostic clinic than the one suggested,
    with a reason; the change and its reason are kept in the referral's history and events."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for choosing another clinic."})
    referral = _claim(referral_id=referral_id, expected_status=None)
    clinic = None
    if clinic_id is not None:
        clinic = DiagnosticClinic.objects.filter(pk=clinic_id, active=True).first()
        if clinic is None:
            raise ValidationError({"clinic": "Choose an active diagnostic clinic."})
    if clinic_id == referral.diagnostic_clinic_id:
        raise ValidationError({"clinic": "The referral is already with this clinic."})
    before = referral.diagnostic_clinic
    referral.diagnostic_clinic = clinic
    referral.clinic_override_reason = reason
    referral._change_reason = f"Diagnostic clinic overridden: {reason}"[:100]
    referral.save(update_fields=["diagnostic_clinic", "clinic_override_reason"])
    ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        from_status=referral.status,
        to_status=referral.status,
        reason=f"Diagnostic clinic changed from {before or 'none'} to {clinic or 'none'}: {reason}",
    )
    return referral


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
    referral = _claim(referral_id=referral_id, expected_status=None)
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
    from .tasks import notify_referrer_of_return

    enqueue(notify_referrer_of_return, returned.pk)
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
        message=render_to_string("referrals/email/referral_returned.txt", {"returned": returned}),
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
    referral = _claim(referral_id=referral_id, expected_status=None)
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


# Specialist pathology review -------------------------------------------------------------------------


def _pathologist(practitioner_id: int, field: str) -> Practitioner:
    practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
    if practitioner is None:
        raise ValidationError({field: "Choose a practitioner from the directory."})
    refusal = drules.pathologist_refusal(
        active=practitioner.active,
        speciality=practitioner.speciality,
        designation_scope=practitioner.designation_scope,
        is_core_mdt_member=practitioner.is_core_mdt_member,
    )
    if refusal:
        raise ValidationError({field: refusal})
    return practitioner


def designated_pathologists():
    """Practitioners the pathology rule accepts, for the request form's choices."""
    from django.db.models import Q

    return Practitioner.objects.filter(active=True).filter(
        Q(designation_scope=Practitioner.DesignationScope.PATHOLOGY)
        | Q(speciality=Practitioner.Speciality.PATHOLOGY, is_core_mdt_member=True)
    )


@transaction.atomic
def pathology_review_request(
    *, referral_id: int, pathologist_id: int, requested_on: datetime.date, by
) -> PathologyReview:
    """Request specialist review from a designated sarcoma pathologist (one review a referral)."""
    referral = _claim(referral_id=referral_id, expected_status=None)
    if not drules.needs_pathology_review(
        presentation=referral.presentation, diagnosis_outcome=referral.diagnosis_outcome
    ):
        raise ValidationError({"referral": "This referral has been found not to be sarcoma."})
    if requested_on < referral.received_on:
        raise ValidationError({"requested_on": "The request cannot be before the referral was received."})
    pathologist = _pathologist(pathologist_id, "requested_from")
    if PathologyReview.objects.filter(referral=referral).exists():
        raise ValidationError({"referral": "Another user got there first: a review is already requested."})
    review = PathologyReview(referral=referral, requested_from=pathologist, requested_on=requested_on)
    review._history_user = by
    review.save()
    return review


@transaction.atomic
def pathology_review_report(
    *, review_id: int, reported_by_id: int, reported_on: datetime.date, diagnosis: str, by
) -> PathologyReview:
    """Record the specialist pathologist's report: who reported, when, and the diagnosis."""
    review = PathologyReview.objects.select_for_update().get(pk=review_id)
    if review.reported_on is not None:
        raise ValidationError(
            {"reported_on": "Another user got there first: this review is already reported."}
        )
    if not diagnosis.strip():
        raise ValidationError({"diagnosis": "Give the diagnosis of the review."})
    if reported_on < review.requested_on:
        raise ValidationError({"reported_on": "The report cannot be before the review was requested."})
    review.reported_by = _pathologist(reported_by_id, "reported_by")
    review.reported_on = reported_on
    review.diagnosis = diagnosis.strip()
    review._history_user = by
    review.save()
    return review


@transaction.atomic
def molecular_test_request(
    *, review_id: int, test_name: str, requested_on: datetime.date, by
) -> MolecularTest:
    """Add a molecular or genomic test to the pathology review."""
    review = PathologyReview.objects.select_for_update().get(pk=review_id)
    if not test_name.strip():
        raise ValidationError({"test_name": "Name the test."})
    if requested_on < review.requested_on:
        raise ValidationError({"requested_on": "The test cannot be requested before the review."})
    test = MolecularTest(review=review, test_name=test_name.strip(), requested_on=requested_on)
    test._history_user = by
    test.save()
    return test


@transaction.atomic
def molecular_test_result(*, test_id: int, resulted_on: datetime.date, result: str, by) -> MolecularTest:
    """Record a molecular test's result."""
    test = MolecularTest.objects.select_for_update().get(pk=test_id)
    if test.resulted_on is not None:
        raise ValidationError(
            {"resulted_on": "Another user got there first: this test already has a result."}
        )
    if not result.strip():
        raise ValidationError({"result": "Give the result."})
    if resulted_on < test.requested_on:
        raise ValidationError({"resulted_on": "The result cannot be before the test was requested."})
    test.resulted_on = resulted_on
    test.result = result.strip()
    test._history_user = by
    test.save()
    return test


def pathology_status(referral_ids) -> dict[int, str]:
    """For the MDT case list: "back", "awaited" or "not requested", per referral id."""
    reviews = dict(
        PathologyReview.objects.filter(referral_id__in=referral_ids).values_list("referral_id", "reported_on")
    )
    return {
        rid: ("not requested" if rid not in reviews else "back" if reviews[rid] else "awaited")
        for rid in referral_ids
    }


# First appointment, diagnosis and unplanned excision ----------------------------------------------------


@transaction.atomic
def referral_record_diagnostic_dates(
    *,
    referral_id: int,
    by,
    first_appointment_on: datetime.date | None = None,
    diagnosed_on: datetime.date | None = None,
    diagnosis_outcome: str = "",
) -> Referral:
    """Record the first appointment, and the diagnosis (sarcoma or not) with the date it was
    communicated (the 28-day Faster Diagnosis Standard's stop)."""
    referral = _claim(referral_id=referral_id, expected_status=None)
    fields = []
    for name, value in (
        ("first_appointment_on", first_appointment_on),
        ("diagnosis_communicated_on", diagnosed_on),
    ):
        if value is None:
            continue
        if value < referral.received_on:
            raise ValidationError({name: "This date cannot be before the referral was received."})
        setattr(referral, name, value)
        fields.append(name)
    if diagnosis_outcome:
        if diagnosis_outcome not in Referral.DiagnosisOutcome.values:
            raise ValidationError({"diagnosis_outcome": "Choose sarcoma or not sarcoma."})
        if referral.diagnosis_communicated_on is None:
            raise ValidationError({"diagnosed_on": "Give the date the diagnosis was communicated."})
        referral.diagnosis_outcome = diagnosis_outcome
        fields.append("diagnosis_outcome")
    if not fields:
        raise ValidationError({"first_appointment_on": "Give at least one date."})
    referral._change_reason = "Diagnostic dates recorded"
    referral.save(update_fields=fields)
    return referral


@transaction.atomic
def referral_record_unplanned_excision(
    *, referral_id: int, organisation_id: int, excised_on: datetime.date | None, by
) -> Referral:
    """Record that the sarcoma was excised outside a specialist centre without a plan, and where."""
    referral = _claim(referral_id=referral_id, expected_status=None)
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise ValidationError({"organisation": "Choose where the excision happened."})
    referral.unplanned_excision = True
    referral.unplanned_excision_organisation = organisation
    referral.unplanned_excision_on = excised_on
    referral._change_reason = "Unplanned excision recorded"
    referral.save(
        update_fields=["unplanned_excision", "unplanned_excision_organisation", "unplanned_excision_on"]
    )
    return referral


def unplanned_excisions_by_referrer() -> list[dict]:
    """The count of unplanned excisions by referring organisation, most first."""
    counts = Counter(
        Referral.objects.filter(unplanned_excision=True).values_list(
            "referring_organisation__name", flat=True
        )
    )
    return [
        {"organisation": name or "Referring organisation not recorded", "count": count}
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0] or ""))
    ]


# Mutual aid and backlogs ------------------------------------------------------------------------------


@transaction.atomic
def capacity_declare(
    *,
    service_id: int,
    partner_service_id: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    by,
) -> CapacityDeclaration:
    """Declare a service's reduced capacity from `starts_on` to `ends_on`, naming its partner."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the reduced capacity."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date cannot be before the start date."})
    if service_id == partner_service_id:
        raise ValidationError({"partner_service": "The partner must be another service."})
    declaration = CapacityDeclaration(
        service=Service.objects.get(pk=service_id),
        partner_service=Service.objects.get(pk=partner_service_id),
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        declared_by=by,
    )
    declaration._history_user = by
    declaration.save()
    return declaration


@transaction.atomic
def referral_redirect_for_mutual_aid(*, referral_id: int, to_service_id: int, by) -> Referral:
    """Move a referral to the partner service under mutual aid; the referral and its event are
    flagged as a mutual-aid redirect. Allowed while it waits for its first appointment."""
    referral = _claim(referral_id=referral_id, expected_status=None)
    if referral.status not in WAITING_STATUSES or referral.first_appointment_on:
        raise ValidationError(
            {"service": "Only a referral still waiting for its first appointment can move."}
        )
    to_service = Service.objects.get(pk=to_service_id)
    if to_service.pk == referral.service_id:
        raise ValidationError({"service": "The referral is already with this service."})
    before = referral.service.code if referral.service else "no service"
    referral.service = to_service
    referral.mutual_aid_redirect = True
    referral.redirect_destination = to_service.name
    referral._change_reason = f"Redirected to {to_service.code} for mutual aid"
    referral.save(update_fields=["service", "mutual_aid_redirect", "redirect_destination"])
    ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        from_status=referral.status,
        to_status=referral.status,
        mutual_aid=True,
        reason=f"Redirected from {before} to {to_service.code} for mutual aid.",
    )
    return referral


def waiting_for_first_appointment():
    return Referral.objects.filter(status__in=WAITING_STATUSES, first_appointment_on__isnull=True)


def service_backlogs(*, today: datetime.date) -> list[dict]:
    """Every service with its backlog (referrals waiting for a first appointment, oldest wait)
    and any reduced capacity in force today."""
    waiting: dict[int, list[datetime.date]] = {}
    for service_id, received_on in waiting_for_first_appointment().values_list("service_id", "received_on"):
        waiting.setdefault(service_id, []).append(received_on)
    in_force = {
        d.service_id: d for d in CapacityDeclaration.objects.in_force(today).select_related("partner_service")
    }
    return [
        {
            "service": service,
            "backlog": drules.backlog(waiting.get(service.pk, []), today),
            "declaration": in_force.get(service.pk),
        }
        for service in Service.objects.all()
    ]


# Clinic survey ----------------------------------------------------------------------------------------


SURVEY_FIELDS = (
    "service_model",
    "referrals_per_year",
    "sarcomas_diagnosed",
    "clinics_per_week",
    "radiologists_wte",
    "sonographers_wte",
    "nurse_specialists_wte",
    "pathway_steps",
    "notes",
)


@transaction.atomic
def clinic_survey_submit(*, clinic_id: int, year: int, values: dict, by) -> ClinicSurvey:
    """Record a clinic's survey for a year: a new one, or the year's survey updated (one a year)."""
    clinic = DiagnosticClinic.objects.get(pk=clinic_id)
    survey = ClinicSurvey.objects.select_for_update().filter(clinic=clinic, year=year).first()
    if survey is None:
        survey = ClinicSurvey(clinic=clinic, year=year, submitted_by=by)
    for name in SURVEY_FIELDS:
        if name in values:
            setattr(survey, name, values[name])
    survey.submitted_by = by
    survey.submitted_at = timezone.now()
    survey._history_user = by
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError as error:
        raise ValidationError({"year": "Another user got there first: this year's survey exists."}) from error
    return survey


def survey_comparison(*, year: int) -> list[ClinicSurvey]:
    return list(ClinicSurvey.objects.filter(year=year).select_related("clinic__host_organisation"))


def survey_years() -> list[int]:
    return list(ClinicSurvey.objects.values_list("year", flat=True).distinct().order_by("-year"))


# Evaluation ------------------------------------------------------------------------------------------


def evaluation_rows(*, start: datetime.date | None = None, end: datetime.date | None = None):
    """Plain rows for drules.evaluation_figures: every referral with a diagnostic clinic."""
    referrals = Referral.objects.filter(diagnostic_clinic__isnull=False).select_related("diagnostic_clinic")
    if start:
        referrals = referrals.filter(received_on__gte=start)
    if end:
        referrals = referrals.filter(received_on__lte=end)
    returned = set(
        ReferralReturn.objects.filter(referral__in=referrals).values_list("referral_id", flat=True)
    )
    return [
        drules.EvaluationRow(
            clinic=r.diagnostic_clinic.name,
            received_on=r.received_on,
            first_appointment_on=r.first_appointment_on,
            diagnosed_on=r.diagnosis_communicated_on,
            diagnosis_outcome=r.diagnosis_outcome,
            returned=r.pk in returned,
            unplanned_excision=r.unplanned_excision,
        )
        for r in referrals
    ]
