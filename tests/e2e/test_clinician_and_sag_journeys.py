"""The clinician's and the SAG member's journeys in Chromium, every page checked (see Journey)."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from directory.models import KeyContact
from policies import services as policies_services
from policies.models import PolicyDocument
from referrals.models import Patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_clinician_finds_their_patient_and_its_timeline_but_not_another_clinicians(journey):
    users = get_user_model().objects
    mine = Patient.objects.visible_to(users.get(username="clinician1")).current().order_by("pk").first()
    theirs = (
        Patient.objects.visible_to(users.get(username="clinician2"))
        .exclude(pk__in=Patient.objects.visible_to(users.get(username="clinician1")).values("pk"))
        .first()
    )
    clinician = journey("clinician")
    page = clinician.page
    clinician.sign_in("clinician1")
    clinician.check("Home")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Patients").click()
    clinician.check("Patients")
    listed = page.locator("main").inner_text()
    assert str(mine) in listed
    assert str(theirs) not in listed

    page.get_by_role("link", name=str(mine)).first.click()
    clinician.check(f"Patient {mine.initials}")
    timeline = page.get_by_role("region", name="Timeline", exact=True)
    assert timeline.get_by_role("listitem").count() > 0

    response = clinician.goto(f"/patients/{theirs.pk}/")
    assert response.status == 404
    clinician.check("Page not found")
    assert str(theirs) not in page.content()


def test_sag_member_approves_a_directory_change_and_a_policy_version(journey):
    sag = journey("sag")
    page = sag.page
    sag.sign_in("sag")
    sag.check("Home")
    page.get_by_role("link", name="Directory change requests").click()
    sag.check("Directory change requests")
    page.get_by_role("row", name="LSS MDT coordinator (demo)").get_by_role("link").click()
    assert "020 7946 0000" in page.get_by_role("table").inner_text()
    sag.check(page.title().removesuffix(" \N{EN DASH} LSESN Sarcoma Portal"))
    page.get_by_label("Comment").fill("Checked with the LSS office.")
    page.get_by_role("button", name="Approve").click()
    contact = KeyContact.objects.get(label="LSS MDT coordinator (demo)")
    assert contact.history.latest().history_user.username == "sag"

    page.goto(sag.base_url + "/directory/changes/")
    decided = page.get_by_role("region", name="Recently decided", exact=True)
    assert "LSS MDT coordinator (demo)" in decided.inner_text()
    assert "(sag)" in decided.inner_text() or "Adviser" in decided.inner_text()
    sag.check("Directory change requests")

    public = journey("public")
    public.goto("/directory/")
    assert (
        "LSS MDT coordinator (demo)"
        in public.page.get_by_role("region", name="Key contacts", exact=True).inner_text()
    )
    public.check("Network directory")

    # A policy version the MDT office submitted for approval.
    office = get_user_model().objects.get(username="office")
    approved = PolicyDocument.objects.get(status=PolicyDocument.Status.APPROVED)
    draft = policies_services.policy_draft_create(
        created_by=office,
        series=approved.series,
        title=approved.title,
        version_number="2.1",
        circulation=approved.circulation.all(),
        review_date=datetime.date(2029, 3, 1),
    )
    policies_services.policy_version_submit(document_id=draft.pk, submitted_by=office)
    sag.goto(f"/policies/{draft.pk}/")
    sag.check(page.title().removesuffix(" \N{EN DASH} LSESN Sarcoma Portal"))
    page.get_by_role("link", name="Approve this version").click()
    sag.check(page.title().removesuffix(" \N{EN DASH} LSESN Sarcoma Portal"))
    page.get_by_role("button", name="Approve this version").click()
    assert "Version approved" in page.get_by_role("alert").inner_text()
    draft.refresh_from_db()
    assert draft.status == PolicyDocument.Status.APPROVED
    assert draft.approver.username == "sag"
    sag.check(page.title().removesuffix(" \N{EN DASH} LSESN Sarcoma Portal"))
