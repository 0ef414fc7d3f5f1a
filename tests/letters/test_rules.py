"""letters/rules.py: plain English for patients, second-opinion letters, returned referrals."""

import datetime

from letters import rules


def test_an_abbreviation_with_its_expansion_is_explained():
    assert rules.unexplained_abbreviations("The multidisciplinary team (MDT) met. The MDT agreed.") == []
    assert rules.unexplained_abbreviations("Your GP (general practitioner) has a copy.") == []


def test_an_abbreviation_without_its_expansion_is_found_in_order():
    assert rules.unexplained_abbreviations("The MDT asked for a CT and an MRI.") == ["MDT", "CT", "MRI"]


def test_an_unknown_run_of_capitals_is_never_explained():
    assert rules.unexplained_abbreviations("We found an XYZQ (something) on the scan.") == ["XYZQ"]


def test_postcodes_and_hospital_numbers_are_not_abbreviations():
    assert rules.unexplained_abbreviations("London NW1 2BU, hospital number MRN12345.") == []


def test_explaining_writes_the_expansion_after_the_first_use_only():
    text = rules.explain_abbreviations("An MRI of the thigh, then a second MRI.")
    assert text == "An MRI (magnetic resonance imaging) of the thigh, then a second MRI."
    assert rules.unexplained_abbreviations(text) == []


def test_explaining_leaves_what_the_letter_already_explained():
    already = "the multidisciplinary team (MDT)"
    assert rules.explain_abbreviations("The MDT agreed.", already=already) == "The MDT agreed."


def test_every_outcome_has_next_steps_for_the_referrer_and_plain_words_for_the_patient():
    from mdt.models import MdtDiscussion

    for outcome in MdtDiscussion.Outcome.values:
        assert rules.OUTCOME_NEXT_STEPS[outcome]
        assert rules.unexplained_abbreviations(rules.PLAIN_OUTCOMES[outcome]) == []
        assert rules.unexplained_abbreviations(rules.PLAIN_NEXT_STEPS[outcome]) == []


def test_not_routinely_available_gets_the_signposting_letter_not_the_opinion():
    """Policy: "Due to capacity considerations, we are unable to routinely see patients who are
    currently undergoing standard management in one of our two services for a second opinion in
    the other service."""
    kinds = rules.second_opinion_letter_kinds(
        decision="not_routinely_available", status="decided", records_requested_on=None, outcome=""
    )
    assert kinds == [rules.SO_ACKNOWLEDGEMENT, rules.SO_NOT_AVAILABLE]


def test_an_accepted_request_reaches_records_then_the_opinion():
    on = datetime.date(2026, 11, 3)
    assert rules.second_opinion_letter_kinds(
        decision="accept", status="received", records_requested_on=None, outcome=""
    ) == [rules.SO_ACKNOWLEDGEMENT]
    assert rules.second_opinion_letter_kinds(
        decision="accept", status="opinion_sent", records_requested_on=on, outcome="agrees"
    ) == [rules.SO_ACKNOWLEDGEMENT, rules.SO_RECORDS_REQUESTED, rules.SO_OPINION_SENT]


def test_a_returned_referral_clocks_run_from_receipt():
    """CWT v12.1, 1.1: "Maximum 28 days from: Receipt of urgent referral for suspected cancer"
    and 62 days "From receipt of an urgent GP (or other referrer) referral"."""
    note = rules.return_clock_note(received_on=datetime.date(2026, 11, 2))
    assert note.fds_due == datetime.date(2026, 11, 30)
    assert note.rtt_62_due == datetime.date(2027, 1, 3)
    assert "keep running" in note.text


def test_nhs_numbers_read_3_3_4():
    assert rules.format_nhs_number("9434765919") == "943 476 5919"
    assert rules.format_nhs_number(None) == ""
