import pytest

from referrals import policy_rules as pr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("9434765919", "9434765919"), ("943 476 5919", "9434765919"), (" 943 4765919 ", "9434765919")],
)
def test_valid_nhs_number_is_accepted_with_or_without_spaces(raw, expected):
    assert pr.normalise_nhs_number(raw) == expected


def test_nhs_number_with_wrong_check_digit_is_refused():
    with pytest.raises(ValueError, match="check digit"):
        pr.normalise_nhs_number("943 476 5918")


@pytest.mark.parametrize("raw", ["943476591", "94347659190", "abcdefghij", ""])
def test_nhs_number_that_is_not_ten_digits_is_refused(raw):
    with pytest.raises(ValueError, match="10 digits"):
        pr.normalise_nhs_number(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full-width digits
        "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",  # Arabic-Indic digits
        "943\u00a0476\u00a05919",  # no-break spaces
        "943-476-5919",
        "943476591\u00b9",  # a superscript one
    ],
)
def test_nhs_number_in_anything_but_ascii_digits_and_spaces_is_refused(raw):
    """Guards issue 17 finding 4: a full-width or Arabic-Indic number passed the check digit test
    and was stored as typed, making a second record of the patient that search did not find."""
    with pytest.raises(ValueError, match="0 to 9 and spaces only"):
        pr.normalise_nhs_number(raw)


@pytest.mark.parametrize(
    ("term", "expected"),
    [("943 476 5919", "9434765919"), ("\uff19" * 10, None), ("2" * 9 + "\u00b2", None), ("Smith", None)],
)
def test_a_search_term_is_an_nhs_number_only_in_ascii_digits(term, expected):
    assert pr.nhs_number_digits(term) == expected


def test_every_status_has_an_entry_in_the_transitions_table():
    from referrals.models import Referral

    assert set(pr.ALLOWED_TRANSITIONS) == set(Referral.Status.values)
    for targets in pr.ALLOWED_TRANSITIONS.values():
        assert targets <= set(Referral.Status.values)


def test_allowed_transition_has_no_refusal():
    assert pr.transition_refusal("received", "triaged") is None


def test_jump_from_received_to_mdt_is_refused_naming_what_is_allowed():
    refusal = pr.transition_refusal("received", "discussed_at_mdt")
    assert refusal is not None
    assert "received to discussed at mdt" in refusal
    assert "triaged" in refusal


def test_closed_referral_cannot_move():
    assert "cannot change status" in pr.transition_refusal("closed", "received")


def _candidate(**kwargs):
    defaults = {"active": True, "is_core_mdt_member": False, "designation_scope": ""}
    return pr.SurgeonCandidate(**{**defaults, **kwargs})


def test_spinal_case_refuses_an_undesignated_surgeon_quoting_the_pathway():
    refusal = pr.surgeon_refusal(spinal_case=True, candidate=_candidate())
    assert pr.SURGEON_RULE in refusal
    assert pr.SPINAL_PATHWAY in refusal
    assert "v2" in pr.SPINAL_PATHWAY


@pytest.mark.parametrize(
    "candidate",
    [{"is_core_mdt_member": True}, {"designation_scope": "spinal_surgery"}],
)
def test_spinal_case_accepts_core_mdt_member_or_designated_spinal_surgeon(candidate):
    assert pr.surgeon_refusal(spinal_case=True, candidate=_candidate(**candidate)) is None


def test_designation_for_another_scope_does_not_cover_spinal_surgery():
    assert pr.surgeon_refusal(spinal_case=True, candidate=_candidate(designation_scope="chemotherapy"))


def test_non_spinal_case_does_not_need_spinal_designation():
    assert pr.surgeon_refusal(spinal_case=False, candidate=_candidate()) is None


def test_inactive_practitioner_is_refused():
    assert "no longer active" in pr.surgeon_refusal(
        spinal_case=False, candidate=_candidate(active=False, is_core_mdt_member=True)
    )


@pytest.mark.parametrize("site", ["spine", "sacrum", "paraspinal_spine_contact"])
def test_spinal_sites_make_a_spinal_case(site):
    assert pr.is_spinal_case(pathway="soft_tissue", site=site)


def test_paraspinal_without_spine_contact_is_not_a_spinal_case():
    assert not pr.is_spinal_case(pathway="soft_tissue", site="paraspinal")


def test_first_treatment_without_mdt_outcome_or_override_is_refused_quoting_the_pathway():
    refusal = pr.first_treatment_refusal(has_mdt_outcome=False, urgent_override_reason="  ")
    assert pr.MDT_BEFORE_TREATMENT_RULE in refusal


def test_first_treatment_with_override_reason_or_mdt_outcome_is_allowed():
    assert (
        pr.first_treatment_refusal(has_mdt_outcome=False, urgent_override_reason="Cord compression") is None
    )
    assert pr.first_treatment_refusal(has_mdt_outcome=True, urgent_override_reason="") is None


def test_mdt_outcome_means_discussed_at_mdt_or_later_or_a_recorded_date():
    import datetime

    assert pr.has_mdt_outcome(status="discussed_at_mdt", mdt_outcome_on=None)
    assert pr.has_mdt_outcome(status="treatment_planned", mdt_outcome_on=None)
    assert not pr.has_mdt_outcome(status="awaiting_mdt", mdt_outcome_on=None)
    assert pr.has_mdt_outcome(status="awaiting_mdt", mdt_outcome_on=datetime.date(2026, 11, 1))
