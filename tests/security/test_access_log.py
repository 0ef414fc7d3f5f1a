"""The access log by construction (issue 17, finding 3): a page that shows patient data declares
which patients (portal/patient_data.py) and the declaration writes the log. The reads the
penetration test found unlogged are each below; the permission matrix checks every URL."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django.urls import reverse

from portal.models import AccessLog
from portal.patient_data import shows_patients
from tests.factories import PatientFactory, ReceivedReferralFactory


def logged(user) -> list[tuple[int, str, str]]:
    """What `user` is logged as having read on a page: (patient id, action, page), oldest first.
    (The security world's sample row, page "x", is no page.)"""
    rows = AccessLog.objects.filter(user=user, page__startswith="/").order_by("pk")
    return list(rows.values_list("patient_id", "action", "page"))


# The declaration --------------------------------------------------------------------------------


def test_a_view_declared_to_show_patients_cannot_answer_with_a_page_the_log_cannot_read(clinician):
    @shows_patients(lambda context: [1])
    def view(request):
        return HttpResponse("QWERTYUIOP, Ottoline")

    request = RequestFactory().get("/patients/1/")
    request.user = clinician
    with pytest.raises(ImproperlyConfigured):
        view(request)


def test_a_declared_view_logs_the_patients_of_the_page_it_rendered_once(clinician):
    @shows_patients(lambda context: [context["patient"], context["patient"], None])
    def view(request):
        return TemplateResponse(request, "portal/home.html", {"patient": 7})

    request = RequestFactory().get("/patients/7/", {"q": "Qwertyuiop"})
    request.user = clinician
    view(request)
    assert logged(clinician) == [(7, "read", "/patients/7/")]


def test_a_declared_view_logs_nothing_when_it_redirects(clinician):
    @shows_patients(lambda context: [7])
    def view(request):
        return HttpResponseRedirect("/")

    request = RequestFactory().get("/patients/7/")
    request.user = AnonymousUser()
    assert view(request).status_code == 302
    assert not AccessLog.objects.exists()


# The reads that were missed ---------------------------------------------------------------------


def test_second_opinion_queue_logs_each_patient_listed(client, office_user, world):
    client.force_login(office_user)
    client.get(reverse("second_opinions:queue"))
    assert sorted(patient for patient, action, _ in logged(office_user) if action == "list") == sorted(
        [world.mine.patient.pk, world.theirs.patient.pk]
    )


def test_second_opinion_mine_and_detail_pages_log_the_clinicians_patient(client, clinician, world):
    client.force_login(clinician)
    client.get(reverse("second_opinions:mine"))
    client.get(reverse("second_opinions:detail", args=[world.mine.second_opinion.pk]))
    patient = world.mine.patient.pk
    assert logged(clinician) == [
        (patient, "list", "/second-opinions/mine/"),
        (patient, "read", f"/second-opinions/{world.mine.second_opinion.pk}/"),
    ]


def test_second_opinion_form_logs_the_patients_it_offers_and_no_others(client, clinician, world):
    client.force_login(clinician)
    client.get(reverse("second_opinions:create"))
    assert logged(clinician) == [(world.mine.patient.pk, "list", "/second-opinions/new/")]


def test_admin_patient_search_by_nhs_number_is_logged_without_the_number(client, office_user, world):
    patient = world.mine.patient
    client.force_login(office_user)
    # A typed ?q= is kept in the session and the list shown at a token (issue 17 finding 10).
    response = client.get(
        reverse("admin:referrals_patient_changelist"), {"q": patient.nhs_number_display}, follow=True
    )
    assert patient.family_name in response.content.decode()
    assert logged(office_user)[-1] == (patient.pk, "search", "/admin/referrals/patient/")


def test_admin_patient_list_logs_each_patient_listed(client, office_user, world):
    client.force_login(office_user)
    client.get(reverse("admin:referrals_patient_changelist"))
    listed = {patient for patient, action, _ in logged(office_user) if action == "list"}
    assert listed == {world.mine.patient.pk, world.theirs.patient.pk}


def test_admin_patient_page_logs_the_likely_duplicate_named_beside_it(client, office_user):
    original = PatientFactory(given_name="Ada", family_name="Lovelace")
    duplicate = PatientFactory(given_name="Ada", family_name="Lovelace", possible_duplicate_of=original)
    client.force_login(office_user)
    response = client.get(reverse("admin:referrals_patient_change", args=[duplicate.pk]))
    assert response.status_code == 200
    assert {patient for patient, action, _ in logged(office_user)} == {duplicate.pk, original.pk}


@pytest.mark.parametrize("view", ["history", "simple_history"])
def test_admin_patient_history_pages_log_the_patient(client, office_user, world, view):
    patient = world.mine.patient
    args = [patient.pk] if view == "history" else [patient.pk, patient.history.earliest().history_id]
    client.force_login(office_user)
    assert client.get(reverse(f"admin:referrals_patient_{view}", args=args)).status_code == 200
    assert [(p, action) for p, action, _ in logged(office_user)] == [(patient.pk, "read")]


@pytest.mark.parametrize(
    ("model", "obj"),
    [("referrals_referral", "referral"), ("second_opinions_secondopinionrequest", "second_opinion")],
)
def test_admin_referral_and_second_opinion_pages_log_their_patient(client, office_user, world, model, obj):
    patient = world.mine.patient.pk
    pk = getattr(world.mine, obj).pk
    client.force_login(office_user)
    client.get(reverse(f"admin:{model}_changelist"))
    client.get(reverse(f"admin:{model}_change", args=[pk]))
    client.get(reverse(f"admin:{model}_history", args=[pk]))
    assert [(action, page) for p, action, page in logged(office_user) if p == patient] == [
        ("list", reverse(f"admin:{model}_changelist")),
        ("read", reverse(f"admin:{model}_change", args=[pk])),
        ("read", reverse(f"admin:{model}_history", args=[pk])),
    ]


def test_admin_page_of_a_missing_patient_logs_nothing(client, office_user, world):
    client.force_login(office_user)
    response = client.get(reverse("admin:referrals_patient_change", args=[world.mine.patient.pk + 1000]))
    assert response.status_code == 302
    assert logged(office_user) == []


def test_no_page_logs_a_patient_identifier(client, office_user, world):
    """Log rows name a page by its path: ids, never a name, NHS number or search term."""
    patient = world.mine.patient
    client.force_login(office_user)
    client.get(reverse("referrals:patient_list"), {"q": patient.family_name})
    client.get(reverse("admin:referrals_referral_changelist"), {"q": patient.nhs_number})
    ReceivedReferralFactory(patient=patient)
    client.get(reverse("referrals:patient_detail", args=[patient.pk]))
    pages = " ".join(page for _, _, page in logged(office_user))
    assert pages
    for identifier in (patient.family_name, patient.given_name, patient.nhs_number, "?"):
        assert identifier not in pages
