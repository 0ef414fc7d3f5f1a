"""Patients and their referrals to the network, the log of every referral transition, and the
rows that make waiting-time alerts and weekly digests once-only: one module per subject."""

from .alerts import DigestSent, WaitingTimeAlert, WaitingTimeAlertDelivery
from .patients import HospitalNumber, Patient, PatientQuerySet, validate_nhs_number
from .referrals import CLOCK_SEVERITY, Referral, ReferralEvent, ReferralQuerySet, worst_clock_state

__all__ = [
    "CLOCK_SEVERITY",
    "DigestSent",
    "HospitalNumber",
    "Patient",
    "PatientQuerySet",
    "Referral",
    "ReferralEvent",
    "ReferralQuerySet",
    "WaitingTimeAlert",
    "WaitingTimeAlertDelivery",
    "validate_nhs_number",
    "worst_clock_state",
]
