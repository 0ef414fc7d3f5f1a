"""The pathway routing rules, each with its boundary."""

import datetime

import pytest

from referrals.rules import (
    BONE_AT_LSS,
    CHILD_RULE,
    DEFAULT_CAPABILITY_HOLDERS,
    LSS_MDT_RULE,
    NETWORK_CHOICE,
    SARCOMA_MDT_ROLE,
    SPINAL_PATHWAY,
    URGENT_MDT_RULE,
    RoutingCase,
    RoutingChoices,
    age_on,
    route_referral,
)


def case(**overrides) -> RoutingCase:
    values = {"age": 45, "presentation": "suspected", "tumour": "soft_tissue", "site": "limb"}
    values.update(overrides)
    return RoutingCase(**values)


def test_suspected_mscc_goes_to_the_mscc_pathway_urgently_whatever_else():
    decision = route_referral(case(suspected_mscc=True, age=10, tumour="bone", site="spine"))
    assert decision.pathway == "mscc"
    assert decision.refer_to == ("MSCC",)
    assert decision.urgent is True
    assert "MSCC pathway" in decision.reasons[0]


@pytest.mark.parametrize(("age", "pathway"), [(15, "children"), (16, "soft_tissue")])
def test_under_16_is_the_childrens_pathway_and_16_is_not(age, pathway):
    decision = route_referral(case(age=age))
    assert decision.pathway == pathway
    if pathway == "children":
        assert decision.refer_to == ("CHILDREN",)
        # Issue 16 item 2: the decision names the MDT that plans the child's care.
        assert decision.mdt == "LSS or RMH"


def test_child_age_limit_is_a_setting():
    assert route_referral(case(age=17), child_age_limit=18).pathway == "children"


@pytest.mark.parametrize("site", ["spine", "sacrum", "paraspinal_spine_contact"])
def test_spinal_sites_go_to_rnoh_with_lss_mdt_before_treatment(site):
    decision = route_referral(case(site=site, tumour="soft_tissue"))
    assert decision.pathway == "spinal"
    assert decision.refer_to == ("RNOH",)
    assert decision.surgery_at == "RNOH"
    assert decision.radiotherapy_at is None  # not a primary bone tumour
    assert decision.mdt == "LSS"
    assert decision.mdt_before_treatment is True
    assert decision.urgent is False


def test_paraspinal_without_spine_contact_is_soft_tissue_at_either_centre():
    decision = route_referral(case(site="paraspinal", tumour="soft_tissue"))
    assert decision.pathway == "soft_tissue"
    assert decision.refer_to == ("LSS", "RMH")
    assert decision.surgery_at is None
    assert "paraspinal without spine contact" in decision.reasons[0]


def test_primary_bone_tumour_of_the_spine_has_radiotherapy_at_uclh():
    decision = route_referral(case(site="sacrum", tumour="bone"))
    assert decision.radiotherapy_at == "UCLH"
    assert any("radiotherapy for primary bone tumours" in r for r in decision.reasons)


@pytest.mark.parametrize("flag", ["skull_base", "transnasal_ccj"])
def test_skull_base_or_transnasal_approach_means_surgery_at_nhnn(flag):
    decision = route_referral(case(site="spine", tumour="bone", **{flag: True}))
    assert decision.surgery_at == "NHNN"
    assert decision.refer_to == ("RNOH",)
    assert any("NHNN" in r for r in decision.reasons)


def test_clinically_urgent_spinal_case_need_not_wait_for_the_mdt():
    decision = route_referral(case(site="spine", tumour="bone", clinically_urgent=True))
    assert decision.mdt == "LSS"
    assert decision.mdt_before_treatment is False
    assert decision.urgent is True
    assert any("clinically urgent" in r for r in decision.reasons)


def test_other_primary_bone_tumours_go_to_rnoh_and_the_lss_mdt():
    decision = route_referral(case(site="limb", tumour="bone"))
    assert decision.pathway == "bone"
    assert decision.refer_to == ("RNOH",)
    assert decision.surgery_at == "RNOH"
    assert decision.radiotherapy_at is None
    assert decision.mdt == "LSS"
    assert "all bone sarcomas are treated in the London Sarcoma Service" in decision.reasons[0]


@pytest.mark.parametrize("tumour", ["soft_tissue", "gist"])
def test_soft_tissue_and_gist_outside_the_spine_go_to_either_centre_and_its_mdt(tumour):
    """Issue 16 changed this: the decision names the MDT of the centre that takes the referral
    (it was None), and an unknown type no longer goes to either centre (item 3, below)."""
    decision = route_referral(case(site="retroperitoneum", tumour=tumour))
    assert decision.pathway == "soft_tissue"
    assert decision.refer_to == ("LSS", "RMH")
    assert decision.mdt == "LSS or RMH"


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"suspected_mscc": True},
        {"age": 4},
        {"site": "spine"},
        {"tumour": "bone"},
        {"presentation": "confirmed"},
    ],
)
def test_every_case_gets_specialist_pathology_review(overrides):
    decision = route_referral(case(**overrides))
    assert decision.specialist_pathology_review is True
    assert any("specialist sarcoma pathologist" in r for r in decision.reasons)


def test_every_reason_cites_its_source_and_version():
    """Issue 16 item 5: a reason cites its document and version, or says it is the network's
    choice where the documents are silent (and so names no document)."""
    for overrides in [
        {},
        {"site": "spine", "tumour": "bone", "skull_base": True},
        {"tumour": "bone"},
        {"tumour": "unknown"},
        {"age": 12},
        {"age": 19},
        {"suspected_mscc": True},
    ]:
        for reason in route_referral(case(**overrides)).reasons:
            assert reason.startswith(
                ("LSESN spinal sarcoma pathway v2", "LSESN second-opinion policy", NETWORK_CHOICE)
            ), reason


def test_routing_follows_the_directory_when_a_capability_moves():
    holders = {**DEFAULT_CAPABILITY_HOLDERS, "spinal_surgery": ("UCLH",), "skull_base_surgery": ()}
    decision = route_referral(case(site="spine", tumour="bone", skull_base=True), holders=holders)
    assert decision.refer_to == ("UCLH",)
    # No holder of skull-base surgery: the decision says so instead of inventing one.
    assert decision.surgery_at == "UCLH"
    assert any(
        "No service in the network directory holds the capability 'skull_base_surgery'" in r
        for r in decision.reasons
    )


def test_as_dict_is_the_json_contract():
    data = route_referral(case(site="spine", tumour="bone")).as_dict()
    assert set(data) == {
        "pathway", "refer_to", "surgery_at", "radiotherapy_at", "mdt", "mdt_before_treatment",
        "specialist_pathology_review", "urgent", "reasons", "teenage_young_adult", "warnings",
    }  # fmt: skip
    assert isinstance(data["refer_to"], list)
    assert isinstance(data["reasons"], list)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (datetime.date(2010, 11, 25), datetime.date(2026, 11, 24), 15),
        (datetime.date(2010, 11, 24), datetime.date(2026, 11, 24), 16),
        (datetime.date(2008, 2, 29), datetime.date(2024, 2, 28), 15),
        (datetime.date(2008, 2, 29), datetime.date(2024, 2, 29), 16),
    ],
)
def test_age_on_counts_whole_years(born, on, age):
    assert age_on(born, on) == age


# Issue 16: routing that holds to the seed documents word for word ---------------------------------


@pytest.mark.parametrize("tumour", ["soft_tissue", "bone"])
def test_confirmed_paraspinal_sarcoma_without_spine_contact_is_discussed_at_the_lss_mdt(tumour):
    """Item 1. spinal-sarcoma-pathway-lsesn.txt: "All patients with confirmed bone or soft tissue
    sarcomas involving the spine or paraspinal tissues must be discussed in the London Sarcoma
    Service MDT to plan appropriate multidisciplinary care." """
    decision = route_referral(case(presentation="confirmed", site="paraspinal", tumour=tumour))
    assert decision.pathway != "spinal"  # no spine contact: not the spinal surgery pathway
    assert decision.mdt == "LSS"
    assert decision.mdt_before_treatment is True
    assert any(LSS_MDT_RULE in reason for reason in decision.reasons)


def test_confirmed_spinal_sarcoma_with_mscc_keeps_the_emergency_pathway_and_names_the_lss_mdt():
    """Item 1. spinal-sarcoma-pathway-lsesn.txt: "In clinically urgent cases, the treating
    clinician should discuss the proposed intervention with other appropriate members of the MDT if
    possible." """
    decision = route_referral(
        case(presentation="confirmed", site="spine", tumour="bone", suspected_mscc=True)
    )
    assert decision.pathway == "mscc"
    assert decision.refer_to == ("MSCC",)
    assert decision.urgent is True
    assert decision.mdt == "LSS"
    assert decision.mdt_before_treatment is False  # the emergency comes first
    assert any(URGENT_MDT_RULE in reason and LSS_MDT_RULE in reason for reason in decision.reasons)


CASES = [
    {},
    {"tumour": "gist", "site": "abdomen"},
    {"tumour": "bone"},
    {"tumour": "unknown"},
    {"site": "spine"},
    {"site": "paraspinal"},
    {"suspected_mscc": True},
    {"age": 9},
    {"age": 9, "site": "sacrum", "tumour": "bone"},
    {"clinically_urgent": True},
    {"clinically_urgent": True, "site": "trunk", "tumour": "gist"},
]


@pytest.mark.parametrize("overrides", CASES)
def test_no_decision_says_discuss_before_treatment_without_naming_the_mdt(overrides):
    """Item 2. spinal-sarcoma-pathway-lsesn.txt: "The principal role of a Sarcoma MDT is to
    determine a care plan for all people with bone and soft tissue sarcoma" """
    decision = route_referral(case(**overrides))
    assert decision.mdt, overrides
    for reason in decision.reasons:
        if "before treatment" in reason:
            assert "MDT" in reason.split("before treatment")[0], reason
            assert "the London Sarcoma Service MDT" in reason or "Royal Marsden" in reason, reason


def test_a_soft_tissue_decision_names_the_mdt_of_the_centre_that_takes_it():
    """Item 2. spinal-sarcoma-pathway-lsesn.txt: "The principal role of a Sarcoma MDT is to
    determine a care plan for all people with bone and soft tissue sarcoma and to be responsible for
    its delivery either by members based at the Specialist Sarcoma Centre or by designated
    practitioners working at Local Sarcoma Units" """
    decision = route_referral(case(tumour="soft_tissue", site="limb"))
    assert decision.mdt == "LSS or RMH"
    assert any(SARCOMA_MDT_ROLE in reason for reason in decision.reasons)
    assert any(
        "discussion at the London Sarcoma Service MDT or the Royal Marsden Sarcoma Unit MDT before treatment"
        in reason
        for reason in decision.reasons
    )


def test_an_unknown_tumour_type_outside_the_spine_takes_the_bone_route_and_says_why():
    """Item 3. second-opinions-policy-lsesn.txt: "both treat soft tissue sarcoma and
    gastrointestinal stromal tumours while all bone sarcomas are treated in the London Sarcoma
    Service." spinal-sarcoma-pathway-lsesn.txt: "Therefore, the default position is that patients
    with suspected or confirmed primary bone tumours of the spine or sacrum should be referred as
    soon as possible to RNOH for diagnosis and surgical treatment" """
    decision = route_referral(case(tumour="unknown", site="pelvis"))
    assert decision.pathway == "bone"
    assert decision.refer_to == ("RNOH",)
    assert decision.mdt == "LSS"
    choice = decision.reasons[0]
    assert choice.startswith(NETWORK_CHOICE)
    assert "REFERRAL_UNKNOWN_TUMOUR_ROUTE" in choice
    assert "safe if it proves to be a primary bone tumour" in choice
    assert BONE_AT_LSS in choice


def test_the_unknown_tumour_route_is_a_setting():
    """Item 3 (the network's choice). second-opinions-policy-lsesn.txt: "We are not identical
    services; both treat soft tissue sarcoma and gastrointestinal stromal tumours while all bone
    sarcomas are treated in the London Sarcoma Service." """
    decision = route_referral(
        case(tumour="unknown", site="pelvis"), choices=RoutingChoices(unknown_tumour_route="either_centre")
    )
    assert decision.pathway == "soft_tissue"
    assert decision.refer_to == ("LSS", "RMH")
    assert decision.mdt == "LSS or RMH"


def test_the_childrens_age_limit_and_its_scope_are_labelled_the_portals_choice():
    """Item 4. spinal-sarcoma-pathway-lsesn.txt: "If the referral is for a child, please see the
    LSESN Pathway for children with spinal sarcomas." """
    decision = route_referral(case(age=15, site="limb"))
    assert decision.pathway == "children"
    [label] = [r for r in decision.reasons if "REFERRAL_CHILD_AGE_LIMIT" in r]
    assert label.startswith(NETWORK_CHOICE)
    assert "under 16" in label
    assert "at every site" in label
    assert "not the pathway's words" in label
    assert f'"{CHILD_RULE}"' in label
    assert not any(r.startswith(SPINAL_PATHWAY) and "under 16" in r for r in decision.reasons)


def test_the_childrens_pathway_can_be_limited_to_spinal_sites():
    """Item 4. spinal-sarcoma-pathway-lsesn.txt: "If the referral is for a child, please see the
    LSESN Pathway for children with spinal sarcomas." """
    spinal_only = RoutingChoices(child_pathway_all_sites=False)
    assert route_referral(case(age=12, site="limb"), choices=spinal_only).pathway == "soft_tissue"
    assert route_referral(case(age=12, site="sacrum"), choices=spinal_only).pathway == "children"


@pytest.mark.parametrize(("age", "flagged"), [(15, False), (16, True), (24, True), (25, False)])
def test_the_teenage_and_young_adult_band_is_flagged_without_a_destination(age, flagged):
    """Item 4. spinal-sarcoma-pathway-lsesn.txt: "or by Children/Teenage and Young Adult Principal
    Treatment Centres following care pathways agreed by the Sarcoma Advisory group" """
    decision = route_referral(case(age=age))
    assert decision.teenage_young_adult is flagged
    assert decision.pathway == ("children" if age < 16 else "soft_tissue")
    assert "TYA" not in decision.refer_to
    flagged_reasons = [r for r in decision.reasons if "REFERRAL_TYA_AGE_BAND" in r]
    assert bool(flagged_reasons) is flagged
    if flagged:
        assert flagged_reasons[0].startswith(NETWORK_CHOICE)
        assert "the MDT office decides" in flagged_reasons[0]


def test_the_tya_band_is_a_setting():
    """Item 4. spinal-sarcoma-pathway-lsesn.txt: "Children/Teenage and Young Adult Principal
    Treatment Centres" """
    assert route_referral(case(age=30), choices=RoutingChoices(tya_age_band=(18, 30))).teenage_young_adult
    assert not route_referral(case(age=20), choices=RoutingChoices(tya_age_band=None)).teenage_young_adult


def test_a_policy_warning_leads_the_reasons_and_is_kept_apart():
    """Item 5. spinal-sarcoma-pathway-lsesn.txt: "<b>Version Number</b>	2" and the same document's
    spinal-sarcoma-pathway-lsesn.txt: "<b>Date of Review</b>	March 2026" """
    warning = "The routing rules follow version 2 of the spinal pathway; its review date has passed."
    decision = route_referral(case(site="spine"), policy_warnings=[warning])
    assert decision.warnings == (warning,)
    assert decision.reasons[0] == warning
    assert decision.as_dict()["warnings"] == [warning]
