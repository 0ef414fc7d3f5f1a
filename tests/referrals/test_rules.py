"""The pathway routing rules, each with its boundary."""

import datetime

import pytest

from referrals.rules import (
    DEFAULT_CAPABILITY_HOLDERS,
    RoutingCase,
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
        assert decision.mdt is None


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


@pytest.mark.parametrize("tumour", ["soft_tissue", "gist", "unknown"])
def test_soft_tissue_gist_and_unknown_outside_the_spine_go_to_either_centre(tumour):
    decision = route_referral(case(site="retroperitoneum", tumour=tumour))
    assert decision.pathway == "soft_tissue"
    assert decision.refer_to == ("LSS", "RMH")
    assert decision.mdt is None


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
    for overrides in [{}, {"site": "spine", "tumour": "bone", "skull_base": True}, {"tumour": "bone"}]:
        for reason in route_referral(case(**overrides)).reasons:
            assert reason.startswith(("LSESN spinal sarcoma pathway v2", "LSESN second-opinion policy")), (
                reason
            )


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
        "specialist_pathology_review", "urgent", "reasons",
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
