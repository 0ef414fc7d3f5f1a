"""What other apps' pages show of letters, asked by their templates (referrals/ and mdt/ import
no letters code): the letters of a patient or of a discussion the signed-in user may see, and
for the MDT office the letters that can be written."""

from django import template

from .. import services

register = template.Library()


@register.inclusion_tag("letters/_letters.html", takes_context=True)
def patient_letters(context, patient) -> dict:
    """A patient's letters (every version), latest first, and what the office can write."""
    user = context["request"].user
    return {
        "letters": services.letters_for_patient(patient, user),
        "writable": services.letters_writable(patient) if user.has_perm("letters.add_letter") else [],
        "request": context["request"],
    }


@register.inclusion_tag("letters/_letters.html", takes_context=True)
def discussion_letters(context, discussion) -> dict:
    """A discussion's letters, and the outcome letters the office can write about it."""
    user = context["request"].user
    writable = []
    if user.has_perm("letters.add_letter"):
        writable = [
            w
            for w in services.letters_writable(discussion.referral.patient)
            if w.kind in services.MDT_KINDS and w.source_id == discussion.pk
        ]
    return {
        "letters": services.letters_for_discussion(discussion, user),
        "writable": writable,
        "request": context["request"],
    }
