"""The network's reference data, as the spinal sarcoma pathway (shared/seeds) gives it.

The data are kept exactly as the document prints them, inconsistencies included (the document
lists "Nick Hayden" with the address "nicholashaden@nhs.net"): the SAG decides what is right,
the seed does not silently fix it. Loading is idempotent: existing rows are left alone."""

from .models import Capability, KeyContact, Organisation, Practitioner, Service

C = Capability.Code

ORGANISATIONS = [
    # (ODS code, name, kind, parent ODS code)
    ("RAN", "Royal National Orthopaedic Hospital NHS Trust", Organisation.Kind.NHS_TRUST, None),
    ("RRV", "University College London Hospitals NHS Foundation Trust", Organisation.Kind.NHS_TRUST, None),
    ("RPY", "The Royal Marsden NHS Foundation Trust", Organisation.Kind.NHS_TRUST, None),
    (
        "RRV03",
        "National Hospital for Neurology and Neurosurgery, Queen Square",
        Organisation.Kind.HOSPITAL_SITE,
        "RRV",
    ),
]

SERVICES = [
    # (code, name, organisations, capabilities)
    (
        "LSS",
        "London Sarcoma Service",
        ["RRV", "RAN"],
        # Bone sarcomas are treated in the LSS; their diagnosis and surgery is commissioned at RNOH.
        [C.SOFT_TISSUE_SARCOMA, C.GIST, C.SARCOMA_MDT, C.SPECIALIST_PATHOLOGY],
    ),
    (
        "RMH",
        "Royal Marsden Sarcoma Unit",
        ["RPY"],
        [C.SOFT_TISSUE_SARCOMA, C.GIST, C.SARCOMA_MDT, C.SPECIALIST_PATHOLOGY],
    ),
    ("RNOH", "Royal National Orthopaedic Hospital", ["RAN"], [C.BONE_DIAGNOSIS_SURGERY, C.SPINAL_SURGERY]),
    ("UCLH", "University College London Hospitals", ["RRV"], [C.BONE_RADIOTHERAPY]),
    ("NHNN", "National Hospital for Neurology and Neurosurgery", ["RRV03"], [C.SKULL_BASE_SURGERY]),
]

KEY_CONTACTS = [
    # (service, label, phone numbers, e-mail, notes) — "Directory of Key Contacts" and
    # "Key RNOH Contacts" of the spinal pathway, version 2.
    (
        "RNOH",
        "MDT Office",
        "020 8909 5600/5111/5603",
        "",
        "To discuss the referral of a primary bone sarcoma.",
    ),
    ("RNOH", "On Call Spine Consultant (via switchboard)", "020 3947 0100", "", ""),
    ("RNOH", "Hanny Anwar", "07960537124", "Hanny.anwar@nhs.net", "Key RNOH contact"),
    ("RNOH", "Nick Hayden", "07714321827", "nicholashaden@nhs.net", "Key RNOH contact"),
    ("RNOH", "John Afolayan", "07985214521", "John.afolayan1@nhs.net", "Key RNOH contact"),
]

DESIGNATED_PRACTITIONERS = [
    # (name, trust ODS code, speciality, e-mail) — "Designated Practitioners" of the spinal pathway.
    ("David Choi", "RRV", "surgery", "david.choi@nhs.net"),
    ("Antonino Russo", "RRV", "surgery", "antonino.russo@nhs.net"),
    ("Parag Sayal", "RRV", "surgery", "Parag.Sayal@nhs.net"),
]


def load_reference_data() -> None:
    organisations: dict[str, Organisation] = {}
    for ods_code, name, kind, parent_code in ORGANISATIONS:
        organisations[ods_code], _ = Organisation.objects.get_or_create(
            ods_code=ods_code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": organisations.get(parent_code) if parent_code else None,
            },
        )

    capabilities = {}
    for code in C:
        capabilities[code], _ = Capability.objects.get_or_create(code=code)

    services: dict[str, Service] = {}
    for code, name, org_codes, capability_codes in SERVICES:
        service, created = Service.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            service.organisations.set([organisations[c] for c in org_codes])
            service.capabilities.set([capabilities[c] for c in capability_codes])
        services[code] = service

    for service_code, label, phones, email, notes in KEY_CONTACTS:
        KeyContact.objects.get_or_create(
            service=services[service_code],
            label=label,
            defaults={"phone_numbers": phones, "email": email, "notes": notes},
        )

    for name, ods_code, speciality, email in DESIGNATED_PRACTITIONERS:
        Practitioner.objects.get_or_create(
            name=name,
            organisation=organisations[ods_code],
            defaults={
                "speciality": speciality,
                "email": email,
                "designation_scope": Practitioner.DesignationScope.SPINAL_SURGERY,
            },
        )


DEMO_CHANGE_REASON = "Demo: a new MDT coordinator line for the London Sarcoma Service (fictional number)."


def load_demo_change_requests(*, proposer) -> None:
    """One pending change request for a demo SAG member to review. The phone number is from
    Ofcom's range for drama (020 7946 0xxx), so it reaches nobody."""
    from .models import ChangeRequest
    from .services import change_request_propose

    if ChangeRequest.objects.filter(reason=DEMO_CHANGE_REASON).exists():
        return
    change_request_propose(
        proposer=proposer,
        kind=ChangeRequest.Kind.ADD,
        target_type=ChangeRequest.TargetType.KEY_CONTACT,
        values={
            "label": "LSS MDT coordinator (demo)",
            "phone_numbers": "020 7946 0000",
            "email": "",
            "service": "LSS",
            "active": True,
            "notes": "Demo entry proposed by seed_demo.",
        },
        reason=DEMO_CHANGE_REASON,
        notify=False,
    )
