"""Synthetic demo patients. Never real people: NHS numbers come from the 999 range that NHS
England reserves for testing, and names are invented."""

import datetime

import nhs_number

from directory.models import Organisation, Practitioner, Service

from . import services
from .models import HospitalNumber, Patient, Referral, ReferralEvent


def synthetic_nhs_number(serial: int) -> str:
    """The serial-th valid NHS number of the 999 test range (numbers whose check digit would be
    10 are not valid and are skipped)."""
    found = -1
    candidate = 0
    while True:
        digits = f"999{candidate:06d}"
        check = nhs_number.calculate_checksum(digits)
        if check is not None and check != 10:
            found += 1
            if found == serial:
                return f"{digits}{check}"
        candidate += 1


# (given name, family name, date of birth, sex, postcode, presentation, tumour, site, clinician)
DEMO_PATIENTS = [
    ("Alice", "Arden", datetime.date(1968, 4, 12), "female", "HA7 4LP", "suspected", "bone", "spine", 1),
    (
        "Bashir",
        "Brook",
        datetime.date(1975, 11, 3),
        "male",
        "ME14 1AB",
        "confirmed",
        "soft_tissue",
        "limb",
        1,
    ),
    ("Carys", "Castle", datetime.date(1990, 2, 28), "female", "CM1 1AA", "suspected", "gist", "abdomen", 1),
    (
        "Dev",
        "Dunmore",
        datetime.date(1959, 7, 19),
        "male",
        "SW3 6JJ",
        "confirmed",
        "soft_tissue",
        "retroperitoneum",
        2,
    ),
    ("Ellen", "Eastfield", datetime.date(1982, 9, 1), "female", "NW1 2BU", "suspected", "bone", "sacrum", 2),
    ("Femi", "Fairway", datetime.date(2012, 5, 22), "male", "BR1 3JJ", "suspected", "bone", "limb", 2),
]


# Per demo patient: (days since received, status, day diagnosis communicated, day of decision to
# treat, day of first treatment), so the demo shows every clock state and feeds the home chart.
DEMO_PROGRESS = [
    (3, "received", None, None, None),
    (40, "awaiting_mdt", 20, None, None),
    (23, "under_investigation", None, None, None),
    (70, "first_treatment_given", 25, 45, 60),
    (35, "triaged", None, None, None),
    (5, "received", None, None, None),
]


def _day(received_on: datetime.date, day: int | None) -> datetime.date | None:
    return None if day is None else received_on + datetime.timedelta(days=day)


def _demo_first_treatment() -> dict:
    """What, who and where of a demo first treatment (issue 16): surgery at the Royal Marsden by its
    demo core surgeon, where the directory has them."""
    centre = Service.objects.filter(code="RMH").first()
    surgeon = Practitioner.objects.filter(
        core_mdt_service=centre, is_core_mdt_member=True, speciality=Practitioner.Speciality.SURGERY
    ).first()
    if centre is None or surgeon is None:
        return {}
    return {
        "first_treatment_modality": Referral.TreatmentModality.SURGERY,
        "first_treatment_practitioner": surgeon,
        "first_treatment_centre": centre,
    }


def load_demo_patients(*, clinicians: dict[int, object], today: datetime.date) -> None:
    """Each demo patient with a hospital number at the referring trust, their clinician as key
    worker and responsible consultant, and a referral routed as intake would route it."""
    referrer = Organisation.objects.filter(ods_code="RPY").first()
    for serial, (given, family, dob, sex, postcode, presentation, tumour, site, owner) in enumerate(
        DEMO_PATIENTS
    ):
        patient, created = Patient.objects.get_or_create(
            nhs_number=synthetic_nhs_number(serial),
            defaults={
                "given_name": given,
                "family_name": family,
                "date_of_birth": dob,
                "sex": sex,
                "postcode": postcode,
                "key_worker": clinicians[owner],
            },
        )
        if not created:
            continue
        if referrer is not None:
            HospitalNumber.objects.create(
                patient=patient, organisation=referrer, number=f"RM{100000 + serial}"
            )
        days_ago, status, diagnosis_day, decision_day, treatment_day = DEMO_PROGRESS[serial]
        received_on = today - datetime.timedelta(days=days_ago)
        decision = services.routing_decide(
            date_of_birth=dob,
            received_on=received_on,
            presentation=presentation,
            tumour_type=tumour,
            site=site,
        )
        referral = Referral.objects.create(
            patient=patient,
            referring_organisation=referrer,
            referring_clinician="Dr Demo Referrer",
            received_on=received_on,
            presentation=presentation,
            tumour_type=tumour,
            site=site,
            responsible_consultant=clinicians[owner],
            pathway=decision.pathway,
            routing_decision=decision.as_dict(),
            status=status,
            diagnosis_communicated_on=_day(received_on, diagnosis_day),
            decision_to_treat_on=_day(received_on, decision_day),
            mdt_outcome_on=_day(received_on, decision_day),
            first_treatment_on=_day(received_on, treatment_day),
            **(_demo_first_treatment() if treatment_day is not None else {}),
        )
        ReferralEvent.objects.create(
            referral=referral,
            from_status="",
            to_status=Referral.Status.RECEIVED,
            reason="Demo referral received.",
        )
        if status != Referral.Status.RECEIVED:
            ReferralEvent.objects.create(
                referral=referral,
                from_status=Referral.Status.RECEIVED,
                to_status=status,
                reason="Demo progress.",
            )
