"""Every write on patients and referrals, by topic: intake (routing, duplicates, merge), transitions
(status, surgeon, first treatment, what the MDT asks for), and the weekly digests (the waiting-time
alerts are the cancer pathways': waiting_times.services). Import from here:
`from referrals import services; services.referral_create(...)`."""

from .alerts import alert_deliveries_withdraw_for_user, weekly_digest_send
from .intake import (
    PatientDetails,
    ReferralDetails,
    patient_find_existing,
    patient_find_likely_duplicate,
    patient_merge,
    referral_create,
    routing_choices,
    routing_decide,
    routing_policy_warnings,
)
from .transitions import (
    ReferralConflict,
    capability_holders,
    first_treatment_refusals,
    referral_assign_surgeon,
    referral_claim,
    referral_mdt_listed,
    referral_mdt_outcome_recorded,
    referral_record_first_treatment,
    referral_transition,
    referral_urgent_override_notify,
)

__all__ = [
    "PatientDetails",
    "ReferralConflict",
    "ReferralDetails",
    "alert_deliveries_withdraw_for_user",
    "capability_holders",
    "first_treatment_refusals",
    "patient_find_existing",
    "patient_find_likely_duplicate",
    "patient_merge",
    "referral_assign_surgeon",
    "referral_claim",
    "referral_create",
    "referral_mdt_listed",
    "referral_mdt_outcome_recorded",
    "referral_record_first_treatment",
    "referral_transition",
    "referral_urgent_override_notify",
    "routing_choices",
    "routing_decide",
    "routing_policy_warnings",
    "weekly_digest_send",
]
