"""Synthetic data at national scale, for the benchmark (bin/bench.py) and for load testing.

Never real people: NHS numbers come from the 999 range that NHS England reserves for testing, and
names are drawn from short invented lists. Deterministic: the same --seed and sizes give the same
rows (ids included, on an empty database).

Rows are written in bulk. On PostgreSQL each big table is written with COPY, and so is its
simple_history table: every synthetic row gets one "+" (created) historical row in the same COPY,
so the audit trail is as complete as if the rows had been created one by one. Elsewhere (SQLite)
the same rows go through bulk_create in batches, again with their historical rows.
"""
# Modules: names.py (invented names, 999 NHS numbers), writer.py (bulk writes with history),
# records.py (the records, table by table), pathways.py (a cancer pathway per referral); seed()
# below puts them together.

import random
from collections.abc import Callable

from django.utils import timezone

from . import records
from .names import nhs_check_digit, synthetic_nhs_numbers
from .sizes import Progress, Sizes
from .writer import Writer

__all__ = ["Progress", "Sizes", "Writer", "nhs_check_digit", "seed", "synthetic_nhs_numbers"]


def seed(*, sizes: Sizes, seed: int = 1, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Fill the database with synthetic data of `sizes`. Returns the number of rows per kind."""
    rng = random.Random(seed)  # noqa: S311  synthetic data, not secrets
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    writer = Writer(now=now, progress=progress or Progress())
    tag = f"s{seed}"

    organisations = records.organisations(sizes, tag=tag, now=now)
    clinicians = records.clinicians(sizes, tag=tag, now=now)
    practitioners = records.practitioners(
        sizes, rng=rng, organisations=organisations, clinicians=clinicians, now=now
    )
    mdts = records.mdts(sizes, tag=tag, organisations=organisations, practitioners=practitioners, now=now)
    meetings = records.meetings(sizes, mdts=mdts, today=today, writer=writer)
    patient_ids = records.patients(sizes, rng=rng, writer=writer, today=today)
    referral_count, discussion_count = records.referrals(
        sizes,
        rng=rng,
        writer=writer,
        today=today,
        now=now,
        patient_ids=patient_ids,
        clinician_ids=[user.pk for user in clinicians],
        organisation_ids=[org.pk for org in organisations],
        meetings=meetings,
        service_ids={mdt.pk: mdt.service_id for mdt in mdts},
    )
    second_opinions = records.second_opinions(
        sizes, rng=rng, writer=writer, today=today, now=now, patient_ids=patient_ids
    )
    policies = records.policies(sizes, rng=rng, today=today, now=now, tag=tag)
    return {
        "organisations": len(organisations),
        "clinicians": len(clinicians),
        "practitioners": len(practitioners),
        "mdts": len(mdts),
        "meetings": sum(len(ids) for ids in meetings.values()),
        "patients": len(patient_ids),
        "referrals": referral_count,
        "cancer_pathways": referral_count,
        "discussions": discussion_count,
        "second_opinions": second_opinions,
        "policies": policies,
    }
