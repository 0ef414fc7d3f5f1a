"""Specialist sarcoma pathology review with molecular tests, and the referral's diagnostic dates
(first appointment, diagnosis) and unplanned excisions.

Every write is atomic, locks the referral's row and records who did it (simple-history, and a
ReferralEvent where the referral's path changes). Rules are in diagnostics/rules.py."""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from directory.models import Organisation, Practitioner
from referrals.models import Referral
from referrals.services import referral_claim

from .. import rules as drules
from ..models import MolecularTest, PathologyReview

logger = logging.getLogger(__name__)

Status = Referral.Status
WAITING_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED, Status.UNDER_INVESTIGATION)


# Specialist pathology review -------------------------------------------------------------------------


def designated_pathologist_reported(referral: Referral) -> bool:
    """Whether a designated sarcoma pathologist (as the directory says now) has reported the
    referral's specialist review."""
    review = PathologyReview.objects.filter(referral=referral).select_related("reported_by").first()
    if review is None or review.reported_by is None or review.reported_on is None:
        return False
    reporter = review.reported_by
    return (
        drules.pathologist_refusal(
            active=reporter.active,
            speciality=reporter.speciality,
            designation_scope=reporter.designation_scope,
            is_core_mdt_member=reporter.is_core_mdt_member,
        )
        is None
    )


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
    return Practitioner.objects.filter(active=True).filter(
        Q(designation_scope=Practitioner.DesignationScope.PATHOLOGY)
        | Q(speciality=Practitioner.Speciality.PATHOLOGY, is_core_mdt_member=True)
    )


@transaction.atomic
def pathology_review_request(
    *, referral_id: int, pathologist_id: int, requested_on: datetime.date, by
) -> PathologyReview:
    """Request specialist review from a designated sarcoma pathologist (one review a referral)."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    if not drules.needs_pathology_review(
        presentation=referral.presentation,
        designated_pathologist_reported=designated_pathologist_reported(referral),
    ):
        raise ValidationError(
            {"referral": "A designated sarcoma pathologist has already reported this case."}
        )
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
    referral = referral_claim(referral_id=referral_id, expected_status=None)
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


@dataclass(frozen=True)
class UnplannedExcisionRecorded:
    referral: Referral
    mdt_listing: tuple[str, ...]  # what each UNPLANNED_EXCISION_STEPS step did, for the office


@transaction.atomic
def referral_record_unplanned_excision(
    *, referral_id: int, organisation_id: int, excised_on: datetime.date | None, by
) -> UnplannedExcisionRecorded:
    """Record that the sarcoma was excised outside a specialist centre without a plan, and where,
    and put the case on its MDT's next list flagged as an unplanned excision (the steps named by
    the setting UNPLANNED_EXCISION_STEPS, in this transaction: diagnostics/ imports no mdt/)."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
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
    listing = tuple(
        import_string(step)(referral=referral, by=by) for step in settings.UNPLANNED_EXCISION_STEPS
    )
    return UnplannedExcisionRecorded(referral=referral, mdt_listing=listing)


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
