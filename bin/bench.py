#!/usr/bin/env python
"""The performance benchmark (`make bench`): a script, not a test, and not part of CI.

For each size (10,000 then 1,000,000 referrals) it creates a PostgreSQL database named after
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/perf_bench) with the size as a
suffix (perf_bench_10000, perf_bench_1000000), migrates it, fills it with seed_synthetic, then
measures in a fresh process: for each hot page the p50 and p95 of server time (the Django test
Client in-process, after warm-up requests) and the SQL queries per request; and the time of each
daily sweep. It prints one table with the ratio of each figure at the largest size to the
smallest.

    bin/bench.py                       # seed both sizes and measure (drops and recreates them)
    bin/bench.py --reuse               # measure the databases left by an earlier run
    bin/bench.py --sizes 10000 --requests 20

Goals (docs/performance.md): p95 under 150 ms and within 1.5 times its p95 at 10,000 referrals;
each daily sweep under 30 seconds. The pages include the PTL (office and clinician) and the
waiting-time performance figures; the sweeps, the pathway alerts.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/perf_bench"
P95_LIMIT_MS = 150
RATIO_LIMIT = 1.5
SWEEP_LIMIT_S = 30


def database_url(base: str, size: int) -> str:
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/')}_{size}"
    if not name.startswith("perf_"):
        sys.exit("The benchmark only creates and drops databases whose names start with perf_.")
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def database_exists(url: str) -> bool:
    name = urlsplit(url).path.lstrip("/")
    with _admin_connection(url) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not name.startswith("perf_"):
        raise SystemExit("Refusing to drop a database whose name does not start with perf_.")
    with _admin_connection(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _env(url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "TEST_DATABASE_URL": url,
        "REDIS_URL": "",
    }


def seed(url: str, size: int) -> float:
    """Migrate and seed; returns the seconds seed_synthetic took."""
    env = _env(url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.monotonic()
    subprocess.run(
        [*manage, "seed_synthetic", f"--referrals={size}", "--seed=1"], env=env, check=True, cwd=ROOT
    )
    elapsed = time.monotonic() - started
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")  # fresh statistics, as autovacuum would give a live site
    return elapsed


# The measuring process ---------------------------------------------------------------------------


def measure(requests: int, warmup: int, only: str = "") -> dict:
    """Runs inside Django (portal.settings.test on TEST_DATABASE_URL). With `only`, the pages
    whose label holds it, and no sweeps."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    # Not setup_test_environment(): its template instrumentation would be timed too. The test
    # settings already send e-mail to memory (locmem), so the sweeps send nothing out.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    pages = {label: page for label, page in _pages().items() if only.lower() in label.lower()}
    results: dict = {"pages": {}, "sweeps": {}}
    for label, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        if isinstance(url, dict):  # a patient search: POSTed, then the list at its search token
            url = client.post("/patients/", url)["Location"]
        results["pages"][label] = _time_page(client, url, requests=requests, warmup=warmup)
    if not only:
        results["sweeps"] = _time_sweeps()
    return results


def _forget_sweeps() -> None:
    """Clear what earlier runs' sweeps recorded (only in a perf_ database), so the first
    waiting-time run catches up every pathway, as on freshly seeded data."""
    from django.db import connection

    if not connection.settings_dict["NAME"].startswith("perf_"):
        raise SystemExit("Refusing to clear sweep records outside a perf_ database.")
    from waiting_times.models import PathwayAlert, PathwayAlertDelivery

    models = (PathwayAlertDelivery, PathwayAlert)
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _pages() -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.urls import reverse

    from directory.models import Practitioner
    from mdt.models import MdtDiscussion
    from portal.roles import Role
    from referrals.models import Patient, Referral

    User = get_user_model()
    # With an e-mail address, as the office has: the waiting-time sweep sends it every alert.
    office, created = User.objects.get_or_create(
        username="bench-office", defaults={"is_staff": True, "email": "bench-office@example.invalid"}
    )
    if created:
        office.groups.add(Group.objects.get(name=Role.MDT_OFFICE.value))
    clinician = User.objects.filter(
        username__startswith="synthetic-", username__endswith="clinician-0000"
    ).first()
    patient_id = (
        Referral.objects.filter(responsible_consultant=clinician)
        .order_by("-received_on")
        .values("patient_id")[:1]
    )
    patient = Patient.objects.get(pk=patient_id)
    # A held meeting with a case list of about 30 (the same size at every scale).
    recent = MdtDiscussion.objects.filter(meeting__status="held").order_by("-meeting_id").values("meeting_id")
    counts = (
        MdtDiscussion.objects.filter(meeting_id__in=recent[:2000])
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .order_by("meeting_id")
    )
    meeting_id = min(counts, key=lambda row: (abs(row["n"] - 30), -row["meeting_id"]))["meeting_id"]
    middle = Patient.objects.exclude(nhs_number=None).order_by("pk")
    searched = middle.filter(family_name__regex=r"[0-9]$")[Patient.objects.count() // 4]
    # The plain surname last in the alphabet: the worst case for a search that walks the name
    # index in order (it would read almost every patient before the first match).
    common = middle.exclude(family_name__regex=r"[0-9]$").order_by("-family_name", "pk").first()
    practitioner = Practitioner.objects.order_by("pk")[Practitioner.objects.count() // 2]
    admin_list = reverse("admin:referrals_referral_changelist")
    return {
        "patient list (clinician)": (clinician, reverse("referrals:patient_list")),
        "patient list (office)": (office, reverse("referrals:patient_list")),
        "patient list, name search": (
            office,
            {"q": searched.family_name},
        ),
        # A surname shared by one patient in 50 (as Smith is in England): thousands of matches.
        "patient list, common-surname search": (
            office,
            {"q": common.family_name},
        ),
        # Surname and a given-name initial: three alternatives ("Yardley A", "A Yardley", and the
        # whole as a surname), each read on its own.
        "patient list, surname and initial search": (
            office,
            {"q": f"{common.family_name} {common.given_name[:1]}"},
        ),
        "patient page": (clinician, reverse("referrals:patient_detail", args=[patient.pk])),
        "MDT case list": (office, reverse("mdt:meeting_detail", args=[meeting_id])),
        # Offers the whole directory (3,000 practitioners at every size) four times.
        "MDT attendance form": (office, reverse("mdt:meeting_attendance", args=[meeting_id])),
        "admin referral list": (office, admin_list),
        # Awaiting MDT lists a few referrals at 10,000 and a full page of 100 at 1,000,000, so its
        # ratio measures how full the page is; "closed" fills the page at both sizes.
        "admin referral list, status filter": (office, f"{admin_list}?status__exact=awaiting_mdt"),
        "admin referral list, status filter (full page)": (office, f"{admin_list}?status__exact=closed"),
        "admin NHS-number search": (office, f"{admin_list}?q={searched.nhs_number}"),
        "directory search": (office, f"{reverse('directory:list')}?name={practitioner.name.split()[-1]}"),
        # Issue 18: the patient tracking list, every open pathway (office) or a clinician's own,
        # breaches first; and the performance figures, aggregated over twelve months of pathways.
        "PTL (office)": (office, reverse("waiting_times:ptl")),
        "PTL (clinician)": (clinician, reverse("waiting_times:ptl")),
        "waiting-time performance (office)": (office, reverse("waiting_times:performance")),
    }


def _check(response, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")


def _time_page(client, url: str, *, requests: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(url)
    if first.status_code == 302 and "_qt=" in first.get("Location", ""):
        # An admin search for an identifier moves the term out of the address into a token (the
        # audit's rule: no identifiers in URLs); a user then reads the token's page, so time that.
        url = first["Location"]
    for _ in range(warmup):
        _check(client.get(url), url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # now: the next request clears the connection's query log
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        _check(response, url)
    return {
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=20, method="inclusive")[18],
        "queries": queries,
    }


def _time_sweeps() -> dict:
    """Each beat task of a day, called in-process as the worker would run it."""
    from mdt import tasks as mdt_tasks
    from policies.tasks import send_review_alerts
    from second_opinions.tasks import send_second_opinion_reminders
    from waiting_times.tasks import send_pathway_alerts

    sweeps = {
        "waiting-time alerts (first run)": send_pathway_alerts,
        "waiting-time alerts (again)": send_pathway_alerts,
        "MDT meetings ahead": mdt_tasks.mdt_generate_meetings,
        "MDT lists close": mdt_tasks.mdt_close_lists,
        "MDT readiness chases": mdt_tasks.mdt_send_readiness_chases,
        "MDT case lists": mdt_tasks.mdt_send_case_lists,
        "MDT missing outcomes": mdt_tasks.mdt_send_missing_outcome_reminders,
        "MDT outcomes not sent": mdt_tasks.mdt_send_outcome_not_sent_reminders,
        "policy review alerts": send_review_alerts,
        "second-opinion reminders": send_second_opinion_reminders,
    }
    _forget_sweeps()
    timings = {}
    for label, sweep in sweeps.items():
        started = time.perf_counter()
        sweep()
        timings[label] = time.perf_counter() - started
    return timings


# The table ----------------------------------------------------------------------------------------


def table(results: dict[int, dict], seed_times: dict[int, float]) -> str:
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    lines = []
    head = ["page"]
    for size in sizes:
        head += [f"p50 ms @{size:,}", f"p95 ms @{size:,}", f"queries @{size:,}"]
    if len(sizes) > 1:
        head += ["p95 ratio", "queries ratio", "goal met"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for label in results[small]["pages"]:
        row = [label]
        for size in sizes:
            page = results[size]["pages"][label]
            row += [f"{page['p50']:.1f}", f"{page['p95']:.1f}", str(page["queries"])]
        if len(sizes) > 1:
            a, b = results[small]["pages"][label], results[large]["pages"][label]
            ratio = b["p95"] / a["p95"]
            met = b["p95"] < P95_LIMIT_MS and ratio <= RATIO_LIMIT
            queries_ratio = b["queries"] / a["queries"] if a["queries"] else float("nan")
            row += [f"{ratio:.2f}", f"{queries_ratio:.2f}", "yes" if met else "NO"]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    head = ["daily sweep", *[f"seconds @{size:,}" for size in sizes], "goal met"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for label in results[small]["sweeps"]:
        seconds = [results[size]["sweeps"][label] for size in sizes]
        met = "yes" if seconds[-1] < SWEEP_LIMIT_S else "NO"
        lines.append("| " + " | ".join([label, *[f"{s:.2f}" for s in seconds], met]) + " |")
    if seed_times:
        lines.append("")
        lines.append(
            "seed_synthetic: "
            + ", ".join(
                f"{size:,} referrals in {seconds:.0f} s" for size, seconds in sorted(seed_times.items())
            )
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda v: [int(s) for s in v.split(",")], default=[10_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=100, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Measure existing databases, do not reseed.")
    parser.add_argument(
        "--only", default="", help='Only the pages whose label holds this text (e.g. "PTL"), and no sweeps.'
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(args.requests, args.warmup, args.only)))
        return
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    results, seed_times = {}, {}
    # Seed every size first, then measure them all with the same code and a quiet machine.
    for size in args.sizes:
        url = database_url(base, size)
        if not (args.reuse and database_exists(url)):
            print(f"Seeding {size:,} referrals into {urlsplit(url).path.lstrip('/')} ...", file=sys.stderr)
            recreate_database(url)
            seed_times[size] = seed(url, size)
    for size in args.sizes:
        print(f"Measuring at {size:,} referrals ...", file=sys.stderr)
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                f"--requests={args.requests}",
                f"--warmup={args.warmup}",
                f"--only={args.only}",
            ],
            env=_env(database_url(base, size)),
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,  # the figures; a failure's traceback goes to the terminal
            text=True,
        ).stdout
        results[size] = json.loads(output.strip().splitlines()[-1])
        (ROOT / "var").mkdir(exist_ok=True)
        if not args.only:  # a partial run does not replace the last whole one
            (ROOT / "var" / f"bench-{size}.json").write_text(json.dumps(results[size], indent=1))
    print(table(results, seed_times))


if __name__ == "__main__":
    main()
