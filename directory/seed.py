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


# Demo core members of the two sarcoma MDTs (issue 16: a quorum counts the directory's core
# members of that MDT). Invented people, one for each speciality the demo quorum asks for: the
# pathway documents list no core members. (speciality, name) per service code.
DEMO_CORE_MEMBERS = {
    "LSS": ("RRV", "UCLH"),
    "RMH": ("RPY", "RMH"),
}
DEMO_CORE_SPECIALITIES = [
    ("surgery", "Surgeon"),
    ("radiology", "Radiologist"),
    ("pathology", "Pathologist"),
    ("clinical_oncology", "Clinical Oncologist"),
    ("medical_oncology", "Medical Oncologist"),
    ("nursing", "Nurse Specialist"),
]


def load_demo_core_members() -> list[Practitioner]:
    """Invented core members of the LSS and RMH MDTs, one per speciality of the demo quorum, so the
    demo MDTs can be quorate. Marked "(demo)" with example.invalid addresses, and `demo`: public
    pages never list them. Idempotent."""
    created = []
    for service_code, (ods_code, place) in DEMO_CORE_MEMBERS.items():
        service = Service.objects.filter(code=service_code).first()
        organisation = Organisation.objects.filter(ods_code=ods_code).first()
        if service is None or organisation is None:
            continue
        for speciality, title in DEMO_CORE_SPECIALITIES:
            practitioner, made = Practitioner.objects.get_or_create(
                name=f"{place} {title} (demo)",
                organisation=organisation,
                defaults={
                    "speciality": speciality,
                    "email": f"{service_code.lower()}.{speciality}@example.invalid",
                    "is_core_mdt_member": True,
                    "core_mdt_service": service,
                    "demo": True,
                },
            )
            if not practitioner.demo:  # made by an earlier seed, before the flag: marked now
                Practitioner.objects.filter(pk=practitioner.pk).update(demo=True)
            if made:
                created.append(practitioner)
    return created


# Signposting (issue 16): the second-opinion policy's Sarcoma UK Support Line and the NHS guide's
# PALS are directory key contacts, added through the SAG's approval like any entry. The seed
# documents give none of their numbers: the demo uses Ofcom's drama range (020 7946 0xxx), which
# reaches nobody, and says so; the SAG approves the real numbers.
SIGNPOSTING_CONTACTS = [
    # (label, service code or None, signpost, demo phone number)
    ("Sarcoma UK Support Line", None, "sarcoma_uk_support_line", "020 7946 0100"),
    ("PALS, University College London Hospitals", "UCLH", "pals", "020 7946 0101"),
    ("PALS, Royal National Orthopaedic Hospital", "RNOH", "pals", "020 7946 0102"),
    ("PALS, The Royal Marsden", "RMH", "pals", "020 7946 0103"),
]
SIGNPOSTING_REASON = "Signposting contact for second opinions (issue 16), demo number: confirm the real one."


def load_signposting_contacts(*, proposer, approver) -> None:
    """Propose each signposting contact as a change request and approve it as the SAG member
    `approver` (the demo's), so each entry has the approval history any entry has. Idempotent."""
    from .models import ChangeRequest
    from .services import change_request_approve, change_request_propose

    for label, service_code, signpost, phone in SIGNPOSTING_CONTACTS:
        if (
            KeyContact.objects.filter(label=label).exists()
            or ChangeRequest.objects.filter(proposed_values__label=label).exists()
        ):
            continue
        request = change_request_propose(
            proposer=proposer,
            kind=ChangeRequest.Kind.ADD,
            target_type=ChangeRequest.TargetType.KEY_CONTACT,
            values={
                "label": label,
                "service": service_code or "",
                "signpost": signpost,
                "phone_numbers": phone,
                "email": "",
                "active": True,
                "notes": "Demo number (Ofcom drama range): the SAG approves the real number.",
            },
            reason=SIGNPOSTING_REASON,
            notify=False,
        )
        change_request_approve(change_request_id=request.pk, approver=approver, notify=False)


# Letters (issue 20) head every page with the service's postal address. The seed documents give
# none: these are demo addresses, unconfirmed (the office confirms each service's, and the SAG
# approves any correction). Loaded by seed_demo only, never by a migration, so no real database
# gets them.
DEMO_SERVICE_ADDRESSES = {
    "LSS": "London Sarcoma Service\nUniversity College Hospital, 250 Euston Road\nLondon NW1 2PG",
    "RMH": "Royal Marsden Sarcoma Unit\nThe Royal Marsden, Fulham Road\nLondon SW3 6JJ",
    "RNOH": "Royal National Orthopaedic Hospital\nBrockley Hill, Stanmore\nMiddlesex HA7 4LP",
}
SERVICE_ADDRESS_REASON = "Demo: the postal address letters give (issue 20); the office confirms the real one."


def load_demo_service_addresses(*, proposer, approver) -> None:
    """Propose each demo service's postal address as a change request and approve it as the SAG
    member `approver`, so the address has the approval history any change has. Idempotent: a
    service that has an address, or any request about its address (pending, approved or
    rejected), is left alone."""
    from .models import ChangeRequest
    from .services import change_request_approve, change_request_propose

    about_addresses = ChangeRequest.objects.filter(proposed_values__has_key="postal_address")
    for code, address in DEMO_SERVICE_ADDRESSES.items():
        service = Service.objects.filter(code=code).first()
        if service is None or service.postal_address or about_addresses.filter(service=service).exists():
            continue
        request = change_request_propose(
            proposer=proposer,
            kind=ChangeRequest.Kind.CHANGE,
            target_type=ChangeRequest.TargetType.SERVICE,
            target_id=service.pk,
            values={"postal_address": address},
            reason=SERVICE_ADDRESS_REASON,
            notify=False,
        )
        change_request_approve(change_request_id=request.pk, approver=approver, notify=False)


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
