"""The Celery app, and the beat schedule: the one place that says what runs when.

Every scheduled task is a short "find what is due in the database, claim it, act, record it"
sweep, so a missed run or a redelivered task neither loses nor repeats anything."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_to_start(**kwargs) -> None:
    """A worker sends the e-mail: it refuses to start with a deployment that would leak patient
    data (portal/checks.py), as the web server does."""
    from portal.checks import refuse_to_start

    refuse_to_start()


app.conf.beat_schedule = {
    # The transactional outbox (portal/outbox.py): notifications whose dispatch on commit failed
    # because Redis or the worker was down go as soon as the broker is back.
    "portal-dispatch-outbox": {
        "task": "portal.tasks.dispatch_outbox",
        "schedule": crontab(minute="*"),
    },
    "portal-heartbeat": {
        "task": "portal.tasks.heartbeat",
        "schedule": crontab(minute="*/15"),
    },
    # Leavers: accounts unused for 90 days, to the MDT office lead; once per ISO week (the
    # UnusedAccountsReport row), checked daily so a missed Monday is caught up.
    "portal-unused-accounts-report": {
        "task": "portal.tasks.send_unused_accounts_report",
        "schedule": crontab(hour=7, minute=20),
    },
    # Cancer waiting times: clocks at risk or breached, and day-38 handovers due, each alert once
    # (waiting_times/services/alerts.py; it replaced the referral sweep).
    "waiting-times-pathway-alerts": {
        "task": "waiting_times.tasks.send_pathway_alerts",
        "schedule": crontab(hour=7, minute=0),
    },
    # Weekly digest: due from Monday; checked daily so a missed Monday run is caught up, and the
    # DigestSent row keeps it to once per clinician per ISO week.
    "referrals-weekly-digest": {
        "task": "referrals.tasks.send_weekly_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    # Review-date alerts for policies and pathways: sends whatever is due on or before today.
    "policies-review-alerts": {
        "task": "policies.tasks.send_review_alerts",
        "schedule": crontab(hour=7, minute=0),
    },
    "second-opinion-reminders": {
        "task": "second_opinions.tasks.send_second_opinion_reminders",
        "schedule": crontab(minute=0, hour="8-17"),
    },
    "directory-apply-due-change-requests": {
        "task": "directory.tasks.apply_due_change_requests",
        "schedule": crontab(minute=5),
    },
    "directory-send-annual-confirmation-requests": {
        "task": "directory.tasks.send_annual_confirmation_requests",
        "schedule": crontab(hour=7, minute=30),
    },
    "directory-flag-unconfirmed-entries": {
        "task": "directory.tasks.flag_unconfirmed_entries",
        "schedule": crontab(hour=7, minute=45),
    },
    # MDT meetings (mdt/tasks.py): meetings ahead daily, reminders in hourly sweeps.
    "mdt-generate-meetings": {
        "task": "mdt.tasks.mdt_generate_meetings",
        "schedule": crontab(hour=2, minute=10),
    },
    "mdt-close-lists": {
        "task": "mdt.tasks.mdt_close_lists",
        "schedule": crontab(minute=1),
    },
    "mdt-readiness-chases": {
        "task": "mdt.tasks.mdt_send_readiness_chases",
        "schedule": crontab(minute=5),
    },
    "mdt-case-lists": {
        "task": "mdt.tasks.mdt_send_case_lists",
        "schedule": crontab(minute=15),
    },
    "mdt-cancellations": {
        "task": "mdt.tasks.mdt_send_cancellations",
        "schedule": crontab(minute=45),
    },
    "mdt-missing-outcome-reminders": {
        "task": "mdt.tasks.mdt_send_missing_outcome_reminders",
        "schedule": crontab(minute=25),
    },
    "mdt-outcome-not-sent-reminders": {
        "task": "mdt.tasks.mdt_send_outcome_not_sent_reminders",
        "schedule": crontab(minute=35),
    },
    # Letters (letters/tasks.py): the day's letters for the post in one PDF for the MDT office,
    # every afternoon at 15:30; letters marked after it go in the next day's batch.
    "letters-print-batch": {
        "task": "letters.tasks.letters_print_batch",
        "schedule": crontab(hour=15, minute=30),
    },
}
