import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from directory import services
from directory.models import ChangeRequest, KeyContact, Practitioner, Service
from directory.seed import load_reference_data
from tests.directory.conftest import valid_practitioner_values
from tests.factories import KeyContactFactory, OrganisationFactory, PractitionerFactory, ServiceFactory

Status = ChangeRequest.Status


def propose_phone_change(practitioner, proposer, phone="020 7946 0999", **kwargs) -> ChangeRequest:
    return services.change_request_propose(
        proposer=proposer,
        kind="change",
        target_type="practitioner",
        target_id=practitioner.pk,
        values={"phone": phone},
        reason="New direct line.",
        **kwargs,
    )


def propose_addition(proposer, **overrides) -> ChangeRequest:
    return services.change_request_propose(
        proposer=proposer,
        kind="add",
        target_type="practitioner",
        values=valid_practitioner_values(**overrides),
        reason="Designated by the SAG on 22 March 2024.",
    )


# Proposing, and bad input -------------------------------------------------------------------------


def test_proposing_records_a_pending_request_and_changes_nothing_live(practitioner, office_user):
    change_request = propose_phone_change(practitioner, office_user)
    practitioner.refresh_from_db()
    assert change_request.status == Status.PENDING
    assert change_request.proposed_values == {"phone": "020 7946 0999"}
    assert practitioner.phone == "020 3456 7890"
    assert change_request.base_version == services.current_version(practitioner)


def test_a_new_request_emails_the_sag_after_commit(
    practitioner, office_user, sag_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_request = propose_phone_change(practitioner, office_user)
    assert [m.to for m in mail.outbox] == [[sag_member.email]]
    assert f"#{change_request.pk}" in mail.outbox[0].body
    change_request.refresh_from_db()
    assert change_request.sag_notified_at is not None


def test_notifying_the_sag_twice_sends_one_email(practitioner, office_user, sag_member):
    change_request = propose_phone_change(practitioner, office_user, notify=False)
    assert services.change_requests_notify_sag(change_request_ids=[change_request.pk]) == [change_request.pk]
    assert services.change_requests_notify_sag(change_request_ids=[change_request.pk]) == []
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"organisation": "XYZ"}, "organisation", "Unknown organisation"),
        ({"name": "david CHOI"}, "__all__", "Name: a practitioner with this name is already listed"),
        ({"speciality": "astrology"}, "speciality", "Select a valid choice"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(practitioner, office_user, overrides, field, message):
    practitioners_before = list(Practitioner.objects.values_list("pk", "name", "email"))
    with pytest.raises(ValidationError) as raised:
        propose_addition(office_user, **overrides)
    assert field in raised.value.message_dict
    assert any(message in text for text in raised.value.message_dict[field])
    assert ChangeRequest.objects.count() == 0
    assert list(Practitioner.objects.values_list("pk", "name", "email")) == practitioners_before


def test_a_change_to_an_invalid_email_is_refused(practitioner, office_user):
    with pytest.raises(ValidationError) as raised:
        services.change_request_propose(
            proposer=office_user,
            kind="change",
            target_type="practitioner",
            target_id=practitioner.pk,
            values={"email": "david.choi@"},
            reason="Typo",
        )
    assert "email" in raised.value.message_dict
    assert ChangeRequest.objects.count() == 0


def test_a_second_request_to_add_the_same_practitioner_is_refused(uclh, office_user):
    first = propose_addition(office_user)
    with pytest.raises(ValidationError) as raised:
        propose_addition(office_user, name="ANTONINO RUSSO")
    assert f"#{first.pk}" in raised.value.message_dict["name"][0]
    assert ChangeRequest.objects.count() == 1


def test_a_change_that_changes_nothing_is_refused(practitioner, office_user):
    with pytest.raises(ValidationError, match="nothing to change"):
        propose_phone_change(practitioner, office_user, phone=practitioner.phone)


def test_a_reason_is_required(practitioner, office_user):
    with pytest.raises(ValidationError) as raised:
        services.change_request_propose(
            proposer=office_user,
            kind="retire",
            target_type="practitioner",
            target_id=practitioner.pk,
            reason="  ",
        )
    assert "reason" in raised.value.message_dict


def test_only_the_office_and_sag_may_propose(practitioner, clinician):
    with pytest.raises(PermissionDenied):
        propose_phone_change(practitioner, clinician)


# Four eyes ----------------------------------------------------------------------------------------


def test_nobody_approves_their_own_request(practitioner, sag_member):
    change_request = propose_phone_change(practitioner, sag_member)
    with pytest.raises(services.OwnRequestError, match="another SAG member must decide it"):
        services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    change_request.refresh_from_db()
    practitioner.refresh_from_db()
    assert change_request.status == Status.PENDING
    assert practitioner.phone == "020 3456 7890"


def test_nobody_rejects_their_own_request(practitioner, sag_member):
    change_request = propose_phone_change(practitioner, sag_member)
    with pytest.raises(services.OwnRequestError):
        services.change_request_reject(change_request_id=change_request.pk, decider=sag_member, comment="No")


def test_another_sag_member_may_approve_a_sag_members_request(practitioner, sag_member, other_sag_member):
    change_request = propose_phone_change(practitioner, sag_member)
    services.change_request_approve(change_request_id=change_request.pk, approver=other_sag_member)
    practitioner.refresh_from_db()
    assert practitioner.phone == "020 7946 0999"


def test_the_mdt_office_cannot_approve(practitioner, sag_member, office_user):
    change_request = propose_phone_change(practitioner, sag_member)
    with pytest.raises(PermissionDenied):
        services.change_request_approve(change_request_id=change_request.pk, approver=office_user)


# Approval applies the change, with history naming approver and request ----------------------------


def test_approval_applies_the_change_and_history_names_approver_and_request(
    practitioner, office_user, sag_member
):
    change_request = propose_phone_change(practitioner, office_user)
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member, comment="Fine")
    practitioner.refresh_from_db()
    change_request.refresh_from_db()
    assert practitioner.phone == "020 7946 0999"
    assert change_request.status == Status.APPLIED
    assert (change_request.decided_by, change_request.decision_comment) == (sag_member, "Fine")
    latest = practitioner.history.latest()
    assert latest.history_user == sag_member
    assert latest.history_change_reason == f"Change request #{change_request.pk} approved by {sag_member}"
    assert latest.history_type == "~"


def test_an_approved_addition_creates_the_practitioner_with_history(uclh, office_user, sag_member):
    change_request = propose_addition(office_user)
    assert not Practitioner.objects.filter(name="Antonino Russo").exists()
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    change_request.refresh_from_db()
    created = Practitioner.objects.get(name="Antonino Russo")
    assert change_request.practitioner == created
    assert created.organisation == uclh
    assert created.designation_date == datetime.date(2024, 3, 22)
    first = created.history.earliest()
    assert (first.history_type, first.history_user) == ("+", sag_member)
    assert first.history_change_reason.startswith(f"Change request #{change_request.pk} approved by")


def test_an_approved_retirement_keeps_the_record_inactive(practitioner, office_user, sag_member):
    change_request = services.change_request_propose(
        proposer=office_user,
        kind="retire",
        target_type="practitioner",
        target_id=practitioner.pk,
        reason="Left",
    )
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    practitioner.refresh_from_db()
    assert practitioner.active is False
    assert practitioner.history.latest().history_user == sag_member


def test_a_key_contact_change_is_applied(office_user, sag_member):
    contact = KeyContactFactory(label="MDT Office", phone_numbers="020 8909 5600")
    change_request = services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="key_contact",
        target_id=contact.pk,
        values={"phone_numbers": "020 8909 5600/5111"},
        reason="Second line",
    )
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    contact.refresh_from_db()
    assert contact.phone_numbers == "020 8909 5600/5111"
    assert contact.history.latest().history_change_reason.startswith(f"Change request #{change_request.pk}")


def test_the_proposer_hears_the_decision_after_commit(
    practitioner, office_user, sag_member, django_capture_on_commit_callbacks
):
    change_request = propose_phone_change(practitioner, office_user, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    assert [m.to for m in mail.outbox] == [[office_user.email]]
    assert "approved" in mail.outbox[0].body
    assert services.change_request_notify_proposer(change_request_id=change_request.pk) is False
    assert len(mail.outbox) == 1


# Claiming the row: exactly once -------------------------------------------------------------------


def test_the_second_approval_is_told_another_sag_member_got_there_first(
    practitioner, office_user, sag_member, other_sag_member
):
    change_request = propose_phone_change(practitioner, office_user)
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    versions = practitioner.history.count()
    with pytest.raises(services.AlreadyDecidedError, match="Another SAG member got there first"):
        services.change_request_approve(change_request_id=change_request.pk, approver=other_sag_member)
    assert practitioner.history.count() == versions
    change_request.refresh_from_db()
    assert change_request.decided_by == sag_member


def test_a_rejected_request_cannot_then_be_approved(practitioner, office_user, sag_member, other_sag_member):
    change_request = propose_phone_change(practitioner, office_user)
    services.change_request_reject(
        change_request_id=change_request.pk, decider=sag_member, comment="Wrong number"
    )
    with pytest.raises(services.AlreadyDecidedError, match="got there first"):
        services.change_request_approve(change_request_id=change_request.pk, approver=other_sag_member)
    practitioner.refresh_from_db()
    assert practitioner.phone == "020 3456 7890"


def test_rejecting_needs_a_comment(practitioner, office_user, sag_member):
    change_request = propose_phone_change(practitioner, office_user)
    with pytest.raises(ValidationError) as raised:
        services.change_request_reject(change_request_id=change_request.pk, decider=sag_member, comment="")
    assert "comment" in raised.value.message_dict


# Stale requests -----------------------------------------------------------------------------------


def test_a_request_becomes_stale_when_another_change_to_the_record_is_applied(
    practitioner, office_user, sag_member
):
    first = propose_phone_change(practitioner, office_user, phone="020 1111 1111")
    second = services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="practitioner",
        target_id=practitioner.pk,
        values={"email": "d.choi@nhs.net"},
        reason="New address",
    )
    services.change_request_approve(change_request_id=first.pk, approver=sag_member)
    second.refresh_from_db()
    assert second.status == Status.STALE
    with pytest.raises(services.AlreadyDecidedError):
        services.change_request_approve(change_request_id=second.pk, approver=sag_member)


def test_a_record_edited_directly_makes_approval_fail_and_marks_the_request_stale(
    practitioner, office_user, sag_member
):
    change_request = propose_phone_change(practitioner, office_user)
    practitioner.email = "choi.d@nhs.net"  # a superuser's direct edit in the admin
    practitioner.save()
    with pytest.raises(services.StaleRequestError, match="re-base"):
        services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    change_request.refresh_from_db()
    practitioner.refresh_from_db()
    assert change_request.status == Status.STALE
    assert change_request.decided_by is None
    assert practitioner.phone == "020 3456 7890"


def test_a_rebased_request_can_be_approved_and_keeps_the_other_change(practitioner, office_user, sag_member):
    change_request = propose_phone_change(practitioner, office_user)
    practitioner.email = "choi.d@nhs.net"
    practitioner.save()
    with pytest.raises(services.StaleRequestError):
        services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    services.change_request_rebase(change_request_id=change_request.pk, user=office_user)
    change_request.refresh_from_db()
    assert change_request.status == Status.PENDING
    assert change_request.base_version == services.current_version(practitioner)
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    practitioner.refresh_from_db()
    assert (practitioner.phone, practitioner.email) == ("020 7946 0999", "choi.d@nhs.net")


def test_a_pending_request_whose_record_changed_can_be_rebased_directly(practitioner, office_user):
    change_request = propose_phone_change(practitioner, office_user)
    practitioner.email = "choi.d@nhs.net"
    practitioner.save()
    services.change_request_rebase(change_request_id=change_request.pk, user=office_user)
    change_request.refresh_from_db()
    assert change_request.base_version == services.current_version(practitioner)


def test_a_request_that_is_not_stale_cannot_be_rebased(practitioner, office_user):
    change_request = propose_phone_change(practitioner, office_user)
    with pytest.raises(services.ChangeRequestError, match="Only a stale request"):
        services.change_request_rebase(change_request_id=change_request.pk, user=office_user)


def test_rebasing_a_request_the_record_now_matches_reports_nothing_to_change(practitioner, office_user):
    change_request = propose_phone_change(practitioner, office_user)
    practitioner.phone = "020 7946 0999"
    practitioner.save()
    with pytest.raises(ValidationError, match="nothing to change"):
        services.change_request_rebase(change_request_id=change_request.pk, user=office_user)


# Effective dates ----------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC))
def test_a_change_with_an_effective_date_is_approved_now_and_applied_from_that_date(
    practitioner, office_user, sag_member
):
    change_request = propose_phone_change(
        practitioner, office_user, effective_date=datetime.date(2026, 12, 1)
    )
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    change_request.refresh_from_db()
    practitioner.refresh_from_db()
    assert change_request.status == Status.SCHEDULED
    assert practitioner.phone == "020 3456 7890"

    assert services.change_request_apply_due(today=datetime.date(2026, 11, 30)) == []
    # A skipped day loses nothing: the run on 3 December applies the 1 December change.
    assert services.change_request_apply_due(today=datetime.date(2026, 12, 3)) == [change_request.pk]
    assert services.change_request_apply_due(today=datetime.date(2026, 12, 4)) == []
    practitioner.refresh_from_db()
    change_request.refresh_from_db()
    assert practitioner.phone == "020 7946 0999"
    assert change_request.status == Status.APPLIED
    # The last row written (by id): the fixture's own row is dated by the real clock, which may be
    # later than the travelled one.
    assert practitioner.history.order_by("history_id").last().history_user == sag_member


@time_machine.travel(datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC))
def test_a_scheduled_change_whose_record_changed_meanwhile_becomes_stale(
    practitioner, office_user, sag_member
):
    change_request = propose_phone_change(
        practitioner, office_user, effective_date=datetime.date(2026, 12, 1)
    )
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    practitioner.email = "choi.d@nhs.net"
    practitioner.save()
    assert services.change_request_apply_due(today=datetime.date(2026, 12, 1)) == []
    change_request.refresh_from_db()
    practitioner.refresh_from_db()
    assert change_request.status == Status.STALE
    assert practitioner.phone == "020 3456 7890"


# Import -------------------------------------------------------------------------------------------

HEADER = (
    "id,action,name,organisation,speciality,email,phone,core_mdt_member,designation_scope,designation_date\n"
)


def test_import_creates_change_requests_only(practitioner, office_user, sag_member):
    csv_text = (
        HEADER
        + f"{practitioner.pk},,David Choi,RRV,surgery,david.choi@nhs.net,020 1234 5678,no,spinal_surgery,\n"
        + ",,Parag Sayal,RRV,Surgery,Parag.Sayal@nhs.net,,yes,Spinal surgery,22/03/2024\n"
    )
    practitioners_before = list(Practitioner.objects.values())
    result = services.change_request_import(
        target_type="practitioner", proposer=office_user, csv_text=csv_text, reason="Annual"
    )
    assert list(Practitioner.objects.values()) == practitioners_before
    requests = ChangeRequest.objects.order_by("pk")
    assert [(r.kind, r.status) for r in requests] == [("change", "pending"), ("add", "pending")]
    assert requests[0].proposed_values == {"phone": "020 1234 5678"}
    assert requests[1].proposed_values["is_core_mdt_member"] is True
    assert requests[1].proposed_values["designation_date"] == "2024-03-22"
    assert result.created == [r.pk for r in requests]


def test_import_skips_unchanged_rows(practitioner, office_user):
    csv_text = (
        HEADER
        + f"{practitioner.pk},,David Choi,RRV,surgery,david.choi@nhs.net,020 3456 7890,no,spinal_surgery,\n"
    )
    result = services.change_request_import(
        target_type="practitioner", proposer=office_user, csv_text=csv_text, reason="Annual"
    )
    assert result.unchanged_lines == [2]
    assert ChangeRequest.objects.count() == 0


def test_a_bad_import_reports_each_line_and_field_and_creates_nothing(practitioner, office_user):
    csv_text = (
        HEADER
        + ",,Good Person,RRV,surgery,good.person@nhs.net,,no,,\n"
        + ",,Bad Email,RRV,surgery,bad-email,,no,,\n"
        + ",,Nowhere Person,XYZ,surgery,,,maybe,,\n"
        + ",,David Choi,RRV,surgery,,,no,,\n"
    )
    with pytest.raises(services.ImportRejectedError) as raised:
        services.change_request_import(
            proposer=office_user, target_type="practitioner", csv_text=csv_text, reason="Annual"
        )
    messages = [str(error) for error in raised.value.errors]
    assert "Line 3, email: Enter a valid email address." in messages
    assert "Line 4, core_mdt_member: Enter yes or no." in messages
    assert any(
        m.startswith("Line 5, row: Name: a practitioner with this name is already listed") for m in messages
    )
    assert not any(m.startswith("Line 2") for m in messages)
    assert ChangeRequest.objects.count() == 0


def test_an_import_with_an_unknown_organisation_names_it(uclh, office_user):
    csv_text = HEADER + ",,Nowhere Person,XYZ,surgery,,,no,,\n"
    with pytest.raises(services.ImportRejectedError) as raised:
        services.change_request_import(
            proposer=office_user, target_type="practitioner", csv_text=csv_text, reason="Annual"
        )
    assert [str(e) for e in raised.value.errors] == [
        "Line 2, organisation: Unknown organisation: no organisation has this ODS code."
    ]


def test_an_import_missing_a_column_is_refused(office_user):
    with pytest.raises(services.ImportRejectedError, match="Line 1, organisation: missing column"):
        services.change_request_import(
            target_type="practitioner",
            proposer=office_user,
            csv_text="name,speciality\nA,surgery\n",
            reason="x",
        )


def test_an_import_sends_the_sag_one_email(uclh, office_user, sag_member, django_capture_on_commit_callbacks):
    csv_text = HEADER + ",,Person One,RRV,surgery,,,no,,\n,,Person Two,RRV,surgery,,,no,,\n"
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request_import(
            proposer=office_user, target_type="practitioner", csv_text=csv_text, reason="x"
        )
    assert len(mail.outbox) == 1
    assert "2 directory change requests" in mail.outbox[0].subject


# Routing still reads capabilities from the directory ----------------------------------------------


def test_routing_reads_which_service_holds_a_capability(db):
    load_reference_data()
    assert list(
        Service.objects.filter(capabilities__code="spinal_surgery").values_list("code", flat=True)
    ) == ["RNOH"]
    assert KeyContact.objects.filter(active=True).count() == 5
    assert PractitionerFactory._meta.model.objects.count() == 3


# Services: a SAG-approved change moves routing ----------------------------------------------------


def test_an_approved_capability_change_moves_referral_routing(office_user, sag_member):
    load_reference_data()
    rnoh = Service.objects.get(code="RNOH")
    nhnn = Service.objects.get(code="NHNN")
    change_request = services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="service",
        target_id=nhnn.pk,
        values={"capabilities": ["skull_base_surgery", "spinal_surgery"]},
        reason="SAG meeting: NHNN commissioned for spinal sarcoma surgery",
    )
    assert change_request.proposed_values == {"capabilities": ["skull_base_surgery", "spinal_surgery"]}
    assert list(Service.objects.filter(capabilities__code="spinal_surgery")) == [rnoh]
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    assert set(Service.objects.filter(capabilities__code="spinal_surgery")) == {rnoh, nhnn}
    latest = nhnn.history.latest()
    assert latest.history_user == sag_member
    assert latest.history_change_reason.startswith(f"Change request #{change_request.pk} approved by")
    assert sorted(c.capability.code for c in latest.capabilities.all()) == [
        "skull_base_surgery",
        "spinal_surgery",
    ]


def test_an_unknown_capability_is_refused_by_name(office_user):
    load_reference_data()
    with pytest.raises(ValidationError) as raised:
        services.change_request_propose(
            proposer=office_user,
            kind="change",
            target_type="service",
            target_id=Service.objects.get(code="NHNN").pk,
            values={"capabilities": ["astrology"]},
            reason="x",
        )
    assert "capabilities" in raised.value.message_dict
    assert ChangeRequest.objects.count() == 0


def test_services_are_not_added_through_change_requests(office_user):
    with pytest.raises(ValidationError, match="superuser adds and retires services"):
        services.change_request_propose(
            proposer=office_user, kind="add", target_type="service", values={"name": "X"}, reason="x"
        )


def _propose_address(service, proposer, address, reason="The unit moved.") -> ChangeRequest:
    return services.change_request_propose(
        proposer=proposer,
        kind="change",
        target_type="service",
        target_id=service.pk,
        values={"postal_address": address},
        reason=reason,
    )


def test_a_postal_address_changes_only_once_the_sag_approves_with_history(office_user, sag_member):
    load_reference_data()
    rmh = Service.objects.get(code="RMH")
    assert rmh.postal_address == ""
    change_request = _propose_address(rmh, office_user, "Sarcoma Unit\r\nFulham Road\r\nLondon SW3 6JJ\r\n")
    # Kept with plain line breaks, whatever the browser sent.
    assert change_request.proposed_values == {"postal_address": "Sarcoma Unit\nFulham Road\nLondon SW3 6JJ"}
    rmh.refresh_from_db()
    assert rmh.postal_address == ""
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    rmh.refresh_from_db()
    assert rmh.postal_address_lines == ["Sarcoma Unit", "Fulham Road", "London SW3 6JJ"]
    latest = rmh.history.latest()
    assert latest.postal_address == "Sarcoma Unit\nFulham Road\nLondon SW3 6JJ"
    assert latest.history_user == sag_member
    assert latest.history_change_reason == f"Change request #{change_request.pk} approved by {sag_member}"
    assert latest.prev_record.postal_address == ""
    # Routing's capabilities and the organisations are untouched by an address change.
    assert set(rmh.capabilities.values_list("code", flat=True)) == {
        "soft_tissue_sarcoma",
        "gist",
        "sarcoma_mdt",
        "specialist_pathology",
    }


def test_the_same_address_typed_with_other_line_breaks_is_nothing_to_change(office_user):
    service = ServiceFactory(postal_address="Sarcoma Unit\nFulham Road")
    service.organisations.add(OrganisationFactory())
    with pytest.raises(services.NothingToChangeError):
        _propose_address(service, office_user, "Sarcoma Unit \r\n\r\nFulham Road\r\n")
    assert ChangeRequest.objects.count() == 0


def test_an_address_too_long_for_a_letter_is_refused_by_name(office_user):
    service = ServiceFactory()
    service.organisations.add(OrganisationFactory())
    with pytest.raises(ValidationError) as refused:
        _propose_address(service, office_user, "1 Long Road\n" * 60)
    assert "postal_address" in refused.value.message_dict
    assert ChangeRequest.objects.count() == 0


def test_a_rejection_tells_the_proposer_why(
    practitioner, office_user, sag_member, django_capture_on_commit_callbacks
):
    change_request = propose_phone_change(practitioner, office_user, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request_reject(
            change_request_id=change_request.pk, decider=sag_member, comment="Wrong number"
        )
    assert [m.to for m in mail.outbox] == [[office_user.email]]
    assert "rejected" in mail.outbox[0].body
    assert "Comment: Wrong number" in mail.outbox[0].body


# Issue 16: core MDT membership and signposting contacts are directory entries ----------------------


def test_core_membership_of_an_mdt_is_approved_like_any_entry(practitioner, office_user, sag_member):
    lss = ServiceFactory(code="LSS")
    change_request = services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="practitioner",
        target_id=practitioner.pk,
        values={"is_core_mdt_member": True, "core_mdt_service": "LSS"},
        reason="Joins the LSS MDT as a core member.",
    )
    assert change_request.proposed_values == {"is_core_mdt_member": True, "core_mdt_service": "LSS"}
    practitioner.refresh_from_db()
    assert practitioner.core_mdt_service is None
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    practitioner.refresh_from_db()
    assert practitioner.core_mdt_service == lss
    assert practitioner.history.latest("history_id").history_user == sag_member


def test_a_member_of_an_mdt_must_be_flagged_core(practitioner, office_user):
    ServiceFactory(code="LSS")
    with pytest.raises(ValidationError) as refused:
        services.change_request_propose(
            proposer=office_user,
            kind="change",
            target_type="practitioner",
            target_id=practitioner.pk,
            values={"core_mdt_service": "LSS"},
            reason="Joins the LSS MDT.",
        )
    assert "is_core_mdt_member" in refused.value.message_dict


def _signpost(proposer, **overrides):
    values = {
        "label": "Sarcoma UK Support Line",
        "service": "",
        "signpost": "sarcoma_uk_support_line",
        "phone_numbers": "020 7946 0123",
        "email": "",
        "notes": "",
        "active": True,
    }
    return services.change_request_propose(
        proposer=proposer,
        kind="add",
        target_type="key_contact",
        values={**values, **overrides},
        reason="Signposted by the second-opinion policy.",
    )


def test_a_signposting_contact_outside_any_service_is_added_through_the_sag(office_user, sag_member):
    change_request = _signpost(office_user)
    assert not KeyContact.objects.exists()
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    contact = KeyContact.objects.get()
    assert (contact.service, contact.signpost, contact.phone_numbers) == (
        None,
        "sarcoma_uk_support_line",
        "020 7946 0123",
    )
    assert str(contact) == "Sarcoma UK Support Line (network-wide)"


def test_a_key_contact_without_a_service_must_be_a_signposting_contact(office_user):
    with pytest.raises(ValidationError) as refused:
        _signpost(office_user, signpost="")
    assert "service" in refused.value.message_dict


def test_a_signposting_contact_needs_a_number_or_an_email(office_user):
    with pytest.raises(ValidationError) as refused:
        _signpost(office_user, phone_numbers="")
    assert "phone_numbers" in refused.value.message_dict
