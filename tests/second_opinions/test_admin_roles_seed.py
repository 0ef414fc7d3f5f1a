"""Roles' permissions, the admin (SimpleHistoryAdmin, status read-only) and the demo data."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from second_opinions.models import SecondOpinionRequest
from tests.factories import ReceivedSecondOpinionRequestFactory

pytestmark = pytest.mark.django_db


def test_office_records_and_moves_requests_but_cannot_delete_them(office_user):
    for perm in ["view", "add", "change"]:
        assert office_user.has_perm(f"second_opinions.{perm}_secondopinionrequest")
    assert not office_user.has_perm("second_opinions.delete_secondopinionrequest")
    assert office_user.has_perm("second_opinions.view_second_opinion_figures")


def test_clinician_views_and_asks_but_does_not_move_requests(clinician):
    assert clinician.has_perm("second_opinions.view_secondopinionrequest")
    assert clinician.has_perm("second_opinions.add_secondopinionrequest")
    assert not clinician.has_perm("second_opinions.change_secondopinionrequest")
    assert not clinician.has_perm("second_opinions.view_second_opinion_figures")


def test_sag_member_sees_figures_only(sag_member):
    assert sag_member.has_perm("second_opinions.view_second_opinion_figures")
    assert not sag_member.has_perm("second_opinions.view_secondopinionrequest")


def test_office_works_on_requests_in_the_admin_with_history(client, office_user):
    request = ReceivedSecondOpinionRequestFactory()
    client.force_login(office_user)
    assert client.get(reverse("admin:second_opinions_secondopinionrequest_changelist")).status_code == 200
    change = client.get(reverse("admin:second_opinions_secondopinionrequest_change", args=[request.pk]))
    assert change.status_code == 200
    editable = set(change.context["adminform"].form.fields)
    # The policy's inputs and answer, and the status, cannot drift apart in the admin.
    for field in ["status", "decision", "route", "current_service", "requested_service", "reason", "tumour"]:
        assert field not in editable, field
    assert "requester_contact" in editable
    history = client.get(reverse("admin:second_opinions_secondopinionrequest_history", args=[request.pk]))
    assert history.status_code == 200
    # New requests go through the form that applies the policy, not the admin.
    assert client.get(reverse("admin:second_opinions_secondopinionrequest_add")).status_code == 403


def test_seed_demo_adds_requests_in_every_decision_once(django_capture_on_commit_callbacks):
    # No notification is queued: on a first `make run` there is no broker queue yet.
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    assert callbacks == []
    decisions = sorted(SecondOpinionRequest.objects.values_list("decision", flat=True))
    assert decisions == ["accept", "accept", "not_routinely_available", "redirect"]
    sent = SecondOpinionRequest.objects.get(status="opinion_sent")
    assert (sent.outcome, sent.route) == ("differs", "mdt_review")
    assert sent.transitions.count() == 6
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    assert SecondOpinionRequest.objects.count() == 4
