"""Every write to policies: drafting, submitting, approving (which supersedes the previous
approved version), withdrawing, outstanding items, and claiming review-date alerts.

Each transition locks the document's series row first (select_for_update), re-reads the version
and checks its status, so two people acting at once get "another user got there first" instead of
two approved versions."""

import datetime
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from portal.mail import one_line
from portal.roles import Role

from . import rules
from .models import CirculationGroup, OutstandingItem, PolicyDocument, PolicyReviewAlert, PolicySeries

logger = logging.getLogger(__name__)

DEFAULT_APPROVING_BODY = "LSESN SAG"
MAX_PDF_BYTES = 20 * 1024 * 1024


class PolicyTransitionError(Exception):
    """A transition that the document's current state does not allow; the message says why."""


def _lock_version(document_id: int) -> PolicyDocument:
    """Lock the version's series, then return the version freshly read inside the lock."""
    series_id = PolicyDocument.objects.values_list("series_id", flat=True).get(pk=document_id)
    PolicySeries.objects.select_for_update().get(pk=series_id)
    return PolicyDocument.objects.get(pk=document_id)


def _require_status(document: PolicyDocument, *allowed: str, action: str) -> None:
    if document.status not in allowed:
        raise PolicyTransitionError(
            f"Cannot {action} version {document.version_number}: it is "
            f"{document.get_status_display().lower()} (another user may have got there first)."
        )


def validate_pdf(upload: UploadedFile) -> None:
    """An attached file must be a PDF: .pdf name, PDF content type and the %PDF- signature."""
    name = upload.name or ""
    content_type = getattr(upload, "content_type", None)
    if not name.lower().endswith(".pdf"):
        raise ValidationError({"document_file": "The attached file must be a PDF (a .pdf file)."})
    if content_type and content_type not in {"application/pdf", "application/x-pdf"}:
        raise ValidationError({"document_file": f"The attached file must be a PDF, not {content_type}."})
    if upload.size and upload.size > MAX_PDF_BYTES:
        raise ValidationError({"document_file": "The attached PDF must be 20 MB or smaller."})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError({"document_file": "The attached file is not a valid PDF."})


@transaction.atomic
def policy_draft_create(
    *,
    created_by,
    title: str,
    version_number: str,
    series: PolicySeries | None = None,
    aims: str = "",
    issued_by: str = "",
    authors: str = "",
    version_date: datetime.date | None = None,
    review_date: datetime.date | None = None,
    storage_location: str = "",
    circulation: Iterable[CirculationGroup] = (),
    owners: Iterable = (),
    outstanding_items: Sequence[str] = (),
    document_file: UploadedFile | None = None,
) -> PolicyDocument:
    """Create a draft version: of a new policy (series None) or a new version of `series`.

    The number is 0.x or n.x and later than every version the series already has, compared
    numerically (2.10 is later than 2.9). Raises ValidationError naming the field otherwise."""
    if not created_by.has_perm("policies.add_policydocument"):
        raise PermissionDenied("You may not draft policy documents.")
    if not title.strip():
        raise ValidationError({"title": "A document needs a title."})
    circulation = list(circulation)
    if not circulation:
        raise ValidationError({"circulation": "Circulate the document to at least one group."})
    if series is None:
        series = PolicySeries.objects.create()
        existing: list[str] = []
    else:
        series = PolicySeries.objects.select_for_update().get(pk=series.pk)
        existing = list(series.versions.values_list("version_number", flat=True))
    problem = rules.draft_version_problem(version_number, existing)
    if problem:
        raise ValidationError({"version_number": problem})
    if document_file:
        validate_pdf(document_file)
    document = PolicyDocument(
        series=series,
        title=title.strip(),
        version_number=str(rules.parse_version(version_number)),
        aims=aims,
        issued_by=issued_by,
        authors=authors,
        version_date=version_date,
        review_date=review_date,
        storage_location=storage_location,
        status=PolicyDocument.Status.DRAFT,
    )
    if document_file:
        document.document_file = document_file
    document.full_clean(exclude=["series"])
    document.save()
    document.circulation.set(circulation)
    document.owners.set(owners)
    for description in outstanding_items:
        if description.strip():
            OutstandingItem.objects.create(document=document, description=description.strip())
    return document


@transaction.atomic
def policy_version_submit(*, document_id: int, submitted_by) -> PolicyDocument:
    """Send a draft to the SAG for approval."""
    if not submitted_by.has_perm("policies.change_policydocument"):
        raise PermissionDenied("You may not submit policy documents for approval.")
    document = _lock_version(document_id)
    _require_status(document, PolicyDocument.Status.DRAFT, action="submit")
    document.status = PolicyDocument.Status.AWAITING_APPROVAL
    document.save(update_fields=["status"])
    return document


@transaction.atomic
def policy_version_approve(
    *,
    document_id: int,
    approver,
    version_number: str | None = None,
    approval_date: datetime.date | None = None,
    review_date: datetime.date | None = None,
    approved_by: str = "",
) -> PolicyDocument:
    """A SAG member approves a version awaiting approval. It takes a whole version number (by
    default the next one: 0.x becomes 1, 2.x becomes 3), the approver and approval date are
    recorded, and the previously approved version of the same document is superseded in the
    same transaction. Refused while outstanding items are open, and for a review date before the
    approval date or a number that is not whole or goes backwards."""
    if not (approver.is_sag_member and approver.has_perm("policies.approve_policydocument")):
        raise PermissionDenied("Only a SAG member may approve a policy version.")
    document = _lock_version(document_id)
    _require_status(document, PolicyDocument.Status.AWAITING_APPROVAL, action="approve")
    open_items = document.outstanding_items.filter(closed_at__isnull=True).count()
    if open_items:
        raise PolicyTransitionError(
            f"Version {document.version_number} has {open_items} open outstanding item(s): "
            "close them before approving."
        )
    others = list(document.series.versions.values_list("version_number", flat=True))
    number = (version_number or "").strip() or rules.next_approved_version(others)
    problem = rules.approved_version_problem(number, others)
    if problem:
        raise ValidationError({"version_number": problem})
    approval_date = approval_date or timezone.localdate()
    if approval_date > timezone.localdate():
        raise ValidationError({"approval_date": "The approval date cannot be in the future."})
    review_date = review_date or document.review_date
    problem = rules.review_date_problem(approval_date, review_date)
    if problem:
        raise ValidationError({"review_date" if approval_date else "approval_date": problem})

    for previous in document.series.versions.filter(status=PolicyDocument.Status.APPROVED):
        previous.status = PolicyDocument.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    document.version_number = str(rules.parse_version(number))
    document.status = PolicyDocument.Status.APPROVED
    document.approver = approver
    document.approved_by = approved_by.strip() or document.approved_by or DEFAULT_APPROVING_BODY
    document.approval_date = approval_date
    document.review_date = review_date
    document.save()
    return document


@transaction.atomic
def policy_version_withdraw(*, document_id: int, withdrawn_by) -> PolicyDocument:
    """Withdraw a draft, a version awaiting approval, or the approved version (the document is
    then no longer in force and no longer alerts)."""
    if not (
        withdrawn_by.has_perm("policies.change_policydocument")
        or withdrawn_by.has_perm("policies.approve_policydocument")
    ):
        raise PermissionDenied("You may not withdraw policy documents.")
    document = _lock_version(document_id)
    _require_status(
        document,
        PolicyDocument.Status.DRAFT,
        PolicyDocument.Status.AWAITING_APPROVAL,
        PolicyDocument.Status.APPROVED,
        action="withdraw",
    )
    document.status = PolicyDocument.Status.WITHDRAWN
    document.save(update_fields=["status"])
    return document


@transaction.atomic
def outstanding_item_add(*, document_id: int, description: str, added_by) -> OutstandingItem:
    """Raise an outstanding item on a version not yet approved."""
    if not (
        added_by.has_perm("policies.change_policydocument")
        or added_by.has_perm("policies.approve_policydocument")
    ):
        raise PermissionDenied("You may not change policy documents.")
    if not description.strip():
        raise ValidationError({"description": "Describe the outstanding item."})
    document = _lock_version(document_id)
    _require_status(
        document,
        PolicyDocument.Status.DRAFT,
        PolicyDocument.Status.AWAITING_APPROVAL,
        action="add an outstanding item to",
    )
    return OutstandingItem.objects.create(document=document, description=description.strip())


@transaction.atomic
def outstanding_item_close(*, item_id: int, closed_by) -> OutstandingItem:
    """Close an open outstanding item (claimed by a conditional update)."""
    if not (
        closed_by.has_perm("policies.change_policydocument")
        or closed_by.has_perm("policies.approve_policydocument")
    ):
        raise PermissionDenied("You may not change policy documents.")
    changed = OutstandingItem.objects.filter(pk=item_id, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=closed_by
    )
    if changed != 1:
        raise PolicyTransitionError("That item is already closed (another user got there first).")
    item = OutstandingItem.objects.get(pk=item_id)
    # The update above skips simple_history; save once more so the closure is in the history.
    item.save(update_fields=["closed_at", "closed_by"])
    return item


# Review-date alerts -------------------------------------------------------------------------------


def review_alert_claim(*, document_id: int, today: datetime.date) -> PolicyReviewAlert | None:
    """Record, and commit, the alert that is due for this version on `today`, BEFORE it is sent.

    Returns the claimed alert to send, or None when nothing is due, the version is no longer
    current, or another run claimed it first (the unique constraint on version and threshold).
    Older unsent thresholds are recorded as superseded (rules.alerts_to_send). An alert the
    mail server refused is claimed again, unless a later threshold is due by now, which
    supersedes it."""
    try:
        with transaction.atomic():
            document = _lock_version(document_id)
            if not document.is_current or document.review_date is None:
                return None
            due = rules.alert_thresholds_due(document.review_date, today)
            recorded = document.review_alerts.values_list("threshold", flat=True)
            to_send, superseded = rules.alerts_to_send(due, recorded)
            for threshold in superseded:
                _record(document, threshold, PolicyReviewAlert.Status.SUPERSEDED)
            # A claim older than a task's hard time limit belongs to a worker that died before
            # sending (a live task is killed at that limit): send it now rather than lose it.
            stale_before = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
            failed = list(
                document.review_alerts.filter(
                    Q(status=PolicyReviewAlert.Status.FAILED)
                    | Q(status=PolicyReviewAlert.Status.CLAIMED, claimed_at__lt=stale_before)
                )
            )
            if to_send is None:
                return _reclaim(failed[0]) if failed else None
            # A later threshold is due: it says everything a failed older one would have.
            for alert in failed:
                alert.status = PolicyReviewAlert.Status.SUPERSEDED
                alert.save(update_fields=["status"])
            return _record(document, to_send, PolicyReviewAlert.Status.CLAIMED)
    except IntegrityError:
        return None  # another run recorded it first


def _record(document: PolicyDocument, threshold: rules.AlertThreshold, status: str) -> PolicyReviewAlert:
    return PolicyReviewAlert.objects.create(
        document=document,
        threshold=threshold.code,
        due_on=threshold.due_on,
        review_date=document.review_date,
        status=status,
    )


def _reclaim(alert: PolicyReviewAlert) -> PolicyReviewAlert | None:
    """Claim a failed (or abandoned) alert again, unless another run just did."""
    claimed = PolicyReviewAlert.objects.filter(
        pk=alert.pk, status=alert.status, claimed_at=alert.claimed_at
    ).update(status=PolicyReviewAlert.Status.CLAIMED, claimed_at=timezone.now())
    if claimed != 1:
        return None
    # The conditional update above skips simple_history; save once more so the claim is in it.
    alert = PolicyReviewAlert.objects.get(pk=alert.pk)
    alert.save(update_fields=["status", "claimed_at"])
    return alert


def review_alert_mark_sent(*, alert_id: int, recipients: Sequence[str]) -> None:
    """Record that the claimed alert's e-mail went out, and to whom."""
    alert = PolicyReviewAlert.objects.get(pk=alert_id, status=PolicyReviewAlert.Status.CLAIMED)
    alert.status = PolicyReviewAlert.Status.SENT
    alert.sent_at = timezone.now()
    alert.recipients = "\n".join(recipients)
    alert.save(update_fields=["status", "sent_at", "recipients"])


def review_alert_mark_failed(*, alert_id: int) -> None:
    """The SMTP server refused the e-mail: the next run tries again."""
    alert = PolicyReviewAlert.objects.get(pk=alert_id, status=PolicyReviewAlert.Status.CLAIMED)
    alert.status = PolicyReviewAlert.Status.FAILED
    alert.save(update_fields=["status"])


def review_alert_recipients(document: PolicyDocument) -> list[str]:
    """The version's owners and the SAG distribution (active members of the SAG member group)."""
    User = get_user_model()
    users = User.objects.filter(is_active=True).exclude(email="")
    owners = users.filter(owned_policies=document)
    sag = users.filter(groups__name=Role.SAG_MEMBER.value)
    return sorted(set(owners.values_list("email", flat=True)) | set(sag.values_list("email", flat=True)))


def review_alert_send(*, alert_id: int) -> bool:
    """E-mail a claimed alert: which document, which version, the date of review and a link.
    Marks it sent, or failed (tried again on the next run) if it cannot be sent for any reason: a
    title with a line break once made Django refuse the subject and left the alert claimed for ever
    (issue 17 finding 8)."""
    alert = PolicyReviewAlert.objects.select_related("document").get(pk=alert_id)
    if alert.status != PolicyReviewAlert.Status.CLAIMED:
        return False
    document = alert.document
    try:
        recipients = review_alert_recipients(document)
        context = {
            "document": document,
            "alert": alert,
            "threshold": rules.describe_threshold(alert.threshold),
            "url": settings.PORTAL_BASE_URL + document.get_absolute_url(),
        }
        subject = render_to_string("policies/email/review_alert_subject.txt", context).strip()
        body = render_to_string("policies/email/review_alert_body.txt", context)
    except Exception:
        # Nothing has gone out yet, so the next run may safely try again.
        review_alert_mark_failed(alert_id=alert.pk)
        raise
    if recipients:
        try:
            send_mail(one_line(subject), body, None, recipients, fail_silently=False)
        except Exception:  # a refusing server, or anything else: never leave the alert claimed
            logger.exception("Review alert %s for policy version %s failed to send", alert.pk, document.pk)
            review_alert_mark_failed(alert_id=alert.pk)
            return False
    else:
        logger.warning("Review alert %s for policy version %s has no recipients", alert.pk, document.pk)
    review_alert_mark_sent(alert_id=alert.pk, recipients=recipients)
    return True


# What other apps ask of the register -----------------------------------------------------------------


def implemented_version_warnings(
    *, documents: Sequence[tuple[str, str]], today: datetime.date | None = None
) -> list[str]:
    """For each (title, version) some rules implement, a warning where that version is no longer
    the approved one in the register (a newer version approved, none approved, not registered) or
    is past its date of review. Referral intake asks this through the setting REFERRAL_POLICY_CHECK
    (referrals/ and policies/ do not import each other)."""
    today = today or timezone.localdate()
    warnings = []
    for title, version in documents:
        series_ids = PolicyDocument.objects.filter(title=title).values("series_id")
        current = PolicyDocument.objects.approved().filter(series_id__in=series_ids).order_by("-pk").first()
        warning = rules.implemented_version_warning(
            title=title,
            implemented=version,
            registered=PolicyDocument.objects.filter(title=title).exists(),
            approved=None
            if current is None
            else rules.RegisteredVersion(current.version_number, current.approval_date, current.review_date),
            today=today,
        )
        if warning:
            warnings.append(warning)
    return warnings
