import datetime

import pytest
from django.db import IntegrityError

from referrals.models import Patient, Referral, WaitingTimeAlert, worst_clock_state
from referrals.rules import ClockState
from tests.factories import HospitalNumberFactory, PatientFactory, ReceivedReferralFactory

TODAY = datetime.date(2026, 11, 24)


def test_nhs_number_is_unique(db):
    PatientFactory(nhs_number="9434765919")
    with pytest.raises(IntegrityError):
        PatientFactory(nhs_number="9434765919")


def test_many_patients_may_have_no_nhs_number(db):
    PatientFactory(nhs_number=None)
    PatientFactory(nhs_number=None)
    assert Patient.objects.filter(nhs_number=None).count() == 2


def test_a_hospital_number_belongs_to_one_patient_per_organisation(db):
    first = HospitalNumberFactory(number="RM1")
    with pytest.raises(IntegrityError):
        HospitalNumberFactory(number="RM1", organisation=first.organisation)


def test_a_patient_has_one_hospital_number_per_organisation(db):
    first = HospitalNumberFactory(number="RM1")
    with pytest.raises(IntegrityError):
        HospitalNumberFactory(number="RM2", organisation=first.organisation, patient=first.patient)


def test_alert_rows_make_an_alert_once_only(db):
    referral = ReceivedReferralFactory()
    WaitingTimeAlert.objects.create(referral=referral, standard="fds_28", kind="at_risk", due_on=TODAY)
    with pytest.raises(IntegrityError):
        WaitingTimeAlert.objects.create(referral=referral, standard="fds_28", kind="at_risk", due_on=TODAY)


def test_worst_clock_state_orders_breached_above_at_risk_above_on_track():
    assert worst_clock_state([ClockState.MET, ClockState.BREACHED, ClockState.AT_RISK]) == ClockState.BREACHED
    assert worst_clock_state([ClockState.ON_TRACK, ClockState.AT_RISK]) == ClockState.AT_RISK
    assert worst_clock_state([]) == ClockState.NOT_STARTED


def test_referral_clock_state_and_next_event_come_from_its_dates(db):
    referral = ReceivedReferralFactory(received_on=datetime.date(2026, 11, 2))
    assert referral.clock_state(TODAY) == ClockState.AT_RISK
    # The nearest running clock is the 28-day Faster Diagnosis Standard, due 28 days after receipt.
    assert referral.next_event(TODAY).endswith(": due 30/11/2026")


def test_with_clock_state_selects_referrals_by_their_worst_clock(db):
    at_risk = ReceivedReferralFactory(received_on=datetime.date(2026, 11, 2))
    ReceivedReferralFactory(received_on=datetime.date(2026, 11, 20))
    assert list(Referral.objects.with_clock_state([ClockState.AT_RISK], TODAY)) == [at_risk]


def test_referrals_visible_to_a_clinician_are_theirs_or_their_care_teams(db, clinician, other_clinician):
    mine = ReceivedReferralFactory(responsible_consultant=clinician)
    team = ReceivedReferralFactory(responsible_consultant=other_clinician)
    team.care_team.add(clinician)
    ReceivedReferralFactory(responsible_consultant=other_clinician)
    assert set(Referral.objects.visible_to(clinician)) == {mine, team}


def test_visible_pks_lists_the_same_referrals_as_visible_to(
    db, clinician, other_clinician, office_user, sag_member
):
    mine = ReceivedReferralFactory(responsible_consultant=clinician)
    team = ReceivedReferralFactory(responsible_consultant=other_clinician)
    team.care_team.add(clinician)
    both = ReceivedReferralFactory(responsible_consultant=clinician)
    both.care_team.add(clinician)  # on both lists: listed once
    ReceivedReferralFactory(responsible_consultant=other_clinician)
    ids = [row["pk"] for row in Referral.objects.visible_pks(clinician)]
    assert sorted(ids) == sorted({mine.pk, team.pk, both.pk})
    assert set(ids) == set(Referral.objects.visible_to(clinician).values_list("pk", flat=True))
    assert Referral.objects.visible_pks(office_user) is None  # every referral: nothing to filter
    assert list(Referral.objects.visible_pks(sag_member)) == []
    clinician.is_active = False
    assert list(Referral.objects.visible_pks(clinician)) == []


def test_patient_visible_pks_lists_the_same_patients_as_visible_to(
    db, clinician, other_clinician, office_user, sag_member
):
    mine = ReceivedReferralFactory(responsible_consultant=clinician).patient
    team = ReceivedReferralFactory(responsible_consultant=other_clinician)
    team.care_team.add(clinician)
    twice = ReceivedReferralFactory(responsible_consultant=clinician, patient=mine)  # two referrals
    twice.care_team.add(clinician)
    ReceivedReferralFactory(responsible_consultant=other_clinician)
    ids = [row["patient_id"] for row in Patient.objects.visible_pks(clinician)]
    assert sorted(ids) == sorted({mine.pk, team.patient_id})  # each patient once
    assert set(ids) == set(Patient.objects.visible_to(clinician).values_list("pk", flat=True))
    assert Patient.objects.visible_pks(office_user) is None  # every patient: nothing to filter
    assert list(Patient.objects.visible_pks(sag_member)) == []
    clinician.is_active = False
    assert list(Patient.objects.visible_pks(clinician)) == []


def test_handover_day_38_only_for_transfers(db):
    referral = ReceivedReferralFactory(received_on=datetime.date(2026, 11, 2))
    assert referral.handover_day_38() is None
    referral.transferred_between_trusts = True
    assert referral.handover_day_38() == datetime.date(2026, 12, 10)


def test_seed_demo_gives_every_demo_patient_a_key_worker_a_hospital_number_and_a_routed_referral(db):
    from django.core.management import call_command

    from referrals.seed import DEMO_PATIENTS
    from waiting_times.seed import DEMO as DEMO_PATHWAYS

    call_command("seed_demo", password="a-long-demo-password-1")
    assert Patient.objects.count() == len(DEMO_PATIENTS) + len(DEMO_PATHWAYS)
    assert not Patient.objects.filter(key_worker=None).exists()
    assert not Patient.objects.filter(hospital_numbers=None).exists()
    for referral in Referral.objects.all():
        assert referral.pathway
        assert referral.routing_decision["reasons"]
        assert referral.events.filter(to_status="received").exists()
    assert Referral.objects.get(patient__family_name="Fairway").pathway == "children"
    states = {r.patient.family_name: r.clock_state() for r in Referral.objects.select_related("patient")}
    assert states["Arden"] == ClockState.ON_TRACK
    assert states["Castle"] == ClockState.AT_RISK
    assert states["Eastfield"] == ClockState.BREACHED
    assert states["Dunmore"] == ClockState.MET
