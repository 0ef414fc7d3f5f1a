"""Writes of the diagnostic pathway: suggestion and override at intake, returns, pathology
review, mutual aid and backlogs, unplanned excisions, the clinic survey and the evaluation rows."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from diagnostics import services as ds
from diagnostics.models import ReferralReturn
from directory.models import Service
from referrals import services
from referrals.models import ReferralEvent
from tests.factories import (
    CapacityDeclarationFactory,
    CompleteSuspectedReferralFactory,
    DesignatedPathologistFactory,
    DiagnosticClinicFactory,
    OrganisationFactory,
    PractitionerFactory,
    ReceivedReferralFactory,
    RequestedPathologyReviewFactory,
)

D = datetime.date
NOV_2 = D(2026, 11, 2)


def _intake(by, *, postcode="ME14 1AB", received_on=NOV_2, **referral):
    return services.referral_create(
        by=by,
        patient=services.PatientDetails(
            given_name="Alice", family_name="Arden", date_of_birth=D(1968, 4, 12), postcode=postcode
        ),
        referral=services.ReferralDetails(
            received_on=received_on,
            **{
                "presentation": "suspected",
                "tumour_type": "soft_tissue",
                "site": "limb",
                "referring_clinician": "Dr GP",
                "referrer_contact": "01622 000000",
                **referral,
            },
        ),
    )


@pytest.fixture
def clinics(db):
    kent = DiagnosticClinicFactory(name="Kent clinic", catchment=["ME", "TN"])
    maidstone = DiagnosticClinicFactory(name="Maidstone clinic", catchment=["ME14", "ME15"])
    return kent, maidstone


# Catchment suggestion and override -----------------------------------------------------------------


def test_intake_records_the_suggested_clinic_and_its_reason(directory, clinics, office_user):
    _kent, maidstone = clinics
    referral = _intake(office_user, postcode="me14 1ab")
    assert referral.diagnostic_clinic == maidstone
    assert referral.clinic_suggestion["clinic_id"] == maidstone.pk
    assert "ME14" in referral.clinic_suggestion["reason"]


def test_intake_with_a_postcode_outside_every_catchment_suggests_none(directory, clinics, office_user):
    referral = _intake(office_user, postcode="CM1 1AA")
    assert referral.diagnostic_clinic is None
    assert "CM1" in referral.clinic_suggestion["reason"]


def test_retired_clinic_is_not_suggested(directory, clinics, office_user):
    kent, maidstone = clinics
    maidstone.active = False
    maidstone.save()
    assert _intake(office_user).diagnostic_clinic == kent


def test_office_overrides_the_clinic_with_a_reason_kept_in_history(directory, clinics, office_user):
    kent, maidstone = clinics
    referral = _intake(office_user)
    ds.referral_override_clinic(
        referral_id=referral.pk, clinic_id=kent.pk, reason="Patient works in Chatham", by=office_user
    )
    referral.refresh_from_db()
    assert referral.diagnostic_clinic == kent
    assert referral.clinic_override_reason == "Patient works in Chatham"
    assert referral.clinic_suggestion["clinic_id"] == maidstone.pk  # the suggestion stays recorded
    assert [h.diagnostic_clinic_id for h in referral.history.order_by("history_id")][-2:] == [
        maidstone.pk,
        kent.pk,
    ]
    assert ReferralEvent.objects.filter(referral=referral, reason__contains="Chatham").exists()


def test_override_without_a_reason_is_refused(directory, clinics, office_user):
    kent, _ = clinics
    referral = _intake(office_user)
    with pytest.raises(ValidationError) as error:
        ds.referral_override_clinic(referral_id=referral.pk, clinic_id=kent.pk, reason=" ", by=office_user)
    assert "reason" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.diagnostic_clinic != kent


def test_spinal_bone_tumour_with_an_mri_is_not_sent_to_a_soft_tissue_clinic_nor_asked_for_an_xray(
    directory, clinics, office_user
):
    """Issue 19, reproduced through intake: a spinal bone tumour with an MRI recorded was given the
    Maidstone clinic by its postcode and its return asked for an X-ray.
    spinal-sarcoma-pathway-lsesn.txt: "the default position is that patients with suspected or
    confirmed primary bone tumours of the spine or sacrum should be referred as soon as possible to
    RNOH for diagnosis and surgical treatment"; NICE NG12 1.11.3 asks for an X-ray only as
    primary care's first test."""
    referral = _intake(
        office_user, tumour_type="bone", site="spine", imaging_done="mri", imaging_result="suggests_sarcoma"
    )
    assert referral.pathway == "spinal"
    assert referral.diagnostic_clinic is None
    assert referral.clinic_suggestion["clinic_id"] is None
    assert "RNOH" in referral.clinic_suggestion["reason"]
    assert referral.service.code == "RNOH"
    assert ds.referral_content(referral).imaging_done == "mri"
    with pytest.raises(ValidationError) as error:  # nothing is missing, so nothing to return
        ds.referral_return(referral_id=referral.pk, by=office_user)
    assert "Nothing is missing" in str(error.value)


# Returns of incomplete referrals -------------------------------------------------------------------


def test_incomplete_referral_is_returned_with_what_is_missing(db, office_user):
    referral = CompleteSuspectedReferralFactory(imaging_done="none", imaging_result="", lump_size_cm=None)
    returned = ds.referral_return(referral_id=referral.pk, by=office_user, note="Please send the scan")
    assert returned.returned_by == office_user
    assert returned.missing[0] == "The size of the lump in centimetres."
    assert "ultrasound" in returned.missing[1]
    assert ReferralReturn.objects.outstanding().get() == returned


def test_complete_referral_cannot_be_returned(db, office_user):
    referral = CompleteSuspectedReferralFactory()
    with pytest.raises(ValidationError, match="Nothing is missing"):
        ds.referral_return(referral_id=referral.pk, by=office_user)


def test_second_return_while_one_is_outstanding_is_refused(db, office_user):
    referral = CompleteSuspectedReferralFactory(lump_depth="")
    ds.referral_return(referral_id=referral.pk, by=office_user)
    with pytest.raises(ValidationError, match="already back with the referrer"):
        ds.referral_return(referral_id=referral.pk, by=office_user)
    assert ReferralReturn.objects.count() == 1


def test_resubmission_closes_the_return_when_complete(db, office_user):
    referral = CompleteSuspectedReferralFactory(lump_depth="")
    ds.referral_return(referral_id=referral.pk, by=office_user)
    with pytest.raises(ValidationError, match="Still missing"):
        ds.referral_resubmit(referral_id=referral.pk, by=office_user, values={"lump_painful": "yes"})
    referral.refresh_from_db()
    assert referral.lump_painful == "no"  # nothing half-saved
    returned = ds.referral_resubmit(referral_id=referral.pk, by=office_user, values={"lump_depth": "deep"})
    assert returned.resubmitted_at is not None
    assert returned.resubmitted_by == office_user
    assert not ReferralReturn.objects.outstanding().exists()


# Specialist pathology review -----------------------------------------------------------------------


def test_pathology_review_requested_and_reported_by_a_designated_pathologist(db, office_user):
    referral = ReceivedReferralFactory()
    pathologist = DesignatedPathologistFactory()
    review = ds.pathology_review_request(
        referral_id=referral.pk, pathologist_id=pathologist.pk, requested_on=D(2026, 11, 3), by=office_user
    )
    assert ds.pathology_status([referral.pk]) == {referral.pk: "awaited"}
    test = ds.molecular_test_request(
        review_id=review.pk, test_name="MDM2 FISH", requested_on=D(2026, 11, 4), by=office_user
    )
    ds.molecular_test_result(test_id=test.pk, resulted_on=D(2026, 11, 9), result="Amplified", by=office_user)
    ds.pathology_review_report(
        review_id=review.pk, reported_by_id=pathologist.pk, reported_on=D(2026, 11, 10),
        diagnosis="Dedifferentiated liposarcoma", by=office_user,
    )  # fmt: skip
    review.refresh_from_db()
    assert review.is_back
    assert review.molecular_tests.get().result == "Amplified"
    assert ds.pathology_status([referral.pk]) == {referral.pk: "back"}


def test_pathology_review_from_a_non_sarcoma_pathologist_is_refused(db, office_user):
    referral = ReceivedReferralFactory()
    general = PractitionerFactory(speciality="pathology", is_core_mdt_member=False)
    with pytest.raises(ValidationError) as error:
        ds.pathology_review_request(
            referral_id=referral.pk, pathologist_id=general.pk, requested_on=D(2026, 11, 3), by=office_user
        )
    assert "Specialist Sarcoma Pathologist" in error.value.message_dict["requested_from"][0]


def test_report_before_request_is_refused(db, office_user):
    review = RequestedPathologyReviewFactory()
    with pytest.raises(ValidationError, match="before the review was requested"):
        ds.pathology_review_report(
            review_id=review.pk, reported_by_id=review.requested_from_id, reported_on=D(2026, 11, 1),
            diagnosis="x", by=office_user,
        )  # fmt: skip


# Mutual aid and backlog ---------------------------------------------------------------------------


def test_mutual_aid_suggestion_at_intake_switches_on_and_off_by_date(directory, office_user):
    lss, rmh = Service.objects.get(code="LSS"), Service.objects.get(code="RMH")
    CapacityDeclarationFactory(
        service=lss, partner_service=rmh, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 31)
    )
    before = _intake(office_user, received_on=D(2026, 11, 30))
    during = _intake(office_user, received_on=D(2026, 12, 1))
    after = _intake(office_user, received_on=D(2027, 1, 1))
    assert before.service == lss
    assert before.mutual_aid_suggestion == []
    assert [s["to_code"] for s in during.mutual_aid_suggestion] == ["RMH"]
    assert after.mutual_aid_suggestion == []


def test_redirect_for_mutual_aid_is_flagged_and_moves_the_backlog(directory, office_user):
    rmh = Service.objects.get(code="RMH")
    referral = _intake(office_user, received_on=D(2026, 11, 2))
    ds.referral_redirect_for_mutual_aid(referral_id=referral.pk, to_service_id=rmh.pk, by=office_user)
    referral.refresh_from_db()
    assert referral.service == rmh
    assert referral.mutual_aid_redirect
    assert referral.events.filter(mutual_aid=True).count() == 1
    backlogs = {row["service"].code: row["backlog"] for row in ds.service_backlogs(today=D(2026, 11, 24))}
    assert backlogs["RMH"].waiting == 1
    assert backlogs["RMH"].oldest_wait_days == 22
    assert backlogs["LSS"].waiting == 0


def test_first_appointment_takes_a_referral_off_the_backlog(directory, office_user):
    referral = _intake(office_user)
    ds.referral_record_diagnostic_dates(
        referral_id=referral.pk, by=office_user, first_appointment_on=D(2026, 11, 9)
    )
    backlogs = {row["service"].code: row["backlog"] for row in ds.service_backlogs(today=D(2026, 11, 24))}
    assert backlogs["LSS"].waiting == 0


def test_diagnosis_outcome_needs_the_diagnosis_date(db, office_user):
    referral = ReceivedReferralFactory()
    with pytest.raises(ValidationError) as error:
        ds.referral_record_diagnostic_dates(
            referral_id=referral.pk, by=office_user, diagnosis_outcome="sarcoma"
        )
    assert "diagnosed_on" in error.value.message_dict


def test_capacity_declaration_with_dates_out_of_order_is_refused(db, office_user):
    service = Service.objects.create(name="Service", code="SVC")
    other = Service.objects.create(name="Other", code="OTH")
    with pytest.raises(ValidationError) as error:
        ds.capacity_declare(
            service_id=service.pk, partner_service_id=other.pk,
            starts_on=D(2026, 12, 2), ends_on=D(2026, 12, 1), reason="x", by=office_user,
        )  # fmt: skip
    assert "ends_on" in error.value.message_dict
    assert not service.capacity_declarations.exists()


# Unplanned excisions, survey and evaluation ---------------------------------------------------------


def test_unplanned_excisions_are_counted_by_referring_organisation(db, office_user):
    dgh = OrganisationFactory(name="District General")
    other = OrganisationFactory(name="Other Trust")
    for referrer in (dgh, dgh, other):
        referral = ReceivedReferralFactory(referring_organisation=referrer)
        ds.referral_record_unplanned_excision(
            referral_id=referral.pk, organisation_id=referrer.pk, excised_on=D(2026, 10, 1), by=office_user
        )
    ReceivedReferralFactory(referring_organisation=other)  # no excision
    assert ds.unplanned_excisions_by_referrer() == [
        {"organisation": "District General", "count": 2},
        {"organisation": "Other Trust", "count": 1},
    ]


def test_clinic_survey_is_one_per_clinic_per_year(db, office_user):
    clinic = DiagnosticClinicFactory()
    values = {
        "service_model": ["one_stop_ultrasound"], "referrals_per_year": 300, "sarcomas_diagnosed": 20,
        "clinics_per_week": 2, "radiologists_wte": 1, "sonographers_wte": 2, "nurse_specialists_wte": 1,
    }  # fmt: skip
    first = ds.clinic_survey_submit(clinic_id=clinic.pk, year=2026, values=values, by=office_user)
    again = ds.clinic_survey_submit(
        clinic_id=clinic.pk, year=2026, values={"referrals_per_year": 320}, by=office_user
    )
    assert again.pk == first.pk
    assert again.referrals_per_year == 320
    ds.clinic_survey_submit(clinic_id=clinic.pk, year=2027, values=values, by=office_user)
    assert [s.year for s in ds.survey_comparison(year=2026)] == [2026]
    assert ds.survey_years() == [2027, 2026]


def test_evaluation_rows_carry_returns_and_excisions(db, office_user):
    clinic = DiagnosticClinicFactory(name="Kent clinic")
    referral = CompleteSuspectedReferralFactory(diagnostic_clinic=clinic, lump_depth="")
    ds.referral_return(referral_id=referral.pk, by=office_user)
    CompleteSuspectedReferralFactory()  # no clinic: not in the evaluation
    rows = ds.evaluation_rows()
    assert len(rows) == 1
    assert rows[0].clinic == "Kent clinic"
    assert rows[0].returned


def test_demo_clinics_seed_once_and_route_kent_and_essex_postcodes(directory, office_user):
    from diagnostics.seed import load_diagnostic_clinics

    load_diagnostic_clinics(office_user=office_user)
    load_diagnostic_clinics(office_user=office_user)
    assert len(ds.clinic_catchments()) == 2
    kent = ds.clinic_suggest(postcode="ME14 1AB", pathway="soft_tissue")
    essex = ds.clinic_suggest(postcode="CM1 1AA", pathway="soft_tissue")
    bexley = ds.clinic_suggest(postcode="DA5 1AA", pathway="soft_tissue")
    assert "Kent" in kent.reason
    assert "Essex" in essex.reason
    assert bexley.clinic_id is None
    assert len(ds.survey_comparison(year=2026)) == 2


def test_demo_referrals_get_the_clinic_intake_would_suggest(directory, office_user):
    from diagnostics.seed import load_diagnostic_clinics, suggest_clinics_for_demo_referrals

    kent = CompleteSuspectedReferralFactory()  # postcode ME14 1AB
    load_diagnostic_clinics(office_user=office_user)
    assert suggest_clinics_for_demo_referrals() == 1
    assert suggest_clinics_for_demo_referrals() == 0
    kent.refresh_from_db()
    assert kent.diagnostic_clinic.name.startswith("Kent")


def test_return_emails_the_referrer_once_after_commit(
    db, office_user, django_capture_on_commit_callbacks, mailoutbox
):
    referral = CompleteSuspectedReferralFactory(
        referrer_contact="gp@example.invalid", lump_depth="", patient__family_name="Quillfeatherstone"
    )
    with django_capture_on_commit_callbacks(execute=True):
        returned = ds.referral_return(referral_id=referral.pk, by=office_user)
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Whether the lump is superficial or deep to the fascia." in body
    assert referral.patient.family_name not in body  # initials only
    assert ds.referral_return_notify(return_id=returned.pk) is False  # a redelivered task sends nothing
    assert len(mailoutbox) == 1


def test_return_to_a_telephone_contact_sends_no_email(
    db, office_user, django_capture_on_commit_callbacks, mailoutbox
):
    referral = CompleteSuspectedReferralFactory(lump_depth="")
    with django_capture_on_commit_callbacks(execute=True):
        ds.referral_return(referral_id=referral.pk, by=office_user)
    assert mailoutbox == []


# Issue 16 item 9: review needed until a designated sarcoma pathologist has reported -----------------


def test_a_local_not_sarcoma_does_not_end_the_need_for_specialist_review(db, office_user):
    """Item 9. spinal-sarcoma-pathway-lsesn.txt: "Pathology for all sarcomas must be reviewed by a
    Specialist Sarcoma Pathologist for diagnostic confirmation and undertaking any appropriate
    molecular analysis and genomic testing" (issue 16 changed this: "not sarcoma" used to end it)."""
    referral = ReceivedReferralFactory()
    ds.referral_record_diagnostic_dates(
        referral_id=referral.pk, by=office_user, diagnosed_on=D(2026, 11, 5), diagnosis_outcome="not_sarcoma"
    )
    pathologist = DesignatedPathologistFactory()
    review = ds.pathology_review_request(
        referral_id=referral.pk, pathologist_id=pathologist.pk, requested_on=D(2026, 11, 6), by=office_user
    )
    assert review.referral_id == referral.pk


def test_review_is_required_until_a_designated_pathologist_has_reported(db, office_user):
    """Item 9. spinal-sarcoma-pathway-lsesn.txt: "Pathology for all sarcomas must be reviewed by a
    Specialist Sarcoma Pathologist for diagnostic confirmation" """
    referral = ReceivedReferralFactory()
    assert not ds.designated_pathologist_reported(referral)
    review = RequestedPathologyReviewFactory(referral=referral)
    assert not ds.designated_pathologist_reported(referral)  # requested, not reported
    ds.pathology_review_report(
        review_id=review.pk, reported_by_id=review.requested_from_id, reported_on=D(2026, 11, 10),
        diagnosis="Myxofibrosarcoma", by=office_user,
    )  # fmt: skip
    assert ds.designated_pathologist_reported(referral)
    with pytest.raises(ValidationError, match="A designated sarcoma pathologist has already reported"):
        ds.pathology_review_request(
            referral_id=referral.pk, pathologist_id=review.requested_from_id, requested_on=D(2026, 11, 11),
            by=office_user,
        )  # fmt: skip
    # A report by someone no longer designated (the SAG withdrew it) no longer counts.
    reporter = review.requested_from
    reporter.designation_scope = ""
    reporter.save()
    assert not ds.designated_pathologist_reported(referral)


def test_the_rule_needs_review_whatever_the_local_diagnosis():
    """Item 9. spinal-sarcoma-pathway-lsesn.txt: "Pathology for all sarcomas must be reviewed by a
    Specialist Sarcoma Pathologist for diagnostic confirmation" """
    from diagnostics import rules as drules

    assert drules.needs_pathology_review(presentation="suspected", designated_pathologist_reported=False)
    assert drules.needs_pathology_review(presentation="confirmed", designated_pathologist_reported=False)
    assert not drules.needs_pathology_review(presentation="confirmed", designated_pathologist_reported=True)


# Issue 16 item 10: an unplanned excision goes on the next MDT's list, flagged ----------------------


def _lss_mdt():
    from mdt.models import Mdt

    return Mdt.objects.create(
        code="LSS", name="London Sarcoma Service MDT", service=Service.objects.get_or_create(
            code="LSS", defaults={"name": "London Sarcoma Service"})[0],
        weekday=2, start_time=datetime.time(8, 0),
    )  # fmt: skip


def test_an_unplanned_excision_puts_the_case_on_the_next_mdt_list_flagged(db, office_user, today):
    """Item 10. spinal-sarcoma-pathway-lsesn.txt: "Sarcoma services must be structured and managed
    to reduce the number of unplanned excisions or excisions undertaken outside a specialist
    centre" """
    from mdt import services as mdt_services

    mdt = _lss_mdt()
    mdt_services.mdt_meetings_generate(mdt=mdt)
    dgh = OrganisationFactory(name="District General")
    referral = ReceivedReferralFactory(referring_organisation=dgh, routing_decision={"mdt": "LSS"})
    recorded = ds.referral_record_unplanned_excision(
        referral_id=referral.pk, organisation_id=dgh.pk, excised_on=D(2026, 11, 1), by=office_user
    )
    [discussion] = referral.mdt_discussions.all()
    assert discussion.unplanned_excision is True
    assert discussion.meeting == mdt_services.next_open_meeting(mdt=mdt)
    assert "Unplanned excision at District General" in discussion.question
    assert recorded.mdt_listing == (
        f"Put on the case list of {discussion.meeting}, flagged as an unplanned excision.",
    )
    # The count by referring organisation stays.
    assert ds.unplanned_excisions_by_referrer() == [{"organisation": "District General", "count": 1}]


def test_a_case_already_listed_is_flagged_where_it_is(db, office_user, today):
    """Item 10. spinal-sarcoma-pathway-lsesn.txt: "Sarcoma services must be structured and managed
    to reduce the number of unplanned excisions" """
    from mdt import services as mdt_services

    mdt = _lss_mdt()
    mdt_services.mdt_meetings_generate(mdt=mdt)
    referral = ReceivedReferralFactory(routing_decision={"mdt": "LSS"})
    listed = mdt_services.discussion_add_to_next(referral=referral, mdt=mdt, by=office_user)
    ds.referral_record_unplanned_excision(
        referral_id=referral.pk, organisation_id=OrganisationFactory().pk, excised_on=None, by=office_user
    )
    listed.refresh_from_db()
    assert listed.unplanned_excision is True
    assert referral.mdt_discussions.count() == 1


def test_an_unplanned_excision_with_no_mdt_known_is_recorded_and_says_it_was_not_listed(db, office_user):
    """Item 10. spinal-sarcoma-pathway-lsesn.txt: "Sarcoma services must be structured and managed
    to reduce the number of unplanned excisions" """
    referral = ReceivedReferralFactory()
    recorded = ds.referral_record_unplanned_excision(
        referral_id=referral.pk, organisation_id=OrganisationFactory().pk, excised_on=None, by=office_user
    )
    assert recorded.referral.unplanned_excision is True
    assert recorded.mdt_listing[0].startswith("Not put on an MDT list: no MDT is known")
