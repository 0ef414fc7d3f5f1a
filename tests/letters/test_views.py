"""Letters pages: object-level permissions, the access log, preview (the PDF inline) and the one
send action."""

import pytest
from django.urls import reverse

from letters import services
from letters.models import Letter, PrintBatch
from portal.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(discussion, office_user):
    return services.letter_generate(
        kind=Letter.Kind.MDT_OUTCOME_REFERRER,
        source_id=discussion.pk,
        by=office_user,
        recipient_name="Dr Rita Referrer",
        recipient_address="1 Surgery Lane\nLondon",
        recipient_email="rita.referrer@nhs.net",
    )


def test_the_office_previews_the_pdf_inline_and_the_read_is_logged(client, office_user, letter):
    client.force_login(office_user)
    response = client.get(reverse("letters:pdf", args=[letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="letter-{letter.pk}-v1.pdf"'
    assert response.content == bytes(letter.pdf)
    assert AccessLog.objects.filter(user=office_user, patient_id=letter.patient_id).exists()


def test_the_responsible_clinician_reads_their_patients_letter(client, clinician, letter):
    client.force_login(clinician)
    response = client.get(reverse("letters:detail", args=[letter.pk]))
    assert response.status_code == 200
    assert "Send the letter" not in response.content.decode()  # only the office sends
    assert AccessLog.objects.filter(user=clinician, patient_id=letter.patient_id).exists()


def test_clinician_cannot_open_another_clinicians_patients_letter(client, other_clinician, letter):
    client.force_login(other_clinician)
    assert client.get(reverse("letters:detail", args=[letter.pk])).status_code == 404
    assert client.get(reverse("letters:pdf", args=[letter.pk])).status_code == 404
    assert not AccessLog.objects.filter(user=other_clinician).exists()


def test_a_clinician_cannot_send_or_write(client, clinician, letter, discussion):
    client.force_login(clinician)
    assert client.post(reverse("letters:send", args=[letter.pk]), {"method": "post"}).status_code == 403
    url = reverse("letters:generate", args=["mdt_outcome_referrer", discussion.pk])
    assert client.post(url, {"recipient_name": "X"}).status_code == 403
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


def test_sending_is_one_action(client, office_user, letter):
    client.force_login(office_user)
    response = client.post(reverse("letters:send", args=[letter.pk]), {"method": "post"}, follow=True)
    assert "filed for the post" in response.content.decode()
    letter.refresh_from_db()
    assert (letter.status, letter.method, letter.sent_by) == (Letter.Status.TO_POST, "post", office_user)


def test_a_bad_send_choice_changes_nothing(client, office_user, letter):
    client.force_login(office_user)
    response = client.post(reverse("letters:send", args=[letter.pk]), {"method": "pigeon"}, follow=True)
    assert "Choose how the letter goes" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


def test_writing_a_letter_from_the_form_goes_to_its_preview(client, office_user, discussion):
    client.force_login(office_user)
    url = reverse("letters:generate", args=["mdt_outcome_referrer", discussion.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "rita.referrer@nhs.net" in page.content.decode()  # the default recipient, to check
    response = client.post(
        url, {"recipient_name": "Dr Rita Referrer", "recipient_email": "rita.referrer@nhs.net"}
    )
    letter = Letter.objects.get()
    assert response["Location"] == reverse("letters:detail", args=[letter.pk])


def test_a_refused_letter_shows_why_and_saves_nothing(client, office_user, discussion):
    discussion.outcome = ""
    discussion.save()
    client.force_login(office_user)
    url = reverse("letters:generate", args=["mdt_outcome_referrer", discussion.pk])
    response = client.post(url, {"recipient_name": "Dr Rita Referrer"})
    assert response.status_code == 400
    assert "Record the MDT outcome" in response.content.decode()
    assert not Letter.objects.exists()


def test_an_unknown_kind_or_record_is_a_404(client, office_user, discussion):
    client.force_login(office_user)
    assert client.get(reverse("letters:generate", args=["nonsense", discussion.pk])).status_code == 404
    assert client.get(reverse("letters:generate", args=["so_acknowledgement", 987654])).status_code == 404


def test_the_patient_page_and_the_discussion_list_the_letters(
    client, office_user, clinician, letter, discussion
):
    client.force_login(clinician)
    page = client.get(reverse("referrals:patient_detail", args=[letter.patient_id])).content.decode()
    assert reverse("letters:detail", args=[letter.pk]) in page
    client.force_login(office_user)
    page = client.get(reverse("mdt:discussion_outcome", args=[discussion.pk])).content.decode()
    assert reverse("letters:detail", args=[letter.pk]) in page
    assert reverse("letters:generate", args=["mdt_outcome_patient", discussion.pk]) in page


def test_the_office_makes_and_opens_the_print_batch(client, office_user, letter):
    services.letter_send(letter_id=letter.pk, method=Letter.Method.POST, by=office_user)
    client.force_login(office_user)
    client.post(reverse("letters:print_batch_create"))
    batch = PrintBatch.objects.get()
    response = client.get(reverse("letters:print_batch_pdf", args=[batch.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(user=office_user, patient_id=letter.patient_id, action="export").exists()
