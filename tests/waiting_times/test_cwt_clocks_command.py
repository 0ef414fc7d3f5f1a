"""The `cwt_clocks` command's contract (issue 18): one JSON object in, one out; errors exit 2.

Dates are counted by hand: received Mon 6 Jan 2025 is day 0, day 28 is 3 Feb, day 38 13 Feb,
day 62 9 Mar."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
CLOCK_KEYS = {"applies", "start", "due", "stopped_on", "days", "status", "adjustment_days"}


def cwt_clocks(payload, monkeypatch) -> dict:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(payload if isinstance(payload, str) else json.dumps(payload))
    )
    out = io.StringIO()
    call_command("cwt_clocks", stdout=out)
    return json.loads(out.getvalue())


def test_the_output_has_the_three_clocks_with_exactly_the_contracts_keys(monkeypatch):
    """Issue 18: "Output: an object with keys fds, 62 and 31, each with applies, start, due,
    stopped_on, days, status and adjustment_days; 62 also has handover_by and breach_allocation"."""
    result = cwt_clocks(
        {"route": "urgent_suspected_cancer", "received_on": "2025-01-06", "today": "2025-01-20"}, monkeypatch
    )
    assert set(result) == {"fds", "62", "31"}
    assert set(result["fds"]) == CLOCK_KEYS
    assert set(result["31"]) == CLOCK_KEYS
    assert set(result["62"]) == CLOCK_KEYS | {"handover_by", "breach_allocation"}
    assert result["fds"] == {
        "applies": True,
        "start": "2025-01-06",
        "due": "2025-02-03",
        "stopped_on": None,
        "days": 14,
        "status": "running",
        "adjustment_days": 0,
    }
    assert result["62"]["handover_by"] == "2025-02-13"
    assert result["62"]["due"] == "2025-03-09"
    assert result["31"]["status"] == "not_applicable"


def test_a_late_transfer_treated_within_24_days_is_the_referring_providers_breach(monkeypatch):
    """National Cancer Breach Allocation Guidance (2016), day 38 the handover date; issue 18:
    after day 38 and treated within 24 days of the transfer, the referring provider. Transferred on
    day 39 (14 Feb), treated 24 days later (10 Mar), day 63."""
    result = cwt_clocks(
        {
            "route": "urgent_suspected_cancer",
            "received_on": "2025-01-06",
            "transferred_on": "2025-02-14",
            "told_on": "2025-01-31",
            "outcome": "cancer",
            "decision_to_treat_on": "2025-03-01",
            "treated_on": "2025-03-10",
            "today": "2025-03-12",
        },
        monkeypatch,
    )
    assert result["fds"]["status"] == "met"
    assert result["62"] == {
        "applies": True,
        "start": "2025-01-06",
        "due": "2025-03-09",
        "stopped_on": "2025-03-10",
        "days": 63,
        "status": "breached",
        "adjustment_days": 0,
        "handover_by": "2025-02-13",
        "breach_allocation": "referring",
    }
    assert (result["31"]["days"], result["31"]["status"]) == (9, "met")


def test_a_declined_admitted_offer_is_read_as_an_object_and_adjusted(monkeypatch):
    """Issue 18: `admitted_offer_declined` (`{"offered_for": date, "available_from": date}`); "the
    days from the offered date to the date the patient is available are adjusted off the 31- and
    62-day waits". 14 days: the 62-day wait of 73 days counts 59, due 23 Mar."""
    result = cwt_clocks(
        {
            "route": "screening",
            "received_on": "2025-01-06",
            "told_on": "2025-02-01",
            "outcome": "cancer",
            "decision_to_treat_on": "2025-02-20",
            "admitted_offer_declined": {"offered_for": "2025-03-01", "available_from": "2025-03-15"},
            "treated_on": "2025-03-20",
            "today": "2025-03-21",
        },
        monkeypatch,
    )
    assert (result["62"]["adjustment_days"], result["62"]["days"], result["62"]["due"]) == (
        14,
        59,
        "2025-03-23",
    )
    assert (result["62"]["status"], result["62"]["breach_allocation"]) == ("met", None)
    assert (result["31"]["adjustment_days"], result["31"]["days"]) == (14, 14)


def test_consultant_upgrade_ruled_out_and_endings_through_the_command(monkeypatch):
    """Issue 18: "Ruled out stops the 28-day clock and ends the 62-day pathway with no breach";
    "Endings: died, declined all treatment, ruled out: the running clocks end, not breach"."""
    upgrade = cwt_clocks(
        {"route": "consultant_upgrade", "received_on": "2025-01-06", "upgraded_on": "2025-02-01",
         "today": "2025-02-11"},
        monkeypatch,
    )  # fmt: skip
    assert (upgrade["fds"]["status"], upgrade["62"]["start"], upgrade["62"]["days"]) == (
        "not_applicable",
        "2025-02-01",
        10,
    )
    ruled_out = cwt_clocks(
        {"route": "breast_symptomatic", "received_on": "2025-01-06", "told_on": "2025-03-20",
         "outcome": "ruled_out", "today": "2025-03-25"},
        monkeypatch,
    )  # fmt: skip
    assert (ruled_out["62"]["status"], ruled_out["62"]["days"]) == ("ended", 73)
    died = cwt_clocks(
        {"route": "urgent_suspected_cancer", "received_on": "2025-01-06", "ended": "died",
         "today": "2025-04-01"},
        monkeypatch,
    )  # fmt: skip
    assert (died["62"]["status"], died["62"]["stopped_on"], died["62"]["days"]) == ("ended", None, None)


def test_optional_keys_may_be_null_and_today_defaults_to_the_date_today(monkeypatch):
    """Issue 18: input keys with dates as YYYY-MM-DD; `today` defaults to the day the command runs."""
    with time_machine.travel("2025-01-20 10:00 +0000", tick=False):
        result = cwt_clocks(
            {"route": "other", "received_on": "2025-01-06", "told_on": None, "outcome": None, "today": None},
            monkeypatch,
        )
    assert (result["fds"]["status"], result["62"]["status"], result["31"]["status"]) == (
        "not_applicable",
    ) * 3
    with time_machine.travel("2025-01-20 10:00 +0000", tick=False):
        running = cwt_clocks({"route": "screening", "received_on": "2025-01-06"}, monkeypatch)
    assert running["fds"]["days"] == 14


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ({"received_on": "2025-01-06"}, "route"),
        ({"route": "screening"}, "received_on"),
        ({"route": "gp", "received_on": "2025-01-06"}, "route"),
        ({"route": "screening", "received_on": "2025-02-30"}, "received_on"),
        ({"route": "screening", "received_on": "06/01/2025"}, "received_on"),
        ({"route": "screening", "received_on": 20250106}, "received_on"),
        ({"route": "screening", "received_on": "2025-01-06", "treated_on": "2025-01-05"}, "treated_on"),
        ({"route": "screening", "received_on": "2025-01-06", "today": "2025-01-05"}, "received_on"),
        ({"route": "screening", "received_on": "2025-01-06", "colour": "red"}, "colour"),
        ({"route": "screening", "received_on": "2025-01-06", "outcome": "benign"}, "outcome"),
        ({"route": "screening", "received_on": "2025-01-06", "ended": "moved"}, "ended"),
        ({"route": "screening", "received_on": "2025-01-06", "upgraded_on": "2025-01-08"}, "upgraded_on"),
        (
            {"route": "screening", "received_on": "2025-01-06", "admitted_offer_declined": "2025-01-08"},
            "admitted_offer_declined",
        ),
        (
            {
                "route": "screening",
                "received_on": "2025-01-06",
                "admitted_offer_declined": {"offered_for": "2025-01-08"},
            },
            "admitted_offer_declined",
        ),
        (
            {
                "route": "screening",
                "received_on": "2025-01-06",
                "decision_to_treat_on": "2025-01-07",
                "admitted_offer_declined": {"offered_for": "2025-01-32", "available_from": "2025-02-01"},
            },
            "admitted_offer_declined",
        ),
    ],
)
def test_bad_input_names_the_key_and_exits_2(payload, key, monkeypatch):
    """Issue 18: "Bad input (an impossible date, an unknown route, a treatment before the
    referral) prints a message naming the key on stderr and exits with status 2"."""
    with pytest.raises(CommandError) as error:
        cwt_clocks(payload, monkeypatch)
    assert error.value.returncode == 2
    assert f"'{key}'" in str(error.value)


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "", "null"])
def test_anything_but_one_json_object_is_refused(raw, monkeypatch):
    """Issue 18: the command "reads one JSON object on stdin"."""
    with pytest.raises(CommandError) as error:
        cwt_clocks(raw, monkeypatch)
    assert error.value.returncode == 2


def test_the_command_as_a_process_prints_json_and_exits_2_on_error(tmp_path):
    """Issue 18: one JSON object on stdout; bad input: the key on stderr, exit status 2."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    ok = subprocess.run(
        [sys.executable, "manage.py", "cwt_clocks"],
        input='{"route": "urgent_suspected_cancer", "received_on": "2025-01-06", "today": "2025-02-04"}',
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["fds"]["status"] == "breached"
    bad = subprocess.run(
        [sys.executable, "manage.py", "cwt_clocks"],
        input='{"route": "urgent_suspected_cancer", "received_on": "2025-01-06", "treated_on": "2024-12-01"}',
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert "key 'treated_on'" in bad.stderr
    assert "before the referral" in bad.stderr
    assert bad.stdout == ""
