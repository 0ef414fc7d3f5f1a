"""The routing's vocabulary: the documents it cites, the network's choices where they are silent,
the seed sentences it follows word for word, and the case, choices and decision it passes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum

SPINAL_PATHWAY_TITLE = "LSESN Pathway for spinal sarcomas, including sacrum and paraspinal tissues"
SPINAL_PATHWAY_VERSION = "2"
SPINAL_PATHWAY = "LSESN spinal sarcoma pathway v2 (SAG-approved 22/03/2024)"
SECOND_OPINION_POLICY = "LSESN second-opinion policy (SAG-approved; the document states no version)"
NETWORK_CHOICE = "Network choice, where the pathway is silent (docs/clinical-safety.md)"
CWT_GUIDANCE = "NHS England national cancer waiting times monitoring dataset guidance v12.1"

# The versioned documents these rules implement, as (title, version): intake asks the policies
# register whether each is still the approved version (REFERRAL_POLICY_CHECK in the settings).
IMPLEMENTED_DOCUMENTS: tuple[tuple[str, str], ...] = ((SPINAL_PATHWAY_TITLE, SPINAL_PATHWAY_VERSION),)

# The network's choices where the documents are silent; each is a setting (portal/settings/base.py).
CHILD_AGE_LIMIT = 16  # under 16 at referral: the children's pathway (REFERRAL_CHILD_AGE_LIMIT)
CHILD_PATHWAY_ALL_SITES = True  # ... at every site, not only the spine (REFERRAL_CHILD_PATHWAY_ALL_SITES)
TYA_AGE_BAND = (16, 24)  # flagged for the MDT office, inclusive (REFERRAL_TYA_AGE_BAND)
UNKNOWN_ROUTE_BONE = "bone"  # an unknown tumour type outside the spine is routed as a bone tumour
UNKNOWN_ROUTE_EITHER_CENTRE = "either_centre"  # ... or to either specialist centre
UNKNOWN_TUMOUR_ROUTE = UNKNOWN_ROUTE_BONE  # REFERRAL_UNKNOWN_TUMOUR_ROUTE

# The seed sentences the routing follows, word for word (shared/seeds/spinal-sarcoma-pathway-lsesn.txt).
LSS_MDT_RULE = (
    "All patients with confirmed bone or soft tissue sarcomas involving the spine or paraspinal tissues "
    "must be discussed in the London Sarcoma Service MDT to plan appropriate multidisciplinary care."
)
URGENT_MDT_RULE = (
    "In clinically urgent cases, the treating clinician should discuss the proposed intervention with "
    "other appropriate members of the MDT if possible."
)
SARCOMA_MDT_ROLE = (
    "The principal role of a Sarcoma MDT is to determine a care plan for all people with bone and soft "
    "tissue sarcoma and to be responsible for its delivery either by members based at the Specialist "
    "Sarcoma Centre or by designated practitioners working at Local Sarcoma Units or by Children/Teenage "
    "and Young Adult Principal Treatment Centres following care pathways agreed by the Sarcoma Advisory "
    "group"
)
BONE_DEFAULT_RULE = (
    "Therefore, the default position is that patients with suspected or confirmed primary bone tumours of "
    "the spine or sacrum should be referred as soon as possible to RNOH for diagnosis and surgical "
    "treatment"
)
CHILD_RULE = "If the referral is for a child, please see the LSESN Pathway for children with spinal sarcomas."
BONE_AT_LSS = "all bone sarcomas are treated in the London Sarcoma Service"

MDT_NAMES = {"LSS": "the London Sarcoma Service MDT", "RMH": "the Royal Marsden Sarcoma Unit MDT"}


class Presentation(StrEnum):
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"


class Tumour(StrEnum):
    BONE = "bone"
    SOFT_TISSUE = "soft_tissue"
    GIST = "gist"
    UNKNOWN = "unknown"


class Site(StrEnum):
    SPINE = "spine"
    SACRUM = "sacrum"
    PARASPINAL_SPINE_CONTACT = "paraspinal_spine_contact"
    PARASPINAL = "paraspinal"
    LIMB = "limb"
    PELVIS = "pelvis"
    TRUNK = "trunk"
    RETROPERITONEUM = "retroperitoneum"
    ABDOMEN = "abdomen"
    HEAD_NECK = "head_neck"
    OTHER = "other"


# "Sarcomas arising in the spine, sacrum and paraspinal tissues with spine contact or involvement".
SPINAL_SITES = frozenset({Site.SPINE, Site.SACRUM, Site.PARASPINAL_SPINE_CONTACT})
# "sarcomas involving the spine or paraspinal tissues": the London Sarcoma Service MDT.
LSS_MDT_SITES = SPINAL_SITES | {Site.PARASPINAL}


class Pathway(StrEnum):
    MSCC = "mscc"
    CHILDREN = "children"
    SPINAL = "spinal"
    BONE = "bone"
    SOFT_TISSUE = "soft_tissue"


# Directory capability codes (directory.models.Capability.Code) -> the service codes holding them.
CapabilityHolders = Mapping[str, tuple[str, ...]]

# What the seeded directory says; the live mapping comes from referrals.services.capability_holders().
DEFAULT_CAPABILITY_HOLDERS: CapabilityHolders = {
    "bone_diagnosis_surgery": ("RNOH",),
    "spinal_surgery": ("RNOH",),
    "skull_base_surgery": ("NHNN",),
    "bone_radiotherapy": ("UCLH",),
    "soft_tissue_sarcoma": ("LSS", "RMH"),
    "gist": ("LSS", "RMH"),
    "sarcoma_mdt": ("LSS", "RMH"),
}


@dataclass(frozen=True)
class RoutingCase:
    age: int
    presentation: str
    tumour: str
    site: str
    skull_base: bool = False
    transnasal_ccj: bool = False
    suspected_mscc: bool = False
    clinically_urgent: bool = False


@dataclass(frozen=True)
class RoutingChoices:
    """The network's choices where the documents are silent (each a setting)."""

    child_age_limit: int = CHILD_AGE_LIMIT
    child_pathway_all_sites: bool = CHILD_PATHWAY_ALL_SITES
    tya_age_band: tuple[int, int] | None = TYA_AGE_BAND
    unknown_tumour_route: str = UNKNOWN_TUMOUR_ROUTE


@dataclass(frozen=True)
class RoutingDecision:
    pathway: str
    refer_to: tuple[str, ...]
    surgery_at: str | None
    radiotherapy_at: str | None
    mdt: str | None
    mdt_before_treatment: bool
    specialist_pathology_review: bool
    urgent: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    teenage_young_adult: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["refer_to"] = list(self.refer_to)
        data["reasons"] = list(self.reasons)
        data["warnings"] = list(self.warnings)
        return data
