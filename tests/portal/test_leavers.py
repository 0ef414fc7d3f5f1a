"""Leavers: deactivation ends sessions and pending notifications at once; a weekly report of
accounts unused for 90 days goes to the MDT office lead (issue 17, beyond the findings)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import services, tasks
from portal.celery import app
from portal.models import UnusedAccountsReport
from referrals.models import WaitingTimeAlert, WaitingTimeAlertDelivery
from tests.factories import ReceivedReferralFactory, UserFactory


def test_deactivating_a_user_in_the_admin_ends_their_sessions_at_once(client, superuser, clinician):
    leaver = Client()
    leaver.force_login(clinician)
    assert leaver.get(reverse("referrals:patient_list")).status_code == 200
    client.force_login(superuser)
    client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "deactivate_selected", "_selected_action": [clinician.pk]},
    )
    clinician.refresh_from_db()
    assert clinician.is_active is False
    assert not any(s.get_decoded().get("_auth_user_id") == str(clinician.pk) for s in Session.objects.all())
    assert leaver.get(reverse("referrals:patient_list")).status_code == 302  # to the sign-in page
    assert client.get(reverse("home")).status_code == 200  # the admin's own session goes on


def test_unticking_active_in_the_admin_deactivates_through_the_service(client, superuser, clinician):
    leaver = Client()
    leaver.force_login(clinician)
    client.force_login(superuser)
    url = reverse("admin:portal_user_change", args=[clinician.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "is_active"}
    data["groups"] = [group.pk for group in clinician.groups.all()]
    data["user_permissions"] = []
    data["date_joined_0"], data["date_joined_1"] = (
        timezone.localtime(clinician.date_joined).strftime("%Y-%m-%d %H:%M:%S").split()
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    clinician.refresh_from_db()
    assert clinician.is_active is False
    assert Session.objects.count() == 1  # the superuser's only


def test_deactivation_withdraws_pending_alerts(db, clinician, office_user):
    referral = ReceivedReferralFactory(responsible_consultant=clinician)
    alert = WaitingTimeAlert.objects.create(
        referral=referral,
        standard="fds_28",
        kind="at_risk",
        due_on=datetime.date(2026, 11, 30),
        days_elapsed=22,
    )
    for recipient in (clinician, office_user):
        WaitingTimeAlertDelivery.objects.create(alert=alert, recipient=recipient)
    services.user_deactivate(user_id=clinician.pk, by=office_user)
    withdrawn = WaitingTimeAlertDelivery.objects.get(recipient=clinician)
    assert withdrawn.status == "withdrawn"
    assert withdrawn.withdrawn_reason == services.WITHDRAWN_ON_DEACTIVATION
    assert WaitingTimeAlertDelivery.objects.get(recipient=office_user).status == "pending"


def _lead():
    lead = UserFactory(username="lead", role="MDT office", email="lead@nhs.net")
    lead.user_permissions.add(
        Permission.objects.get(codename="view_accesslog", content_type__app_label="portal")
    )
    return lead


def test_the_weekly_report_lists_accounts_unused_for_90_days_to_the_office_lead(db, office_user, superuser):
    """Leavers: an account nobody uses is reported to whoever holds portal.view_accesslog."""
    now = datetime.datetime(2026, 11, 30, 7, 20, tzinfo=datetime.UTC)
    with time_machine.travel(now - datetime.timedelta(days=200), tick=False):
        gone = UserFactory(username="gone", role="Clinician")
        never = UserFactory(username="never", role="Clinician")
        recent = UserFactory(username="recent", role="Clinician")
        _lead()
    gone.last_login = now - datetime.timedelta(days=91)
    gone.save()
    recent.last_login = now - datetime.timedelta(days=10)
    recent.save()
    with time_machine.travel(now, tick=False):
        assert tasks.send_unused_accounts_report.delay().get() is True
        assert tasks.send_unused_accounts_report.delay().get() is False  # once a week
    (message,) = mail.outbox
    assert message.to == ["lead@nhs.net"]
    assert "gone" in message.body
    assert "never" in message.body
    assert "- recent" not in message.body
    assert never.username in UnusedAccountsReport.objects.get().accounts
    with time_machine.travel(now + datetime.timedelta(days=7), tick=False):
        assert tasks.send_unused_accounts_report.delay().get() is True


def test_a_report_that_fails_to_send_is_tried_again(db, monkeypatch):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=100)):
        UserFactory(username="gone", role="Clinician")
        _lead()
    monkeypatch.setattr(services, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("refused")))
    with pytest.raises(OSError, match="refused"):
        services.unused_accounts_report_send(today=timezone.localdate())
    assert not UnusedAccountsReport.objects.exists()


def test_the_report_is_on_the_beat_schedule():
    assert "portal.tasks.send_unused_accounts_report" in {e["task"] for e in app.conf.beat_schedule.values()}
