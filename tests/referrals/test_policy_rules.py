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
    """Item 7 (issue 16 changed the sentence quoted: surgery has its own).
    spinal-sarcoma-pathway-lsesn.txt: "Surgery for bone and soft tissue sarcoma arising in the spine,
    sacrum and paraspinal tissues with spine contact or involvement must only be carried out by
    designated practitioners in centres defined by the Sarcoma Advisory Group" """
    refusal = pr.surgeon_refusal(spinal_case=True, candidate=_candidate())
    assert pr.SPINAL_SURGERY_RULE in refusal
    assert pr.SPINAL_PATHWAY in refusal
    assert "v2" in pr.SPINAL_PATHWAY


def test_spinal_case_accepts_a_designated_spinal_surgeon():
    """Item 7. spinal-sarcoma-pathway-lsesn.txt: "must only be carried out by designated
    practitioners in centres defined by the Sarcoma Advisory Group" """
    assert (
        pr.surgeon_refusal(spinal_case=True, candidate=_candidate(designation_scope="spinal_surgery")) is None
    )


def test_a_core_mdt_member_alone_may_not_operate_on_a_spinal_sarcoma():
    """Item 7: issue 16 changed this (a core member of any speciality used to pass).
    spinal-sarcoma-pathway-lsesn.txt: "Surgery for bone and soft tissue sarcoma arising in the
    spine, sacrum and paraspinal tissues with spine contact or involvement must only be carried out
    by designated practitioners in centres defined by the Sarcoma Advisory Group" """
    for speciality in ("surgery", "pathology"):
        refusal = pr.surgeon_refusal(
            spinal_case=True, candidate=_candidate(is_core_mdt_member=True, speciality=speciality)
        )
        assert pr.SPINAL_SURGERY_RULE in refusal


def test_designation_for_another_scope_does_not_cover_spinal_surgery():
    assert pr.surgeon_refusal(spinal_case=True, candidate=_candidate(designation_scope="chemotherapy"))
    assert pr.surgeon_refusal(spinal_case=True, candidate=_candidate(designation_scope="surgery"))


@pytest.mark.parametrize(
    "candidate",
    [{"is_core_mdt_member": True}, {"designation_scope": "surgery"}, {"designation_scope": "spinal_surgery"}],
)
def test_non_spinal_resection_by_a_core_or_designated_surgeon(candidate):
    """Item 6. spinal-sarcoma-pathway-lsesn.txt: "All resections of sarcomas are undertaken by
    surgeons who are core or designated members of the Sarcoma MDT." """
    assert pr.surgeon_refusal(spinal_case=False, candidate=_candidate(**candidate)) is None


@pytest.mark.parametrize(
    "candidate",
    [
        {},  # a surgeon who is neither core nor designated (issue 16 changed this: it used to pass)
        {"designation_scope": "chemotherapy"},
        {"is_core_mdt_member": True, "speciality": "medical_oncology"},  # core, but not a surgeon
    ],
)
def test_non_spinal_resection_is_refused_to_anyone_else_quoting_the_pathway(candidate):
    """Item 6. spinal-sarcoma-pathway-lsesn.txt: "All resections of sarcomas are undertaken by
    surgeons who are core or designated members of the Sarcoma MDT." """
    refusal = pr.surgeon_refusal(spinal_case=False, candidate=_candidate(**candidate))
    assert f'"{pr.RESECTION_RULE}"' in refusal


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


# Issue 16 item 8: who gives the first treatment, and where -------------------------------------------

HOLDERS = {"spinal_surgery": ("RNOH",), "skull_base_surgery": ("NHNN",), "bone_radiotherapy": ("UCLH",)}


@pytest.mark.parametrize("modality", ["chemotherapy", "radiotherapy"])
def test_chemotherapy_and_radiotherapy_need_a_core_member_or_that_designation(modality):
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Treatment of sarcomas arising in the spine,
    sacrum and paraspinal tissues with spine contact or involvement will only be undertaken by core
    members of the sarcoma MDT or by designated practitioners (designation by the LSESN Sarcoma
    Advisory Group)" """
    assert pr.practitioner_refusal(modality=modality, spinal_case=True, candidate=_candidate(
        designation_scope=modality, speciality="clinical_oncology")) is None  # fmt: skip
    assert pr.practitioner_refusal(modality=modality, spinal_case=True, candidate=_candidate(
        is_core_mdt_member=True, speciality="medical_oncology")) is None  # fmt: skip
    refusal = pr.practitioner_refusal(
        modality=modality, spinal_case=True, candidate=_candidate(designation_scope="spinal_surgery")
    )
    assert f'"{pr.TREATMENT_RULE}"' in refusal


def test_chemotherapy_outside_the_spine_quotes_who_delivers_the_mdts_care_plan():
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "The principal role of a Sarcoma MDT is to
    determine a care plan for all people with bone and soft tissue sarcoma and to be responsible for
    its delivery either by members based at the Specialist Sarcoma Centre or by designated
    practitioners working at Local Sarcoma Units" """
    refusal = pr.practitioner_refusal(modality="chemotherapy", spinal_case=False, candidate=_candidate())
    assert pr.SARCOMA_MDT_ROLE in refusal


def test_radiotherapy_for_a_primary_bone_tumour_of_the_spine_is_given_at_the_directorys_centre():
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Radiotherapy treatment for primary bone tumours of
    the spine or sacrum should be given at UCLH" """
    rule = pr.treatment_centre_rule(
        modality="radiotherapy", spinal_case=True, primary_bone_spine_or_sacrum=True,
        skull_base_or_transnasal=False, holders=HOLDERS,
    )  # fmt: skip
    assert rule.centres == ("UCLH",)
    assert pr.centre_refusal(rule=rule, centre="UCLH", mdt_agreed_centre=None) is None
    refusal = pr.centre_refusal(rule=rule, centre="RNOH", mdt_agreed_centre=None)
    assert f'"{pr.RADIOTHERAPY_RULE}"' in refusal
    assert f'"{pr.ALTERNATIVE_CENTRE_RULE}"' in refusal


def test_another_centre_is_allowed_with_the_mdts_recorded_agreement():
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Patients with spinal sarcomas can have planned
    treated at an alternative centre (i.e. NHNN Queens Square) following MDT agreement that it is
    appropriate to do so." """
    rule = pr.treatment_centre_rule(
        modality="surgery", spinal_case=True, primary_bone_spine_or_sacrum=True,
        skull_base_or_transnasal=False, holders=HOLDERS,
    )  # fmt: skip
    assert pr.centre_refusal(rule=rule, centre="NHNN", mdt_agreed_centre=None)
    assert pr.centre_refusal(rule=rule, centre="NHNN", mdt_agreed_centre="NHNN") is None
    assert pr.centre_refusal(rule=rule, centre="RMH", mdt_agreed_centre="NHNN")


def test_skull_base_surgery_is_at_the_skull_base_centre():
    """Item 7. spinal-sarcoma-pathway-lsesn.txt: "Patients with skull base involvement and those
    requiring transnasal approaches to the craniocervical junction should have surgery at NHNN
    (Queens Square)." """
    rule = pr.treatment_centre_rule(
        modality="surgery", spinal_case=True, primary_bone_spine_or_sacrum=True,
        skull_base_or_transnasal=True, holders=HOLDERS,
    )  # fmt: skip
    assert rule.centres == ("NHNN",)
    assert f'"{pr.SKULL_BASE_RULE}"' in pr.centre_refusal(rule=rule, centre="RNOH", mdt_agreed_centre=None)


def test_no_centre_rule_where_the_pathway_names_none():
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Radiotherapy treatment for primary bone tumours of
    the spine or sacrum should be given at UCLH" (and no centre for other treatments)."""
    for modality, spinal, bone in (("chemotherapy", True, True), ("radiotherapy", True, False),
                                   ("surgery", False, True)):  # fmt: skip
        assert pr.treatment_centre_rule(
            modality=modality, spinal_case=spinal, primary_bone_spine_or_sacrum=bone,
            skull_base_or_transnasal=False, holders=HOLDERS,
        ) is None  # fmt: skip
