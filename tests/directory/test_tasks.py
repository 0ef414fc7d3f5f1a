import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from directory import services, tasks
from directory.models import ConfirmationRequest
from portal.celery import app
from tests.factories import ConfirmationRequestFactory, PractitionerFactory


def test_the_beat_schedule_runs_the_directory_sweeps():
    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "directory.tasks.apply_due_change_requests",
        "directory.tasks.send_annual_confirmation_requests",
        "directory.tasks.flag_unconfirmed_entries",
    } <= tasks_scheduled


@time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC))
def test_the_apply_task_applies_changes_due_on_or_before_today(practitioner, office_user, sag_member):
    change_request = services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="practitioner",
        target_id=practitioner.pk,
        values={"phone": "020 7946 0999"},
        reason="New line",
        effective_date=datetime.date(2026, 12, 5),
    )
    services.change_request_approve(
        change_request_id=change_request.pk, approver=sag_member, today=datetime.date(2026, 12, 1)
    )
    assert tasks.apply_due_change_requests.delay().get() == []
    with time_machine.travel(datetime.datetime(2026, 12, 6, 9, 0, tzinfo=datetime.UTC)):
        assert tasks.apply_due_change_requests.delay().get() == [change_request.pk]
    practitioner.refresh_from_db()
    assert practitioner.phone == "020 7946 0999"


# Annual confirmation ------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC))
def test_each_practitioner_is_asked_once_a_year(practitioner, office_user):
    sent = tasks.send_annual_confirmation_requests.delay().get()
    assert len(sent) == 1
    confirmation = ConfirmationRequest.objects.get()
    assert (confirmation.practitioner, confirmation.year) == (practitioner, 2026)
    assert [m.to for m in mail.outbox] == [["david.choi@nhs.net"]]
    assert reverse("directory:confirm_entry", args=[confirmation.token]) in mail.outbox[0].body
    assert tasks.send_annual_confirmation_requests.delay().get() == []
    assert len(mail.outbox) == 1
    with time_machine.travel(datetime.datetime(2027, 1, 3, 8, 0, tzinfo=datetime.UTC)):
        assert len(tasks.send_annual_confirmation_requests.delay().get()) == 1
    assert ConfirmationRequest.objects.count() == 2


@time_machine.travel(datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC))
def test_a_practitioner_without_email_is_confirmed_through_the_mdt_office(office_user, uclh):
    PractitionerFactory(name="No Mail", organisation=uclh, email="")
    tasks.send_annual_confirmation_requests.delay().get()
    assert [m.to for m in mail.outbox] == [[office_user.email]]
    assert "No Mail has no e-mail address" in mail.outbox[0].body


def test_retired_practitioners_are_not_asked(db):
    PractitionerFactory(active=False)
    assert services.confirmation_requests_send_due(today=datetime.date(2026, 11, 24)) == []


def test_a_second_send_for_the_same_year_is_impossible(practitioner):
    ConfirmationRequestFactory(practitioner=practitioner, year=2026)
    assert services.confirmation_request_send(practitioner_id=practitioner.pk, year=2026) is None
    assert mail.outbox == []


def test_confirming_from_the_link_records_it_once(client, practitioner):
    confirmation = ConfirmationRequestFactory(practitioner=practitioner)
    url = reverse("directory:confirm_entry", args=[confirmation.token])
    page = client.get(url).content.decode()
    assert "David Choi" in page
    assert "Yes, this entry is correct" in page
    client.post(url)
    confirmation.refresh_from_db()
    first = confirmation.confirmed_at
    assert first is not None
    client.post(url)
    confirmation.refresh_from_db()
    assert confirmation.confirmed_at == first
    assert client.get(reverse("directory:confirm_entry", args=["no-such-token"])).status_code == 404


@pytest.mark.parametrize(("days_since_sent", "flagged"), [(29, False), (31, True)])
def test_unconfirmed_entries_are_flagged_to_the_sag_once(practitioner, sag_member, days_since_sent, flagged):
    sent_at = datetime.datetime(2026, 10, 1, 8, 0, tzinfo=datetime.UTC)
    confirmation = ConfirmationRequestFactory(practitioner=practitioner, sent_at=sent_at)
    with time_machine.travel(sent_at + datetime.timedelta(days=days_since_sent)):
        result = tasks.flag_unconfirmed_entries.delay().get()
        again = tasks.flag_unconfirmed_entries.delay().get()
    assert result == ([confirmation.pk] if flagged else [])
    assert again == []
    assert len(mail.outbox) == (1 if flagged else 0)
    if flagged:
        assert mail.outbox[0].to == [sag_member.email]
        assert "David Choi" in mail.outbox[0].body


def test_confirmed_entries_are_not_flagged(practitioner, sag_member):
    ConfirmationRequestFactory(
        practitioner=practitioner, confirmed_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    assert (
        services.confirmation_requests_flag_unconfirmed(
            now=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
        )
        == []
    )


def test_the_sag_queue_lists_unconfirmed_entries(client, practitioner, sag_member):
    ConfirmationRequestFactory(
        practitioner=practitioner, sent_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    client.force_login(sag_member)
    content = client.get(reverse("directory:change_request_queue")).content.decode()
    assert "Entries not confirmed this year" in content
    assert "David Choi, University College London Hospitals NHS Foundation Trust: asked" in content


@time_machine.travel(datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC))
def test_a_name_with_a_line_break_does_not_stop_the_confirmation_sweep(office_user, uclh):
    """Guards issue 17 finding 8: "Line1\\nLine2" (stored before names refused control characters)
    made Django refuse the e-mail header, and the sweep never reached the next practitioner."""
    PractitionerFactory(name="Line1\nLine2", organisation=uclh, email="")  # asked through the office
    PractitionerFactory(name="Next In Line", organisation=uclh, email="next@nhs.net")
    assert len(tasks.send_annual_confirmation_requests.delay().get()) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([office_user.email, "next@nhs.net"])
    assert all("\n" not in m.subject for m in mail.outbox)


@time_machine.travel(datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC))
def test_a_practitioner_who_cannot_be_sent_to_is_tried_again_and_the_others_still_go(uclh, monkeypatch):
    from directory import notifications

    failing = PractitionerFactory(name="Refused", organisation=uclh, email="refused@nhs.net")
    PractitionerFactory(name="Fine", organisation=uclh, email="fine@nhs.net")
    real = notifications.send_confirmation_request

    def refuse_one(confirmation, recipients, *, on_behalf):
        if confirmation.practitioner_id == failing.pk:
            raise OSError("mail server refused")
        real(confirmation, recipients, on_behalf=on_behalf)

    monkeypatch.setattr(notifications, "send_confirmation_request", refuse_one)
    assert len(tasks.send_annual_confirmation_requests.delay().get()) == 1
    assert [m.to for m in mail.outbox] == [["fine@nhs.net"]]
    assert not ConfirmationRequest.objects.filter(practitioner=failing).exists()  # the next run retries
