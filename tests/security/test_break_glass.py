"""Break-glass access (issue 17, beyond the findings): a clinician who must see a patient who is
not theirs opens that patient's page after giving a reason; the grant is recorded, each read is
logged as break-glass, and the MDT office lead is told by an e-mail without patient identifiers.
The grant covers that patient only, for that clinician only, until it expires; everything else
stays a 404."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import AccessLog, BreakGlassGrant, OutboxMessage
from portal.services import break_glass_notify_lead
from tests.factories import ReceivedReferralFactory, UserFactory

REASON = "Admitted unconscious to A&E; needs the sarcoma history before surgery tonight"


def detail(patient_id: int) -> str:
    return reverse("referrals:patient_detail", args=[patient_id])


def break_glass(client, patient_id: int, reason: str = REASON):
    return client.post(reverse("referrals:break_glass", args=[patient_id]), {"reason": reason})


@pytest.fixture
def lead(db):
    """The MDT office lead: an MDT office member who also holds portal.view_accesslog."""
    user = UserFactory(username="lead", role="MDT office", is_staff=True, email="lead@nhs.net")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="portal", codename="view_accesslog")
    )
    return user


@pytest.fixture
def theirs(world):
    """clinician2's patient, whom clinician1 may not see."""
    return world.theirs.patient


@pytest.fixture
def granted(client, clinician, theirs, lead, django_capture_on_commit_callbacks):
    client.force_login(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        response = break_glass(client, theirs.pk)
    assert response.status_code == 302
    assert response["Location"] == detail(theirs.pk)
    return BreakGlassGrant.objects.get(user=clinician, patient_id=theirs.pk, expires_at__gt=timezone.now())


# The 404 with its form --------------------------------------------------------------------------


def test_clinician_is_offered_break_glass_on_the_404_of_another_clinicians_patient(client, clinician, theirs):
    client.force_login(clinician)
    response = client.get(detail(theirs.pk))
    body = response.content.decode()
    assert response.status_code == 404
    assert reverse("referrals:break_glass", args=[theirs.pk]) in body
    assert theirs.family_name not in body


def test_the_404_tells_nobody_whether_the_patient_exists(client, clinician, theirs):
    client.force_login(clinician)
    missing = theirs.pk + 1000
    existing, absent = client.get(detail(theirs.pk)), client.get(detail(missing))
    assert existing.status_code == absent.status_code == 404
    assert page_without(existing, theirs.pk) == page_without(absent, missing)


def page_without(response, patient_id: int) -> str:
    """The page with its id and its per-request CSRF tokens blanked out."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return body.replace(f"/patients/{patient_id}/", "/patients/N/").replace(
        f"record {patient_id},", "record N,"
    )


@pytest.mark.parametrize("persona", ["sag_member", "outsider"])
def test_only_clinicians_may_break_glass(client, persona, request, theirs):
    client.force_login(request.getfixturevalue(persona))
    assert "break-glass" not in client.get(detail(theirs.pk)).content.decode()
    assert break_glass(client, theirs.pk).status_code == 404
    assert not BreakGlassGrant.objects.filter(patient_id=theirs.pk, expires_at__gt=timezone.now()).exists()


@pytest.mark.parametrize("reason", ["", "emergency", " " * 40, "A&E, urgent       "])
def test_a_reason_under_twenty_characters_is_refused_and_opens_nothing(client, clinician, theirs, reason):
    client.force_login(clinician)
    response = break_glass(client, theirs.pk, reason)
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert not BreakGlassGrant.objects.filter(user=clinician).exists()
    assert client.get(detail(theirs.pk)).status_code == 404


def test_break_glass_for_a_patient_who_does_not_exist_grants_nothing(client, clinician, theirs):
    client.force_login(clinician)
    assert break_glass(client, theirs.pk + 1000).status_code == 404
    assert not BreakGlassGrant.objects.filter(user=clinician).exists()


def test_break_glass_for_ones_own_patient_just_opens_it(client, clinician, world):
    client.force_login(clinician)
    response = break_glass(client, world.mine.patient.pk)
    assert response["Location"] == detail(world.mine.patient.pk)
    assert not BreakGlassGrant.objects.filter(user=clinician).exists()


# The grant --------------------------------------------------------------------------------------


def test_clinician_opens_another_clinicians_patient_after_giving_a_reason(client, granted, clinician, theirs):
    response = client.get(detail(theirs.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert theirs.family_name.upper() in body
    assert "Break-glass access" in body
    assert (granted.reason, granted.user) == (REASON, clinician)
    assert granted.expires_at - granted.granted_at == datetime.timedelta(hours=4)


def test_each_read_under_break_glass_is_logged_as_break_glass(client, granted, clinician, theirs):
    client.get(detail(theirs.pk))
    client.get(detail(theirs.pk))
    reads = AccessLog.objects.filter(user=clinician, patient_id=theirs.pk)
    assert list(reads.values_list("action", "page")) == [("breakglass", detail(theirs.pk))] * 2


def test_break_glass_hours_come_from_the_setting(client, clinician, theirs, settings):
    settings.PORTAL_BREAK_GLASS_HOURS = 2
    client.force_login(clinician)
    break_glass(client, theirs.pk)
    grant = BreakGlassGrant.objects.get(user=clinician, patient_id=theirs.pk)
    assert grant.expires_at - grant.granted_at == datetime.timedelta(hours=2)


def test_a_grant_expires(granted, clinician, theirs):
    # A fresh sign-in each time: the session itself ends after 30 minutes idle.
    for moment, status in (
        (granted.expires_at - datetime.timedelta(seconds=1), 200),
        (granted.expires_at, 404),
    ):
        with time_machine.travel(moment, tick=False):
            client = Client()
            client.force_login(clinician)
            assert client.get(detail(theirs.pk)).status_code == status


def test_a_grant_covers_no_other_patient(client, granted, other_clinician):
    another = ReceivedReferralFactory(responsible_consultant=other_clinician).patient
    assert client.get(detail(another.pk)).status_code == 404


def test_a_grant_covers_no_other_clinician(client, granted, theirs):
    client.force_login(UserFactory(username="clinician3", role="Clinician"))
    assert client.get(detail(theirs.pk)).status_code == 404


def test_a_grant_opens_no_other_page_of_the_patient(client, granted, world):
    theirs = world.theirs
    for url in (
        reverse("diagnostic:referral", args=[theirs.referral.pk]),
        reverse("mdt:discussion_detail", args=[theirs.discussion.pk]),
        reverse("second_opinions:detail", args=[theirs.second_opinion.pk]),
    ):
        assert client.get(url).status_code in {403, 404}, url
    listed = client.get(reverse("referrals:patient_list")).content.decode()
    assert theirs.patient.family_name not in listed


def test_break_glass_page_offers_no_forms_and_no_links_that_would_404(client, granted, world):
    body = client.get(detail(world.theirs.patient.pk)).content.decode()
    assert reverse("diagnostic:referral", args=[world.theirs.referral.pk]) not in body
    assert reverse("mdt:discussion_detail", args=[world.theirs.discussion.pk]) not in body
    assert "<form" not in body.split("<main", 1)[1].split("</main>", 1)[0]


# Telling the MDT office lead ---------------------------------------------------------------------


def test_break_glass_tells_the_mdt_office_lead_without_patient_identifiers(granted, lead, theirs):
    assert OutboxMessage.objects.filter(
        task="portal.tasks.notify_lead_of_break_glass", args=[granted.pk]
    ).exists()
    [email] = mail.outbox
    text = email.subject + email.body
    assert email.to == [lead.email]
    assert f"patient record {theirs.pk}" in text
    assert reverse("admin:portal_breakglassgrant_change", args=[granted.pk]) in text
    for identifier in (
        theirs.family_name,
        theirs.given_name,
        theirs.nhs_number,
        theirs.nhs_number_display,
        REASON,
    ):
        assert identifier not in text


def test_the_lead_is_told_once_however_often_the_task_runs(granted, lead):
    assert break_glass_notify_lead(grant_id=granted.pk) == 0
    assert len(mail.outbox) == 1


def test_without_a_lead_the_superusers_are_told(
    client, clinician, theirs, superuser, django_capture_on_commit_callbacks
):
    client.force_login(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        break_glass(client, theirs.pk)
    assert [email.to for email in mail.outbox] == [[superuser.email]]


def test_the_lead_reads_the_grant_and_its_reason_in_the_admin(client, granted, lead, office_user):
    url = reverse("admin:portal_breakglassgrant_change", args=[granted.pk])
    client.force_login(lead)
    assert REASON.replace("&", "&amp;") in client.get(url).content.decode()
    client.force_login(office_user)
    assert client.get(url).status_code == 403
