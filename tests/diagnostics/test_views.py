"""Pages of the diagnostic pathway: permissions (office records, SAG sees figures, clinicians see
their own patients' pathology reviews), the access log, the MDT case list's pathology column,
the intake panel, the evaluation chart without inline style, and the CSV export."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from diagnostics.models import ReferralReturn
from mdt.models import MdtDiscussion
from portal.models import AccessLog
from tests.factories import (
    CapacityDeclarationFactory,
    CompleteSuspectedReferralFactory,
    DesignatedPathologistFactory,
    DiagnosticClinicFactory,
    MdtDiscussionFactory,
    ReportedPathologyReviewFactory,
    RequestedPathologyReviewFactory,
    UserFactory,
)

D = datetime.date


@pytest.fixture
def referral(clinician):
    referral = CompleteSuspectedReferralFactory(responsible_consultant=clinician, lump_depth="")
    return referral


FIGURE_PAGES = [
    "diagnostic:evaluation",
    "diagnostic:evaluation_csv",
    "diagnostic:survey_comparison",
    "diagnostic:service_backlog",
    "diagnostic:unplanned_excisions",
]


@pytest.mark.parametrize("name", FIGURE_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"), [("office_user", 200), ("sag_member", 200), ("clinician", 403), ("outsider", 403)]
)
def test_figure_pages_are_for_the_office_and_the_sag(client, request, name, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == status


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(reverse("diagnostic:evaluation"))
    assert response.status_code == 302
    assert "login" in response.url


def test_clinician_reads_own_patients_pathology_review_and_the_read_is_logged(client, clinician, referral):
    ReportedPathologyReviewFactory(referral=referral, diagnosis="Myxofibrosarcoma, grade 2.")
    client.force_login(clinician)
    page = client.get(reverse("diagnostic:referral", args=[referral.pk]))
    assert page.status_code == 200
    assert "Myxofibrosarcoma, grade 2." in page.content.decode()
    assert "Record the report" not in page.content.decode()  # clinicians read, the office records
    assert AccessLog.objects.filter(user=clinician, patient_id=referral.patient_id).exists()


def test_clinician_cannot_open_another_clinicians_patient(client, other_clinician, referral):
    client.force_login(other_clinician)
    assert client.get(reverse("diagnostic:referral", args=[referral.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["sag_member", "outsider"])
def test_referral_page_is_refused_without_patient_access(client, request, persona, referral):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("diagnostic:referral", args=[referral.pk])).status_code == 403


def test_clinician_cannot_record(client, clinician, referral):
    client.force_login(clinician)
    response = client.post(reverse("diagnostic:return", args=[referral.pk]), {"note": ""})
    assert response.status_code == 403
    assert not ReferralReturn.objects.exists()


def test_office_returns_an_incomplete_referral_from_its_page(client, office_user, referral):
    client.force_login(office_user)
    page = client.get(reverse("diagnostic:referral", args=[referral.pk]))
    assert "Whether the lump is superficial or deep to the fascia." in page.content.decode()
    response = client.post(reverse("diagnostic:return", args=[referral.pk]), {"note": "Please complete"})
    assert response.status_code == 302
    returned = ReferralReturn.objects.get()
    assert returned.missing == ["Whether the lump is superficial or deep to the fascia."]
    response = client.post(
        reverse("diagnostic:resubmit", args=[referral.pk]),
        {
            "referring_clinician": "Dr Test GP", "referrer_contact": "01622 000000", "lump_size_cm": "6",
            "lump_depth": "deep", "lump_growing": "yes", "lump_painful": "no", "imaging_done": "ultrasound",
            "imaging_result": "suggests_sarcoma", "postcode": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.resubmitted_by == office_user


def test_bad_input_is_reported_by_field_not_a_500(client, office_user, referral):
    client.force_login(office_user)
    response = client.post(
        reverse("diagnostic:pathology_request", args=[referral.pk]), {"pathologist": "", "requested_on": "x"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert "Designated sarcoma pathologist" in response.content.decode()


def test_office_requests_pathology_review_from_the_page(client, office_user, referral):
    pathologist = DesignatedPathologistFactory()
    client.force_login(office_user)
    client.post(
        reverse("diagnostic:pathology_request", args=[referral.pk]),
        {"pathologist": pathologist.pk, "requested_on": "2026-11-03"},
    )
    assert referral.pathology_review.requested_from == pathologist


def test_mdt_case_list_shows_whether_pathology_review_is_back(client, office_user):
    back = MdtDiscussionFactory()
    awaited = MdtDiscussionFactory(meeting=back.meeting)
    none = MdtDiscussionFactory(meeting=back.meeting)
    ReportedPathologyReviewFactory(referral=back.referral)
    RequestedPathologyReviewFactory(referral=awaited.referral)
    client.force_login(office_user)
    page = client.get(reverse("mdt:meeting_detail", args=[back.meeting.pk])).content.decode()
    assert "Specialist pathology review" in page
    rows = {d.referral_id: d for d in MdtDiscussion.objects.all()}
    assert len(rows) == 3
    assert page.count(">Back</span>") == 1
    assert page.count(">Awaited</span>") == 1
    assert page.count(">Not requested</span>") == 1
    assert none.referral_id in rows


def test_intake_shows_the_suggested_clinic_mutual_aid_and_what_is_missing(
    client, office_user, clinician, directory
):
    from directory.models import Service

    DiagnosticClinicFactory(name="Maidstone clinic", catchment=["ME14"])
    CapacityDeclarationFactory(
        service=Service.objects.get(code="LSS"), partner_service=Service.objects.get(code="RMH"),
        starts_on=D(2026, 11, 1), ends_on=D(2026, 11, 30),
    )  # fmt: skip
    client.force_login(office_user)
    response = client.post(
        reverse("referrals:intake"),
        {
            "given_name": "Alice", "family_name": "Arden", "date_of_birth": "1968-04-12", "sex": "female",
            "postcode": "ME14 1AB", "key_worker": clinician.pk, "received_on": "2026-11-02",
            "presentation": "suspected", "tumour_type": "soft_tissue", "site": "limb",
            "responsible_consultant": clinician.pk, "action": "check",
        },
    )  # fmt: skip
    page = response.content.decode()
    assert "Maidstone clinic" in page
    assert "Postcode district ME14" in page
    assert "An ultrasound of the lump" in page
    assert "NICE NG12" in page
    assert "Suggest RMH instead of LSS" in page


def test_evaluation_page_chart_has_no_inline_style_and_csv_matches(client, sag_member):
    clinic = DiagnosticClinicFactory(name="Kent clinic")
    CompleteSuspectedReferralFactory(
        diagnostic_clinic=clinic, received_on=D(2026, 10, 1), first_appointment_on=D(2026, 10, 8),
        diagnosis_communicated_on=D(2026, 10, 20), diagnosis_outcome="sarcoma",
    )  # fmt: skip
    CompleteSuspectedReferralFactory(diagnostic_clinic=clinic, received_on=D(2026, 10, 5))
    CompleteSuspectedReferralFactory(
        diagnostic_clinic=clinic, received_on=D(2026, 11, 2), first_appointment_on=D(2026, 11, 9),
        diagnosis_communicated_on=D(2026, 12, 14), diagnosis_outcome="not_sarcoma",
    )  # fmt: skip
    client.force_login(sag_member)
    response = client.get(reverse("diagnostic:evaluation"))
    page = response.content.decode()
    main = page.split("<main", 1)[-1]
    assert "<rect" not in page  # no hand-drawn chart (the header's NHS logo is the page's one SVG)
    assert "style=" not in main
    scripts = re.findall(r"<script[^>]*>", main)
    assert all('type="application/json"' in tag or " src=" in tag for tag in scripts)
    assert '<script src="/static/portal/charts.js" defer></script>' in page
    # Issue 19 item 7: labelled axes, a legend (one series per clinic), the table beside.
    received = response.context["charts"]["received"]
    assert (received["x_title"], received["y_title"]) == ("Month of referral", "Referrals received")
    assert received["labels"] == ["Oct 2026", "Nov 2026"]
    assert [(d["label"], d["data"]) for d in received["datasets"]] == [("Kent clinic", [2, 1])]
    assert 'data-chart="evaluation-received"' in page
    # By hand: October 1 of 1 diagnosed within 28 days (100%), November 0 of 1 (42 days): 0%;
    # mean 50%, one moving range of 100, limits 50 ± 266.
    fds = response.context["charts"]["within_28"][0]["spec"]
    assert fds["datasets"][0]["data"] == [100.0, 0.0]
    assert fds["datasets"][1]["data"] == [50.0, 50.0]
    assert "process limits -216.0% to 316.0%" in page
    assert "Faster Diagnosis Standard (80%)" in [d["label"] for d in fds["datasets"]]
    rows = list(csv.reader(io.StringIO(client.get(reverse("diagnostic:evaluation_csv")).content.decode())))
    assert rows[1][:8] == ["Kent clinic", "2026-10", "2", "7.0", "19.0", "1", "1", "1.0"]


def test_office_declares_capacity_and_sag_cannot(client, office_user, sag_member):
    from directory.models import Service

    lss = Service.objects.create(name="London Sarcoma Service", code="LSS")
    rmh = Service.objects.create(name="Royal Marsden", code="RMH")
    data = {
        "service": rmh.pk,
        "partner_service": lss.pk,
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        "reason": "x",
    }
    client.force_login(sag_member)
    assert client.post(reverse("diagnostic:service_backlog"), data).status_code == 403
    client.force_login(office_user)
    assert client.post(reverse("diagnostic:service_backlog"), data).status_code == 302
    assert rmh.capacity_declarations.count() == 1


def test_office_records_a_survey_and_sag_compares(client, office_user, sag_member):
    clinic = DiagnosticClinicFactory(name="Essex clinic")
    client.force_login(office_user)
    response = client.post(
        reverse("diagnostic:survey_form", args=[clinic.pk, 2026]),
        {
            "service_model": ["one_stop_ultrasound"], "referrals_per_year": "410", "sarcomas_diagnosed": "31",
            "clinics_per_week": "2", "radiologists_wte": "1.5", "sonographers_wte": "2",
            "nurse_specialists_wte": "1", "pathway_steps": ["straight_to_test"], "notes": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    client.force_login(sag_member)
    page = client.get(reverse("diagnostic:survey_comparison") + "?year=2026").content.decode()
    assert "Essex clinic" in page
    assert "410" in page
    assert "Straight-to-test MRI" in page
    assert client.get(reverse("diagnostic:survey_form", args=[clinic.pk, 2026])).status_code == 403


def test_unknown_user_without_role_sees_no_figures(client, db):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("diagnostic:unplanned_excisions")).status_code == 403


def test_office_reads_pathology_reviews_and_their_history_in_the_admin(client, office_user):
    review = RequestedPathologyReviewFactory()
    client.force_login(office_user)
    assert client.get(reverse("admin:diagnostics_pathologyreview_changelist")).status_code == 200
    history = client.get(reverse("admin:diagnostics_pathologyreview_history", args=[review.pk]))
    assert history.status_code == 200


def test_clinician_has_no_admin_for_pathology_reviews(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("admin:diagnostics_pathologyreview_changelist"))
    assert response.status_code == 302


def test_printed_case_list_shows_whether_pathology_review_is_back(client, office_user):
    discussion = MdtDiscussionFactory()
    ReportedPathologyReviewFactory(referral=discussion.referral, reported_on=D(2026, 11, 10))
    client.force_login(office_user)
    page = client.get(reverse("mdt:meeting_print", args=[discussion.meeting.pk])).content.decode()
    assert "Back 10 Nov" in page


def test_service_page_shows_backlog_and_oldest_wait(client, office_user, today):
    from directory.models import Service

    lss = Service.objects.create(name="London Sarcoma Service", code="LSS")
    CompleteSuspectedReferralFactory(service=lss, received_on=D(2026, 11, 2))
    CompleteSuspectedReferralFactory(service=lss, received_on=D(2026, 11, 20))
    CompleteSuspectedReferralFactory(
        service=lss, received_on=D(2026, 11, 1), first_appointment_on=D(2026, 11, 5)
    )
    client.force_login(office_user)
    page = client.get(reverse("diagnostic:service_backlog")).content.decode()
    assert '<td class="nhsuk-table__cell">2</td>' in page
    assert "22 days (since 02/11/2026)" in page


def test_a_refused_capacity_declaration_is_shown_once_on_the_form_with_its_error_summary(client, office_user):
    from directory.models import Service

    lss = Service.objects.create(name="London Sarcoma Service", code="LSS")
    rmh = Service.objects.create(name="Royal Marsden", code="RMH")
    client.force_login(office_user)
    data = {
        "service": rmh.pk,
        "partner_service": lss.pk,
        "starts_on": "2026-12-31",
        "ends_on": "2026-12-01",
        "reason": "x",
    }
    response = client.post(reverse("diagnostic:service_backlog"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("The end date cannot be before the start date.") == 2  # the summary and the field
    assert page.count("There is a problem") == 1
    assert not rmh.capacity_declarations.exists()
