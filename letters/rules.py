"""What a letter says and may say, as pure functions: data in, decision out, no database.

- Plain English for patients. The letter to a patient must explain every abbreviation it uses
  (the issue: "reading age around 9 to 11; no abbreviations unexplained"; the PRSB clinical
  correspondence standards ask for letters to patients written in plain language). `ABBREVIATIONS`
  lists those the portal knows with their expansions; `explain_abbreviations` writes the expansion
  beside the first use of each in text a clinician typed; `unexplained_abbreviations` finds any
  run of capitals left without its expansion, known or not, so a new one cannot slip through.
- Which letters a second-opinion request has reached (`second_opinion_letter_kinds`).
- What a returned referral means for the waiting-time clocks (`return_clock_note`).
- Outcomes and next steps, said to a GP and said to a patient (`OUTCOME_NEXT_STEPS`,
  `PLAIN_OUTCOMES`)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

# Abbreviations a letter may use, with what they stand for. A letter to a patient writes the
# expansion with each (e.g. "multidisciplinary team (MDT)") the first time it is used.
ABBREVIATIONS: dict[str, str] = {
    "MDT": "multidisciplinary team",
    "CT": "computed tomography",
    "MRI": "magnetic resonance imaging",
    "PET": "positron emission tomography",
    "GP": "general practitioner",
    "NHS": "National Health Service",
    "PALS": "Patient Advice and Liaison Service",
    "GIST": "gastrointestinal stromal tumour",
    "LSS": "London Sarcoma Service",
    "RMH": "Royal Marsden Hospital",
    "UCLH": "University College London Hospitals",
    "RNOH": "Royal National Orthopaedic Hospital",
    "NHNN": "National Hospital for Neurology and Neurosurgery",
    "LSESN": "London and South East Sarcoma Network",
    "UK": "United Kingdom",
    "SAG": "Sarcoma Advisory Group",
}

# A run of two or more capital letters standing alone (not part of a postcode such as NW1 2BU or
# a hospital number such as MRN12345, where a digit touches it).
_CAPITALS = re.compile(r"(?<![\w])([A-Z]{2,})(?![\w])")


def _explained(text: str, abbreviation: str) -> bool:
    expansion = ABBREVIATIONS.get(abbreviation)
    if expansion is None:
        return False
    escaped_abbr, escaped_exp = re.escape(abbreviation), re.escape(expansion)
    pattern = rf"{escaped_exp}\s*\(\s*{escaped_abbr}\s*\)|{escaped_abbr}\s*\(\s*{escaped_exp}\s*\)"
    return re.search(pattern, " ".join(text.split()), flags=re.IGNORECASE) is not None


def unexplained_abbreviations(text: str) -> list[str]:
    """Each run of capitals in `text` that the text never explains as "expansion (ABBR)" or
    "ABBR (expansion)", in order of first use; an unknown abbreviation is never explained."""
    found: list[str] = []
    for match in _CAPITALS.finditer(text):
        abbreviation = match.group(1)
        if abbreviation not in found and not _explained(text, abbreviation):
            found.append(abbreviation)
    return found


def explain_abbreviations(text: str, *, already: str = "") -> str:
    """`text` with the expansion written after the first use of each known abbreviation that
    neither `text` nor `already` (what the letter said before it) explains."""
    explained: set[str] = set()

    def expand(match: re.Match) -> str:
        abbreviation = match.group(1)
        if (
            abbreviation in explained
            or abbreviation not in ABBREVIATIONS
            or _explained(already + " " + text, abbreviation)
        ):
            return abbreviation
        explained.add(abbreviation)
        return f"{abbreviation} ({ABBREVIATIONS[abbreviation]})"

    return _CAPITALS.sub(expand, text)


# MDT outcomes -----------------------------------------------------------------------------------

# What each outcome asks of the referrer next (the MDT outcome letter's "next steps").
OUTCOME_NEXT_STEPS: dict[str, str] = {
    "surgery": "The sarcoma service will contact the patient to plan surgery; please continue routine care.",
    "chemotherapy": "The sarcoma oncology team will contact the patient to plan systemic therapy.",
    "radiotherapy": "The sarcoma oncology team will contact the patient to plan radiotherapy.",
    "further_investigation": "The sarcoma service will arrange the further imaging or biopsy "
    "named above and re-discuss the case with the results.",
    "surveillance": "The sarcoma service will arrange surveillance as recommended above.",
    "refer_elsewhere": "The MDT office will refer the patient on as recommended above and tell you "
    "where care continues.",
    "supportive_care": "Please continue supportive care with the local team; the sarcoma service "
    "is available for advice.",
    "not_sarcoma": "This is not a sarcoma: care returns to you, the referrer, as recommended above.",
    "rediscuss": "The case will be discussed again at a later meeting; we will write again then.",
}

# The same outcomes for the patient, in plain English (short words, short sentences).
PLAIN_OUTCOMES: dict[str, str] = {
    "surgery": "The team thinks the best next step is an operation.",
    "chemotherapy": "The team thinks the best next step is treatment with medicines, such as chemotherapy.",
    "radiotherapy": "The team thinks the best next step is radiotherapy. This is treatment with "
    "carefully aimed radiation.",
    "further_investigation": "The team needs more tests, such as a scan or a small sample of "
    "tissue, before they can say more.",
    "surveillance": "The team would like to keep a close eye on things with regular check-ups and scans.",
    "refer_elsewhere": "The team thinks another specialist service is the right place for your "
    "care. We will tell you where.",
    "supportive_care": "The team thinks the best care for you now is care that keeps you as "
    "comfortable and well as possible.",
    "not_sarcoma": "The team looked carefully and does not think this is a sarcoma. Your own "
    "doctor will look after you from here.",
    "rediscuss": "The team wants to talk about your care again at another meeting. We will "
    "write to you after that.",
}

PLAIN_NEXT_STEPS: dict[str, str] = {
    "surgery": "A member of the sarcoma team will phone or write to you to talk about the operation.",
    "chemotherapy": "A member of the sarcoma team will phone or write to you to talk about this treatment.",
    "radiotherapy": "A member of the sarcoma team will phone or write to you to talk about this treatment.",
    "further_investigation": "We will send you the date and time of your tests.",
    "surveillance": "We will send you the date of your first check-up.",
    "refer_elsewhere": "We will write to you when the other service has your details.",
    "supportive_care": "Your local team will stay in touch with you.",
    "not_sarcoma": "You do not need to do anything. Your own doctor has a copy of this letter.",
    "rediscuss": "You do not need to do anything now.",
}


# Second opinions --------------------------------------------------------------------------------

SO_ACKNOWLEDGEMENT = "so_acknowledgement"
SO_RECORDS_REQUESTED = "so_records_requested"
SO_OPINION_SENT = "so_opinion_sent"
SO_NOT_AVAILABLE = "so_not_available"


# The policy's words, quoted in the second-opinion letters (shared/seeds/second-opinions-policy-lsesn.txt).
SECOND_OPINION_POLICY = (
    '"Responding to a growing demand for Second Opinions", agreed and approved by the Sarcoma Advisory Group'
)
POLICY_CAPACITY_QUOTE = (
    "Due to capacity considerations, we are unable to routinely see patients who are currently "
    "undergoing standard management in one of our two services for a second opinion in the other service."
)
POLICY_SUPPORT_LINE_QUOTE = (
    "Patients and families will be informed about the availability of the Sarcoma UK Support Line as "
    "an independent resource which can provide information and guidance about the process for seeking "
    "a second opinion from the network of sarcoma specialist centres throughout England, Scotland, "
    "Wales, and Northern Ireland."
)


def second_opinion_letter_kinds(
    *, decision: str, status: str, records_requested_on: datetime.date | None, outcome: str
) -> list[str]:
    """The second-opinion letters a request has reached: every request is acknowledged; a "not
    routinely available" answer is told with the policy's signposting; records are asked for once
    they have been requested; the opinion once it is sent (it then has an outcome)."""
    if decision == "not_routinely_available":
        return [SO_ACKNOWLEDGEMENT, SO_NOT_AVAILABLE]
    kinds = [SO_ACKNOWLEDGEMENT]
    if records_requested_on is not None:
        kinds.append(SO_RECORDS_REQUESTED)
    if status in {"opinion_sent", "closed"} and outcome:
        kinds.append(SO_OPINION_SENT)
    return kinds


# Returned referrals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnClockNote:
    received_on: datetime.date
    fds_due: datetime.date
    rtt_62_due: datetime.date

    @property
    def text(self) -> str:
        return (
            f"The waiting-time clocks started when we received the referral on "
            f"{self.received_on:%d %B %Y} and keep running while the information is missing: "
            f"the 28-day Faster Diagnosis Standard falls on {self.fds_due:%d %B %Y} and the 62-day "
            f"standard on {self.rtt_62_due:%d %B %Y}. Please send it as soon as you can."
        )


def return_clock_note(*, received_on: datetime.date) -> ReturnClockNote:
    """What a return means for the clocks. NHS England's CWT guidance (v12.1, 1.1) counts "Maximum
    28 days from: Receipt of urgent referral for suspected cancer ... to the date the patient is
    informed of a diagnosis or ruling out of cancer", and 62 days from the same receipt to first
    treatment; it names no pause while a referral is back with its referrer, so both run from the
    receipt date (docs/cwt-guidance.md)."""
    return ReturnClockNote(
        received_on=received_on,
        fds_due=received_on + datetime.timedelta(days=28),
        rtt_62_due=received_on + datetime.timedelta(days=62),
    )


def format_nhs_number(number: str | None) -> str:
    """An NHS number in the 3-3-4 form people read ("943 476 5919"); anything else as given."""
    digits = (number or "").replace(" ", "")
    return (
        f"{digits[:3]} {digits[3:6]} {digits[6:]}"
        if len(digits) == 10 and digits.isdigit()
        else (number or "")
    )
