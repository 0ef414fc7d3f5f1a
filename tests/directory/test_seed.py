"""The demo seed's service addresses (issue 20): unconfirmed demo addresses, so no migration and
no reference-data load writes them; seed_demo proposes and approves each, once."""

import pytest

from directory import services
from directory.models import ChangeRequest, Service
from directory.seed import DEMO_SERVICE_ADDRESSES, load_demo_service_addresses, load_reference_data

pytestmark = pytest.mark.django_db


def _addresses() -> dict[str, str]:
    return dict(Service.objects.values_list("code", "postal_address"))


def _history_rows() -> int:
    return Service.history.count()


def test_reference_data_gives_no_service_an_address(db):
    load_reference_data()
    assert set(_addresses().values()) == {""}


def test_the_demo_addresses_come_in_through_approved_requests_once(office_user, sag_member):
    load_reference_data()
    load_demo_service_addresses(proposer=office_user, approver=sag_member)
    addresses = _addresses()
    assert {code: addresses[code] for code in DEMO_SERVICE_ADDRESSES} == DEMO_SERVICE_ADDRESSES
    assert (addresses["UCLH"], addresses["NHNN"]) == ("", "")
    applied = ChangeRequest.objects.filter(target_type="service", status="applied")
    assert sorted(applied.values_list("service__code", flat=True)) == ["LSS", "RMH", "RNOH"]
    assert Service.objects.get(code="RNOH").history.latest().history_user == sag_member

    history = _history_rows()
    load_demo_service_addresses(proposer=office_user, approver=sag_member)
    assert _addresses() == addresses
    assert ChangeRequest.objects.count() == 3
    assert _history_rows() == history


def test_seeding_again_keeps_an_address_the_sag_approved_since(office_user, sag_member):
    load_reference_data()
    load_demo_service_addresses(proposer=office_user, approver=sag_member)
    rmh = Service.objects.get(code="RMH")
    change_request = services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="service",
        target_id=rmh.pk,
        values={"postal_address": "Sarcoma Unit\nDowns Road\nSutton SM2 5PT"},
        reason="Letters go to the Sutton office now.",
    )
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    load_demo_service_addresses(proposer=office_user, approver=sag_member)
    assert Service.objects.get(code="RMH").postal_address == "Sarcoma Unit\nDowns Road\nSutton SM2 5PT"


def test_seeding_leaves_a_service_whose_address_the_office_already_proposed(office_user, sag_member):
    load_reference_data()
    lss = Service.objects.get(code="LSS")
    pending = services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="service",
        target_id=lss.pk,
        values={"postal_address": "London Sarcoma Service\nLondon NW1 2BU"},
        reason="The office's address.",
    )
    load_demo_service_addresses(proposer=office_user, approver=sag_member)
    assert Service.objects.get(code="LSS").postal_address == ""
    assert list(ChangeRequest.objects.filter(service=lss)) == [pending]
    pending.refresh_from_db()
    assert pending.status == ChangeRequest.Status.PENDING
