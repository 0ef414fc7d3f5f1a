"""Diagnostic clinics change only through SAG-approved change requests, like every entry."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from directory import services
from directory.models import ChangeRequest, DiagnosticClinic
from tests.factories import DiagnosticClinicFactory, OrganisationFactory

VALUES = {
    "name": "Kent Sarcoma Diagnostic Clinic",
    "service_model": ["one_stop_ultrasound", "biopsy_on_site"],
    "clinic_days": ["thu", "tue"],
    "catchment": "me14, ME15; ct1",
    "active": True,
}


def test_a_new_clinic_goes_live_only_when_another_sag_member_approves(db, office_user, sag_member):
    host = OrganisationFactory(ods_code="RWF")
    change = services.change_request_propose(
        proposer=office_user, kind="add", target_type="diagnostic_clinic",
        values={**VALUES, "host_organisation": "RWF"}, reason="Scoped by the cancer alliance.",
    )  # fmt: skip
    assert not DiagnosticClinic.objects.exists()
    assert change.proposed_values["catchment"] == ["CT1", "ME14", "ME15"]
    services.change_request_approve(change_request_id=change.pk, approver=sag_member)
    clinic = DiagnosticClinic.objects.get()
    assert clinic.host_organisation == host
    assert clinic.catchment == ["CT1", "ME14", "ME15"]
    assert clinic.clinic_days == ["tue", "thu"]
    change.refresh_from_db()
    assert change.diagnostic_clinic == clinic
    assert change.status == ChangeRequest.Status.APPLIED


def test_a_bad_catchment_entry_is_refused_naming_the_field(db, office_user):
    OrganisationFactory(ods_code="RWF")
    with pytest.raises(ValidationError) as error:
        services.change_request_propose(
            proposer=office_user, kind="add", target_type="diagnostic_clinic",
            values={**VALUES, "host_organisation": "RWF", "catchment": "ME14, Kent"}, reason="New clinic.",
        )  # fmt: skip
    assert "KENT" in error.value.message_dict["catchment"][0]
    assert not ChangeRequest.objects.exists()


def test_a_catchment_change_applies_on_approval_with_history(db, office_user, sag_member):
    clinic = DiagnosticClinicFactory(catchment=["ME14"])
    change = services.change_request_propose(
        proposer=office_user, kind="change", target_type="diagnostic_clinic", target_id=clinic.pk,
        values={"catchment": "ME14, ME16"}, reason="Extend to Maidstone west.",
    )  # fmt: skip
    assert change.proposed_values == {"catchment": ["ME14", "ME16"]}
    services.change_request_approve(change_request_id=change.pk, approver=sag_member)
    clinic.refresh_from_db()
    assert clinic.catchment == ["ME14", "ME16"]
    assert clinic.history.first().history_user == sag_member


def test_retiring_a_clinic_goes_through_a_change_request(db, office_user, sag_member):
    clinic = DiagnosticClinicFactory()
    change = services.change_request_propose(
        proposer=office_user, kind="retire", target_type="diagnostic_clinic", target_id=clinic.pk,
        reason="Clinic closed.",
    )  # fmt: skip
    services.change_request_approve(change_request_id=change.pk, approver=sag_member)
    clinic.refresh_from_db()
    assert not clinic.active


def test_the_check_constraint_allows_only_the_clinic_target(db, office_user):
    from django.db import IntegrityError, transaction

    from tests.factories import PractitionerFactory

    clinic = DiagnosticClinicFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.create(
            kind="change", target_type="diagnostic_clinic", diagnostic_clinic=clinic,
            practitioner=PractitionerFactory(), reason="x", proposed_by=office_user,
        )  # fmt: skip


def test_propose_page_for_a_clinic_and_the_public_directory_lists_it(client, db, office_user):
    clinic = DiagnosticClinicFactory(name="Essex Diagnostic Clinic", catchment=["CM", "SS1"])
    page = client.get(reverse("directory:list"))
    assert "Essex Diagnostic Clinic" in page.content.decode()
    assert "CM, SS1" in page.content.decode()
    client.force_login(office_user)
    page = client.get(reverse("directory:propose_change", args=["diagnostic-clinic", clinic.pk]))
    assert page.status_code == 200
    assert 'name="catchment"' in page.content.decode()


def test_the_sag_reads_a_clinic_change_with_labels(client, db, office_user, sag_member):
    clinic = DiagnosticClinicFactory(catchment=["ME14"], service_model=["one_stop_ultrasound"])
    change = services.change_request_propose(
        proposer=office_user, kind="change", target_type="diagnostic_clinic", target_id=clinic.pk,
        values={"catchment": "ME14, ME16", "service_model": ["one_stop_ultrasound", "mri"]},
        reason="Extend.",
    )  # fmt: skip
    client.force_login(sag_member)
    page = client.get(reverse("directory:change_request_detail", args=[change.pk])).content.decode()
    assert "ME14, ME16" in page
    assert "MRI; One-stop ultrasound" in page
