"""The number of SQL queries a list page runs does not grow with its rows: the same at 5 rows as
at 50. (No timings here: bin/bench.py measures time.)"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ApprovedPolicyDocumentFactory,
    DiscussedMdtDiscussionFactory,
    HeldMeetingFactory,
    HospitalNumberFactory,
    OrganisationFactory,
    PractitionerFactory,
    ReceivedReferralFactory,
    ReceivedSecondOpinionRequestFactory,
    RunningPathwayFactory,
    ServiceFactory,
    TransferMissingFirstReceiptPathwayFactory,
    UserFactory,
)
from waiting_times.models import NextAction

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def same_at_5_and_50(client, url: str, make_rows) -> tuple[int, int]:
    """Queries of `url` with 5 rows and with 50 (each after a warm-up request, so per-process
    caches such as content types count the same)."""
    make_rows(5)
    client.get(url)
    at_5 = queries(client, url)
    make_rows(45)
    at_50 = queries(client, url)
    return at_5, at_50


def _clinicians_referrals(clinician, care_team_member):
    """Referrals of distinct patients, each with its own consultant or care team, a hospital
    number and received on different days, so nothing is shared between rows."""
    serial = iter(range(10_000))

    def make(n: int) -> None:
        for _ in range(n):
            i = next(serial)
            referral = ReceivedReferralFactory(
                responsible_consultant=clinician if i % 3 else UserFactory(role="Clinician"),
                received_on=datetime.date(2026, 11, 2) - datetime.timedelta(days=i),
                referring_organisation=OrganisationFactory(),
            )
            if i % 3 == 0:
                referral.care_team.add(care_team_member)
            HospitalNumberFactory(patient=referral.patient)

    return make


def test_patient_list_for_a_clinician_runs_the_same_queries_at_5_and_50_rows(client, clinician):
    client.force_login(clinician)
    url = reverse("referrals:patient_list")
    at_5, at_50 = same_at_5_and_50(client, url, _clinicians_referrals(clinician, clinician))
    assert at_5 == at_50


def test_patient_list_for_the_office_runs_the_same_queries_at_5_and_50_rows(client, office_user, clinician):
    client.force_login(office_user)
    url = reverse("referrals:patient_list")
    at_5, at_50 = same_at_5_and_50(client, url, _clinicians_referrals(clinician, clinician))
    assert at_5 == at_50


def test_a_later_patient_list_page_runs_the_same_queries_as_the_first(client, office_user, clinician):
    _clinicians_referrals(clinician, clinician)(120)
    client.force_login(office_user)
    url = reverse("referrals:patient_list")
    first = client.get(url)
    after = first.context["page"].next_after
    assert after is not None
    client.get(f"{url}?after={after}")
    assert queries(client, f"{url}?after={after}") == queries(client, url) + 1  # the cursor's row


def test_mdt_case_list_runs_the_same_queries_at_5_and_50_cases(client, office_user):
    meeting = HeldMeetingFactory()

    def make(n: int) -> None:
        for _ in range(n):
            DiscussedMdtDiscussionFactory(meeting=meeting, presenting_clinician=UserFactory(role="Clinician"))

    client.force_login(office_user)
    url = reverse("mdt:meeting_detail", args=[meeting.pk])
    at_5, at_50 = same_at_5_and_50(client, url, make)
    assert at_5 == at_50


def _referrals(n: int) -> None:
    for i in range(n):
        ReceivedReferralFactory(
            responsible_consultant=UserFactory(role="Clinician"),
            received_on=datetime.date(2026, 11, 2) - datetime.timedelta(days=i),
        )


def test_admin_referral_list_runs_the_same_queries_at_5_and_50_rows(client, office_user):
    client.force_login(office_user)
    url = reverse("admin:referrals_referral_changelist")
    at_5, at_50 = same_at_5_and_50(client, url, _referrals)
    assert at_5 == at_50


def test_admin_referral_search_by_nhs_number_finds_the_patients_referrals(client, office_user):
    _referrals(50)
    referral = ReceivedReferralFactory()
    client.force_login(office_user)
    number = referral.patient.nhs_number
    url = reverse("admin:referrals_referral_changelist")
    response = client.get(url, {"q": f"{number[:3]} {number[3:6]} {number[6:]}"})
    assert [row.pk for row in response.context["cl"].result_list] == [referral.pk]


def test_admin_patient_list_runs_the_same_queries_at_5_and_50_rows(client, office_user):
    client.force_login(office_user)
    url = reverse("admin:referrals_patient_changelist")
    at_5, at_50 = same_at_5_and_50(client, url, _referrals)
    assert at_5 == at_50


def test_directory_list_runs_the_same_queries_at_5_and_50_practitioners(client, clinician):
    def make(n: int) -> None:
        for _ in range(n):
            PractitionerFactory(organisation=OrganisationFactory())

    client.force_login(clinician)
    url = reverse("directory:list")
    at_5, at_50 = same_at_5_and_50(client, url, make)
    assert at_5 == at_50


def test_second_opinion_queue_runs_the_same_queries_at_5_and_50_requests(client, office_user):
    def make(n: int) -> None:
        for _ in range(n):
            ReceivedSecondOpinionRequestFactory()

    client.force_login(office_user)
    url = reverse("second_opinions:queue")
    at_5, at_50 = same_at_5_and_50(client, url, make)
    assert at_5 == at_50


def test_policy_list_runs_the_same_queries_at_5_and_50_documents(client, office_user):
    def make(n: int) -> None:
        for _ in range(n):
            ApprovedPolicyDocumentFactory(owners=[UserFactory()])

    client.force_login(office_user)
    url = reverse("policies:list")
    at_5, at_50 = same_at_5_and_50(client, url, make)
    assert at_5 == at_50


def _pathways(clinician, office_user):
    """Open pathways of distinct patients, each with its own consultant (a third the clinician's),
    service, a transfer in every other row and an open next action, so nothing is shared."""
    serial = iter(range(10_000))

    def make(n: int) -> None:
        for _ in range(n):
            i = next(serial)
            factory = TransferMissingFirstReceiptPathwayFactory if i % 2 else RunningPathwayFactory
            pathway = factory(
                referral__responsible_consultant=clinician if i % 3 else UserFactory(role="Clinician"),
                referral__received_on=datetime.date(2026, 11, 2) - datetime.timedelta(days=i),
                referral__service=ServiceFactory(),
            )
            NextAction.objects.create(
                pathway=pathway, what="Chase", owner=office_user, due_on=datetime.date(2026, 12, 1)
            )

    return make


def test_ptl_for_the_office_runs_the_same_queries_at_5_and_50_rows(client, office_user, clinician):
    client.force_login(office_user)
    at_5, at_50 = same_at_5_and_50(client, "/ptl/", _pathways(clinician, office_user))
    assert at_5 == at_50


def test_ptl_for_a_clinician_runs_the_same_queries_at_5_and_50_rows(client, office_user, clinician):
    client.force_login(clinician)
    at_5, at_50 = same_at_5_and_50(client, "/ptl/", _pathways(clinician, office_user))
    assert at_5 == at_50


def test_ptl_csv_runs_the_same_queries_at_5_and_50_rows(client, office_user, clinician):
    client.force_login(office_user)
    at_5, at_50 = same_at_5_and_50(client, "/ptl.csv?status=running", _pathways(clinician, office_user))
    assert at_5 == at_50
