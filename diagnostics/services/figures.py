"""The yearly diagnostic-clinic survey and the pathway's evaluation figures.

Every write is atomic, locks the referral's row and records who did it (simple-history, and a
ReferralEvent where the referral's path changes). Rules are in diagnostics/rules.py."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from directory.models import DiagnosticClinic
from referrals.models import Referral

from .. import rules as drules
from ..models import ClinicSurvey, ReferralReturn

logger = logging.getLogger(__name__)

Status = Referral.Status
WAITING_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED, Status.UNDER_INVESTIGATION)


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
