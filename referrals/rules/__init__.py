"""Pure decisions about a referral: where the network's pathways send it, and where it stands
against the national cancer waiting-time standards. Data in, decision out; no database.

Sources (each reason names its source and version):
- LSESN Pathway for spinal sarcomas, including sacrum and paraspinal tissues, version 2,
  approved by the LSESN SAG on 22/03/2024 (shared/seeds/spinal-sarcoma-pathway-lsesn.txt).
- LSESN second-opinion policy, "Responding to a growing demand for Second Opinions"
  (shared/seeds/second-opinions-policy-lsesn.txt), which states no version number: "all bone
  sarcomas are treated in the London Sarcoma Service".
- Where the documents are silent the portal chooses, and says so: each such reason starts with
  NETWORK_CHOICE and names the setting that changes it (docs/clinical-safety.md, "The network's
  choices").
- NHS England, National cancer waiting times monitoring dataset guidance, version 12.1
  (July 2025): the 28-day Faster Diagnosis Standard, the 31-day and the 62-day standards, and the
  inter-provider transfer (breach allocation) rules with their day-38 handover point."""

from .clocks import (
    DEFAULT_AT_RISK_DAY,
    HANDOVER_DAY,
    LIVE_STATES,
    STANDARDS,
    Clock,
    ClockState,
    clock_that_matters,
    handover_day_38,
    waiting_time_clocks,
)
from .routing import age_on, mdt_label, route_referral
from .vocabulary import (
    BONE_AT_LSS,
    BONE_DEFAULT_RULE,
    CHILD_AGE_LIMIT,
    CHILD_PATHWAY_ALL_SITES,
    CHILD_RULE,
    CWT_GUIDANCE,
    DEFAULT_CAPABILITY_HOLDERS,
    IMPLEMENTED_DOCUMENTS,
    LSS_MDT_RULE,
    LSS_MDT_SITES,
    MDT_NAMES,
    NETWORK_CHOICE,
    SARCOMA_MDT_ROLE,
    SECOND_OPINION_POLICY,
    SPINAL_PATHWAY,
    SPINAL_PATHWAY_TITLE,
    SPINAL_PATHWAY_VERSION,
    SPINAL_SITES,
    TYA_AGE_BAND,
    UNKNOWN_ROUTE_BONE,
    UNKNOWN_ROUTE_EITHER_CENTRE,
    UNKNOWN_TUMOUR_ROUTE,
    URGENT_MDT_RULE,
    CapabilityHolders,
    Pathway,
    Presentation,
    RoutingCase,
    RoutingChoices,
    RoutingDecision,
    Site,
    Tumour,
)

__all__ = [
    "BONE_AT_LSS",
    "BONE_DEFAULT_RULE",
    "CHILD_AGE_LIMIT",
    "CHILD_PATHWAY_ALL_SITES",
    "CHILD_RULE",
    "CWT_GUIDANCE",
    "DEFAULT_AT_RISK_DAY",
    "DEFAULT_CAPABILITY_HOLDERS",
    "HANDOVER_DAY",
    "IMPLEMENTED_DOCUMENTS",
    "LIVE_STATES",
    "LSS_MDT_RULE",
    "LSS_MDT_SITES",
    "MDT_NAMES",
    "NETWORK_CHOICE",
    "SARCOMA_MDT_ROLE",
    "SECOND_OPINION_POLICY",
    "SPINAL_PATHWAY",
    "SPINAL_PATHWAY_TITLE",
    "SPINAL_PATHWAY_VERSION",
    "SPINAL_SITES",
    "STANDARDS",
    "TYA_AGE_BAND",
    "UNKNOWN_ROUTE_BONE",
    "UNKNOWN_ROUTE_EITHER_CENTRE",
    "UNKNOWN_TUMOUR_ROUTE",
    "URGENT_MDT_RULE",
    "CapabilityHolders",
    "Clock",
    "ClockState",
    "Pathway",
    "Presentation",
    "RoutingCase",
    "RoutingChoices",
    "RoutingDecision",
    "Site",
    "Tumour",
    "age_on",
    "clock_that_matters",
    "handover_day_38",
    "mdt_label",
    "route_referral",
    "waiting_time_clocks",
]
