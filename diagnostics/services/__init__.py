"""Every write of the diagnostic pathway (and the reads that feed its pure rules), by topic:
clinics and mutual aid, returns, pathology review and diagnostic dates, the survey and evaluation.
Import from here: `from diagnostics import services; services.referral_return(...)`."""

from .clinics import (
    WAITING_STATUSES,
    capacity_declarations,
    capacity_declare,
    clinic_catchments,
    clinic_suggest,
    mutual_aid_suggest,
    referral_apply_intake_suggestions,
    referral_override_clinic,
    referral_redirect_for_mutual_aid,
    service_backlogs,
    waiting_for_first_appointment,
)
from .figures import (
    SURVEY_FIELDS,
    clinic_survey_submit,
    evaluation_rows,
    survey_comparison,
    survey_years,
)
from .pathology import (
    UnplannedExcisionRecorded,
    designated_pathologist_reported,
    designated_pathologists,
    molecular_test_request,
    molecular_test_result,
    pathology_review_report,
    pathology_review_request,
    pathology_status,
    referral_record_diagnostic_dates,
    referral_record_unplanned_excision,
    unplanned_excisions_by_referrer,
)
from .returns import (
    FEATURE_FIELDS,
    referral_content,
    referral_resubmit,
    referral_return,
    referral_return_notify,
)

__all__ = [
    "FEATURE_FIELDS",
    "SURVEY_FIELDS",
    "WAITING_STATUSES",
    "UnplannedExcisionRecorded",
    "capacity_declarations",
    "capacity_declare",
    "clinic_catchments",
    "clinic_suggest",
    "clinic_survey_submit",
    "designated_pathologist_reported",
    "designated_pathologists",
    "evaluation_rows",
    "molecular_test_request",
    "molecular_test_result",
    "mutual_aid_suggest",
    "pathology_review_report",
    "pathology_review_request",
    "pathology_status",
    "referral_apply_intake_suggestions",
    "referral_content",
    "referral_override_clinic",
    "referral_record_diagnostic_dates",
    "referral_record_unplanned_excision",
    "referral_redirect_for_mutual_aid",
    "referral_resubmit",
    "referral_return",
    "referral_return_notify",
    "service_backlogs",
    "survey_comparison",
    "survey_years",
    "unplanned_excisions_by_referrer",
    "waiting_for_first_appointment",
]
