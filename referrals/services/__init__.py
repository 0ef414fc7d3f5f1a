"""Every write on patients and referrals, by topic: intake (routing, duplicates, merge), transitions
(status, surgeon, first treatment, what the MDT asks for), and the weekly digests (the waiting-time
alerts are the cancer pathways': waiting_times.services). Import from here:
`from referrals import services; services.referral_create(...)`."""

from .alerts import weekly_digest_send
from .intake import (
    PatientDetails,
    ReferralDetails,
    capability_holders,
    patient_find_existing,
    patient_find_likely_duplicate,
    patient_merge,
    referral_create,
    routing_decide,
)
from .transitions import (
    ReferralConflict,
    referral_assign_surgeon,
    referral_claim,
    referral_mdt_listed,
    referral_mdt_outcome_recorded,
    referral_record_first_treatment,
    referral_transition,
)

__all__ = [
    "PatientDetails",
    "ReferralConflict",
    "ReferralDetails",
    "capability_holders",
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
    "routing_decide",
    "weekly_digest_send",
]
