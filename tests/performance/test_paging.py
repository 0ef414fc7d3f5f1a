"""Keyset pages of the patient list, and the admin paginator that does not count whole tables."""

import pytest
from django.urls import reverse

from portal.paging import EstimatedCountPaginator, keyset_page
from referrals.models import Patient
from tests.factories import PatientFactory, ReceivedReferralFactory
from tests.referrals.conftest import search_patients

pytestmark = pytest.mark.django_db

ORDER = ("family_name", "given_name", "pk")


def _patients(n: int) -> list[int]:
    """n patients, some sharing a family and given name, in the list's order."""
    for i in range(n):
        PatientFactory(family_name=f"Name{i % 4}", given_name=f"Given{i % 3}")
    return list(Patient.objects.order_by(*ORDER).values_list("pk", flat=True))


def test_keyset_pages_walk_forward_through_every_row_once():
    ordered = _patients(23)
    seen, after = [], None
    while True:
        page = keyset_page(Patient.objects.all(), fields=ORDER, after=after, size=5)
        seen += [patient.pk for patient in page]
        if not page.has_next:
            break
        after = str(page.next_after)
    assert seen == ordered


def test_keyset_previous_page_is_the_page_before():
    ordered = _patients(12)
    second = keyset_page(Patient.objects.all(), fields=ORDER, after=str(ordered[4]), size=5)
    assert [p.pk for p in second] == ordered[5:10]
    back = keyset_page(Patient.objects.all(), fields=ORDER, before=str(second.previous_before), size=5)
    assert [p.pk for p in back] == ordered[0:5]
    assert not back.has_previous
    assert back.next_after == ordered[4]


def test_a_cursor_outside_the_list_gives_the_first_page():
    ordered = _patients(7)
    page = keyset_page(
        Patient.objects.filter(pk__in=ordered[:3]), fields=ORDER, after=str(ordered[6]), size=5
    )
    assert [p.pk for p in page] == ordered[:3]
    assert not page.has_next
    assert not page.has_previous
    assert [p.pk for p in keyset_page(Patient.objects.all(), fields=ORDER, after="x", size=5)] == ordered[:5]


def test_patient_list_next_link_shows_the_following_patients(client, office_user):
    for _ in range(55):
        ReceivedReferralFactory()
    client.force_login(office_user)
    url = reverse("referrals:patient_list")
    first = client.get(url)
    assert len(first.context["rows"]) == 50
    assert f"after={first.context['page'].next_after}" in first.content.decode()
    second = client.get(url, {"after": first.context["page"].next_after})
    shown = {row["patient"].pk for row in first.context["rows"]} | {
        row["patient"].pk for row in second.context["rows"]
    }
    assert len(second.context["rows"]) == 5
    assert shown == set(Patient.objects.values_list("pk", flat=True))


def test_search_results_page_through_every_match_in_the_name_key_order(client, office_user):
    """A search is ordered by the upper-case name keys (the index patient_name_keys); its keyset
    pages still cover every match once, in that order."""
    surnames = ["smith", "Smith", "SMITHSON", "Smithers"]
    for i in range(60):
        ReceivedReferralFactory(patient=PatientFactory(family_name=surnames[i % 4], given_name=f"g{i:02d}"))
    for other in ("Blacksmith", "Jones"):
        ReceivedReferralFactory(patient=PatientFactory(family_name=other))
    client.force_login(office_user)
    first = search_patients(client, "smith")
    page_url = first.request["PATH_INFO"] + "?" + first.request["QUERY_STRING"]
    assert f"after={first.context['page'].next_after}" in first.content.decode()
    second = client.get(f"{page_url}&after={first.context['page'].next_after}")
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 10
    assert second.context["page"].next_after is None
    listed = [row["patient"] for row in [*first.context["rows"], *second.context["rows"]]]
    keys = [(p.family_name.upper(), p.given_name.upper(), p.pk) for p in listed]
    assert keys == sorted(keys)
    assert len({p.pk for p in listed}) == 60
    assert {p.family_name for p in listed} == set(surnames)


def test_a_page_read_in_parts_is_the_page_of_their_union_forwards_and_backwards():
    """keyset_page(parts=...) reads each alternative of a search on its own and merges them; every
    page, either way, must be the union's page, with a patient in two parts shown once."""
    from django.db.models import Q

    for i in range(23):
        PatientFactory(family_name=["Abbot", "Baker", "Carter"][i % 3], given_name=f"G{i:02d}")
    keys = Patient.objects.with_name_keys()
    fields = ("family_key", "given_key", "pk")
    options = [Q(family_key__startswith="AB"), Q(family_key__startswith="CA"), Q(given_key__startswith="G1")]
    union = keys.filter(options[0] | options[1] | options[2])
    parts = [union.filter(option) for option in options]
    expected = [p.pk for p in union.order_by(*fields)]
    assert len(expected) == 19  # 15 Abbots and Carters, and 4 Bakers named G1x

    def walk(read):
        pages, after = [], None
        while True:
            page = read(after=after)
            pages.append([p.pk for p in page])
            if not page.has_next:
                return pages
            after = str(page.next_after)

    whole = walk(lambda after: keyset_page(union, fields=fields, after=after, size=6))
    merged = walk(lambda after: keyset_page(union, fields=fields, after=after, size=6, parts=parts))
    assert merged == whole
    assert [pk for page in merged for pk in page] == expected
    back = keyset_page(union, fields=fields, before=str(expected[13]), size=6, parts=parts)
    assert [p.pk for p in back] == expected[7:13]
    assert back.previous_before == expected[7]


def test_estimated_count_paginator_counts_exactly_on_sqlite():
    _patients(9)
    assert EstimatedCountPaginator(Patient.objects.order_by("pk"), 4).count == 9
