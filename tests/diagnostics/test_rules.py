"""Pure rules of the diagnostic pathway: catchment suggestion, completeness, pathologists,
mutual aid, backlog and the evaluation figures on a hand-counted data set."""

import datetime

import pytest

from diagnostics import rules as drules
from directory.rules import normalise_catchment, outward_code

D = datetime.date


def test_outward_code_of_full_and_partial_postcodes():
    assert outward_code("me14 1ab") == "ME14"
    assert outward_code("EC1A1BB") == "EC1A"
    assert outward_code("DA1") == "DA1"


def test_catchment_is_normalised_sorted_and_deduplicated():
    assert normalise_catchment("me14, ME15; cm\n me14 ") == ["CM", "ME14", "ME15"]


def test_catchment_names_every_bad_entry():
    with pytest.raises(ValueError, match="ME14 1AB, 12"):
        normalise_catchment("ME14 1AB, 12, CM")


KENT = drules.ClinicCatchment(1, "Kent clinic", ("ME",))
MAIDSTONE = drules.ClinicCatchment(2, "Maidstone clinic", ("ME14",))
ESSEX = drules.ClinicCatchment(3, "Essex clinic", ("CM", "SS1"))


def test_longest_prefix_wins_district_before_area():
    suggestion = drules.suggest_clinic("ME14 1AB", [KENT, MAIDSTONE, ESSEX])
    assert suggestion.clinic_id == 2
    assert "district ME14" in suggestion.reason


def test_area_entry_holds_the_areas_districts():
    suggestion = drules.suggest_clinic("ME1 2AA", [KENT, MAIDSTONE, ESSEX])
    assert suggestion.clinic_id == 1
    assert "area ME" in suggestion.reason


def test_area_does_not_hold_a_longer_area_with_the_same_letters():
    east = drules.ClinicCatchment(4, "East London", ("E",))
    assert drules.suggest_clinic("EC1A 1BB", [east]).clinic_id is None
    assert drules.suggest_clinic("E1 6AN", [east]).clinic_id == 4


def test_district_does_not_match_a_longer_district():
    # SS1 must not hold SS14.
    assert drules.suggest_clinic("SS14 1AA", [ESSEX]).clinic_id is None


def test_no_postcode_no_suggestion_with_reason():
    suggestion = drules.suggest_clinic("", [KENT])
    assert suggestion.clinic_id is None
    assert "No postcode" in suggestion.reason


def _complete_soft_tissue(**changes):
    values = {
        "tumour_type": "soft_tissue",
        "presentation": "suspected",
        "postcode": "ME14 1AB",
        "referring_clinician": "Dr GP",
        "referrer_contact": "01622 000000",
        "lump_size_cm": 6.0,
        "lump_depth": "deep",
        "lump_growing": "yes",
        "lump_painful": "no",
        "imaging_done": "ultrasound",
        "imaging_result": "suggests_sarcoma",
    }
    return drules.ReferralContent(**{**values, **changes})


def test_complete_soft_tissue_referral_misses_nothing():
    assert drules.missing_information(_complete_soft_tissue()) == []


def test_soft_tissue_referral_without_ultrasound_cites_ng12():
    missing = drules.missing_information(_complete_soft_tissue(imaging_done="none", imaging_result=""))
    assert missing == [f"An ultrasound of the lump: {drules.NG12_SOFT_TISSUE}."]
    assert "1.11.4" in missing[0]


def test_missing_features_are_each_listed():
    missing = drules.missing_information(
        _complete_soft_tissue(lump_size_cm=None, lump_depth="", referrer_contact="", postcode="")
    )
    assert missing == [
        "The referrer's telephone or e-mail.",
        "The patient's postcode (it chooses the diagnostic clinic).",
        "The size of the lump in centimetres.",
        "Whether the lump is superficial or deep to the fascia.",
    ]


def test_bone_referral_needs_an_xray_not_lump_features():
    content = _complete_soft_tissue(tumour_type="bone", lump_size_cm=None, imaging_done="ultrasound")
    assert drules.missing_information(content) == [f"An X-ray of the bone: {drules.NG12_BONE}."]


def test_confirmed_sarcoma_needs_only_the_referrer_and_postcode():
    content = _complete_soft_tissue(presentation="confirmed", lump_size_cm=None, imaging_done="")
    assert drules.missing_information(content) == []


@pytest.mark.parametrize(
    ("speciality", "scope", "core", "allowed"),
    [
        ("surgery", "pathology", False, True),
        ("pathology", "", True, True),
        ("pathology", "", False, False),
        ("surgery", "", True, False),
    ],
)
def test_designated_sarcoma_pathologist(speciality, scope, core, allowed):
    refusal = drules.pathologist_refusal(
        active=True, speciality=speciality, designation_scope=scope, is_core_mdt_member=core
    )
    assert (refusal is None) is allowed


def test_inactive_pathologist_is_refused():
    assert drules.pathologist_refusal(
        active=False, speciality="pathology", designation_scope="pathology", is_core_mdt_member=True
    )


RMH_TO_LSS = drules.Declaration("RMH", "LSS", D(2026, 12, 1), D(2026, 12, 31), "theatre closure")


@pytest.mark.parametrize(
    ("on", "suggested"),
    [
        (D(2026, 11, 30), []),
        (D(2026, 12, 1), ["LSS"]),
        (D(2026, 12, 31), ["LSS"]),
        (D(2027, 1, 1), []),
    ],
)
def test_mutual_aid_switches_on_and_off_by_date(on, suggested):
    suggestions = drules.mutual_aid_suggestions(("RMH",), [RMH_TO_LSS], on)
    assert [s.to_code for s in suggestions] == suggested


def test_mutual_aid_only_for_the_declaring_service():
    assert drules.mutual_aid_suggestions(("LSS",), [RMH_TO_LSS], D(2026, 12, 10)) == []


def test_backlog_counts_waiting_and_oldest_wait():
    result = drules.backlog([D(2026, 11, 20), D(2026, 11, 1)], D(2026, 11, 24))
    assert result == drules.Backlog(2, D(2026, 11, 1), 23)
    assert drules.backlog([], D(2026, 11, 24)) == drules.Backlog(0, None, None)


# A known data set for the evaluation; each expected figure is counted by hand in the comments.
ROWS = [
    # Kent, October 2026: four referrals.
    drules.EvaluationRow("Kent", D(2026, 10, 1), D(2026, 10, 8), D(2026, 10, 20), "sarcoma", False, True),
    drules.EvaluationRow("Kent", D(2026, 10, 2), D(2026, 10, 16), D(2026, 11, 5), "not_sarcoma", True, False),
    drules.EvaluationRow(
        "Kent", D(2026, 10, 10), D(2026, 10, 14), D(2026, 10, 30), "not_sarcoma", False, False
    ),
    drules.EvaluationRow("Kent", D(2026, 10, 20), None, None, "", True, True),
    # Kent, November 2026: one.
    drules.EvaluationRow("Kent", D(2026, 11, 3), D(2026, 11, 10), None, "", False, False),
    # Essex, October 2026: two.
    drules.EvaluationRow("Essex", D(2026, 10, 5), D(2026, 10, 7), D(2026, 10, 31), "sarcoma", False, False),
    drules.EvaluationRow("Essex", D(2026, 10, 6), D(2026, 10, 9), D(2026, 11, 5), "sarcoma", False, False),
]


def test_evaluation_figures_match_the_hand_count():
    figures = {(f.clinic, f.month): f for f in drules.evaluation_figures(ROWS)}
    assert list(figures) == [("Essex", "2026-10"), ("Kent", "2026-10"), ("Kent", "2026-11")]

    kent = figures[("Kent", "2026-10")]
    assert kent.received == 4
    # Days to first appointment: 7, 14, 4 -> median 7.
    assert kent.median_days_to_first_appointment == 7.0
    # Days to diagnosis: 19, 34, 20 -> median 20; within 28: 19 and 20 -> 2 of 3.
    assert kent.median_days_to_diagnosis == 20.0
    assert kent.diagnosed == 3
    assert kent.diagnosed_within_28 == 2
    assert kent.share_within_28 == 0.667
    # Outcomes: sarcoma, not, not -> 1 of 3.
    assert kent.sarcoma == 1
    assert kent.share_sarcoma == 0.333
    assert kent.returns == 2
    assert kent.unplanned_excisions == 2

    essex = figures[("Essex", "2026-10")]
    assert essex.received == 2
    # First appointment: 2 and 3 days -> median 2.5; diagnosis: 26 and 30 -> median 28, 1 within 28.
    assert essex.median_days_to_first_appointment == 2.5
    assert essex.median_days_to_diagnosis == 28.0
    assert essex.diagnosed_within_28 == 1
    assert essex.share_within_28 == 0.5
    assert essex.share_sarcoma == 1.0
    assert essex.returns == 0

    november = figures[("Kent", "2026-11")]
    assert november.received == 1
    assert november.median_days_to_diagnosis is None
    assert november.share_within_28 is None
    assert november.share_sarcoma is None


def test_csv_row_leaves_missing_figures_blank():
    november = drules.evaluation_figures(ROWS[4:5])[0]
    row = drules.csv_row(november)
    assert len(row) == len(drules.CSV_COLUMNS)
    assert row[:5] == ["Kent", "2026-11", 1, 7.0, ""]


def test_clinic_series_run_over_every_month_with_gaps_as_zero_or_none():
    """By hand from ROWS: months October and November 2026; Kent received 4 then 1, Essex 2 then
    none; Kent diagnosed 2 of 3 within 28 days in October (66.7%) and nobody in November (None);
    Essex 1 of 2 (50%) in October."""
    figures = drules.evaluation_figures(ROWS)
    assert drules.evaluation_months(figures) == ["2026-10", "2026-11"]
    essex, kent = drules.clinic_series(figures)
    assert (kent.clinic, kent.received, kent.percent_within_28) == ("Kent", (4, 1), (66.7, None))
    assert (essex.clinic, essex.received, essex.percent_within_28) == ("Essex", (2, 0), (50.0, None))


def test_evaluation_months_fill_a_month_without_referrals_and_cross_the_year():
    rows = [
        drules.EvaluationRow("Kent", D(2026, 11, 3)),
        drules.EvaluationRow("Kent", D(2027, 2, 3)),
    ]
    months = drules.evaluation_months(drules.evaluation_figures(rows))
    assert months == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert drules.clinic_series(drules.evaluation_figures(rows))[0].received == (1, 0, 0, 1)
    assert drules.evaluation_months([]) == []


# Issue 19: a spinal bone tumour with an MRI recorded ---------------------------------------------


def test_bone_tumour_with_an_mri_is_not_asked_for_an_xray():
    """NICE NG12 1.11.3: "consider a suspected cancer pathway referral (for an appointment within
    2 weeks) for adults if an X-ray suggests the possibility of bone sarcoma". The X-ray is the test
    primary care can order first; an MRI of the bone already done images it too, so the referral
    is not returned asking for an X-ray (issue 19)."""
    for modality in ("mri", "ct", "xray"):
        content = _complete_soft_tissue(tumour_type="bone", lump_size_cm=None, imaging_done=modality)
        assert drules.missing_information(content) == []


def test_bone_tumour_with_an_mri_but_no_result_asks_for_the_imaging_result():
    content = _complete_soft_tissue(tumour_type="bone", imaging_done="mri", imaging_result="")
    assert drules.missing_information(content) == [f"The imaging result: {drules.NG12_BONE}."]


def test_bone_tumour_with_only_an_ultrasound_or_nothing_still_needs_an_xray():
    for modality in ("", "none", "ultrasound"):
        content = _complete_soft_tissue(tumour_type="bone", imaging_done=modality, imaging_result="")
        assert drules.missing_information(content) == [f"An X-ray of the bone: {drules.NG12_BONE}."]


def test_spinal_case_gets_no_diagnostic_clinic_whatever_its_postcode():
    """spinal-sarcoma-pathway-lsesn.txt: "People with suspected sarcomas arising in the spine,
    sacrum and paraspinal tissues with spine contact or involvement must be referred to a
    designated bone sarcoma service" and "the default position is that patients with suspected or
    confirmed primary bone tumours of the spine or sacrum should be referred as soon as possible to
    RNOH for diagnosis and surgical treatment". The sarcoma diagnostic clinics serve "the soft
    tissue sarcoma diagnostic pathway" (sarcoma-diagnostic-pathway-news.txt)."""
    suggestion = drules.suggest_clinic_for_pathway("spinal", "ME14 1AB", [KENT, MAIDSTONE, ESSEX])
    assert suggestion.clinic_id is None
    assert "designated bone sarcoma service" in suggestion.reason
    assert "RNOH" in suggestion.reason


def test_bone_mscc_and_children_pathways_get_no_diagnostic_clinic():
    for pathway in ("bone", "mscc", "children"):
        suggestion = drules.suggest_clinic_for_pathway(pathway, "ME14 1AB", [KENT, MAIDSTONE, ESSEX])
        assert suggestion.clinic_id is None, pathway
        assert suggestion.reason.startswith("No diagnostic clinic"), pathway


def test_soft_tissue_pathway_is_suggested_a_clinic_by_postcode():
    suggestion = drules.suggest_clinic_for_pathway("soft_tissue", "ME14 1AB", [KENT, MAIDSTONE, ESSEX])
    assert suggestion == drules.suggest_clinic("ME14 1AB", [KENT, MAIDSTONE, ESSEX])
    assert suggestion.clinic_id is not None
