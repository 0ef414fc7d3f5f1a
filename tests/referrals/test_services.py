import datetime

import pytest
from django.core.exceptions import ValidationError

from directory.models import Capability, Organisation, Service
from referrals import services
from referrals.models import HospitalNumber, Patient, Referral, ReferralEvent
from tests.factories import (
    AcceptedReferralFactory,
    AwaitingMdtReferralFactory,
    CoreMdtSurgeonFactory,
    DesignatedSpinalSurgeonFactory,
    DiscussedAtMdtReferralFactory,
    HospitalNumberFactory,
    PatientFactory,
    PractitionerFactory,
    ReceivedReferralFactory,
    ServiceFactory,
    SpinalReferralFactory,
)

NHS = "9434765919"


def patient_details(**kwargs) -> services.PatientDetails:
    defaults = {
        "given_name": "Alice",
        "family_name": "Arden",
        "date_of_birth": datetime.date(1968, 4, 12),
        "nhs_number": "943 476 5919",
    }
    return services.PatientDetails(**{**defaults, **kwargs})


def referral_details(**kwargs) -> services.ReferralDetails:
    defaults = {
        "received_on": datetime.date(2026, 11, 2),
        "presentation": "suspected",
        "tumour_type": "bone",
        "site": "spine",
    }
    return services.ReferralDetails(**{**defaults, **kwargs})


# Intake -----------------------------------------------------------------------------------------


def test_intake_stores_the_normalised_nhs_number_the_routing_decision_and_a_first_event(
    directory, office_user, clinician
):
    referral = services.referral_create(
        by=office_user,
        patient=patient_details(key_worker=clinician),
        referral=referral_details(responsible_consultant=clinician),
    )
    assert referral.patient.nhs_number == NHS
    assert referral.patient.key_worker == clinician
    assert referral.pathway == "spinal"
    assert referral.routing_decision["pathway"] == "spinal"
    assert referral.routing_decision["reasons"]
    assert isinstance(referral.routing_decision["refer_to"], list)
    event = referral.events.get()
    assert (event.actor, event.from_status, event.to_status) == (office_user, "", "received")


def test_existing_nhs_number_leads_to_the_existing_patient(directory, office_user):
    existing = PatientFactory(nhs_number=NHS, given_name="Alice", family_name="Arden")
    referral = services.referral_create(
        by=office_user,
        patient=patient_details(nhs_number="943 476 5919", given_name="Alicia"),
        referral=referral_details(),
    )
    assert referral.patient == existing
    assert Patient.objects.count() == 1
    assert Patient.objects.get().given_name == "Alice"


def test_invalid_nhs_number_saves_nothing(directory, office_user):
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            by=office_user, patient=patient_details(nhs_number="943 476 5918"), referral=referral_details()
        )
    assert "nhs_number" in error.value.message_dict
    assert not Patient.objects.exists()
    assert not Referral.objects.exists()


def test_same_name_and_birth_date_with_another_nhs_number_is_flagged_as_likely_duplicate(
    directory, office_user
):
    first = PatientFactory(given_name="Alice", family_name="Arden", date_of_birth=datetime.date(1968, 4, 12))
    referral = services.referral_create(
        by=office_user, patient=patient_details(), referral=referral_details()
    )
    assert referral.patient != first
    assert referral.patient.possible_duplicate_of == first


def test_same_name_and_birth_date_without_nhs_number_is_flagged_as_likely_duplicate(directory, office_user):
    first = PatientFactory(
        nhs_number=NHS, given_name="Alice", family_name="Arden", date_of_birth=datetime.date(1968, 4, 12)
    )
    referral = services.referral_create(
        by=office_user,
        patient=patient_details(nhs_number="", given_name="alice"),
        referral=referral_details(),
    )
    assert referral.patient.possible_duplicate_of == first


def test_different_birth_date_is_not_flagged(directory, office_user):
    PatientFactory(given_name="Alice", family_name="Arden", date_of_birth=datetime.date(1968, 4, 13))
    referral = services.referral_create(
        by=office_user, patient=patient_details(), referral=referral_details()
    )
    assert referral.patient.possible_duplicate_of is None


def test_hospital_number_of_another_patient_is_refused_and_nothing_is_saved(directory, office_user):
    taken = HospitalNumberFactory(number="RM1")
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            by=office_user,
            patient=patient_details(hospital_number="RM1", hospital_organisation=taken.organisation),
            referral=referral_details(),
        )
    assert "hospital_number" in error.value.message_dict
    assert Patient.objects.count() == 1  # only the one that owns RM1
    assert not Referral.objects.exists()


def test_hospital_numbers_are_kept_per_organisation(directory, office_user):
    rpy = Organisation.objects.get(ods_code="RPY")
    referral = services.referral_create(
        by=office_user,
        patient=patient_details(hospital_number="RM42", hospital_organisation=rpy),
        referral=referral_details(),
    )
    assert list(referral.patient.hospital_numbers.values_list("organisation__ods_code", "number")) == [
        ("RPY", "RM42")
    ]


# Routing and the directory -----------------------------------------------------------------------


def test_capability_holders_come_from_the_directory(directory):
    holders = services.capability_holders()
    assert holders["spinal_surgery"] == ("RNOH",)
    assert holders["skull_base_surgery"] == ("NHNN",)
    assert holders["bone_radiotherapy"] == ("UCLH",)
    assert set(holders["soft_tissue_sarcoma"]) == {"LSS", "RMH"}


def test_moving_a_capability_in_the_directory_moves_the_routing(directory):
    def decide():
        return services.routing_decide(
            date_of_birth=datetime.date(1970, 1, 1),
            received_on=datetime.date(2026, 11, 2),
            presentation="confirmed",
            tumour_type="bone",
            site="sacrum",
        )

    before = decide()
    assert before.radiotherapy_at == "UCLH"
    radiotherapy = Capability.objects.get(code="bone_radiotherapy")
    Service.objects.get(code="UCLH").capabilities.remove(radiotherapy)
    Service.objects.get(code="RNOH").capabilities.add(radiotherapy)
    after = decide()
    assert after.radiotherapy_at == "RNOH"


# Transitions -------------------------------------------------------------------------------------


def test_transition_records_who_when_from_to_and_why(office_user):
    referral = ReceivedReferralFactory()
    services.referral_transition(
        referral_id=referral.pk, to_status="triaged", by=office_user, reason="Reviewed"
    )
    referral.refresh_from_db()
    assert referral.status == "triaged"
    event = ReferralEvent.objects.get(referral=referral)
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        office_user,
        "received",
        "triaged",
        "Reviewed",
    )
    assert event.at is not None


def test_invalid_jump_is_refused_and_nothing_changes(office_user):
    referral = ReceivedReferralFactory()
    with pytest.raises(ValidationError) as error:
        services.referral_transition(referral_id=referral.pk, to_status="treatment_planned", by=office_user)
    assert "to_status" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == "received"
    assert not ReferralEvent.objects.exists()


def test_transition_from_a_stale_status_says_another_user_got_there_first(office_user):
    referral = ReceivedReferralFactory(status="triaged")
    with pytest.raises(services.ReferralConflict, match="Another user got there first"):
        services.referral_transition(
            referral_id=referral.pk, to_status="triaged", by=office_user, expected_status="received"
        )


def test_declining_needs_a_reason(office_user):
    referral = ReceivedReferralFactory()
    with pytest.raises(ValidationError) as error:
        services.referral_transition(referral_id=referral.pk, to_status="declined", by=office_user)
    assert "reason" in error.value.message_dict
    services.referral_transition(
        referral_id=referral.pk, to_status="declined", by=office_user, reason="Not a sarcoma"
    )
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "Not a sarcoma")


def test_redirecting_needs_a_destination(office_user):
    referral = ReceivedReferralFactory()
    with pytest.raises(ValidationError) as error:
        services.referral_transition(referral_id=referral.pk, to_status="redirected", by=office_user)
    assert "redirect_destination" in error.value.message_dict
    services.referral_transition(
        referral_id=referral.pk, to_status="redirected", by=office_user, redirect_destination="Oxford"
    )
    referral.refresh_from_db()
    assert (referral.status, referral.redirect_destination) == ("redirected", "Oxford")


def test_discussion_at_mdt_records_the_outcome_date(office_user, today):
    referral = AwaitingMdtReferralFactory()
    services.referral_transition(referral_id=referral.pk, to_status="discussed_at_mdt", by=office_user)
    referral.refresh_from_db()
    assert referral.mdt_outcome_on == today


def test_first_treatment_is_not_a_plain_status_change(office_user):
    referral = DiscussedAtMdtReferralFactory()
    with pytest.raises(ValidationError):
        services.referral_transition(
            referral_id=referral.pk, to_status="first_treatment_given", by=office_user
        )


# Surgeon designation -----------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [PractitionerFactory, CoreMdtSurgeonFactory])
def test_spinal_case_refuses_a_surgeon_who_is_not_designated_for_spinal_surgery(office_user, factory):
    """Item 7: issue 16 changed this (a core MDT member used to pass; the refusal quoted the
    treatment sentence). spinal-sarcoma-pathway-lsesn.txt: "Surgery for bone and soft tissue sarcoma
    arising in the spine, sacrum and paraspinal tissues with spine contact or involvement must only
    be carried out by designated practitioners in centres defined by the Sarcoma Advisory Group" """
    referral = SpinalReferralFactory()
    surgeon = factory()
    with pytest.raises(ValidationError) as error:
        services.referral_assign_surgeon(referral_id=referral.pk, practitioner_id=surgeon.pk, by=office_user)
    refusal = error.value.message_dict["surgeon"][0]
    assert "must only be carried out by designated practitioners in centres defined by the Sarcoma" in refusal
    referral.refresh_from_db()
    assert referral.surgeon is None


def test_spinal_case_accepts_a_designated_spinal_surgeon(office_user):
    referral = SpinalReferralFactory()
    surgeon = DesignatedSpinalSurgeonFactory()
    services.referral_assign_surgeon(referral_id=referral.pk, practitioner_id=surgeon.pk, by=office_user)
    referral.refresh_from_db()
    assert referral.surgeon == surgeon


def test_seeded_designated_practitioners_may_operate_on_spinal_cases(directory, office_user):
    from directory.models import Practitioner

    referral = SpinalReferralFactory()
    choi = Practitioner.objects.get(name="David Choi")
    services.referral_assign_surgeon(referral_id=referral.pk, practitioner_id=choi.pk, by=office_user)
    referral.refresh_from_db()
    assert referral.surgeon == choi


@pytest.mark.parametrize("overrides", [{"is_core_mdt_member": True}, {"designation_scope": "surgery"}])
def test_limb_case_accepts_a_core_or_designated_surgeon(office_user, overrides):
    """Item 6: issue 16 changed this (any active surgeon used to pass).
    spinal-sarcoma-pathway-lsesn.txt: "All resections of sarcomas are undertaken by surgeons who are
    core or designated members of the Sarcoma MDT." """
    referral = ReceivedReferralFactory(site="limb")
    surgeon = PractitionerFactory(**overrides)
    services.referral_assign_surgeon(referral_id=referral.pk, practitioner_id=surgeon.pk, by=office_user)
    referral.refresh_from_db()
    assert referral.surgeon == surgeon


def test_limb_case_refuses_a_surgeon_who_is_neither_core_nor_designated(office_user):
    """Item 6. spinal-sarcoma-pathway-lsesn.txt: "All resections of sarcomas are undertaken by
    surgeons who are core or designated members of the Sarcoma MDT." """
    referral = ReceivedReferralFactory(site="limb")
    with pytest.raises(ValidationError) as error:
        services.referral_assign_surgeon(
            referral_id=referral.pk, practitioner_id=PractitionerFactory().pk, by=office_user
        )
    assert (
        '"All resections of sarcomas are undertaken by surgeons who are core or designated members'
        in (error.value.message_dict["surgeon"][0])
    )


# Treatment before MDT ----------------------------------------------------------------------------


def treat(referral, by, treated_on, *, modality="surgery", practitioner=None, centre=None, **kwargs):
    """Record a first treatment; by default surgery by a core MDT surgeon at the LSS."""
    return services.referral_record_first_treatment(
        referral_id=referral.pk,
        treated_on=treated_on,
        modality=modality,
        practitioner_id=(practitioner or CoreMdtSurgeonFactory()).pk,
        centre_id=(centre or ServiceFactory(code="LSS")).pk,
        by=by,
        **kwargs,
    )


def test_first_treatment_before_mdt_is_refused_without_an_override(office_user, today):
    referral = AwaitingMdtReferralFactory()
    with pytest.raises(ValidationError) as error:
        treat(referral, office_user, today)
    assert "urgent_override_reason" in error.value.message_dict
    referral.refresh_from_db()
    assert (referral.status, referral.first_treatment_on) == ("awaiting_mdt", None)


def test_first_treatment_before_mdt_with_an_urgent_override_is_recorded_with_its_reason(office_user, today):
    referral = AcceptedReferralFactory()
    treat(referral, office_user, today, urgent_override_reason="Cord compression")
    referral.refresh_from_db()
    assert referral.status == "first_treatment_given"
    assert referral.first_treatment_on == today
    assert referral.urgent_override_reason == "Cord compression"
    assert "Cord compression" in referral.events.get().reason


def test_first_treatment_after_mdt_needs_no_override(office_user, today):
    referral = DiscussedAtMdtReferralFactory()
    treat(referral, office_user, today)
    referral.refresh_from_db()
    assert referral.status == "first_treatment_given"
    assert referral.urgent_override_reason == ""


def test_first_treatment_with_a_recorded_mdt_outcome_date_needs_no_override(office_user, today):
    referral = AwaitingMdtReferralFactory(mdt_outcome_on=datetime.date(2026, 11, 20))
    treat(referral, office_user, today)
    referral.refresh_from_db()
    assert referral.status == "first_treatment_given"


def test_first_treatment_is_refused_for_a_referral_not_yet_accepted(office_user, today):
    referral = ReceivedReferralFactory()
    with pytest.raises(ValidationError):
        treat(referral, office_user, today, urgent_override_reason="Urgent")


# Merge -------------------------------------------------------------------------------------------


def test_merge_keeps_every_referral_with_its_history_and_marks_the_merged_record(office_user):
    keep = PatientFactory(nhs_number=None)
    duplicate = PatientFactory(nhs_number=NHS, given_name=keep.given_name, possible_duplicate_of=keep)
    kept_referral = ReceivedReferralFactory(patient=keep)
    moved = ReceivedReferralFactory(patient=duplicate)
    services.referral_transition(referral_id=moved.pk, to_status="triaged", by=office_user)
    HospitalNumberFactory(patient=duplicate, number="RM7")

    services.patient_merge(keep_id=keep.pk, merge_id=duplicate.pk, by=office_user)

    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert set(keep.referrals.all()) == {kept_referral, moved}
    assert keep.nhs_number == NHS
    assert duplicate.merged_into == keep
    assert duplicate.nhs_number is None
    assert list(keep.hospital_numbers.values_list("number", flat=True)) == ["RM7"]
    assert moved.events.count() == 1
    patients_in_history = set(Referral.history.filter(id=moved.pk).values_list("patient_id", flat=True))
    assert patients_in_history == {keep.pk, duplicate.pk}
    assert Patient.objects.current().count() == 1


def test_records_with_different_nhs_numbers_cannot_be_merged(office_user):
    keep = PatientFactory()
    other = PatientFactory()
    with pytest.raises(ValidationError, match="different NHS numbers"):
        services.patient_merge(keep_id=keep.pk, merge_id=other.pk, by=office_user)
    other.refresh_from_db()
    assert other.merged_into is None


def test_a_record_cannot_be_merged_twice(office_user):
    keep = PatientFactory(nhs_number=None)
    duplicate = PatientFactory(nhs_number=None)
    services.patient_merge(keep_id=keep.pk, merge_id=duplicate.pk, by=office_user)
    with pytest.raises(services.ReferralConflict):
        services.patient_merge(keep_id=keep.pk, merge_id=duplicate.pk, by=office_user)


def test_existing_nhs_number_of_a_merged_record_leads_to_the_kept_patient(directory, office_user):
    keep = PatientFactory(nhs_number=NHS)
    old = PatientFactory(nhs_number=None)
    services.patient_merge(keep_id=keep.pk, merge_id=old.pk, by=office_user)
    referral = services.referral_create(
        by=office_user, patient=patient_details(), referral=referral_details()
    )
    assert referral.patient == keep
    assert HospitalNumber.objects.count() == 0


def test_a_sag_approved_directory_change_moves_the_routing_of_the_next_intake(
    directory, office_user, sag_member
):
    from directory.services import change_requests

    def intake():
        return services.referral_create(
            by=office_user, patient=patient_details(nhs_number=""), referral=referral_details(site="sacrum")
        )

    assert intake().routing_decision["radiotherapy_at"] == "UCLH"
    rnoh = Service.objects.get(code="RNOH")
    proposal = change_requests.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="service",
        target_id=rnoh.pk,
        values={"capabilities": ["bone_diagnosis_surgery", "spinal_surgery", "bone_radiotherapy"]},
        reason="SAG meeting: bone radiotherapy moves to RNOH",
    )
    uclh = Service.objects.get(code="UCLH")
    removal = change_requests.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="service",
        target_id=uclh.pk,
        values={"capabilities": []},
        reason="SAG meeting: bone radiotherapy moves to RNOH",
    )
    assert intake().routing_decision["radiotherapy_at"] == "UCLH"  # proposed is not approved
    change_requests.change_request_approve(change_request_id=proposal.pk, approver=sag_member)
    change_requests.change_request_approve(change_request_id=removal.pk, approver=sag_member)
    assert intake().routing_decision["radiotherapy_at"] == "RNOH"


# Issue 16 items 7 and 8: who gives the first treatment, what it is and where ------------------------


def _service(code):
    from directory.models import Service

    return Service.objects.get(code=code)


def test_spinal_surgery_by_a_designated_surgeon_at_a_sag_defined_centre_is_recorded(
    directory, office_user, today
):
    """Item 7. spinal-sarcoma-pathway-lsesn.txt: "Surgery for bone and soft tissue sarcoma arising
    in the spine, sacrum and paraspinal tissues with spine contact or involvement must only be
    carried out by designated practitioners in centres defined by the Sarcoma Advisory Group" """
    referral = SpinalReferralFactory(status="discussed_at_mdt", mdt_outcome_on=datetime.date(2026, 11, 18))
    surgeon = DesignatedSpinalSurgeonFactory()
    treated = treat(referral, office_user, today, practitioner=surgeon, centre=_service("RNOH"))
    assert (treated.first_treatment_modality, treated.first_treatment_practitioner) == ("surgery", surgeon)
    assert treated.first_treatment_centre.code == "RNOH"
    assert treated.urgent_override_departures == []
    assert "surgery by" in treated.events.last().reason


def test_spinal_surgery_at_a_centre_the_sag_has_not_defined_is_refused_quoting_the_pathway(
    directory, office_user, today
):
    """Item 7. spinal-sarcoma-pathway-lsesn.txt: "Surgery for bone and soft tissue sarcoma arising
    in the spine, sacrum and paraspinal tissues with spine contact or involvement must only be
    carried out by designated practitioners in centres defined by the Sarcoma Advisory Group" """
    referral = SpinalReferralFactory(status="discussed_at_mdt", mdt_outcome_on=datetime.date(2026, 11, 18))
    with pytest.raises(ValidationError) as error:
        treat(
            referral,
            office_user,
            today,
            practitioner=DesignatedSpinalSurgeonFactory(),
            centre=_service("RMH"),
        )
    refusal = error.value.message_dict["centre"][0]
    assert "RMH is not the pathway's centre for this treatment (RNOH)" in refusal
    assert "in centres defined by the Sarcoma Advisory Group" in refusal
    referral.refresh_from_db()
    assert referral.first_treatment_on is None


def test_the_spinal_surgery_centres_are_the_directorys_and_follow_a_sag_approved_change(
    directory, office_user, sag_member, today
):
    """Item 7. spinal-sarcoma-pathway-lsesn.txt: "must only be carried out by designated
    practitioners in centres defined by the Sarcoma Advisory Group" """
    from directory import services as directory_services

    referral = SpinalReferralFactory(status="discussed_at_mdt", mdt_outcome_on=datetime.date(2026, 11, 18))
    surgeon = DesignatedSpinalSurgeonFactory()
    with pytest.raises(ValidationError):
        treat(referral, office_user, today, practitioner=surgeon, centre=_service("UCLH"))
    change = directory_services.change_request_propose(
        proposer=office_user, kind="change", target_type="service", target_id=_service("UCLH").pk,
        values={"capabilities": ["bone_radiotherapy", "spinal_surgery"]},
        reason="The SAG defines UCLH as a spinal sarcoma surgery centre.",
    )  # fmt: skip
    directory_services.change_request_approve(change_request_id=change.pk, approver=sag_member)
    treated = treat(referral, office_user, today, practitioner=surgeon, centre=_service("UCLH"))
    assert treated.first_treatment_centre.code == "UCLH"


@pytest.mark.parametrize("modality", ["chemotherapy", "radiotherapy"])
def test_chemotherapy_and_radiotherapy_are_checked_against_the_directorys_designations(
    directory, office_user, today, modality
):
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Treatment of sarcomas arising in the spine,
    sacrum and paraspinal tissues with spine contact or involvement will only be undertaken by core
    members of the sarcoma MDT or by designated practitioners (designation by the LSESN Sarcoma
    Advisory Group)" """
    referral = SpinalReferralFactory(
        tumour_type="soft_tissue", status="discussed_at_mdt", mdt_outcome_on=datetime.date(2026, 11, 18)
    )
    oncologist = PractitionerFactory(speciality="clinical_oncology")
    with pytest.raises(ValidationError) as error:
        treat(
            referral, office_user, today, modality=modality, practitioner=oncologist, centre=_service("UCLH")
        )
    assert (
        "will only be undertaken by core members of the sarcoma MDT or by designated practitioners"
        in (error.value.message_dict["practitioner"][0])
    )
    designated = PractitionerFactory(speciality="clinical_oncology", designation_scope=modality)
    treated = treat(
        referral, office_user, today, modality=modality, practitioner=designated, centre=_service("UCLH")
    )
    assert treated.first_treatment_practitioner == designated


def test_radiotherapy_for_a_primary_bone_tumour_of_the_sacrum_is_given_at_uclh(directory, office_user, today):
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Radiotherapy treatment for primary bone tumours of
    the spine or sacrum should be given at UCLH" """
    referral = SpinalReferralFactory(
        site="sacrum", status="discussed_at_mdt", mdt_outcome_on=datetime.date(2026, 11, 18)
    )
    oncologist = PractitionerFactory(speciality="clinical_oncology", designation_scope="radiotherapy")
    with pytest.raises(ValidationError) as error:
        treat(
            referral,
            office_user,
            today,
            modality="radiotherapy",
            practitioner=oncologist,
            centre=_service("RMH"),
        )
    assert (
        '"Radiotherapy treatment for primary bone tumours of the spine or sacrum should be given at UCLH"'
        in (error.value.message_dict["centre"][0])
    )
    treated = treat(
        referral,
        office_user,
        today,
        modality="radiotherapy",
        practitioner=oncologist,
        centre=_service("UCLH"),
    )
    assert treated.first_treatment_centre.code == "UCLH"


def test_an_urgent_override_needs_a_reason_and_is_flagged_to_the_mdt_lead(
    directory, office_user, today, django_capture_on_commit_callbacks, mailoutbox
):
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Discussion should take place before treatment
    unless clinical urgency means this is not possible. In clinically urgent cases, the treating
    clinician should discuss the proposed intervention with other appropriate members of the MDT if
    possible." """
    from mdt.models import Mdt
    from portal.models import OutboxMessage

    lead = PractitionerFactory(name="Dr Lead", email="lead@example.invalid")
    Mdt.objects.create(
        code="LSS", name="London Sarcoma Service MDT", service=_service("LSS"), weekday=2,
        start_time=datetime.time(8), lead=lead,
    )  # fmt: skip
    referral = SpinalReferralFactory(status="accepted", patient__family_name="Quillfeatherstone")
    on_call = CoreMdtSurgeonFactory(name="Dr On Call")  # core member, not designated for spinal surgery
    with pytest.raises(ValidationError) as error:
        treat(referral, office_user, today, practitioner=on_call, centre=_service("UCLH"))
    assert set(error.value.message_dict) == {"practitioner", "centre", "urgent_override_reason"}
    with django_capture_on_commit_callbacks(execute=True):
        treated = treat(
            referral, office_user, today, practitioner=on_call, centre=_service("UCLH"),
            urgent_override_reason="Cord compression overnight: decompression by the on-call surgeon.",
        )  # fmt: skip
    assert treated.status == "first_treatment_given"
    assert len(treated.urgent_override_departures) == 3
    assert any("designated practitioners in centres" in d for d in treated.urgent_override_departures)
    assert OutboxMessage.objects.get().task == "referrals.tasks.referral_flag_urgent_override"
    [message] = mailoutbox
    assert message.to == ["lead@example.invalid"]
    assert "Cord compression overnight" in message.body
    assert referral.patient.family_name not in message.body
    treated.refresh_from_db()
    assert treated.urgent_override_flagged_at is not None
    assert services.referral_urgent_override_notify(referral_id=referral.pk) is False  # once only
    assert len(mailoutbox) == 1


def test_first_treatment_records_what_who_and_where(office_user, today):
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Treatment of sarcomas arising in the spine,
    sacrum and paraspinal tissues with spine contact or involvement will only be undertaken by core
    members of the sarcoma MDT or by designated practitioners" """
    referral = DiscussedAtMdtReferralFactory(site="limb")
    oncologist = PractitionerFactory(speciality="medical_oncology", is_core_mdt_member=True)
    treated = treat(referral, office_user, today, modality="chemotherapy", practitioner=oncologist)
    assert treated.first_treatment_modality == "chemotherapy"
    assert treated.first_treatment_practitioner == oncologist
    assert treated.first_treatment_centre.code == "LSS"
    history = treated.history.latest("history_id")
    assert history.first_treatment_modality == "chemotherapy"
