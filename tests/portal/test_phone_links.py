"""Telephone numbers are tel: links wherever a page shows them (issue 19, item 8)."""

import pytest
from django.urls import reverse

from portal.phone import phone_parts, tel_href
from tests.factories import KeyContactFactory, PractitionerFactory, ReceivedReferralFactory


def test_numbers_in_free_text_become_tel_addresses_and_the_rest_stays_words():
    assert phone_parts("020 7946 0100 / 07700 900123 (24h)") == [
        ("020 7946 0100", "tel:02079460100"),
        (" / ", ""),
        ("07700 900123", "tel:07700900123"),
        (" (24h)", ""),
    ]
    assert tel_href("+44 (0)20 7946 0100") == "tel:+442079460100"
    assert phone_parts("Ext 1234") == [("Ext 1234", "")]  # too short to be a number on its own


@pytest.mark.django_db
def test_the_public_directory_links_every_phone_number(client):
    PractitionerFactory(name="Dr Phone", phone="020 7946 0111")
    KeyContactFactory(label="Two lines", phone_numbers="020 7946 0112 or 020 7946 0113")
    html = client.get(reverse("directory:list")).content.decode()
    assert '<a href="tel:02079460111">020 7946 0111</a>' in html
    assert (
        '<a href="tel:02079460112">020 7946 0112</a> or <a href="tel:02079460113">020 7946 0113</a>' in html
    )


def test_the_patient_page_links_the_referrers_phone_number(client, office_user):
    referral = ReceivedReferralFactory(referrer_contact="Ward 5, 020 7946 0114")
    client.force_login(office_user)
    html = client.get(reverse("referrals:patient_detail", args=[referral.patient_id])).content.decode()
    assert '(Ward 5, <a href="tel:02079460114">020 7946 0114</a>)' in html
