"""Where the network's pathways send a referral: `route_referral`, each reason citing its source."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .vocabulary import (
    BONE_AT_LSS,
    CHILD_RULE,
    DEFAULT_CAPABILITY_HOLDERS,
    LSS_MDT_RULE,
    MDT_NAMES,
    NETWORK_CHOICE,
    SARCOMA_MDT_ROLE,
    SECOND_OPINION_POLICY,
    SPINAL_PATHWAY,
    SPINAL_SITES,
    UNKNOWN_ROUTE_BONE,
    URGENT_MDT_RULE,
    CapabilityHolders,
    Pathway,
    RoutingCase,
    RoutingChoices,
    RoutingDecision,
    Site,
    Tumour,
)


def age_on(date_of_birth: datetime.date, on: datetime.date) -> int:
    """Age in whole years on a date (a birthday on 29 February counts from 1 March)."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def _holders(holders: CapabilityHolders, capability: str, reasons: list[str]) -> tuple[str, ...]:
    found = tuple(holders.get(capability, ()))
    if not found:
        reasons.append(
            f"No service in the network directory holds the capability '{capability}': "
            "the MDT office must confirm the destination."
        )
    return found


def _first(services: tuple[str, ...]) -> str | None:
    return services[0] if services else None


def mdt_label(mdt: str | None) -> str:
    """The MDT named by a decision, in words: "LSS or RMH" names each of them."""
    if not mdt:
        return "no MDT"
    return " or ".join(MDT_NAMES.get(code, f"the {code} MDT") for code in mdt.split(" or "))


@dataclass(frozen=True)
class _Route:
    """What one branch of the routing decides, before the reasons every decision carries."""

    pathway: str
    refer_to: tuple[str, ...]
    mdt: str | None
    mdt_before_treatment: bool
    urgent: bool
    surgery_at: str | None = None
    radiotherapy_at: str | None = None


def route_referral(
    case: RoutingCase,
    *,
    holders: CapabilityHolders = DEFAULT_CAPABILITY_HOLDERS,
    child_age_limit: int | None = None,
    choices: RoutingChoices | None = None,
    policy_warnings: Sequence[str] = (),
) -> RoutingDecision:
    """Where the network's pathways send a referral, and why. Rules apply in this order:

    1. suspected MSCC presenting as an emergency: the MSCC pathway, urgent, and the London Sarcoma
       Service MDT named (the MDT discussion still applies, with the clinical-urgency exception);
    2. a child (the network's choice: under `child_age_limit` at referral, at every site unless
       `child_pathway_all_sites` is off): the children's pathway; the MDT is named as for an adult;
    3. spinal cases (spine, sacrum, paraspinal with spine contact): RNOH for diagnosis and
       surgery, NHNN for surgery with skull-base involvement or a transnasal approach to the
       craniocervical junction, UCLH for radiotherapy of primary bone tumours, and the London
       Sarcoma Service MDT before treatment unless clinically urgent;
    4. other primary bone tumours, and (the network's choice) a tumour of unknown type outside the
       spine: RNOH for diagnosis and surgery, London Sarcoma Service MDT;
    5. soft tissue sarcoma and GIST: either specialist centre (LSS or RMH) and the MDT of the one
       that takes the referral; in paraspinal tissues without spine contact, the London Sarcoma
       Service MDT whichever centre;
    6. every suspected or confirmed sarcoma: specialist sarcoma pathology review.
    Every decision names the MDT that plans the patient's care. The teenage and young adult age
    band is flagged, not routed (the documents do not say where). `policy_warnings` (a document
    these rules implement that is no longer the approved version, or is past its review date)
    lead the reasons and are also kept apart. Which service holds a capability comes from
    `holders` (the directory), so a SAG-approved directory change moves the routing.
    """
    choices = choices or RoutingChoices()
    if child_age_limit is not None:
        choices = replace(choices, child_age_limit=child_age_limit)
    reasons: list[str] = list(policy_warnings)
    if case.suspected_mscc:
        route = _route_mscc(case, choices, reasons)
    elif case.age < choices.child_age_limit and (
        choices.child_pathway_all_sites or case.site in SPINAL_SITES
    ):
        route = _route_child(case, holders, choices, reasons)
    else:
        route = _route_adult(case, holders, choices, reasons)
    tya = _is_tya(case.age, choices.tya_age_band)
    if tya:
        low, high = choices.tya_age_band
        reasons.append(
            f"{NETWORK_CHOICE}, setting REFERRAL_TYA_AGE_BAND: the patient is {case.age}, in the teenage "
            f"and young adult band ({low} to {high}), flagged for the MDT office. {SPINAL_PATHWAY} names "
            '"Children/Teenage and Young Adult Principal Treatment Centres" but not which patients go '
            "there or where, so the portal does not route them: the MDT office decides."
        )
    reasons.append(
        f"{SPINAL_PATHWAY}, principles: pathology for all sarcomas must be reviewed by a "
        "specialist sarcoma pathologist, with any molecular analysis and genomic testing."
    )
    return RoutingDecision(
        pathway=route.pathway,
        refer_to=route.refer_to,
        surgery_at=route.surgery_at,
        radiotherapy_at=route.radiotherapy_at,
        mdt=route.mdt,
        mdt_before_treatment=route.mdt_before_treatment,
        specialist_pathology_review=True,
        urgent=route.urgent,
        reasons=tuple(reasons),
        teenage_young_adult=tya,
        warnings=tuple(policy_warnings),
    )


def _is_tya(age: int, band: tuple[int, int] | None) -> bool:
    return band is not None and band[0] <= age <= band[1]


def _route_mscc(case: RoutingCase, choices: RoutingChoices, reasons: list[str]) -> _Route:
    """MSCC is the emergency; the London Sarcoma Service MDT is still named, and the treating
    clinician discusses the intervention with MDT members where possible."""
    reasons.append(
        f"{SPINAL_PATHWAY}: a patient presenting as an emergency with suspected metastatic "
        "spinal cord compression follows the LSESN MSCC pathway."
    )
    reasons.append(
        f'{SPINAL_PATHWAY}: "{LSS_MDT_RULE}" The emergency does not remove the MDT: "{URGENT_MDT_RULE}" '
        f"The case is discussed at {mdt_label('LSS')}."
    )
    if case.age < choices.child_age_limit:
        reasons.append(_child_reason(case, choices))
    return _Route(
        pathway=Pathway.MSCC, refer_to=("MSCC",), mdt="LSS", mdt_before_treatment=False, urgent=True
    )


def _child_reason(case: RoutingCase, choices: RoutingChoices) -> str:
    scope = (
        "at every site" if choices.child_pathway_all_sites else "at the spine, sacrum and paraspinal tissues"
    )
    return (
        f"{NETWORK_CHOICE}, settings REFERRAL_CHILD_AGE_LIMIT and REFERRAL_CHILD_PATHWAY_ALL_SITES: the "
        f"patient is {case.age}; a patient under {choices.child_age_limit} at referral, {scope}, follows "
        "the LSESN pathway for children. The age limit and its scope are the portal's, not the "
        f'pathway\'s words: {SPINAL_PATHWAY} says only "{CHILD_RULE}"'
    )


def _route_child(
    case: RoutingCase, holders: CapabilityHolders, choices: RoutingChoices, reasons: list[str]
) -> _Route:
    """The children's pathway, with the MDT named as for an adult: the Sarcoma MDT plans the care
    of all people with sarcoma, delivered through the children's principal treatment centres."""
    reasons.append(_child_reason(case, choices))
    adult = _route_adult(case, holders, choices, [])
    reasons.append(
        f'{SPINAL_PATHWAY}, principles: "{SARCOMA_MDT_ROLE}". The care plan is made by '
        f"{mdt_label(adult.mdt)}; the children's pathway (not held in the portal) says how it is delivered."
    )
    return _Route(
        pathway=Pathway.CHILDREN, refer_to=("CHILDREN",), mdt=adult.mdt, mdt_before_treatment=False,
        urgent=case.clinically_urgent,
    )  # fmt: skip


def _route_adult(
    case: RoutingCase, holders: CapabilityHolders, choices: RoutingChoices, reasons: list[str]
) -> _Route:
    if case.site in SPINAL_SITES:
        return _route_spinal(case, holders, reasons)
    tumour = case.tumour
    if tumour == Tumour.UNKNOWN and choices.unknown_tumour_route == UNKNOWN_ROUTE_BONE:
        reasons.append(
            f"{NETWORK_CHOICE}, setting REFERRAL_UNKNOWN_TUMOUR_ROUTE: the tumour type is unknown, so the "
            "referral takes the route that is safe if it proves to be a primary bone tumour. "
            f'{SECOND_OPINION_POLICY}: "{BONE_AT_LSS}"; {SPINAL_PATHWAY} sends suspected primary bone '
            "tumours to RNOH for diagnosis. A soft tissue sarcoma is treated in the London Sarcoma "
            "Service too, whereas a bone tumour sent to the Royal Marsden would have to be sent on."
        )
        tumour = Tumour.BONE
    if tumour == Tumour.BONE:
        route = _route_bone(case, holders, reasons)
    else:
        route = _route_soft_tissue(case, holders, reasons)
    if case.site == Site.PARASPINAL:
        reasons.append(
            f'{SPINAL_PATHWAY}: "{LSS_MDT_RULE}" Paraspinal tissues without spine contact are not the '
            f"spinal surgery pathway, but the case is discussed at {mdt_label('LSS')}."
        )
        route = replace(route, mdt="LSS")
    _mdt_reason(case, route.mdt, reasons)
    return route


def _route_bone(case: RoutingCase, holders: CapabilityHolders, reasons: list[str]) -> _Route:
    refer_to = _holders(holders, "bone_diagnosis_surgery", reasons)
    reasons.append(
        f'{SECOND_OPINION_POLICY}: "{BONE_AT_LSS}"; primary bone tumour diagnosis and surgery is '
        f"commissioned at {', '.join(refer_to) or '?'}."
    )
    return _Route(
        pathway=Pathway.BONE, refer_to=refer_to, mdt="LSS", mdt_before_treatment=not case.clinically_urgent,
        urgent=case.clinically_urgent, surgery_at=_surgery_site(case, holders, _first(refer_to), reasons),
    )  # fmt: skip


def _route_soft_tissue(case: RoutingCase, holders: CapabilityHolders, reasons: list[str]) -> _Route:
    capability = "gist" if case.tumour == Tumour.GIST else "soft_tissue_sarcoma"
    refer_to = _holders(holders, capability, reasons)
    why = (
        "paraspinal without spine contact, so not the spinal pathway; "
        if case.site == Site.PARASPINAL
        else ""
    )
    reasons.append(
        f"{SECOND_OPINION_POLICY}: both specialist centres treat soft tissue sarcoma and GIST; {why}"
        f"refer to either: {', '.join(refer_to) or '?'}."
    )
    mdts = tuple(code for code in refer_to if code in holders.get("sarcoma_mdt", ())) or refer_to
    return _Route(
        pathway=Pathway.SOFT_TISSUE, refer_to=refer_to, mdt=" or ".join(mdts) or None,
        mdt_before_treatment=not case.clinically_urgent, urgent=case.clinically_urgent,
    )  # fmt: skip


def _route_spinal(case: RoutingCase, holders: CapabilityHolders, reasons: list[str]) -> _Route:
    refer_to = _holders(holders, "spinal_surgery", reasons)
    reasons.append(
        f"{SPINAL_PATHWAY}: suspected or confirmed sarcomas of the spine, sacrum and paraspinal tissues "
        "with spine contact or involvement go to the designated bone sarcoma service where spine and "
        f"sarcoma MDTs work jointly, for diagnosis and surgery: {', '.join(refer_to) or '?'}."
    )
    surgery_at = _surgery_site(case, holders, _first(refer_to), reasons)
    radiotherapy_at = None
    if case.tumour == Tumour.BONE:
        radiotherapy_at = _first(_holders(holders, "bone_radiotherapy", reasons))
        reasons.append(
            f"{SPINAL_PATHWAY}: radiotherapy for primary bone tumours of the spine or sacrum is given "
            f"at {radiotherapy_at or '?'}."
        )
    reasons.append(
        f"{SPINAL_PATHWAY}: treatment only by core members of the sarcoma MDT or designated "
        "practitioners (designation by the LSESN SAG)."
    )
    reasons.append(f'{SPINAL_PATHWAY}: "{LSS_MDT_RULE}"')
    _mdt_reason(case, "LSS", reasons)
    return _Route(
        pathway=Pathway.SPINAL, refer_to=refer_to, mdt="LSS", mdt_before_treatment=not case.clinically_urgent,
        urgent=case.clinically_urgent, surgery_at=surgery_at, radiotherapy_at=radiotherapy_at,
    )  # fmt: skip


def _surgery_site(
    case: RoutingCase, holders: CapabilityHolders, default: str | None, reasons: list[str]
) -> str | None:
    if not (case.skull_base or case.transnasal_ccj):
        return default
    nhnn = _first(_holders(holders, "skull_base_surgery", reasons))
    why = (
        "skull-base involvement"
        if case.skull_base
        else "a transnasal approach to the craniocervical junction"
    )
    reasons.append(
        f"{SPINAL_PATHWAY}: patients with skull-base involvement and those requiring transnasal approaches "
        f"to the craniocervical junction have surgery at {nhnn or '?'} (Queen Square); this case has {why}."
    )
    return nhnn or default


def _mdt_reason(case: RoutingCase, mdt: str | None, reasons: list[str]) -> None:
    """Which MDT plans the care, and when: before treatment unless clinically urgent."""
    named = mdt_label(mdt)
    if mdt != "LSS":
        reasons.append(
            f'{SPINAL_PATHWAY}, principles: "{SARCOMA_MDT_ROLE}". The care plan is made by {named}.'
        )
    if case.clinically_urgent:
        reasons.append(
            f"{SPINAL_PATHWAY}: clinically urgent, so treatment need not wait for {named}; "
            f'"{URGENT_MDT_RULE}" The case is still discussed at {named}.'
        )
    else:
        reasons.append(f"{SPINAL_PATHWAY}: discussion at {named} before treatment.")
