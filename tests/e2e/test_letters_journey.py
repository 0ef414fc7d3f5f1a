"""The MDT office checks a demo letter's PDF and sends it, in Chromium (issue 20)."""

import pytest

from letters.models import Letter
from tests.letters.conftest import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_office_previews_a_letter_and_sends_it_for_the_post(journey):
    letter = Letter.objects.select_related("patient").get(kind=Letter.Kind.MDT_OUTCOME_REFERRER)
    patient = letter.patient
    office = journey("office-letters")
    page = office.page
    office.sign_in("office")

    office.goto(f"/patients/{patient.pk}/")
    letters = page.get_by_role("region", name="Letters", exact=True)  # the section, not its table's region
    assert "MDT outcome to the referrer or GP" in letters.inner_text()
    office.check(f"Patient {patient.initials}")
    letters.get_by_role("link", name="MDT outcome to the referrer or GP", exact=True).click()
    office.check(f"Letter {letter.pk}")

    # The preview: the PDF as written, served inline for the browser to show.
    preview = page.get_by_role("link", name="Preview the letter (PDF, version 1)")
    response = page.request.get(office.base_url + preview.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    text = pdf_text(response.body())
    assert f"{patient.given_name} {patient.family_name}" in text
    assert patient.nhs_number_display in text

    page.get_by_label("Printed for the post").check()
    page.get_by_role("button", name="Send the letter").click()
    assert f"Letter {letter.pk} filed for the post." in page.get_by_role("alert").inner_text()
    office.check(f"Letter {letter.pk}")
    letter.refresh_from_db()
    assert letter.status == Letter.Status.TO_POST

    office.goto("/letters/print-batches/")
    office.check("Letters for the post")
    page.get_by_role("button", name="Make a print batch now").click()
    assert "Print batch" in page.get_by_role("alert").inner_text()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.PRINTED
