"""Every write of the letters app: generating a letter (a new version of it, kept beside the
earlier ones), sending it (one action: secure e-mail with the PDF attached, or marked for the
post) and the daily print batch of the letters for the post.

A letter is rendered once, when it is generated: HTML from its template in templates/letters/,
PDF by WeasyPrint (through django-weasyprint's fetcher, which reads the portal's own files and
nothing from the network). Both are kept on the record, so what was checked is what was sent and
what is filed, whatever the directory says later.

Transitions claim their row (a conditional update or select_for_update) and refuse the second of
two concurrent users with "another user got there first". Bad input raises ValidationError keyed
by the field it is about, and nothing is half saved (every write is atomic).

By subject: rendering.py (HTML to PDF), content.py (what a letter says, and the reads),
letters.py (the writes). Import from here: `from letters import services`."""

from .content import (
    MDT_KINDS,
    PATIENT_KINDS,
    SECOND_OPINION_KINDS,
    TAKEN,
    LetterError,
    Source,
    Writable,
    default_recipient,
    letter_html,
    letterhead,
    letters_for_discussion,
    letters_for_patient,
    letters_writable,
    patient_identifiers,
    patient_wishes_letter,
    refusal,
    source_for,
)
from .letters import letter_email_deliver, letter_generate, letter_send, print_batch_create
from .rendering import LocalFilesOnly, html_text, render_pdf, render_pdfs_as_one

__all__ = [
    "MDT_KINDS",
    "PATIENT_KINDS",
    "SECOND_OPINION_KINDS",
    "TAKEN",
    "LetterError",
    "LocalFilesOnly",
    "Source",
    "Writable",
    "default_recipient",
    "html_text",
    "letter_email_deliver",
    "letter_generate",
    "letter_html",
    "letter_send",
    "letterhead",
    "letters_for_discussion",
    "letters_for_patient",
    "letters_writable",
    "patient_identifiers",
    "patient_wishes_letter",
    "print_batch_create",
    "refusal",
    "render_pdf",
    "render_pdfs_as_one",
    "source_for",
]
