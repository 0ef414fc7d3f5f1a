"""The default broker needs no server: a real worker on a fresh machine runs a task sent through
the filesystem transport under var/ (here a temporary PORTAL_VAR_DIR)."""

import os
import subprocess
import sys
from pathlib import Path

from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_runs_a_task_on_the_embedded_filesystem_broker(tmp_path):
    queue = tmp_path / "celery" / "queue"
    processed = tmp_path / "celery" / "processed"
    results = tmp_path / "results"
    for folder in (queue, processed, results):
        folder.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.local",
            "PORTAL_VAR_DIR": str(tmp_path),
            "CELERY_RESULT_BACKEND": f"file://{results}",
        }
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )
    try:
        sender = Celery("sender", broker="filesystem://", backend=f"file://{results}")
        sender.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
        }
        sender.conf.task_serializer = "json"
        result = sender.send_task("portal.tasks.ping", args=["embedded"])
        assert result.get(timeout=60) == "pong:embedded"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
