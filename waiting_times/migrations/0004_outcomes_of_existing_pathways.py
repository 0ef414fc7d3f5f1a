"""The performance figures' outcome fields (each standard's stop date, whether it met, the
service's share) for every pathway that exists, open or closed, from its recorded dates by the
same function the services use on every change (waiting_times.tracking.outcome_fields). Derived
values: no history rows."""

from django.db import migrations
from django.utils import timezone

from waiting_times.tracking import OUTCOME_FIELDS, outcome_fields

BATCH = 2000


def fill_outcomes(apps, schema_editor) -> None:
    CancerPathway = apps.get_model("waiting_times", "CancerPathway")
    today = timezone.localdate()
    last = 0
    while batch := list(CancerPathway.objects.filter(pk__gt=last).order_by("pk")[:BATCH]):
        for pathway in batch:
            for name, value in outcome_fields(pathway, today).items():
                setattr(pathway, name, value)
        CancerPathway.objects.bulk_update(batch, OUTCOME_FIELDS)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("waiting_times", "0003_transfers_out_and_outcomes")]

    operations = [migrations.RunPython(fill_outcomes, migrations.RunPython.noop, elidable=True)]
