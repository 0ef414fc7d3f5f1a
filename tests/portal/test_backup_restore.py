"""The backup and restore drill (README, "Backup and restore"): a backup restored into an empty
database holds every record and its history."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# Tables that are rebuilt, not restored: content types and permissions come from migrate.
DUMP_EXCLUDES = ["contenttypes", "auth.permission", "sessions", "axes"]


def _manage(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _counts(env: dict) -> dict[str, int]:
    script = (
        "import json; from django.apps import apps; "
        "print(json.dumps({m._meta.label: m.objects.count() for m in apps.get_models() "
        "if m._meta.app_label in {'portal','directory','policies','referrals','mdt','diagnostics',"
        "'waiting_times','second_opinions','letters'}}))"
    )
    return json.loads(_manage(env, "shell", "-c", script).strip().splitlines()[-1])


def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.local", "DATABASE_URL": database_url})
    return env


@pytest.fixture(scope="module")
def drill_databases(tmp_path_factory) -> dict[str, Path]:
    """An empty database migrated once for the module, and a copy of it with the demo data:
    migrating a file database costs about a minute, so the drill copies it rather than migrating
    one for each side of each test. Each test restores into its own copy of `empty`."""
    folder = tmp_path_factory.mktemp("drill")
    empty, seeded = folder / "empty.sqlite3", folder / "seeded.sqlite3"
    _manage(_env(f"sqlite:///{empty}"), "migrate", "--noinput", "-v0")
    shutil.copyfile(empty, seeded)
    _manage(_env(f"sqlite:///{seeded}"), "seed_demo", "--password", "drill-password-2026")
    return {"empty": empty, "seeded": seeded}


def _copy(source: Path, to: Path) -> dict:
    """The environment of a manage.py on a copy of `source` at `to`."""
    shutil.copyfile(source, to)
    return _env(f"sqlite:///{to}")


def test_dumpdata_restored_into_an_empty_database_holds_every_record_and_its_history(
    tmp_path, drill_databases
):
    source = _env(f"sqlite:///{drill_databases['seeded']}")
    backup = tmp_path / "backup.json"
    dump = _manage(
        source,
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        *[f"--exclude={e}" for e in DUMP_EXCLUDES],
    )
    backup.write_text(dump)

    target = _copy(drill_databases["empty"], tmp_path / "restored.sqlite3")
    _manage(target, "restore_backup", str(backup))

    before, after = _counts(source), _counts(target)
    assert after == before
    assert before["referrals.HistoricalReferral"] > 0
    assert before["directory.HistoricalPractitioner"] > 0
    assert before["policies.HistoricalPolicyDocument"] > 0
    # A second restore would mix two databases: it is refused.
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore_backup", str(backup)],
        cwd=ROOT, env=target, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "Restore only into an empty database" in refused.stderr
    assert before["mdt.HistoricalMdtMeeting"] > 0
    assert before["waiting_times.CancerPathway"] > 0


def test_a_backup_with_an_nhs_number_in_other_digits_is_refused_whole(tmp_path, drill_databases):
    """Guards issue 17 finding 4 ("Accept ASCII digits and spaces only, everywhere a number is
    read (forms, search, commands, imports)"): loaddata skips the model's validators, so the restore
    checks the numbers it loaded, and a bad one restores nothing."""
    source = _env(f"sqlite:///{drill_databases['seeded']}")
    rows = json.loads(
        _manage(source, "dumpdata", "--natural-foreign", "--natural-primary", "referrals.patient")
    )
    full_width = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")
    for row in rows:  # patients alone: no user for a natural key to name
        row["fields"] = {k: None if isinstance(v, list) else v for k, v in row["fields"].items()}
    rows[0]["fields"]["nhs_number"] = rows[0]["fields"]["nhs_number"].translate(full_width)
    backup = tmp_path / "bad.json"
    backup.write_text(json.dumps(rows))

    target = _copy(drill_databases["empty"], tmp_path / "restored.sqlite3")
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore_backup", str(backup)],
        cwd=ROOT, env=target, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "is not ten digits 0 to 9" in refused.stderr
    assert _counts(target)["referrals.Patient"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_restored_into_an_empty_database_holds_every_record_and_its_history():
    from django.core.management import call_command

    call_command("seed_demo", password="drill-password-2026", stdout=open(os.devnull, "w"))  # noqa: SIM115
    db = connection.settings_dict
    conn_args = [
        "-h",
        db["HOST"] or "127.0.0.1",
        "-p",
        str(db["PORT"] or 5432),
        "-U",
        db["USER"] or "postgres",
    ]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    restored = f"drill_{uuid.uuid4().hex[:8]}"
    dump = subprocess.run(
        ["pg_dump", "-Fc", *conn_args, db["NAME"]], capture_output=True, env=env, timeout=300, check=True
    ).stdout
    subprocess.run(["createdb", *conn_args, restored], env=env, check=True, timeout=60)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", *conn_args, "-d", restored],
            input=dump, env=env, check=True, timeout=300, capture_output=True,
        )  # fmt: skip
        tables = connection.introspection.table_names()

        def counts(dbname: str) -> dict[str, int]:
            sql = "; ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)  # noqa: S608 (table names from introspection)
            out = subprocess.run(
                ["psql", *conn_args, "-At", "-F", "=", "-d", dbname, "-c", sql],
                env=env, check=True, timeout=120, capture_output=True, text=True,
            ).stdout  # fmt: skip
            return dict(line.split("=") for line in out.splitlines() if "=" in line)

        before, after = counts(db["NAME"]), counts(restored)
        assert after == before
        assert int(before["referrals_historicalreferral"]) > 0
        assert int(before["directory_historicalpractitioner"]) > 0
    finally:
        subprocess.run(["dropdb", *conn_args, restored], env=env, check=False, timeout=60)
