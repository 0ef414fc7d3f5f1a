import datetime

import pytest

from directory import rules


def test_nobody_decides_their_own_request():
    assert rules.may_decide(proposer_id=1, decider_id=2)
    assert not rules.may_decide(proposer_id=1, decider_id=1)


def test_a_request_is_stale_when_the_record_version_moved():
    assert not rules.is_stale(base_version=7, current_version=7)
    assert rules.is_stale(base_version=7, current_version=9)
    assert rules.is_stale(base_version=None, current_version=3)


@pytest.mark.parametrize(
    ("effective", "applies"),
    [
        (None, True),
        (datetime.date(2026, 11, 24), True),
        (datetime.date(2026, 11, 1), True),
        (datetime.date(2026, 11, 25), False),
    ],
)
def test_a_change_applies_now_unless_its_effective_date_is_later(effective, applies):
    assert rules.applies_now(effective_date=effective, today=datetime.date(2026, 11, 24)) is applies


def test_differences_pair_current_and_proposed_values():
    rows = rules.differences(
        current={"name": "A", "phone": "1"}, proposed={"phone": "2"}, fields=["name", "phone"]
    )
    assert [(r.field, r.current, r.proposed, r.changed) for r in rows] == [
        ("name", "A", "A", False),
        ("phone", "1", "2", True),
    ]


def test_changed_values_keeps_only_differences():
    assert rules.changed_values(current={"a": 1, "b": 2}, proposed={"a": 1, "b": 3}) == {"b": 3}


@pytest.mark.parametrize(
    ("name", "email", "disagree"),
    [
        ("Nick Hayden", "nicholashaden@nhs.net", True),
        ("John Afolayan", "John.afolayan1@nhs.net", False),
        ("Hanny Anwar", "Hanny.anwar@nhs.net", False),
        ("Parag Sayal", "Parag.Sayal@nhs.net", False),
        ("MDT Office", "", False),
    ],
)
def test_a_name_and_email_that_disagree_are_spotted(name, email, disagree):
    assert rules.name_and_email_disagree(name=name, email=email) is disagree


@pytest.mark.parametrize(
    ("typed", "lines"),
    [
        (
            "Royal Marsden Sarcoma Unit\nFulham Road\nLondon SW3 6JJ",
            ["Royal Marsden Sarcoma Unit", "Fulham Road", "London SW3 6JJ"],
        ),
        ("Unit 1\r\nFulham Road\r\n", ["Unit 1", "Fulham Road"]),
        ("  Unit 1  \n\n  \nLondon\r", ["Unit 1", "London"]),
        ("", []),
        ("   \n", []),
    ],
)
def test_a_postal_address_reads_as_its_lines_whatever_the_line_breaks(typed, lines):
    assert rules.postal_address_lines(typed) == lines


def test_a_service_cleaned_outside_the_form_keeps_its_address_as_lines(db):
    """The admin saves through the model's clean(), not ServiceForm: the address it keeps must be
    the same text the form would keep, or the next change request lists it as changed."""
    from directory.models import Service

    service = Service(name="Test", code="tst", postal_address="  1 Test Road\r\n\r\nLondon NW1 2BU \r\n")
    service.full_clean()
    assert service.postal_address == "1 Test Road\nLondon NW1 2BU"
