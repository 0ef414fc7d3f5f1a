"""The Celery app, and the beat schedule: the one place that says what runs when.

Every scheduled task is a short "find what is due in the database, claim it, act, record it"
sweep, so a missed run or a redelivered task neither loses nor repeats anything."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="mdt_tasks")

app.conf.beat_schedule = {
    "portal-heartbeat": {
        "task": "portal.tasks.heartbeat",
        "schedule": crontab(minute="*/15"),
    },
    # MDT meetings (referrals/mdt_tasks.py): meetings ahead daily, reminders in hourly sweeps.
    "mdt-generate-meetings": {
        "task": "referrals.mdt_tasks.mdt_generate_meetings",
        "schedule": crontab(hour=2, minute=10),
    },
    "mdt-close-lists": {
        "task": "referrals.mdt_tasks.mdt_close_lists",
        "schedule": crontab(minute=1),
    },
    "mdt-readiness-chases": {
        "task": "referrals.mdt_tasks.mdt_send_readiness_chases",
        "schedule": crontab(minute=5),
    },
    "mdt-case-lists": {
        "task": "referrals.mdt_tasks.mdt_send_case_lists",
        "schedule": crontab(minute=15),
    },
    "mdt-cancellations": {
        "task": "referrals.mdt_tasks.mdt_send_cancellations",
        "schedule": crontab(minute=45),
    },
    "mdt-missing-outcome-reminders": {
        "task": "referrals.mdt_tasks.mdt_send_missing_outcome_reminders",
        "schedule": crontab(minute=25),
    },
    "mdt-outcome-not-sent-reminders": {
        "task": "referrals.mdt_tasks.mdt_send_outcome_not_sent_reminders",
        "schedule": crontab(minute=35),
    },
}
