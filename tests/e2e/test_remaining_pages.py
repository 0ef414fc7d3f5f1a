"""The pages no other journey visits, in Chromium, each checked by `Journey.check` (axe-core at
1366 and 390 px, no sideways scrolling at 390 and 320 px, visible focus, screenshots) and each
main form reached and sent from the keyboard: Tab to the field, type, Space on a box, Enter on the
button. The clinic survey, mutual aid (service backlogs, a referral's redirect), the directory's
CSV import, drafting a policy and a new version and approving it, and MDT attendance over time."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from diagnostics.models import CapacityDeclaration, ClinicSurvey
from directory.models import ChangeRequest, DiagnosticClinic, KeyContact, Service
from mdt.models import Mdt
from policies import services as policies_services
from policies.models import PolicyDocument
from referrals.models import Referral
from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TAB_LIMIT = 400


def tab_to(page, target) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through the page (the
    focus wraps round at the end of the page)."""
    for _ in range(TAB_LIMIT):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def type_into(page, target, text: str) -> None:
    """Tab to a text field, replace what it holds with `text`, typed."""
    tab_to(page, target)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Backspace")
    page.keyboard.type(text)


def press_button(page, button, key: str = "Enter") -> None:
    """Tab to a button and press it (Enter or Space), waiting for the page it sends the form to."""
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press(key)


def choose(page, select, label: str) -> None:
    """Tab to a drop-down and pick `label` by typing it (the browser selects the option that
    starts with what is typed)."""
    tab_to(page, select)
    page.keyboard.type(label)
    assert select.evaluate("el => el.selectedOptions[0].text") == label


def type_date(page, scope, legend: str, day: datetime.date) -> None:
    group = scope.get_by_role("group", name=legend, exact=True)
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        type_into(page, group.get_by_label(part), str(value))


def title_of(page) -> str:
    return page.title().removesuffix(" \N{EN DASH} LSESN Sarcoma Portal")


def test_office_records_a_clinic_survey_and_the_sag_compares_the_clinics(journey):
    clinic = DiagnosticClinic.objects.filter(active=True, surveys__isnull=False).order_by("name").first()
    year = ClinicSurvey.objects.filter(clinic=clinic).latest("year").year
    office = journey("office-survey")
    page = office.page
    office.sign_in("office")
    office.goto("/diagnostic/survey/")
    office.check(f"Diagnostic clinic survey {year}")
    link = page.get_by_role("link", name=str(clinic), exact=True)
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    office.check(f"Survey {year}: {clinic}")

    type_into(page, page.get_by_label("Referrals received in the year"), "4321")
    box = page.get_by_role("checkbox").first
    was_checked = box.is_checked()
    tab_to(page, box)
    page.keyboard.press("Space")
    assert box.is_checked() != was_checked
    press_button(page, page.get_by_role("button", name="Save survey"))
    assert f"Survey {year} for {clinic} saved." in page.get_by_role("alert").inner_text()
    office.check(f"Diagnostic clinic survey {year}")
    table = page.get_by_role("region", name=re.compile("^Service model, activity"))
    assert "4321" in table.get_by_role("row").filter(has_text=str(clinic)).inner_text()
    assert ClinicSurvey.objects.get(clinic=clinic, year=year).referrals_per_year == 4321

    # A number that is not one: the error summary, its link to the field, nothing saved.
    diagnosed = ClinicSurvey.objects.get(clinic=clinic, year=year).sarcomas_diagnosed
    office.goto(f"/diagnostic/survey/{clinic.pk}/{year}/")
    type_into(page, page.get_by_label("Sarcomas diagnosed in the year"), "-3")
    press_button(page, page.get_by_role("button", name="Save survey"))
    summary = page.locator(".nhsuk-error-summary")
    assert summary.evaluate("el => el === document.activeElement")
    assert summary.get_by_role("link").inner_text() == "Ensure this value is greater than or equal to 0."
    office.check(f"Survey {year}: {clinic}")
    assert ClinicSurvey.objects.get(clinic=clinic, year=year).sarcomas_diagnosed == diagnosed

    sag = journey("sag-survey")
    sag.sign_in("sag")
    sag.goto("/diagnostic/survey/")
    assert sag.page.get_by_role("link", name=str(clinic), exact=True).count() == 0  # no form for the SAG
    sag.check(f"Diagnostic clinic survey {year}")


def test_office_declares_reduced_capacity_and_redirects_a_referral_for_mutual_aid(journey):
    service, partner = Service.objects.order_by("code")[:2]
    today = timezone.localdate()
    office = journey("office-mutual-aid")
    page = office.page
    office.sign_in("office")
    office.goto("/diagnostic/services/")
    office.check("Service backlogs and mutual aid")

    form = page.locator("form").filter(has=page.get_by_role("button", name="Declare"))
    choose(page, form.get_by_label("Service with reduced capacity"), str(service))
    choose(page, form.get_by_label("Partner service (mutual aid)"), str(partner))
    type_date(page, form, "From", today)
    type_date(page, form, "To (inclusive)", today + datetime.timedelta(days=14))
    type_into(page, form.get_by_label("Reason"), "Radiologist on leave.")
    press_button(page, form.get_by_role("button", name="Declare"))
    assert "Reduced capacity declared" in page.get_by_role("alert").inner_text()
    office.check("Service backlogs and mutual aid")
    declaration = CapacityDeclaration.objects.get(reason="Radiologist on leave.")
    assert (declaration.service, declaration.partner_service) == (service, partner)

    # The declaration's dates the wrong way round: refused, with the error summary, once.
    choose(page, form.get_by_label("Service with reduced capacity"), str(service))
    choose(page, form.get_by_label("Partner service (mutual aid)"), str(partner))
    type_date(page, form, "From", today + datetime.timedelta(days=5))
    type_date(page, form, "To (inclusive)", today)
    type_into(page, form.get_by_label("Reason"), "Backwards.")
    press_button(page, form.get_by_role("button", name="Declare"))
    summary = page.locator(".nhsuk-error-summary")
    assert summary.count() == 1
    assert summary.get_by_role("link").inner_text() == "The end date cannot be before the start date."
    office.check("Service backlogs and mutual aid")
    assert not CapacityDeclaration.objects.filter(reason="Backwards.").exists()

    referral = (
        Referral.objects.filter(
            status__in=[Referral.Status.RECEIVED, Referral.Status.TRIAGED, Referral.Status.ACCEPTED],
            first_appointment_on__isnull=True,
            service__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    other = Service.objects.exclude(pk=referral.service_id).order_by("code").first()
    office.goto(f"/diagnostic/referrals/{referral.pk}/")
    office.check(f"Diagnostic pathway of referral {referral.pk}")
    aid = page.get_by_role("region", name="Service and mutual aid", exact=True)
    choose(page, aid.get_by_label("Partner service"), str(other))
    press_button(page, aid.get_by_role("button", name="Redirect for mutual aid"), key="Space")
    assert "redirected to the partner service" in page.get_by_role("alert").inner_text()
    office.check(f"Diagnostic pathway of referral {referral.pk}")
    referral.refresh_from_db()
    assert (referral.service_id, referral.mutual_aid_redirect) == (other.pk, True)


def _key_contacts_csv(page, base_url: str, *, change_notes: str) -> tuple[str, int]:
    """The key contacts' export, as the office downloads it, with the first row's notes changed."""
    text = page.request.get(base_url + "/directory/key-contacts.csv").text()
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["notes"] = change_notes
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), int(rows[0]["id"])


def test_office_imports_directory_changes_from_a_csv_file(journey, tmp_path):
    office = journey("office-directory-import")
    page = office.page
    office.sign_in("office")
    office.goto("/directory/import/")
    office.check("Import directory changes")

    # A bad file first: nothing imported, every bad line listed.
    bad = tmp_path / "bad.csv"
    bad.write_text("id,label,phone_numbers\n999999,Nobody,000\n", encoding="utf-8")
    holds = page.get_by_role("group", name="The file holds")
    tab_to(page, holds.get_by_label("Practitioners"))
    page.keyboard.press("ArrowDown")  # the next radio: key contacts
    assert holds.get_by_label("Key contacts").is_checked()
    # A file is chosen in the system's file dialog, which no page can drive: set as if chosen.
    page.get_by_label("CSV file").set_input_files(bad)
    type_into(page, page.get_by_label("Reason"), "Annual check of the key contacts.")
    before = ChangeRequest.objects.count()
    press_button(page, page.get_by_role("button", name="Create change requests"))
    summary = page.locator(".nhsuk-error-summary")
    assert "Nothing was imported" in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")  # focus moved to it
    tab_to(page, summary.get_by_role("link").first)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_csv_file"  # its link lands on the file
    office.check("Import directory changes")
    assert ChangeRequest.objects.count() == before

    text, contact_id = _key_contacts_csv(
        page, office.base_url, change_notes="Answers 9 to 5, Monday to Friday."
    )
    good = tmp_path / "key-contacts.csv"
    good.write_text(text, encoding="utf-8")
    assert page.get_by_role("group", name="The file holds").get_by_label("Key contacts").is_checked()  # kept
    page.get_by_label("CSV file").set_input_files(good)  # a browser never keeps a chosen file
    type_into(page, page.get_by_label("Reason"), "Annual check of the key contacts.")
    press_button(page, page.get_by_role("button", name="Create change requests"))
    assert "1 change request created for the SAG;" in page.get_by_role("alert").inner_text()
    office.check("Directory change requests")
    request = ChangeRequest.objects.latest("pk")
    assert request.key_contact_id == contact_id
    assert KeyContact.objects.get(pk=contact_id).notes != "Answers 9 to 5, Monday to Friday."  # not yet


def test_office_drafts_a_policy_and_a_new_version_and_the_sag_approves_it(journey):
    office = journey("office-policy-drafts")
    page = office.page
    office.sign_in("office")
    office.goto("/policies/new/")
    office.check("Draft a new policy")
    # Sent empty: the error summary takes the focus and links to each field.
    type_into(page, page.get_by_label("Version number"), "")
    press_button(page, page.get_by_role("button", name="Save draft"))
    summary = page.locator(".nhsuk-error-summary")
    assert summary.evaluate("el => el === document.activeElement")
    assert summary.get_by_role("link").all_inner_texts() == [
        "Enter the title of the document",
        "Enter the version number",
        "Choose at least one group to circulate it to",
    ]
    office.check("Draft a new policy")

    type_into(page, page.get_by_label("Title of document"), "Sarcoma follow-up pathway")
    type_into(page, page.get_by_label("Version number"), "0.1")
    type_into(page, page.get_by_label("Aims"), "How patients are followed up after treatment.")
    circulation = page.get_by_role("group", name=re.compile("^Circulation to"))
    tab_to(page, circulation.get_by_role("checkbox").first)
    page.keyboard.press("Space")
    type_date(page, page, "Proposed date of review", timezone.localdate() + datetime.timedelta(days=730))
    press_button(page, page.get_by_role("button", name="Save draft"))
    assert "Draft version 0.1 saved." in page.get_by_role("alert").inner_text()
    draft = PolicyDocument.objects.get(title="Sarcoma follow-up pathway")
    office.check(f"{draft.title} v0.1")

    approved = PolicyDocument.objects.filter(status=PolicyDocument.Status.APPROVED).order_by("pk").first()
    office.goto(f"/policies/{approved.pk}/new-version/")
    office.check(f"New version of {approved.title}")
    assert page.get_by_label("Title of document").input_value() == approved.title  # prefilled
    type_into(page, page.get_by_label("Outstanding items"), "")
    type_into(page, page.get_by_label("Aims"), "Revised after the annual audit.")
    press_button(page, page.get_by_role("button", name="Save draft"))
    revision = approved.series.versions.exclude(pk=approved.pk).latest("pk")
    assert revision.aims == "Revised after the annual audit."
    office.check(f"{revision.title} v{revision.version_number}")
    office_user = get_user_model().objects.get(username="office")
    policies_services.policy_version_submit(document_id=revision.pk, submitted_by=office_user)

    sag = journey("sag-policy-approve")
    page = sag.page
    sag.sign_in("sag")
    sag.goto(f"/policies/{revision.pk}/approve/")
    sag.check(f"Approve {revision.title} v{revision.version_number}")
    # A review date before the approval: refused with the error summary.
    type_date(page, page, "Date of review", timezone.localdate() - datetime.timedelta(days=1))
    press_button(page, page.get_by_role("button", name="Approve this version"))
    assert page.locator(".nhsuk-error-summary").is_visible()
    sag.check(f"Approve {revision.title} v{revision.version_number}")
    revision.refresh_from_db()
    assert revision.status == PolicyDocument.Status.AWAITING_APPROVAL

    type_date(page, page, "Date of review", timezone.localdate() + datetime.timedelta(days=1095))
    type_into(page, page.get_by_label("Approved by"), "LSESN SAG, meeting of the month")
    press_button(page, page.get_by_role("button", name="Approve this version"), key="Space")
    assert "Version approved" in page.get_by_role("alert").inner_text()
    sag.check(title_of(page))
    revision.refresh_from_db()
    assert revision.status == PolicyDocument.Status.APPROVED
    assert revision.approved_by == "LSESN SAG, meeting of the month"


def test_office_and_sag_read_mdt_attendance_over_time(journey):
    for name, username in (("office-attendance", "office"), ("sag-attendance", "sag")):
        reader = journey(name)
        page = reader.page
        reader.sign_in(username)
        reader.goto("/mdt/attendance/")
        reader.check("MDT attendance over time")
        tables = page.get_by_role("region", name=re.compile(": attendance table$"))
        assert tables.count() == Mdt.objects.filter(active=True).count()
        # On a phone the table scrolls inside its own region: the keyboard reaches the region
        # (Tab) and scrolls it (the arrow keys) to the last column.
        page.set_viewport_size({"width": PHONE, "height": 900})
        region = tables.first
        assert region.evaluate("el => el.scrollWidth > el.clientWidth")
        tab_to(page, region)
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        assert region.evaluate("el => el.scrollLeft") > 0
        assert region.get_by_role("columnheader", name="At least two thirds").is_visible()
