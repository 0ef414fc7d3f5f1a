"""The SAG's figures, checked against a small data set counted by hand."""

import datetime

import pytest
from django.urls import reverse

from second_opinions.figures import RouteDecisionCount, second_opinion_figures
from tests.factories import (
    ClosedSecondOpinionRequestFactory,
    NotRoutinelyAvailableSecondOpinionRequestFactory,
    OpinionSentSecondOpinionRequestFactory,
    ReceivedSecondOpinionRequestFactory,
    RecordsRequestedSecondOpinionRequestFactory,
)

pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)
MDT = {"requested_by": "treating_sarcoma_clinician", "reason": "mdt_review"}


def days(n: int) -> datetime.date:
    return NOV + datetime.timedelta(days=n)


@pytest.fixture
def known_data_set():
    """Eight requests. By hand:
    accepted for clinic: A, B, H (3); accepted for MDT review: C, D (2);
    not routinely available: E, F (2); redirected: G (1).
    Opinions sent: A 15 days, B 10 days, C 21 days, H 4 days -> 4 opinions; sorted 4, 10, 15, 21:
    median (10 + 15) / 2 = 12.5, mean 50 / 4 = 12.5, longest 21.
    Changed the plan (differs): B and C -> 2 of 4 = 50.0%."""
    OpinionSentSecondOpinionRequestFactory(received_on=NOV, opinion_sent_on=days(15), outcome="agrees")  # A
    OpinionSentSecondOpinionRequestFactory(
        received_on=NOV, opinion_sent_on=days(10), outcome="differs", outcome_differences="Surgery first"
    )  # B
    OpinionSentSecondOpinionRequestFactory(
        received_on=days(1),
        opinion_sent_on=days(22),
        outcome="differs",
        outcome_differences="Add radiotherapy",
        **MDT,
    )  # C
    RecordsRequestedSecondOpinionRequestFactory(received_on=days(2), **MDT)  # D
    NotRoutinelyAvailableSecondOpinionRequestFactory(received_on=days(3))  # E
    NotRoutinelyAvailableSecondOpinionRequestFactory(received_on=days(4), status="closed")  # F
    ReceivedSecondOpinionRequestFactory(
        received_on=days(5), requested_service="RMH", tumour="bone", patient__family_name="Zebedeequux"
    )  # G
    ClosedSecondOpinionRequestFactory(received_on=days(6), opinion_sent_on=days(10), outcome="agrees")  # H


def test_figures_match_the_hand_count(known_data_set):
    figures = second_opinion_figures()
    assert figures.total == 8
    assert figures.by_route_and_decision == [
        RouteDecisionCount("Accepted", "Clinic appointment", 3),
        RouteDecisionCount("Accepted", "MDT review", 2),
        RouteDecisionCount("Not routinely available", "No route", 2),
        RouteDecisionCount("Redirected", "No route", 1),
    ]
    assert figures.opinions_sent == 4
    assert figures.turnaround_median_days == 12.5
    assert figures.turnaround_mean_days == 12.5
    assert figures.turnaround_longest_days == 21
    assert figures.changed_plan == 2
    assert figures.changed_plan_percent == 50.0


def test_figures_with_no_opinions_yet():
    ReceivedSecondOpinionRequestFactory()
    figures = second_opinion_figures()
    assert figures.total == 1
    assert figures.opinions_sent == 0
    assert figures.turnaround_median_days is None
    assert figures.changed_plan_percent is None


def test_sag_member_sees_the_figures_page_without_patients(client, sag_member, known_data_set):
    client.force_login(sag_member)
    response = client.get(reverse("second_opinions:figures"))
    content = response.content.decode()
    assert response.status_code == 200
    numeric = '<td class="nhsuk-table__cell nhsuk-table__cell--numeric"'
    assert f'{numeric} data-figure="Accepted|Clinic appointment">3</td>' in content
    assert f'{numeric} data-figure="Redirected|No route">1</td>' in content
    assert '<dd class="nhsuk-summary-list__value" id="turnaround-median">12.5 days</dd>' in content
    assert "2 of 4 opinions (50.0%) differed from the current plan." in content
    assert "Zebedeequux" not in content


def test_office_sees_the_figures_too(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("second_opinions:figures")).status_code == 200


@pytest.mark.parametrize("persona", ["clinician", "outsider"])
def test_others_may_not_see_the_figures(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("second_opinions:figures")).status_code == 403


def test_figures_for_a_period_count_only_requests_received_in_it(client, sag_member, known_data_set):
    # Received 2 to 4 Nov inclusive: C (1 Nov + 1 = 2 Nov), D (3 Nov), E (4 Nov): by hand.
    client.force_login(sag_member)
    response = client.get(
        reverse("second_opinions:figures"), {"received_from": "2026-11-02", "received_to": "2026-11-04"}
    )
    figures = response.context["figures"]
    assert figures.total == 3
    assert figures.by_route_and_decision == [
        RouteDecisionCount("Accepted", "MDT review", 2),
        RouteDecisionCount("Not routinely available", "No route", 1),
    ]
    assert (figures.opinions_sent, figures.turnaround_median_days, figures.changed_plan_percent) == (
        1,
        21,
        100.0,
    )
    assert "3 requests received from 2 Nov 2026 up to 4 Nov 2026." in response.content.decode()


def test_a_backwards_period_is_refused_on_the_field(client, sag_member, known_data_set):
    client.force_login(sag_member)
    response = client.get(
        reverse("second_opinions:figures"), {"received_from": "2026-11-10", "received_to": "2026-11-01"}
    )
    assert response.status_code == 200
    assert response.context["period"].errors["received_to"] == [
        "The end of the period cannot be before its start."
    ]
    assert response.context["figures"].total == 0


def test_the_show_button_is_one_style_not_blue_text_on_blue(client, sag_member):
    """Crispy's Submit was already "btn btn-primary": adding "btn-outline-primary" gave blue text
    on a blue background (issue 19, item 8). On NHS.UK frontend it is one secondary button."""
    import re

    client.force_login(sag_member)
    html = client.get(reverse("second_opinions:figures")).content.decode()
    button = re.search(r'<button type="submit"[^>]*>Show</button>', html).group()
    assert 'class="nhsuk-button nhsuk-button--secondary"' in button
