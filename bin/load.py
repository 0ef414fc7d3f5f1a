#!/usr/bin/env python
"""The load and fault test of the whole deployment (`make load`, issue 22): a script, not a test,
and not part of CI. docs/reliability.md has the results and the reasoning.

Everything it runs is its own and on 127.0.0.1 only, so that restarting Redis or PostgreSQL never
touches the machine's shared services:
- a private PostgreSQL cluster (initdb into var/load/pg, on a free port; settings in PG_SETTINGS),
- a private redis-server (var/load/redis, on another free port; append-only file on),
- gunicorn with portal.settings.production (GUNICORN_WORKERS x GUNICORN_THREADS, gthread),
- a Celery worker and beat on that Redis; e-mail to files in var/load/mail.

Then:
1. seeds the synthetic data (portal.synthetic, as bin/bench.py does), unless --reuse finds an
   earlier seed of the same size; prepares load-test accounts (password and two-factor device
   per user) and work for them (change requests for the SAG, discussions for outcomes);
2. runs Locust headless (bin/locustfile.py): the health endpoint with 1 user and with --users
   (the machine's ceiling), the clinician journey with 1 user and with --users (the scaling
   ratio), both closed loops (no think time) of --probe-duration each (default 60 s), and every
   role's journeys together with --users for --duration (default 300 s, the goals' 5 minutes),
   each user waiting --think seconds (default 5) on average between pages (the main table);
3. unless --no-faults, three more runs of every role's journeys, --fault-duration each (default
   180 s), each with one fault a third of the way in: Redis restarted; the Celery worker killed
   with SIGKILL (restarted 5 s later, as a supervisor would); PostgreSQL restarted. After each
   run the books are checked.

It prints one table per run (requests/s, p50/p95/p99 per page, errors) and the goals. Every
process it started is stopped on exit, on Ctrl-C and on error.

    bin/load.py --referrals 20000 --users 10 --duration 30 --probe-duration 20 --fault-duration 30
    bin/load.py --reuse             # 1,000,000 referrals, 50 users, 5 min: about 35 min in all
"""

import argparse
import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "load"
PG_BIN = Path(os.environ.get("LOAD_PG_BIN", "/usr/lib/postgresql/15/bin"))
BIN = Path(sys.executable).parent
P95_GOAL_MS = 300
RATIO_GOAL = 1.6
GUNICORN_WORKERS = 5  # 2 x cores + 1: README, "Running in production"
GUNICORN_THREADS = 4
CELERY_CONCURRENCY = 2
# The private cluster's settings (docs/reliability.md says why each).
PG_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "100",
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "work_mem": "16MB",
    "maintenance_work_mem": "512MB",
    "random_page_cost": "1.1",
    "max_wal_size": "4GB",
    "checkpoint_completion_target": "0.9",
    "jit": "off",
    "synchronous_commit": "on",
    "fsync": "on",
    "log_min_duration_statement": "1000",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up within {seconds:.0f} s (logs in {VAR / 'logs'}).")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# The processes ------------------------------------------------------------------------------------


class Processes:
    """Starts and stops everything; `stop_all` runs at exit, on Ctrl-C, on SIGTERM and on error."""

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen] = {}
        self.pg_running = False
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.web_port = free_port()
        (VAR / "logs").mkdir(parents=True, exist_ok=True)

    # PostgreSQL: pg_ctl, as the postgres user when this runs as root (initdb refuses root).
    @property
    def pg_dir(self) -> Path:
        return VAR / "pg"

    def pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_postgres, *args], check=check, capture_output=True, text=True)

    def pg_init(self) -> None:
        if self.pg_dir.exists():
            self.pg_stop_stale()
            shutil.rmtree(self.pg_dir)
        self.pg_dir.mkdir(parents=True)
        if self.as_postgres:
            shutil.chown(self.pg_dir, "postgres", "postgres")
        self.pg(
            str(PG_BIN / "initdb"), "-D", str(self.pg_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )

    def pg_stop_stale(self) -> None:
        """A cluster left running by an earlier run that was killed outright: stop it."""
        if (self.pg_dir / "postmaster.pid").exists():
            self.pg(str(PG_BIN / "pg_ctl"), "-D", str(self.pg_dir), "-m", "fast", "-w", "stop", check=False)

    def pg_start(self) -> None:
        options = " ".join(f"-c {key}={value}" for key, value in PG_SETTINGS.items())
        options += f" -p {self.pg_port} -c unix_socket_directories={self.pg_dir}"
        log = VAR / "logs" / "postgresql.log"
        log.touch()
        if self.as_postgres:
            shutil.chown(log, "postgres", "postgres")
        self.pg(str(PG_BIN / "pg_ctl"), "-D", str(self.pg_dir), "-l", str(log), "-o", options, "-w", "start")
        self.pg_running = True

    def pg_stop(self) -> None:
        self.pg(str(PG_BIN / "pg_ctl"), "-D", str(self.pg_dir), "-m", "fast", "-w", "stop", check=False)
        self.pg_running = False

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/portal_load"

    # Everything else: children in their own process groups.
    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(VAR / "logs" / f"{name}.log", "a")  # noqa: SIM115  closed with the process
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children[name] = process
        return process

    def stop(self, name: str, sig: int = signal.SIGTERM, wait: float = 20) -> None:
        process = self.children.pop(name, None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def redis_start(self) -> None:
        (VAR / "redis").mkdir(parents=True, exist_ok=True)
        self.start(
            "redis",
            [
                "redis-server",
                "--bind", "127.0.0.1",
                "--port", str(self.redis_port),
                "--dir", str(VAR / "redis"),
                "--appendonly", "yes",
                "--appendfsync", "everysec",
                "--save", "",
                "--daemonize", "no",
            ],
        )  # fmt: skip
        wait_until(lambda: port_open(self.redis_port), 20, "redis-server")

    def stop_all(self) -> None:
        for name in ["locust", "gunicorn", "beat", "worker", *list(self.children)]:
            self.stop(name)
        if self.pg_running or (self.pg_dir / "postmaster.pid").exists():
            self.pg_stop()


# The environment of every portal process ----------------------------------------------------------


def portal_env(procs: Processes) -> dict:
    secret = VAR / "secret-key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(64))
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secret.read_text().strip(),
        "DATABASE_URL": procs.database_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{procs.redis_port}/0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_BASE_URL": f"https://127.0.0.1:{procs.web_port}",
        # A pretend TLS-terminating balancer in front (the Locust users say X-Forwarded-Proto).
        "PORTAL_TRUSTED_PROXY_COUNT": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(VAR / "mail"),
        "PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED": "true",
        "PORTAL_VAR_DIR": str(VAR / "var"),
        "GUNICORN_BIND": f"127.0.0.1:{procs.web_port}",
        "GUNICORN_WORKERS": str(GUNICORN_WORKERS),
        "GUNICORN_THREADS": str(GUNICORN_THREADS),
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def in_django(env: dict, step: str, *args: str) -> dict:
    """Run one of this file's in-Django steps (below) in a fresh process; returns its JSON."""
    output = subprocess.run(
        [sys.executable, __file__, "--django", step, *args],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def seed(procs: Processes, env: dict, referrals: int, reuse: bool) -> float | None:
    """A fresh cluster seeded with `referrals`, or the earlier one if --reuse and it matches."""
    marker = VAR / "seeded.json"
    seeded = json.loads(marker.read_text()) if marker.exists() else {}
    if reuse and seeded.get("referrals") == referrals and (procs.pg_dir / "PG_VERSION").exists():
        procs.pg_stop_stale()
        procs.pg_start()
        manage(env, "migrate", "--noinput", "-v0")  # a seed from before a new migration
        return None
    marker.unlink(missing_ok=True)
    procs.pg_init()
    procs.pg_start()
    psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(procs.pg_port), "-U", "postgres"]
    subprocess.run([*psql, "-c", "CREATE DATABASE portal_load"], check=True, capture_output=True)
    manage(env, "migrate", "--noinput", "-v0")
    started = time.monotonic()
    manage(env, "seed_synthetic", f"--referrals={referrals}", "--seed=1")
    elapsed = time.monotonic() - started
    subprocess.run([*psql, "-d", "portal_load", "-c", "VACUUM ANALYZE"], check=True, capture_output=True)
    marker.write_text(json.dumps({"referrals": referrals, "seconds": elapsed}))
    return elapsed


def start_portal(procs: Processes, env: dict) -> None:
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v0")
    procs.start(
        "gunicorn",
        # Its own control socket: the default (~/.gunicorn) is shared by every gunicorn of this user.
        [str(BIN / "gunicorn"), "--control-socket", str(VAR / "gunicorn.ctl"), "portal.wsgi:application"],
        env,
    )
    start_worker(procs, env)
    (VAR / "var").mkdir(parents=True, exist_ok=True)
    procs.start(
        "beat",
        [str(BIN / "celery"), "-A", "portal", "beat", "--loglevel=WARNING",
         f"--schedule={VAR / 'var' / 'celerybeat-schedule'}"],
        env,
    )  # fmt: skip
    wait_until(lambda: port_open(procs.web_port), 60, "gunicorn")
    warm_up(procs.web_port)


def warm_up(port: int) -> None:
    """A few health requests at once, so every gunicorn worker has loaded the portal before the
    first timed run: otherwise the 1-user ceiling run's first request waits for a worker's
    imports (14 s once on a busy machine) and the machine's ceiling reads as nothing."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def health(_n: int) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=60) as response:
                return response.status
        except OSError:
            return 0

    with ThreadPoolExecutor(GUNICORN_WORKERS * GUNICORN_THREADS) as pool:
        for _round in range(3):
            list(pool.map(health, range(GUNICORN_WORKERS * GUNICORN_THREADS)))


def start_worker(procs: Processes, env: dict) -> None:
    procs.start(
        "worker",
        [str(BIN / "celery"), "-A", "portal", "worker", "--loglevel=WARNING",
         f"--concurrency={CELERY_CONCURRENCY}", "--hostname=load@%h"],
        env,
    )  # fmt: skip


# Locust ------------------------------------------------------------------------------------------


RUNS_PER_CALL = 8  # runs per invocation: each signs in with accounts of its own


def run_locust(
    procs, env, *, label, classes, users, duration, offset, think=0.0, spawn_rate=5.0, fault=None
) -> dict:
    """One headless Locust run; returns its timeline summary. Each user waits `think` seconds on
    average after each answer before its next request. `fault` is called a third of the way in and returns
    (started, ended) in epoch seconds: the outage window."""
    timeline = VAR / "runs" / f"{label}.timeline.jsonl"
    timeline.parent.mkdir(parents=True, exist_ok=True)
    timeline.unlink(missing_ok=True)
    locust_env = {
        **env,
        "LOAD_ACCOUNTS": str(VAR / "accounts.json"),
        "LOAD_LEDGER": str(VAR / "runs" / f"{label}.ledger.jsonl"),
        "LOAD_TIMELINE": str(timeline),
        "LOAD_ACCOUNT_OFFSET": str(offset),
        "LOAD_THINK_SECONDS": str(think),
    }
    (VAR / "runs" / f"{label}.ledger.jsonl").unlink(missing_ok=True)
    print(f"  {label}: {users} user(s), {duration} s, think {think:g} s ...", file=sys.stderr, flush=True)
    started = time.time()
    process = procs.start(
        "locust",
        [str(BIN / "locust"), "-f", str(ROOT / "bin" / "locustfile.py"), "--headless",
         "-u", str(users), "-r", f"{min(users, spawn_rate):g}", "-t", f"{duration}s", "--stop-timeout", "10",
         "--host", f"http://127.0.0.1:{procs.web_port}", "--only-summary", *classes],
        locust_env,
    )  # fmt: skip
    window = None
    if fault is not None:
        time.sleep(duration / 3)
        window = fault()
    process.wait(duration + 120)
    procs.children.pop("locust", None)
    return summarise(timeline, started=started, window=window)


def summarise(timeline: Path, *, started: float, window) -> dict:
    rows = [json.loads(line) for line in timeline.read_text().splitlines() if line.strip()]
    pages: dict[str, list] = {}
    for at, name, status, ms, ok, *_where in rows:
        pages.setdefault(name, []).append((at, status, ms, ok))
    result = {"pages": {}, "window": window, "started": started}
    span = (max(row[0] for row in rows) - min(row[0] for row in rows) or 1) if rows else 1
    for name, samples in sorted(pages.items()):
        times = sorted(sample[2] for sample in samples)
        result["pages"][name] = {
            "requests": len(samples),
            "rps": len(samples) / span,
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "p99": percentile(times, 99),
            "errors": sum(1 for sample in samples if not sample[3]),
        }
    # Throughput in the steady state: from the last sign-in (every user is at work; signing in
    # costs a deliberately slow password hash) to the end.
    signed_in = max((row[0] for row in rows if row[1].startswith("sign-in")), default=None)
    journeys = [row for row in rows if signed_in is None or row[0] > signed_in]
    if len(journeys) > 1:
        result["rps"] = len(journeys) / (
            max(row[0] for row in journeys) - min(row[0] for row in journeys) or 1
        )
    else:
        result["rps"] = 0.0
    result["errors"] = sum(1 for row in rows if not row[4])
    # Requests that got no status at all, with what the client saw (bin/locustfile.py records it).
    result["unanswered"] = [
        {"at": row[0], "page": row[1], "ms": row[3], "error": row[7] if len(row) > 7 else ""}
        for row in rows
        if row[2] == 0
    ][:5]
    result["server_errors"] = sum(1 for row in rows if row[2] >= 500 or row[2] == 0)
    if window:
        failing = [row[0] for row in rows if not row[4]]
        inside = [at for at in failing if window[0] - 1 <= at <= window[1] + 10]
        result["failed_for"] = (max(inside) - min(inside)) if inside else 0.0
        result["failures_in_window"] = len(inside)
        result["500s_outside_window"] = sum(
            1
            for row in rows
            if (row[2] >= 500 or row[2] == 0) and not (window[0] - 1 <= row[0] <= window[1] + 10)
        )
    return result


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# Faults -----------------------------------------------------------------------------------------


def fault_redis(procs, env):
    started = time.time()
    procs.stop("redis")
    time.sleep(5)
    procs.redis_start()
    return started, time.time()


def fault_worker(procs, env):
    started = time.time()
    procs.stop("worker", sig=signal.SIGKILL)
    time.sleep(5)  # a supervisor (systemd Restart=always) starts it again
    start_worker(procs, env)
    return started, time.time()


def fault_postgres(procs, env):
    started = time.time()
    procs.pg_stop()
    time.sleep(5)
    procs.pg_start()
    return started, time.time()


FAULTS = {
    "redis restarted": fault_redis,
    "worker killed (SIGKILL)": fault_worker,
    "postgresql restarted": fault_postgres,
}


def sweep_now(env: dict) -> None:
    """Send the waiting-time alert sweep to the worker now (as beat does at 07:00), so the fault
    lands while alerts are being sent: none may go twice."""
    subprocess.run(
        [str(BIN / "celery"), "-A", "portal", "call", "waiting_times.tasks.send_pathway_alerts"],
        env=env,
        cwd=ROOT,
        check=False,
        capture_output=True,
    )


# The tables ---------------------------------------------------------------------------------------


def table(label: str, result: dict) -> str:
    lines = [f"### {label}", "", "| page | requests | req/s | p50 ms | p95 ms | p99 ms | errors | p95 goal |"]
    lines.append("|---|---|---|---|---|---|---|---|")
    for name, page in result["pages"].items():
        met = "yes" if page["p95"] < P95_GOAL_MS else "NO"
        lines.append(
            f"| {name} | {page['requests']} | {page['rps']:.1f} | {page['p50']:.0f} | {page['p95']:.0f} "
            f"| {page['p99']:.0f} | {page['errors']} | {met} |"
        )
    lines.append("")
    lines.append(
        f"Throughput once every user has signed in: {result['rps']:.1f} requests/s; "
        f"errors: {result['errors']}."
    )
    for unanswered in result.get("unanswered", []):
        when = time.strftime("%H:%M:%S", time.localtime(unanswered["at"]))
        lines.append(
            f"No answer: {unanswered['page']} at {when}, after {unanswered['ms']:.0f} ms: "
            f"{unanswered['error'] or 'no exception recorded'}."
        )
    if result.get("window"):
        lines.append(
            f"Fault window {result['window'][1] - result['window'][0]:.1f} s; requests failed for "
            f"{result['failed_for']:.1f} s ({result['failures_in_window']} failures); server errors "
            f"outside the window (+10 s): {result['500s_outside_window']}."
        )
    if result.get("books"):
        lines.append("Books: " + "; ".join(f"{key}: {value}" for key, value in result["books"].items()))
    return "\n".join(lines)


# The in-Django steps (run with --django, in a process of their own) --------------------------------


def django_prepare(users: int) -> dict:
    """Load-test accounts with one password and a two-factor device each, and their work."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from directory.models import ChangeRequest, Practitioner
    from directory.services import change_request_propose
    from mdt.models import Mdt, MdtDiscussion, MdtMeeting
    from portal.roles import Role
    from referrals.models import Patient, Referral

    User = get_user_model()
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # hashed once: the production hasher is slow on purpose

    def accounts(prefix: str, role: Role, count: int, existing=None) -> list:
        made = []
        group = Group.objects.get(name=role.value)
        for i in range(count):
            if existing is not None:
                user = existing[i]
            else:
                user, _ = User.objects.get_or_create(
                    username=f"load-{prefix}-{i:03d}",
                    defaults={
                        "email": f"load-{prefix}-{i:03d}@example.invalid",
                        "is_staff": role == Role.MDT_OFFICE,
                    },
                )
            user.groups.add(group)
            TOTPDevice.objects.filter(user=user).delete()
            key = secrets.token_hex(20)
            TOTPDevice.objects.create(user=user, name="load", key=key, confirmed=True, tolerance=1)
            made.append({"username": user.username, "totp": key, "id": user.pk})
        User.objects.filter(pk__in=[account["id"] for account in made]).update(password=hashed)
        return made

    # Every run signs in with accounts of its own (a two-factor code is good once per account).
    count = users * RUNS_PER_CALL
    clinicians = list(
        User.objects.filter(username__startswith="synthetic-", username__contains="-clinician-").order_by(
            "pk"
        )[:count]
    )
    office = accounts("office", Role.MDT_OFFICE, count)
    sag = accounts("sag", Role.SAG_MEMBER, count)
    clinician_accounts = accounts("clinician", Role.CLINICIAN, len(clinicians), existing=clinicians)
    for account in clinician_accounts:
        account["patients"] = list(
            Referral.objects.filter(responsible_consultant_id=account["id"])
            .order_by("-received_on")
            .values_list("patient_id", flat=True)[:50]
        )
    # Work goes to the accounts a run signs in with: Locust gives each role its weight's share of
    # the users (bin/locustfile.py), the first indexes of each run's accounts.
    office_used = [a for k, a in enumerate(office) if k % users < users * 3 // 10 + 1]
    sag_used = [a for k, a in enumerate(sag) if k % users < users // 10 + 1]
    # Outcomes: discussions of meetings that have started, whose outcome is not yet sent; each
    # office account gets its own, so two never correct the same outcome at once.
    started = MdtDiscussion.objects.exclude(meeting__status=MdtMeeting.Status.CANCELLED).filter(
        meeting__starts_at__lte=timezone.now()
    )
    wanted = 10 * len(office_used)
    discussions = list(
        started.filter(outcome_sent_at__isnull=True).order_by("-pk").values_list("pk", flat=True)[:wanted]
    )
    if len(discussions) < wanted:
        # The synthetic data sends every past outcome: take the latest back to "not yet sent" (in
        # this load-test database only), so that the office has outcomes to record.
        discussions = list(started.order_by("-pk").values_list("pk", flat=True)[:wanted])
        MdtDiscussion.objects.filter(pk__in=discussions).update(outcome_sent_at=None)
    for i, account in enumerate(office_used):
        account["discussions"] = discussions[i :: len(office_used)]
    # Change requests for the SAG to decide: proposed by an office account no run signs in with
    # (nobody decides their own), notified to nobody (the proposals are set-up, not the test).
    proposer = User.objects.get(pk=office[-1]["id"])
    # Only the proposer has an e-mail address (the decisions go to it): the alert sweeps write a
    # delivery row per alert and recipient, and hundreds of office accounts would multiply them.
    User.objects.filter(username__startswith="load-").exclude(pk=proposer.pk).update(email="")
    # Its address is set again each time: a run with another --users on the same seed picks
    # another proposer, whose address an earlier run may have emptied (no decision e-mail then).
    User.objects.filter(pk=proposer.pk).update(email=f"{proposer.username}@example.invalid")
    practitioners = list(Practitioner.objects.order_by("pk")[: 30 * len(sag_used)])
    open_ids = [
        change_request_propose(
            proposer=proposer,
            kind=ChangeRequest.Kind.CHANGE,
            target_type="practitioner",
            target_id=practitioner.pk,
            values={"phone": f"020 7946 {n:04d}"},
            reason="Load test.",
            notify=False,
        ).pk
        for n, practitioner in enumerate(practitioners)
    ]
    for i, account in enumerate(sag_used):
        account["change_requests"] = open_ids[i :: len(sag_used)]
    surnames = list(
        Patient.objects.exclude(nhs_number=None)
        .order_by("pk")
        .values_list("family_name", flat=True)[:: max(1, Patient.objects.count() // 200)][:200]
    )
    # Each office user lists its cases at the next meeting of an MDT of its own (the network has
    # one per 25,000 referrals: 40 at 1,000,000), as the network's coordinators do: one weekly
    # meeting taking every case of the run grew to 300 cases a run, and its case list with it.
    # The cases earlier runs listed at meetings not yet held are taken off again, so a run on a
    # reused seed lists the same number as the first.
    mdts = list(Mdt.objects.filter(active=True).order_by("pk").values_list("pk", flat=True))
    MdtDiscussion.objects.filter(
        referral__patient__family_name__startswith="Loadtest", meeting__starts_at__gt=timezone.now()
    ).delete()
    intake = {
        "clinicians": [account["id"] for account in clinician_accounts],
        "sex": Patient.Sex.NOT_KNOWN,
        "presentation": Referral.Presentation.SUSPECTED,
        "tumour_type": Referral.TumourType.SOFT_TISSUE,
        "site": next(
            (v for v, label in Referral.SITE_CHOICES if label == "Limb"), Referral.SITE_CHOICES[0][0]
        ),
        "mdts": mdts,
        "outcome": MdtDiscussion.Outcome.values[0],
        "recipients": MdtDiscussion.Recipients.values[0],
        "surnames": surnames,
        "practitioner_names": [p.name.split()[-1] for p in practitioners[:100]],
    }
    data = {
        "password": password,
        "office": office,
        "clinician": clinician_accounts,
        "sag": sag,
        "intake": intake,
    }
    (VAR / "accounts.json").write_text(json.dumps(data))
    return {
        "office": len(office),
        "clinicians": len(clinician_accounts),
        "sag": len(sag),
        "discussions": len(discussions),
        "change_requests": len(open_ids),
    }


def mail_messages() -> list[tuple[str, str, str]]:
    """Every message in the file backend's files: (To, Subject, body). The body tells apart two
    messages with one subject (the MDT's "an outcome has not been sent" alerts, one for each
    discussion, share their subject); a message sent twice has the same body too (its Date and
    Message-ID headers differ, and are not kept)."""
    messages = []
    for path in sorted((VAR / "mail").glob("*.log")):
        for block in path.read_text(errors="replace").split("-" * 79):
            head, _blank, body = block.strip().partition("\n\n")
            headers = dict(
                line.split(": ", 1) for line in head.splitlines() if ": " in line and not line[0].isspace()
            )
            if "Subject" in headers:
                messages.append((headers.get("To", ""), headers["Subject"], body.strip()))
    return messages


def django_books(ledger_path: str, since: float, drain_seconds: int) -> dict:
    """Wait for the outbox and the queue to drain, then check what the load test was told."""
    import datetime

    import django

    django.setup()
    from django.utils import timezone

    from directory.models import ChangeRequest
    from mdt.models import MdtDiscussion
    from portal.models import OutboxMessage
    from referrals.models import Patient, Referral

    after = datetime.datetime.fromtimestamp(since, tz=datetime.UTC)
    owed = OutboxMessage.objects.filter(created_at__gte=after)
    deadline = time.monotonic() + drain_seconds
    decided = ChangeRequest.objects.filter(decided_at__gte=after)
    while time.monotonic() < deadline:
        pending = owed.filter(dispatched_at__isnull=True).count()
        unnotified = decided.filter(proposer_notified_at__isnull=True).count()
        if pending == 0 and unnotified == 0:
            break
        time.sleep(2)
    entries = [json.loads(line) for line in Path(ledger_path).read_text().splitlines() if line.strip()]
    books = {"told saved": len(entries)}
    lost, doubled = [], []
    for entry in entries:
        if entry["kind"] == "referral":
            patients = Patient.objects.filter(family_name=entry["family_name"])
            referrals = Referral.objects.filter(patient__family_name=entry["family_name"])
            history = Referral.history.filter(patient__family_name=entry["family_name"], history_type="+")
            counts = (patients.count(), referrals.count(), history.count())
            if counts != (1, 1, 1):
                (lost if 0 in counts else doubled).append(f"referral {entry['family_name']}: {counts}")
        elif entry["kind"] == "listed":
            n = MdtDiscussion.objects.filter(referral_id=entry["referral_id"]).count()
            if n != 1:
                (lost if n == 0 else doubled).append(
                    f"case-list entry of referral {entry['referral_id']}: {n}"
                )
        elif entry["kind"] == "outcome":
            n = MdtDiscussion.history.filter(
                id=entry["discussion_id"], recommendation=entry["recommendation"]
            ).count()
            current = MdtDiscussion.objects.filter(
                pk=entry["discussion_id"], recommendation=entry["recommendation"]
            ).count()
            if n != 1:
                (lost if n == 0 else doubled).append(f"outcome of discussion {entry['discussion_id']}: {n}")
            books.setdefault("outcomes later corrected", 0)
            books["outcomes later corrected"] += 1 - current
        elif entry["kind"] == "decision":
            request = ChangeRequest.objects.get(pk=entry["change_request_id"])
            if request.status != ChangeRequest.Status.REJECTED:
                lost.append(f"decision on change request {request.pk}: {request.status}")
    books["lost writes"] = len(lost)
    books["doubled writes"] = len(doubled)
    # Notifications: every owed one dispatched; each decision's e-mail sent exactly once; no
    # message (an alert or any other) sent twice to the same address.
    messages = mail_messages()
    subjects: dict[tuple[str, str], int] = {}
    copies: dict[tuple[str, str, str], int] = {}
    for to, subject, body in messages:
        subjects[(to, subject)] = subjects.get((to, subject), 0) + 1
        copies[(to, subject, body)] = copies.get((to, subject, body), 0) + 1
    decision_mail = {
        request.pk: subjects.get(
            (request.proposed_by.email, f"Directory change request #{request.pk}: rejected"), 0
        )
        for request in decided.select_related("proposed_by")
    }
    books["notifications owed"] = owed.count()
    books["owed, not dispatched"] = owed.filter(dispatched_at__isnull=True).count()
    books["decision e-mails missing"] = sum(1 for n in decision_mail.values() if n == 0)
    books["decision e-mails doubled"] = sum(1 for n in decision_mail.values() if n > 1)
    books["e-mails (all runs)"] = len(messages)
    books["e-mails sent twice"] = sum(1 for n in copies.values() if n > 1)
    books["examples"] = (lost + doubled)[:3]
    books["checked at"] = timezone.now().isoformat(timespec="seconds")
    return books


# main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    seconds = lambda v: int(v.rstrip("s"))  # noqa: E731
    parser.add_argument(
        "--duration", type=seconds, default=300, help="Seconds of the every-role run (the goals' 5 minutes)."
    )
    parser.add_argument(
        "--probe-duration",
        type=seconds,
        default=60,
        help="Seconds of each closed-loop run (the ceiling and the clinician journey, 1 and --users users).",
    )
    parser.add_argument(
        "--fault-duration",
        type=seconds,
        default=180,
        help="Seconds of each fault run (the fault a third in).",
    )
    parser.add_argument("--reuse", action="store_true", help="Reuse an earlier seed of the same size.")
    parser.add_argument("--faults", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="Seconds each user of the every-role and fault runs waits between pages, on average: each "
        "wait is drawn between half and one and a half times it (0: a closed loop).",
    )
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=5.0,
        help="Users started a second at the beginning of each run (each signs in as it starts).",
    )
    parser.add_argument("--drain", type=int, default=180, help="Seconds to wait for the outbox to drain.")
    parser.add_argument("--django", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.django:
        sys.path.insert(0, str(ROOT))
        step, *rest = args.django
        if step == "prepare":
            print(json.dumps(django_prepare(int(rest[0]))))
        else:
            print(json.dumps(django_books(rest[0], float(rest[1]), int(rest[2]))))
        return

    procs = Processes()
    atexit.register(procs.stop_all)

    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    try:
        run(procs, args)
    except KeyboardInterrupt:
        print("Interrupted: stopping everything this started.", file=sys.stderr)
        sys.exit(130)
    finally:
        procs.stop_all()


EVERY_ROLE = ["OfficeUser", "ClinicianUser", "SagUser", "AnonymousUser"]


def run(procs: Processes, args) -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    env = portal_env(procs)
    print(
        f"PostgreSQL on 127.0.0.1:{procs.pg_port}, Redis on {procs.redis_port}, gunicorn on {procs.web_port}",
        file=sys.stderr,
    )
    procs.redis_start()
    seconds = seed(procs, env, args.referrals, args.reuse)
    print(f"Seeded in {seconds:.0f} s." if seconds else "Reusing the earlier seed.", file=sys.stderr)
    print("Preparing accounts: " + json.dumps(in_django(env, "prepare", str(args.users))), file=sys.stderr)
    shutil.rmtree(VAR / "mail", ignore_errors=True)
    (VAR / "mail").mkdir()
    start_portal(procs, env)
    time.sleep(3)
    users, duration = args.users, args.duration
    # The ceiling and the scaling ratio are closed loops (no think time): each user asks again as
    # soon as it is answered, so the runs measure what the machine can serve. The every-role runs
    # are people at work: each waits --think seconds between pages, on average.
    every_role = f"every role, {users} users" + (f", {args.think:g} s think time" if args.think else "")
    probe = args.probe_duration
    runs = [
        ("ceiling, 1 user", ["CeilingUser"], 1, 0.0, probe),
        (f"ceiling, {users} users", ["CeilingUser"], users, 0.0, probe),
        ("clinician journey, 1 user", ["ClinicianUser"], 1, 0.0, probe),
        (f"clinician journey, {users} users", ["ClinicianUser"], users, 0.0, probe),
        (
            every_role,
            ["OfficeUser", "ClinicianUser", "SagUser", "AnonymousUser"],
            users,
            args.think,
            duration,
        ),
    ]
    results = {}
    offsets = (users * n for n in range(RUNS_PER_CALL))
    for label, classes, count, think, seconds in runs:
        results[label] = run_locust(
            procs,
            env,
            label=slug(label),
            classes=classes,
            users=count,
            duration=seconds,
            offset=next(offsets),
            think=think,
            spawn_rate=args.spawn_rate,
        )
    main_label = runs[-1][0]
    results[main_label]["books"] = books(env, slug(main_label), results, args.drain)
    if args.faults:
        for name, fault in FAULTS.items():
            label = f"fault: {name}, {users} users"
            sweep_now(env)
            results[label] = run_locust(
                procs,
                env,
                label=slug(label),
                classes=runs[-1][1],
                users=users,
                duration=args.fault_duration,
                offset=next(offsets),
                think=args.think,
                spawn_rate=args.spawn_rate,
                fault=lambda fault=fault: fault(procs, env),
            )
            results[label]["books"] = books(env, slug(label), results, args.drain)
    report(results, args, runs)


def books(env: dict, label: str, results: dict, drain: int) -> dict:
    """The books of one run: what was written since it started (the ledger may be empty)."""
    ledger = VAR / "runs" / f"{label}.ledger.jsonl"
    ledger.touch()
    started = next(result["started"] for name, result in results.items() if slug(name) == label)
    return in_django(env, "books", str(ledger), str(started - 5), str(drain))


def slug(label: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")


def report(results: dict, args, runs) -> None:
    users = args.users
    out = [
        f"## make load: {args.referrals:,} referrals, {users} users; every role {args.duration} s, "
        f"closed loops {args.probe_duration} s each, faults {args.fault_duration} s each",
        f"gunicorn {GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads (gthread); Celery worker "
        f"concurrency {CELERY_CONCURRENCY}; {os.cpu_count()} cores; the every-role and fault runs' users "
        f"wait {args.think:g} s between pages on average (from half to one and a half times it), "
        "the ceiling and clinician-journey runs not at all; "
        f"{args.spawn_rate:g} users started a second, each signing in as it starts",
        "",
    ]
    for label, result in results.items():
        out += [table(label, result), ""]
    ceiling = results[f"ceiling, {users} users"]["rps"] / max(results["ceiling, 1 user"]["rps"], 0.001)
    scaling = results[f"clinician journey, {users} users"]["rps"] / max(
        results["clinician journey, 1 user"]["rps"], 0.001
    )
    main = results[runs[-1][0]]
    slow = [name for name, page in main["pages"].items() if page["p95"] >= P95_GOAL_MS]
    out += [
        "### Goals",
        "",
        "| goal | figure | met |",
        "|---|---|---|",
        f"| no errors ({users} users, every role) | {main['errors']} "
        f"| {'yes' if main['errors'] == 0 else 'NO'} |",
        f"| every page's p95 under {P95_GOAL_MS} ms | {len(slow)} over: {', '.join(slow) or '-'} "
        f"| {'yes' if not slow else 'NO'} |",
        f"| throughput {users} users / 1 user (clinician journey) >= {RATIO_GOAL} | {scaling:.2f} "
        f"| {'yes' if scaling >= RATIO_GOAL else 'NO'} |",
        f"| the machine's ceiling: health endpoint {users} users / 1 user | {ceiling:.2f} | - |",
    ]
    for label, result in results.items():
        if label.startswith("fault:"):
            b = result["books"]
            clean = (
                result["500s_outside_window"] == 0
                and b["lost writes"] == 0
                and b["doubled writes"] == 0
                and b["owed, not dispatched"] == 0
                and b["decision e-mails missing"] == 0
                and b["decision e-mails doubled"] == 0
                and b["e-mails sent twice"] == 0
            )
            out.append(
                f"| {label}: no 500 outside the outage, no lost or doubled write or notification "
                f"| failed for {result['failed_for']:.1f} s | {'yes' if clean else 'NO'} |"
            )
    text = "\n".join(out)
    (VAR / "report.md").write_text(text + "\n")
    (VAR / "report.json").write_text(json.dumps(results, indent=1, default=str))
    print(text)


if __name__ == "__main__":
    main()
