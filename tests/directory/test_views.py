import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from directory import services
from directory.models import ChangeRequest, Practitioner, Service
from directory.seed import load_reference_data
from directory.views import QUEUE_PAGE_SIZE
from tests.factories import (
    ApprovedChangeRequestFactory,
    KeyContactFactory,
    OrganisationFactory,
    PendingChangeRequestFactory,
    PractitionerFactory,
    ServiceFactory,
    UserFactory,
)
from tests.portal.test_date_input import browser_data

LIST_URL = reverse("directory:list")


# The public directory -----------------------------------------------------------------------------


def test_the_public_directory_needs_no_sign_in_and_lists_practitioners_and_key_contacts(client, db):
    load_reference_data()
    response = client.get(LIST_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in content
    assert content.count("<h1") == 1
    assert "David Choi" in content
    assert "University College London Hospitals NHS Foundation Trust" in content
    assert "Designated practitioner: Spinal surgery" in content
    assert "On Call Spine Consultant (via switchboard)" in content
    assert "020 3947 0100" in content
    # The document's own inconsistency is kept as the document gives it.
    assert "nicholashaden@nhs.net" in content


def test_the_public_directory_shows_no_private_fields(client, practitioner, office_user):
    account = UserFactory(username="dchoi-account", email="private.login@example.invalid")
    practitioner.user = account
    practitioner.save()
    PendingChangeRequestFactory(
        practitioner=practitioner, proposed_by=office_user, reason="Internal note: awaiting HR letter"
    )
    retired = PractitionerFactory(name="Retired Surgeon", active=False)
    response = client.get(LIST_URL)
    content = response.content.decode()
    assert practitioner.name in content
    for private in [
        "dchoi-account",
        "private.login@example.invalid",
        "Internal note",
        "020 7946 0999",  # the phone number only proposed, not approved
        retired.name,
        "Propose change",
    ]:
        assert private not in content, private
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("directory:export_practitioners")).content.decode()))
    )
    assert rows[0] == services.PRACTITIONER_EXPORT_COLUMNS
    assert "user" not in rows[0]
    flat = " ".join(" ".join(row) for row in rows)
    assert "dchoi-account" not in flat
    assert "Retired Surgeon" not in flat


@pytest.mark.parametrize(
    ("query", "expected", "excluded"),
    [
        ({"name": "cho"}, "David Choi", "Jane Onc"),
        ({"speciality": "medical_oncology"}, "Jane Onc", "David Choi"),
        ({"organisation": "{rmh}"}, "Jane Onc", "David Choi"),
        ({"organisation": "{uclh}"}, "Site Surgeon", "Jane Onc"),
        ({"designation": "spinal_surgery"}, "David Choi", "Jane Onc"),
        ({"designation": "core"}, "Jane Onc", "David Choi"),
    ],
)
def test_the_directory_searches_by_name_speciality_organisation_and_designation(
    client, practitioner, uclh, query, expected, excluded
):
    rmh = OrganisationFactory(ods_code="RPY", name="The Royal Marsden NHS Foundation Trust")
    nhnn = OrganisationFactory(ods_code="RRV03", name="NHNN Queen Square", kind="hospital_site", parent=uclh)
    PractitionerFactory(
        name="Jane Onc", organisation=rmh, speciality="medical_oncology", is_core_mdt_member=True
    )
    PractitionerFactory(name="Site Surgeon", organisation=nhnn)
    params = {key: value.format(rmh=rmh.pk, uclh=uclh.pk) for key, value in query.items()}
    content = client.get(LIST_URL, params).content.decode()
    assert expected in content
    assert excluded not in content


def test_key_contacts_export_is_public(client, db):
    KeyContactFactory(label="MDT Office", phone_numbers="020 8909 5600", service=ServiceFactory(code="RNOH"))
    response = client.get(reverse("directory:export_key_contacts"))
    assert response["Content-Type"].startswith("text/csv")
    assert "MDT Office,020 8909 5600" in response.content.decode()


def test_the_office_sees_propose_links(client, office_user, practitioner):
    client.force_login(office_user)
    content = client.get(LIST_URL).content.decode()
    assert reverse("directory:propose_change", args=["practitioner", practitioner.pk]) in content
    assert reverse("directory:import_changes") in content


# Proposing ----------------------------------------------------------------------------------------


def _practitioner_post(practitioner, **overrides) -> dict:
    data = {
        "name": practitioner.name,
        "organisation": practitioner.organisation.ods_code,
        "speciality": practitioner.speciality,
        "email": practitioner.email,
        "phone": practitioner.phone,
        "designation_scope": practitioner.designation_scope,
        "designation_date": "",
        "active": "on",
        "reason": "New number",
        "effective_date": "",
    }
    return {**data, **overrides}


def test_the_propose_form_shows_the_current_values(client, office_user, practitioner):
    client.force_login(office_user)
    content = client.get(
        reverse("directory:propose_change", args=["practitioner", practitioner.pk])
    ).content.decode()
    assert 'value="david.choi@nhs.net"' in content
    assert '<option value="RRV" selected>' in content


def test_proposing_a_change_from_the_page_creates_a_request(client, office_user, practitioner):
    client.force_login(office_user)
    url = reverse("directory:propose_change", args=["practitioner", practitioner.pk])
    response = client.post(url, _practitioner_post(practitioner, phone="020 7946 0999"))
    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("directory:change_request_detail", args=[change_request.pk])
    assert change_request.proposed_values == {"phone": "020 7946 0999"}


def test_an_invalid_email_on_the_page_is_shown_on_the_field_and_saves_nothing(
    client, office_user, practitioner
):
    client.force_login(office_user)
    url = reverse("directory:propose_change", args=["practitioner", practitioner.pk])
    response = client.post(url, _practitioner_post(practitioner, email="david.choi.nhs.net"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in content
    assert 'id="id_email-error"' in content
    assert ChangeRequest.objects.count() == 0


def test_a_duplicate_practitioner_on_the_page_is_refused_with_a_message(client, office_user, practitioner):
    client.force_login(office_user)
    other = PractitionerFactory(name="Antonino Russo", organisation=practitioner.organisation)
    url = reverse("directory:propose_change", args=["practitioner", other.pk])
    response = client.post(url, _practitioner_post(other, name="David Choi"))
    assert (
        "Name: a practitioner with this name is already listed at this organisation."
        in response.content.decode()
    )
    assert ChangeRequest.objects.count() == 0


def test_proposing_a_retirement_from_the_page(client, office_user, practitioner):
    client.force_login(office_user)
    url = reverse("directory:propose_retire", args=["practitioner", practitioner.pk])
    client.post(url, {"reason": "Retired in October", "effective_date": "2026-12-31"})
    change_request = ChangeRequest.objects.get()
    assert (change_request.kind, change_request.proposed_values) == ("retire", {"active": False})
    assert str(change_request.effective_date) == "2026-12-31"


def test_proposing_a_new_key_contact_from_the_page(client, sag_member):
    ServiceFactory(code="RNOH", name="Royal National Orthopaedic Hospital")
    client.force_login(sag_member)
    response = client.post(
        reverse("directory:propose_add", args=["key-contact"]),
        {
            "label": "Spinal CNS",
            "service": "RNOH",
            "phone_numbers": "020 8909 5000",
            "active": "on",
            "reason": "New",
        },
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get().proposed_values["service"] == "RNOH"


@pytest.mark.parametrize("persona", ["clinician", "outsider"])
def test_only_the_office_and_sag_may_propose(client, request, persona, practitioner):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("directory:propose_change", args=["practitioner", practitioner.pk]))
    assert response.status_code == 403


def test_an_unknown_target_kind_is_not_found(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("directory:propose_add", args=["patient"])).status_code == 404


# The SAG queue and decisions ----------------------------------------------------------------------


def test_the_queue_lists_pending_requests_and_data_checks(client, sag_member, office_user, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    PractitionerFactory(name="Nick Hayden", email="nicholashaden@nhs.net")
    client.force_login(sag_member)
    content = client.get(reverse("directory:change_request_queue")).content.decode()
    assert reverse("directory:change_request_detail", args=[change_request.pk]) in content
    assert "Nick Hayden" in content
    assert "nicholashaden@nhs.net" in content


def _queue_links(content: str) -> list[str]:
    return re.findall(r'href="/directory/changes/(\d+)/"', content)


def test_the_queue_shows_the_oldest_requests_a_page_at_a_time(client, sag_member, office_user):
    # 1,440 open requests made the queue one page of 1,440 rows: 9 s under load (issue 22).
    count = QUEUE_PAGE_SIZE + 3
    requests = [PendingChangeRequestFactory(proposed_by=office_user) for _ in range(count)]
    # Proposed in the reverse order of their ids: the queue orders by when, not by id.
    start = timezone.now() - datetime.timedelta(days=40)
    for n, change_request in enumerate(requests):
        ChangeRequest.objects.filter(pk=change_request.pk).update(
            proposed_at=start + datetime.timedelta(hours=count - n)
        )
    requests.reverse()
    oldest_first = [str(cr.pk) for cr in requests]
    client.force_login(sag_member)
    url = reverse("directory:change_request_queue")
    first = client.get(url).content.decode()
    assert _queue_links(first) == oldest_first[:QUEUE_PAGE_SIZE]
    assert f"{QUEUE_PAGE_SIZE + 3} requests waiting, the oldest first, {QUEUE_PAGE_SIZE} a page." in first
    assert f"?after={requests[QUEUE_PAGE_SIZE - 1].pk}#open-heading" in first
    second = client.get(url, {"after": requests[QUEUE_PAGE_SIZE - 1].pk}).content.decode()
    assert _queue_links(second) == oldest_first[QUEUE_PAGE_SIZE:]
    assert "?after=" not in second
    back = client.get(url, {"before": requests[QUEUE_PAGE_SIZE].pk}).content.decode()
    assert _queue_links(back) == oldest_first[:QUEUE_PAGE_SIZE]


def test_a_decided_request_leaves_the_queue_and_a_bad_cursor_gives_the_first_page(
    client, sag_member, office_user
):
    waiting = PendingChangeRequestFactory(proposed_by=office_user)
    ApprovedChangeRequestFactory(proposed_by=office_user)
    client.force_login(sag_member)
    url = reverse("directory:change_request_queue")
    for cursor in ["", "x", "²", "9" * 30]:
        content = client.get(url, {"after": cursor}).content.decode()
        assert "1 request waiting, the oldest first." in content
        assert "Next</a>" not in content
    assert _queue_links(content)[0] == str(waiting.pk)


def test_the_queues_queries_do_not_grow_with_the_requests(
    client, sag_member, office_user, django_assert_max_num_queries
):
    for _ in range(3):
        PendingChangeRequestFactory(proposed_by=office_user)
    client.force_login(sag_member)
    url = reverse("directory:change_request_queue")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(QUEUE_PAGE_SIZE + 5):
        PendingChangeRequestFactory(proposed_by=office_user)
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_the_queue_is_empty_when_nothing_waits(client, sag_member):
    client.force_login(sag_member)
    content = client.get(reverse("directory:change_request_queue")).content.decode()
    assert "No request is waiting." in content


@pytest.mark.parametrize("persona", ["clinician", "outsider"])
def test_the_queue_is_not_for_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("directory:change_request_queue")).status_code == 403


def test_the_detail_shows_current_and_proposed_values_field_by_field(
    client, sag_member, office_user, practitioner
):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    client.force_login(sag_member)
    response = client.get(reverse("directory:change_request_detail", args=[change_request.pk]))
    content = response.content.decode()
    assert "Current value" in content
    assert "Proposed value" in content
    cell = '<td class="nhsuk-table__cell">'
    assert f"{cell}020 3456 7890</td>\n      {cell}020 7946 0999</td>" in content
    assert "University College London Hospitals NHS Foundation Trust (RRV)" in content
    assert 'value="approve"' in content


def test_the_detail_offers_no_approval_on_ones_own_request(client, sag_member, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=sag_member)
    client.force_login(sag_member)
    content = client.get(
        reverse("directory:change_request_detail", args=[change_request.pk])
    ).content.decode()
    assert 'value="approve"' not in content
    assert "another SAG member must decide it" in content


def test_approving_from_the_page_applies_the_change(client, sag_member, office_user, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    client.force_login(sag_member)
    url = reverse("directory:change_request_decide", args=[change_request.pk])
    response = client.post(url, {"decision": "approve", "comment": "OK"}, follow=True)
    practitioner.refresh_from_db()
    assert practitioner.phone == "020 7946 0999"
    assert "approved and applied" in response.content.decode()


def test_a_second_approval_from_the_page_gets_a_clear_message(
    client, sag_member, other_sag_member, office_user, practitioner
):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    services.change_request_approve(change_request_id=change_request.pk, approver=other_sag_member)
    client.force_login(sag_member)
    url = reverse("directory:change_request_decide", args=[change_request.pk])
    response = client.post(url, {"decision": "approve", "comment": ""}, follow=True)
    assert "Another SAG member got there first" in response.content.decode()


def test_approving_ones_own_request_from_the_page_is_refused(client, sag_member, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=sag_member)
    client.force_login(sag_member)
    url = reverse("directory:change_request_decide", args=[change_request.pk])
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "another SAG member must decide it" in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.phone == "020 3456 7890"


def test_rejecting_without_a_comment_is_refused_with_a_message(client, sag_member, office_user, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    client.force_login(sag_member)
    url = reverse("directory:change_request_decide", args=[change_request.pk])
    response = client.post(url, {"decision": "reject", "comment": ""}, follow=True)
    assert "Comment: Say why the request is rejected." in response.content.decode()
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_the_office_cannot_decide(client, office_user, sag_member, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=sag_member)
    client.force_login(office_user)
    url = reverse("directory:change_request_decide", args=[change_request.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403


def test_a_stale_request_is_marked_and_rebased_from_the_page(client, sag_member, office_user, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    practitioner.email = "choi.d@nhs.net"
    practitioner.save()
    client.force_login(sag_member)
    detail = client.get(reverse("directory:change_request_detail", args=[change_request.pk])).content.decode()
    assert "cannot be approved until it is re-based" in detail
    assert 'value="approve"' not in detail
    response = client.post(
        reverse("directory:change_request_decide", args=[change_request.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert "re-base the request" in response.content.decode()
    change_request.refresh_from_db()
    assert change_request.status == "stale"
    client.post(reverse("directory:change_request_rebase", args=[change_request.pk]))
    change_request.refresh_from_db()
    assert change_request.status == "pending"


# Import -------------------------------------------------------------------------------------------


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("practitioners.csv", text.encode("utf-8"), content_type="text/csv")


def test_importing_from_the_page_creates_requests_only(client, office_user, uclh):
    client.force_login(office_user)
    text = "name,organisation,speciality,email\nParag Sayal,RRV,surgery,Parag.Sayal@nhs.net\n"
    response = client.post(
        reverse("directory:import_changes"),
        {"target_type": "practitioner", "csv_file": _upload(text), "reason": "Seed"},
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get().kind == "add"
    assert not Practitioner.objects.filter(name="Parag Sayal").exists()
    shown = [str(m) for m in client.get(response.url).context["messages"]]
    assert shown == ["1 change request created for the SAG; 0 unchanged rows skipped."]


def test_a_bad_import_lists_lines_and_fields_and_creates_nothing(client, office_user, uclh):
    client.force_login(office_user)
    text = "name,organisation,speciality,email\nGood One,RRV,surgery,\nBad One,RRV,surgery,nope\n"
    response = client.post(
        reverse("directory:import_changes"),
        {"target_type": "practitioner", "csv_file": _upload(text), "reason": "Seed"},
    )
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert '<a href="#id_csv_file">Line 3, email: Enter a valid email address.</a>' in content
    assert 'class="nhsuk-error-summary"' in content
    assert "all or nothing" in content
    assert ChangeRequest.objects.count() == 0


def test_an_import_that_is_not_utf8_is_refused_with_a_message(client, office_user):
    client.force_login(office_user)
    upload = SimpleUploadedFile("p.csv", "name\nJosé\n".encode("latin-1"))
    response = client.post(
        reverse("directory:import_changes"),
        {"target_type": "practitioner", "csv_file": upload, "reason": "x"},
    )
    assert "not UTF-8" in response.content.decode()


# Admin --------------------------------------------------------------------------------------------


def test_the_office_reads_the_directory_and_its_history_in_the_admin_but_cannot_edit(
    client, office_user, practitioner
):
    client.force_login(office_user)
    assert client.get(reverse("admin:directory_practitioner_changelist")).status_code == 200
    history = client.get(reverse("admin:directory_practitioner_history", args=[practitioner.pk]))
    assert history.status_code == 200
    assert client.get(reverse("admin:directory_practitioner_add")).status_code == 403
    change_page = client.get(reverse("admin:directory_practitioner_change", args=[practitioner.pk]))
    assert 'name="_save"' not in change_page.content.decode()
    response = client.post(
        reverse("admin:directory_practitioner_change", args=[practitioner.pk]), {"name": "Changed"}
    )
    assert response.status_code == 403
    practitioner.refresh_from_db()
    assert practitioner.name == "David Choi"


def test_the_admin_links_to_proposing_a_change(client, office_user, practitioner):
    client.force_login(office_user)
    content = client.get(reverse("admin:directory_practitioner_changelist")).content.decode()
    assert reverse("directory:propose_change", args=["practitioner", practitioner.pk]) in content
    assert reverse("directory:propose_add", args=["practitioner"]) in content


def test_a_superuser_may_edit_directly(client, superuser, practitioner):
    client.force_login(superuser)
    assert client.get(reverse("admin:directory_practitioner_add")).status_code == 200


def test_change_requests_are_read_only_in_the_admin(client, office_user, superuser, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    client.force_login(superuser)
    assert client.get(reverse("admin:directory_changerequest_changelist")).status_code == 200
    assert client.get(reverse("admin:directory_changerequest_add")).status_code == 403
    history = client.get(reverse("admin:directory_changerequest_history", args=[change_request.pk]))
    assert history.status_code == 200


def test_home_shows_the_sag_its_open_requests_and_the_office_its_directory_links(
    client, sag_member, office_user, practitioner
):
    PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    client.force_login(sag_member)
    content = client.get(reverse("home")).content.decode()
    assert "1 waiting for a decision" in content
    client.force_login(office_user)
    content = client.get(reverse("home")).content.decode()
    assert reverse("directory:import_changes") in content


def test_the_nav_links_to_the_public_directory(client, db):
    assert f'href="{LIST_URL}"' in client.get(reverse("login")).content.decode()


def test_the_directory_lists_services_and_the_office_proposes_a_capability_change(client, office_user):
    load_reference_data()
    nhnn = Service.objects.get(code="NHNN")
    assert "Skull-base and craniocervical surgery" in client.get(LIST_URL).content.decode()
    client.force_login(office_user)
    url = reverse("directory:propose_change", args=["service", nhnn.pk])
    page = client.get(url).content.decode()
    assert 'value="skull_base_surgery"' in page
    response = client.post(
        url,
        {
            "name": nhnn.name,
            "organisations": ["RRV03"],
            "capabilities": ["skull_base_surgery", "spinal_surgery"],
            "reason": "Commissioned",
        },
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get().proposed_values == {
        "capabilities": ["skull_base_surgery", "spinal_surgery"]
    }
    assert client.get(reverse("directory:propose_add", args=["service"])).status_code == 404


def _service_post(service, **overrides) -> dict:
    """The service's propose form as a browser posts it: its text area's lines end in CRLF."""
    data = {
        "name": service.name,
        "organisations": list(service.organisations.values_list("ods_code", flat=True)),
        "capabilities": list(service.capabilities.values_list("code", flat=True)),
        "postal_address": service.postal_address.replace("\n", "\r\n"),
        "reason": "The unit moved.",
        "effective_date": "",
    }
    return {**data, **overrides}


def test_a_service_address_is_proposed_approved_and_shown_on_the_public_directory(
    client, office_user, sag_member
):
    load_reference_data()
    rmh = Service.objects.get(code="RMH")
    client.force_login(office_user)
    url = reverse("directory:propose_change", args=["service", rmh.pk])
    page = client.get(url).content.decode()
    assert 'name="postal_address"' in page
    new_address = "Royal Marsden Sarcoma Unit\r\nFulham Road\r\nLondon SW3 6JJ"
    response = client.post(url, _service_post(rmh, postal_address=new_address))
    assert response.status_code == 302
    change_request = ChangeRequest.objects.get()
    assert change_request.proposed_values == {
        "postal_address": "Royal Marsden Sarcoma Unit\nFulham Road\nLondon SW3 6JJ"
    }
    rmh.refresh_from_db()
    assert rmh.postal_address == ""

    client.force_login(sag_member)
    detail = client.get(reverse("directory:change_request_detail", args=[change_request.pk])).content.decode()
    assert "Postal address" in detail
    assert "Royal Marsden Sarcoma Unit<br>Fulham Road<br>London SW3 6JJ</td>" in detail
    decide = reverse("directory:change_request_decide", args=[change_request.pk])
    assert client.post(decide, {"decision": "approve", "comment": "Checked"}).status_code == 302
    rmh.refresh_from_db()
    assert rmh.postal_address == "Royal Marsden Sarcoma Unit\nFulham Road\nLondon SW3 6JJ"
    assert rmh.history.latest().history_user == sag_member

    client.logout()
    public = client.get(LIST_URL).content.decode()
    assert (
        '<td class="nhsuk-table__cell">Royal Marsden Sarcoma Unit<br>Fulham Road<br>London SW3 6JJ</td>'
        in public
    )
    # A service without an address says so, not an empty cell.
    cell = '<td class="nhsuk-table__cell">'
    assert f"{cell}Radiotherapy for primary bone tumours</td>\n        {cell}—</td>" in public


def test_a_service_form_opened_and_sent_unchanged_proposes_nothing(client, office_user):
    load_reference_data()
    rmh = Service.objects.get(code="RMH")
    rmh.postal_address = "Royal Marsden Sarcoma Unit\nFulham Road\nLondon SW3 6JJ"
    rmh.save()
    client.force_login(office_user)
    url = reverse("directory:propose_change", args=["service", rmh.pk])
    response = client.post(url, _service_post(rmh))
    assert response.status_code == 200
    assert "nothing to change" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_an_error_is_shown_once(client, office_user, practitioner):
    client.force_login(office_user)
    url = reverse("directory:propose_change", args=["practitioner", practitioner.pk])
    response = client.post(url, _practitioner_post(practitioner, email="david.choi.nhs.net"))
    content = response.content.decode()
    # Once on the field, and once in the error summary at the top that links to it.
    assert content.count("Enter a valid email address.") == 2
    assert content.count('id="id_email-error"') == 1
    assert '<a href="#id_email">Enter a valid email address.</a>' in content


def test_a_bad_search_value_shows_the_page_not_an_error(client, practitioner):
    response = client.get(LIST_URL, {"organisation": "not-a-number", "speciality": "astrology"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_importing_key_contacts_creates_requests_only(client, office_user):
    contact = KeyContactFactory(
        label="MDT Office", phone_numbers="020 8909 5600", service=ServiceFactory(code="RNOH")
    )
    exported = client.get(reverse("directory:export_key_contacts")).content.decode()
    edited = exported.replace("020 8909 5600", "020 8909 5600/5111")
    edited += ",RNOH,,Spinal CNS,020 8909 5000,bad-address,\n"
    client.force_login(office_user)
    url = reverse("directory:import_changes")
    response = client.post(
        url, {"target_type": "key_contact", "csv_file": _upload(edited), "reason": "Update"}
    )
    assert "Line 3, email: Enter a valid email address." in response.content.decode()
    assert ChangeRequest.objects.count() == 0
    fixed = edited.replace("bad-address", "spinal.cns@nhs.net")
    client.post(url, {"target_type": "key_contact", "csv_file": _upload(fixed), "reason": "Update"})
    requests = ChangeRequest.objects.order_by("pk")
    assert [(r.kind, r.key_contact) for r in requests] == [("change", contact), ("add", None)]
    assert requests[0].proposed_values == {"phone_numbers": "020 8909 5600/5111"}
    contact.refresh_from_db()
    assert contact.phone_numbers == "020 8909 5600"


def test_the_admin_history_names_the_approver_and_the_request(client, office_user, sag_member, practitioner):
    change_request = PendingChangeRequestFactory(practitioner=practitioner, proposed_by=office_user)
    services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)
    client.force_login(office_user)
    content = client.get(
        reverse("admin:directory_practitioner_history", args=[practitioner.pk])
    ).content.decode()
    assert f"Change request #{change_request.pk} approved by {sag_member}" in content


def test_a_clinician_cannot_rebase(client, clinician, office_user, practitioner):
    change_request = PendingChangeRequestFactory(
        practitioner=practitioner, proposed_by=office_user, status="stale"
    )
    client.force_login(clinician)
    assert (
        client.post(reverse("directory:change_request_rebase", args=[change_request.pk])).status_code == 403
    )
    change_request.refresh_from_db()
    assert change_request.status == "stale"


def test_demo_data_stays_off_the_public_directory_and_its_export(client, db):
    """Demo practitioners and clinics are invented (seed_demo): staff pages may show them, the
    public directory never does (issue 19, item 8)."""
    from tests.factories import DiagnosticClinicFactory

    real = PractitionerFactory(name="Real Surgeon")
    PractitionerFactory(name="Invented Surgeon (demo)", demo=True)
    DiagnosticClinicFactory(name="Kent Sarcoma Diagnostic Clinic (demo)", demo=True)
    DiagnosticClinicFactory(name="Real Diagnostic Clinic")
    html = client.get(LIST_URL).content.decode()
    assert real.name in html
    assert "Real Diagnostic Clinic" in html
    assert "(demo)" not in html
    export = client.get(reverse("directory:export_practitioners")).content.decode()
    assert real.name in export
    assert "(demo)" not in export


def test_the_demo_seed_marks_its_invented_clinics_and_core_members(db):
    from diagnostics.seed import load_diagnostic_clinics
    from directory.models import DiagnosticClinic
    from directory.seed import load_demo_core_members

    load_reference_data()
    load_demo_core_members()
    load_diagnostic_clinics()
    assert DiagnosticClinic.objects.filter(name__contains="(demo)", demo=False).count() == 0
    assert DiagnosticClinic.objects.filter(demo=True).count() == 2
    assert not Practitioner.objects.filter(name__contains="(demo)", demo=False).exists()
    assert Practitioner.objects.filter(demo=True).exists()


@pytest.mark.parametrize("target", ["practitioner", "service"])
def test_a_record_form_sent_back_as_the_browser_shows_it_proposes_nothing(client, office_user, target):
    """The drop-downs draw their options in Python (portal.widgets.LongSelect, issue 22): the
    saved organisation, MDT service and a service's organisations must come back selected, so the
    form opened and sent unchanged changes nothing."""
    load_reference_data()
    if target == "practitioner":
        record = PractitionerFactory(
            organisation=OrganisationFactory(ods_code="RRV"),
            is_core_mdt_member=True,
            core_mdt_service=Service.objects.get(code="LSS"),
        )
    else:
        record = Service.objects.get(code="RMH")
    assert record.pk
    client.force_login(office_user)
    url = reverse("directory:propose_change", args=[target, record.pk])
    page = client.get(url).content.decode()
    data = browser_data(page)
    if target == "practitioner":
        assert data["organisation"] == ["RRV"]
        assert data["core_mdt_service"] == ["LSS"]
    else:
        saved = record.organisations.values_list("ods_code", flat=True)
        assert sorted(data["organisations"]) == sorted(saved)
        assert data["organisations"]
    response = client.post(url, {**data, "reason": "Checked the entry."})
    assert response.status_code == 200
    assert "nothing to change" in response.content.decode()
    assert not ChangeRequest.objects.exists()
