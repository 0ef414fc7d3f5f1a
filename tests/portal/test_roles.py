import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from portal.roles import ROLE_PERMISSIONS, Role, sync_role_permissions


@pytest.mark.django_db
def test_each_role_group_exists_with_exactly_its_permissions():
    for role, wanted in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == wanted, role


@pytest.mark.django_db
def test_every_listed_permission_exists():
    existing = {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }
    listed = set().union(*ROLE_PERMISSIONS.values())
    assert listed - existing == set()


@pytest.mark.django_db
def test_sync_removes_a_permission_that_is_not_listed():
    group = Group.objects.get(name=Role.CLINICIAN.value)
    group.permissions.add(Permission.objects.get(codename="delete_patient"))
    sync_role_permissions()
    assert not group.permissions.filter(codename="delete_patient").exists()


def test_clinician_may_view_but_not_change_referrals(clinician):
    assert clinician.has_perm("referrals.view_referral")
    assert not clinician.has_perm("referrals.change_referral")
    assert not clinician.has_perm("policies.approve_policydocument")


def test_mdt_office_drafts_policies_but_cannot_approve_them(office_user):
    assert office_user.has_perm("policies.change_policydocument")
    assert not office_user.has_perm("policies.approve_policydocument")


def test_sag_member_approves_policies_but_cannot_edit_referrals(sag_member):
    assert sag_member.has_perm("policies.approve_policydocument")
    assert not sag_member.has_perm("referrals.change_referral")


def test_outsider_has_no_permissions(outsider):
    assert outsider.get_all_permissions() == set()


def test_role_properties(office_user, clinician, sag_member, outsider):
    assert (office_user.is_mdt_office, office_user.is_clinician) == (True, False)
    assert (clinician.is_clinician, clinician.is_sag_member) == (True, False)
    assert sag_member.is_sag_member
    assert not (outsider.is_mdt_office)
    assert not (outsider.is_clinician)
    assert not (outsider.is_sag_member)


@pytest.mark.parametrize("persona", ["outsider", "clinician", "sag_member"])
def test_non_staff_get_no_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_mdt_office_works_in_the_admin(client, office_user):
    client.force_login(office_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert b"LSESN Sarcoma Portal administration" in response.content
    assert client.get(reverse("admin:referrals_referral_changelist")).status_code == 200
    # No delete or user management for the office.
    assert client.get(reverse("admin:portal_user_changelist")).status_code == 403


def test_a_clinician_account_can_be_linked_to_a_directory_practitioner(clinician):
    from directory.models import Practitioner
    from tests.factories import OrganisationFactory

    practitioner = Practitioner.objects.create(
        name="Dr Test", organisation=OrganisationFactory(), speciality="surgery", user=clinician
    )
    clinician.refresh_from_db()
    assert clinician.practitioner == practitioner
