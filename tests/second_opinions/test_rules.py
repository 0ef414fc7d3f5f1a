"""Every rule and exception of the LSESN second-opinion policy (second_opinions/rules/)."""

import dataclasses

import pytest

from second_opinions import rules
from second_opinions.rules import (
    CurrentService,
    Decision,
    EligibilityInput,
    Reason,
    RequestedBy,
    RequestedService,
    Route,
    Signpost,
    Tumour,
    decide,
)

SUPPORT = Signpost.SARCOMA_UK_SUPPORT_LINE
NOT_ROUTINE_SIGNPOSTS = (Signpost.SARCOMA_UK_SUPPORT_LINE, Signpost.ASK_TREATING_CLINICIAN, Signpost.PALS)


def ask(**overrides) -> EligibilityInput:
    """A patient under standard management at RMH, asking LSS by choice; override as needed."""
    values = {
        "current_service": CurrentService.RMH,
        "standard_management": True,
        "requested_service": RequestedService.LSS,
        "requested_by": RequestedBy.PATIENT,
        "reason": Reason.PATIENT_CHOICE,
        "tumour": Tumour.SOFT_TISSUE,
        "named_clinician": "",
    }
    values.update(overrides)
    return EligibilityInput(**values)


def assert_cites_policy(answer) -> None:
    assert answer.reasons
    assert all(reason.startswith("LSESN second-opinion policy (SAG-approved): ") for reason in answer.reasons)


# Rule 1: bone at RMH is redirected to LSS, unless LSS already looks after the patient -------------


@pytest.mark.parametrize("current", [c for c in CurrentService if c != CurrentService.LSS])
@pytest.mark.parametrize("requested_by", list(RequestedBy))
@pytest.mark.parametrize("reason", list(Reason))
def test_bone_tumour_request_to_rmh_is_redirected_to_lss_unless_lss_looks_after_the_patient(
    current, requested_by, reason
):
    """Issue 16 changed this: a patient already at LSS is no longer "redirected" to LSS (item 14,
    below). second-opinions-policy-lsesn.txt: "both treat soft tissue sarcoma and
    gastrointestinal stromal tumours while all bone sarcomas are treated in the London Sarcoma
    Service." """
    answer = decide(
        ask(
            current_service=current,
            requested_service=RequestedService.RMH,
            requested_by=requested_by,
            reason=reason,
            tumour=Tumour.BONE,
            named_clinician="Dr Named",
        )
    )
    assert answer.decision == Decision.REDIRECT
    assert answer.redirect_to == RequestedService.LSS
    assert answer.route is None
    assert answer.signpost == (SUPPORT,)
    assert "all bone sarcomas are treated in the London Sarcoma Service" in answer.reasons[0]
    assert_cites_policy(answer)


@pytest.mark.parametrize("tumour", [Tumour.SOFT_TISSUE, Tumour.GIST, Tumour.UNKNOWN])
def test_non_bone_request_to_rmh_is_not_redirected(tumour):
    answer = decide(
        ask(current_service=CurrentService.OTHER, requested_service=RequestedService.RMH, tumour=tumour)
    )
    assert answer.decision == Decision.ACCEPT
    assert answer.redirect_to is None


def test_bone_tumour_request_to_lss_is_not_redirected():
    answer = decide(ask(current_service=CurrentService.OTHER, tumour=Tumour.BONE))
    assert answer.decision == Decision.ACCEPT
    assert answer.redirect_to is None


# Rule 2 (our choice): a request to one's own service -------------------------------------------


@pytest.mark.parametrize("service", ["RMH", "LSS"])
@pytest.mark.parametrize("reason", list(Reason))
def test_request_to_the_service_already_looking_after_the_patient_is_not_routinely_available(service, reason):
    answer = decide(
        ask(
            current_service=CurrentService(service),
            requested_service=RequestedService(service),
            requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN,
            reason=reason,
            named_clinician="Dr Named",
        )
    )
    assert answer.decision == Decision.NOT_ROUTINELY_AVAILABLE
    assert answer.signpost == NOT_ROUTINE_SIGNPOSTS
    assert "already looked after by" in answer.reasons[0]
    assert_cites_policy(answer)


# Rule 3: standard management at one service asking for the other -------------------------------


@pytest.mark.parametrize(("current", "requested"), [("RMH", "LSS"), ("LSS", "RMH")])
@pytest.mark.parametrize("requested_by", list(RequestedBy))
def test_patient_choice_between_the_two_services_is_not_routinely_available(current, requested, requested_by):
    answer = decide(
        ask(
            current_service=CurrentService(current),
            requested_service=RequestedService(requested),
            requested_by=requested_by,
        )
    )
    assert answer.decision == Decision.NOT_ROUTINELY_AVAILABLE
    assert answer.route is None
    assert answer.redirect_to is None
    assert answer.signpost == NOT_ROUTINE_SIGNPOSTS
    assert "do not routinely see a patient under standard management" in answer.reasons[0]
    assert_cites_policy(answer)


def test_not_routinely_available_explains_what_the_patient_can_do_next():
    text = " ".join(decide(ask()).reasons)
    assert "treating sarcoma clinician" in text
    assert "Sarcoma UK Support Line" in text
    assert "PALS" in text


@pytest.mark.parametrize(("current", "requested"), [("RMH", "LSS"), ("LSS", "RMH")])
def test_exception_mdt_review_requested_by_the_treating_clinician_goes_to_the_other_mdt(current, requested):
    answer = decide(
        ask(
            current_service=CurrentService(current),
            requested_service=RequestedService(requested),
            requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN,
            reason=Reason.MDT_REVIEW,
        )
    )
    assert answer.decision == Decision.ACCEPT
    assert answer.route == Route.MDT_REVIEW
    assert answer.signpost == (SUPPORT,)
    assert "multidisciplinary team meeting on request by the treating sarcoma clinician" in answer.reasons[0]
    assert "feedback goes to the clinician and/or the patient" in answer.reasons[1]
    assert_cites_policy(answer)


@pytest.mark.parametrize("requested_by", [RequestedBy.PATIENT, RequestedBy.GP, RequestedBy.OTHER_CLINICIAN])
def test_exception_mdt_review_does_not_apply_unless_the_treating_clinician_asks(requested_by):
    answer = decide(ask(requested_by=requested_by, reason=Reason.MDT_REVIEW))
    assert answer.decision == Decision.NOT_ROUTINELY_AVAILABLE
    assert answer.signpost == NOT_ROUTINE_SIGNPOSTS
    assert "on request by the treating sarcoma clinician" in answer.reasons[1]


@pytest.mark.parametrize("reason", [Reason.EXPERTISE_ONLY_THERE, Reason.TREATMENT_ONLY_THERE])
@pytest.mark.parametrize("requested_by", list(RequestedBy))
def test_exception_expertise_or_treatment_only_in_the_other_service_is_accepted_for_clinic(
    reason, requested_by
):
    answer = decide(ask(requested_by=requested_by, reason=reason))
    assert answer.decision == Decision.ACCEPT
    assert answer.route == Route.CLINIC
    assert answer.signpost == (SUPPORT,)
    assert_cites_policy(answer)


def test_exception_treatment_only_there_mentions_clinical_trials():
    assert "clinical trial" in decide(ask(reason=Reason.TREATMENT_ONLY_THERE)).reasons[0]


def test_exception_expertise_only_there_cites_the_policy_words():
    assert (
        "expertise exists in the other service only"
        in decide(ask(reason=Reason.EXPERTISE_ONLY_THERE)).reasons[0]
    )


def test_exception_direct_request_by_the_treating_clinician_to_a_named_clinician_is_accepted():
    answer = decide(
        ask(
            requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN,
            reason=Reason.NAMED_CLINICIAN,
            named_clinician="  Dr Nia Named ",
        )
    )
    assert answer.decision == Decision.ACCEPT
    assert answer.route == Route.CLINIC
    assert "direct request to a named clinician there (Dr Nia Named)" in answer.reasons[0]


@pytest.mark.parametrize("named", ["", "   "])
def test_named_clinician_exception_needs_a_name(named):
    answer = decide(
        ask(
            requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN,
            reason=Reason.NAMED_CLINICIAN,
            named_clinician=named,
        )
    )
    assert answer.decision == Decision.NOT_ROUTINELY_AVAILABLE


@pytest.mark.parametrize("requested_by", [RequestedBy.PATIENT, RequestedBy.GP, RequestedBy.OTHER_CLINICIAN])
def test_named_clinician_exception_needs_the_treating_clinician_to_ask(requested_by):
    answer = decide(ask(requested_by=requested_by, reason=Reason.NAMED_CLINICIAN, named_clinician="Dr Named"))
    assert answer.decision == Decision.NOT_ROUTINELY_AVAILABLE
    assert "direct request to a named clinician" in answer.reasons[1]


def test_patient_not_under_standard_management_at_one_service_is_accepted_at_the_other():
    answer = decide(ask(standard_management=False))
    assert answer.decision == Decision.ACCEPT
    assert answer.route == Route.CLINIC
    assert "not under standard management" in answer.reasons[0]


# Rule 4 (the issue's rule 3): looked after elsewhere, or not yet under a sarcoma service --------


@pytest.mark.parametrize("current", [CurrentService.OTHER, CurrentService.NONE])
@pytest.mark.parametrize("requested_by", list(RequestedBy))
@pytest.mark.parametrize("reason", list(Reason))
@pytest.mark.parametrize("standard_management", [True, False])
def test_patient_looked_after_elsewhere_is_accepted(current, requested_by, reason, standard_management):
    answer = decide(
        ask(
            current_service=current,
            requested_by=requested_by,
            reason=reason,
            standard_management=standard_management,
        )
    )
    assert answer.decision == Decision.ACCEPT
    assert answer.redirect_to is None
    assert answer.signpost == (SUPPORT,)
    assert_cites_policy(answer)


def test_patient_not_yet_under_a_sarcoma_service_is_treated_like_one_looked_after_elsewhere():
    answer = decide(ask(current_service=CurrentService.NONE))
    assert "not yet under a sarcoma service" in answer.reasons[0]


# Routing: MDT when the treating clinician asks for an MDT review, clinic otherwise ------------


@pytest.mark.parametrize("current", [CurrentService.OTHER, CurrentService.NONE])
def test_accepted_request_goes_to_mdt_when_the_treating_clinician_asks_for_mdt_review(current):
    answer = decide(
        ask(
            current_service=current,
            requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN,
            reason=Reason.MDT_REVIEW,
        )
    )
    assert answer.route == Route.MDT_REVIEW


@pytest.mark.parametrize("requested_by", [RequestedBy.PATIENT, RequestedBy.GP, RequestedBy.OTHER_CLINICIAN])
def test_accepted_mdt_review_asked_by_anyone_else_goes_to_clinic(requested_by):
    answer = decide(
        ask(current_service=CurrentService.OTHER, requested_by=requested_by, reason=Reason.MDT_REVIEW)
    )
    assert answer.route == Route.CLINIC


@pytest.mark.parametrize("reason", [r for r in Reason if r != Reason.MDT_REVIEW])
def test_accepted_request_for_any_other_reason_goes_to_clinic(reason):
    answer = decide(
        ask(
            current_service=CurrentService.OTHER,
            requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN,
            reason=reason,
        )
    )
    assert answer.route == Route.CLINIC


# Rule 5: every answer tells about the Sarcoma UK Support Line -----------------------------------


def test_every_possible_answer_signposts_the_support_line_and_cites_the_policy():
    import itertools

    seen = set()
    for current, standard, requested, by, reason, tumour, named in itertools.product(
        CurrentService, [True, False], RequestedService, RequestedBy, Reason, Tumour, ["", "Dr Named"]
    ):
        answer = decide(EligibilityInput(current, standard, requested, by, reason, tumour, named))
        seen.add(answer.decision)
        assert SUPPORT in answer.signpost
        assert any("Sarcoma UK Support Line" in reason for reason in answer.reasons)
        assert_cites_policy(answer)
        if answer.decision == Decision.NOT_ROUTINELY_AVAILABLE:
            assert answer.signpost == NOT_ROUTINE_SIGNPOSTS
        if answer.decision == Decision.ACCEPT:
            assert answer.route in (Route.MDT_REVIEW, Route.CLINIC)
        else:
            assert answer.route is None
    assert seen == set(Decision)


def test_input_and_output_are_frozen():
    request = ask()
    answer = decide(request)
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.tumour = Tumour.BONE
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.decision = Decision.ACCEPT


def test_as_json_gives_the_command_contract():
    assert decide(
        ask(
            current_service=CurrentService.OTHER,
            requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN,
            reason=Reason.MDT_REVIEW,
        )
    ).as_json() == {
        "decision": "accept",
        "route": "mdt_review",
        "redirect_to": None,
        "signpost": ["sarcoma_uk_support_line"],
        "reasons": list(
            decide(
                ask(
                    current_service=CurrentService.OTHER,
                    requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN,
                    reason=Reason.MDT_REVIEW,
                )
            ).reasons
        ),
    }


# The workflow's transition table ----------------------------------------------------------------

S = rules.Status


def step(current, target, **overrides):
    values = {
        "current": current,
        "target": target,
        "decision": Decision.ACCEPT,
        "consent_to_share_records": True,
        "note": "",
        "outcome": None,
        "outcome_differences": "",
    }
    values.update(overrides)
    return rules.transition_refusal(rules.TransitionInput(**values))


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.RECEIVED, S.DECIDED),
        (S.DECIDED, S.RECORDS_REQUESTED),
        (S.RECORDS_REQUESTED, S.RECORDS_RECEIVED),
        (S.RECORDS_RECEIVED, S.REVIEWED),
        (S.OPINION_SENT, S.CLOSED),
    ],
)
def test_each_forward_step_is_allowed(current, target):
    assert step(current, target) is None


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.RECEIVED, S.OPINION_SENT),
        (S.RECEIVED, S.RECORDS_REQUESTED),
        (S.DECIDED, S.REVIEWED),
        (S.RECORDS_REQUESTED, S.DECIDED),
        (S.REVIEWED, S.RECEIVED),
        (S.CLOSED, S.RECEIVED),
        (S.CLOSED, S.CLOSED),
        (S.OPINION_SENT, S.REVIEWED),
    ],
)
def test_an_invalid_jump_is_refused_with_the_allowed_next_steps(current, target):
    refusal = step(current, target)
    assert f"cannot go from {current.value!r} to {target.value!r}" in refusal
    assert "next steps allowed" in refusal


def test_every_status_has_a_row_in_the_transition_table():
    assert set(rules.ALLOWED_TRANSITIONS) == set(S)


def test_records_are_requested_only_for_accepted_requests_with_consent():
    assert "only for an accepted request" in step(S.DECIDED, S.RECORDS_REQUESTED, decision=Decision.REDIRECT)
    assert "has not consented" in step(S.DECIDED, S.RECORDS_REQUESTED, consent_to_share_records=False)


def test_opinion_needs_an_outcome_and_how_it_differs():
    assert "agrees with the current plan or differs" in step(S.REVIEWED, S.OPINION_SENT)
    assert "how the opinion differs" in step(S.REVIEWED, S.OPINION_SENT, outcome=rules.Outcome.DIFFERS)
    assert step(S.REVIEWED, S.OPINION_SENT, outcome=rules.Outcome.AGREES) is None
    assert (
        step(S.REVIEWED, S.OPINION_SENT, outcome=rules.Outcome.DIFFERS, outcome_differences="Surgery first")
        is None
    )


@pytest.mark.parametrize("current", [S.RECEIVED, S.RECORDS_REQUESTED, S.RECORDS_RECEIVED, S.REVIEWED])
def test_closing_before_the_opinion_is_a_withdrawal_that_needs_a_note(current):
    assert "give the reason in the note" in step(current, S.CLOSED)
    assert step(current, S.CLOSED, note="Patient withdrew the request") is None


def test_a_decided_request_that_was_not_accepted_closes_without_a_note():
    assert step(S.DECIDED, S.CLOSED, decision=Decision.NOT_ROUTINELY_AVAILABLE) is None
    assert step(S.DECIDED, S.CLOSED, decision=Decision.REDIRECT) is None
    assert "give the reason" in step(S.DECIDED, S.CLOSED, decision=Decision.ACCEPT)


def test_model_statuses_match_the_rules():
    from second_opinions.models import SecondOpinionRequest

    assert set(SecondOpinionRequest.Status.values) == {s.value for s in S}
    assert set(SecondOpinionRequest.Decision.values) == {d.value for d in Decision}
    assert set(SecondOpinionRequest.Reason.values) == {r.value for r in Reason}
    assert set(SecondOpinionRequest.Tumour.values) == {t.value for t in Tumour}
    assert set(SecondOpinionRequest.RequestedBy.values) == {r.value for r in RequestedBy}
    assert set(SecondOpinionRequest.CurrentService.values) == {c.value for c in CurrentService}


# Issue 16 item 14: a bone-sarcoma patient under standard management at LSS asking RMH ---------------


@pytest.mark.parametrize("requested_by", list(RequestedBy))
def test_a_bone_sarcoma_patient_under_standard_management_at_lss_asking_rmh_is_under_the_capacity_rule(
    requested_by,
):
    """Item 14. second-opinions-policy-lsesn.txt: "Due to capacity considerations, we are unable to
    routinely see patients who are currently undergoing standard management in one of our two
    services for a second opinion in the other service." """
    answer = decide(
        ask(current_service=CurrentService.LSS, requested_service=RequestedService.RMH, tumour=Tumour.BONE,
            requested_by=requested_by)
    )  # fmt: skip
    assert answer.decision == Decision.NOT_ROUTINELY_AVAILABLE
    assert answer.redirect_to is None  # not "redirected to LSS", their own service
    assert any("do not routinely see a patient under standard management" in r for r in answer.reasons)
    assert "already looks after this patient, so the request is not redirected" in answer.reasons[0]
    assert answer.signpost == NOT_ROUTINE_SIGNPOSTS
    assert_cites_policy(answer)


def test_the_capacity_rules_exceptions_still_apply_to_that_patient():
    """Item 14. second-opinions-policy-lsesn.txt: "For review in a multidisciplinary team meeting on
    request by the treating sarcoma clinician." """
    answer = decide(
        ask(current_service=CurrentService.LSS, requested_service=RequestedService.RMH, tumour=Tumour.BONE,
            requested_by=RequestedBy.TREATING_SARCOMA_CLINICIAN, reason=Reason.MDT_REVIEW)
    )  # fmt: skip
    assert (answer.decision, answer.route, answer.redirect_to) == (Decision.ACCEPT, Route.MDT_REVIEW, None)


def test_that_patient_not_under_standard_management_is_accepted_and_told_treatment_stays_at_lss():
    """Item 14 (the network's choice where the policy is silent). second-opinions-policy-lsesn.txt:
    "we are unable to routinely see patients who are currently undergoing standard management" """
    answer = decide(
        ask(current_service=CurrentService.LSS, standard_management=False,
            requested_service=RequestedService.RMH, tumour=Tumour.BONE)
    )  # fmt: skip
    assert answer.decision == Decision.ACCEPT
    assert answer.redirect_to is None
    assert "would not move the treatment of a bone sarcoma" in answer.reasons[0]
