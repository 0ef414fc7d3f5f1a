"""DEMO DATA for the diagnostic pathway: two sarcoma diagnostic clinics in Kent and Essex (the
locations the network scoped, per the news item in shared/seeds), with plausible but invented
catchments, clinic days and service models, and a 2026 survey for each. Not facts: they are
marked `demo`, so staff pages show them (intake suggests them) and public pages never do; the
real clinics are added through directory change requests. Demo referrals without a clinic suggestion get
one, as intake would have given them. Idempotent: existing rows are left alone."""

from django.utils import timezone

from directory.models import DiagnosticClinic, Organisation, Service
from referrals.models import Referral

from .models import ClinicSurvey

M = DiagnosticClinic.ServiceModel

# Kent: Medway, Maidstone and Canterbury areas whole, and the Kent districts of DA and TN only
# (other DA districts are in London boroughs; other TN districts are in Sussex).
KENT_CATCHMENT = (
    ["CT", "ME"] + [f"DA{n}" for n in (1, 2, 3, 4, 9, 10, 11, 12, 13)] + [f"TN{n}" for n in range(23, 31)]
)
ESSEX_CATCHMENT = ["CM", "CO", "SS"]

CLINICS = [
    # (name, host ODS code, host name, specialist service code, service model, days, catchment)
    (
        "Kent Sarcoma Diagnostic Clinic (demo)",
        "RWF",
        "Maidstone and Tunbridge Wells NHS Trust",
        "RMH",
        [M.ONE_STOP_ULTRASOUND, M.MRI, M.BIOPSY_ON_SITE],
        ["tue", "fri"],
        KENT_CATCHMENT,
    ),
    (
        "Essex Sarcoma Diagnostic Clinic (demo)",
        "RAJ",
        "Mid and South Essex NHS Foundation Trust",
        "LSS",
        [M.ONE_STOP_ULTRASOUND, M.CONSULTANT_REVIEW],
        ["wed"],
        ESSEX_CATCHMENT,
    ),
]


def load_diagnostic_clinics(*, office_user=None) -> list[DiagnosticClinic]:
    clinics = []
    for name, ods, host_name, service_code, service_model, days, catchment in CLINICS:
        host, _ = Organisation.objects.get_or_create(ods_code=ods, defaults={"name": host_name})
        clinic, _ = DiagnosticClinic.objects.get_or_create(
            name=name,
            defaults={
                "host_organisation": host,
                "service": Service.objects.filter(code=service_code).first(),
                "service_model": sorted(service_model),
                "clinic_days": days,
                "catchment": sorted(set(catchment)),
                "demo": True,
            },
        )
        if not clinic.demo:  # made by an earlier seed, before the flag: marked now
            DiagnosticClinic.objects.filter(pk=clinic.pk).update(demo=True)
        clinics.append(clinic)
        if office_user is not None:
            ClinicSurvey.objects.get_or_create(
                clinic=clinic,
                year=2026,
                defaults={
                    "service_model": clinic.service_model,
                    "referrals_per_year": 380 if ods == "RWF" else 290,
                    "sarcomas_diagnosed": 24 if ods == "RWF" else 17,
                    "clinics_per_week": 2 if ods == "RWF" else 1,
                    "radiologists_wte": 1.2 if ods == "RWF" else 0.8,
                    "sonographers_wte": 2 if ods == "RWF" else 1,
                    "nurse_specialists_wte": 1,
                    "pathway_steps": ["triage_by_images", "straight_to_test", "mdt_review"],
                    "notes": "Demo survey.",
                    "submitted_by": office_user,
                    "submitted_at": timezone.now(),
                },
            )
    return clinics


def suggest_clinics_for_demo_referrals() -> int:
    """Give demo referrals made before the clinics existed the suggestion intake would make."""
    from .services import referral_apply_intake_suggestions

    pending = Referral.objects.filter(clinic_suggestion={}).select_related("patient")
    for referral in pending:
        referral_apply_intake_suggestions(referral=referral)
    return len(pending)
