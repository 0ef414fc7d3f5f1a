"""The alerts the referral sweep raised before issue 18 (referrals.WaitingTimeAlert), recorded as
pathway alerts of the same clock and kind, so the pathway sweep that replaces it does not alert
them a second time. No deliveries: they were sent (or are in the referral sweep's own record).
Standards map fds_28 -> fds, rtt_62 -> 62, dtt_31 -> 31."""

from django.db import migrations

STANDARDS = {"fds_28": "fds", "rtt_62": "62", "dtt_31": "31"}
NOTE = "Raised by the referral waiting-time sweep before issue 18."
BATCH = 2000


def copy_alerts(apps, schema_editor) -> None:
    WaitingTimeAlert = apps.get_model("referrals", "WaitingTimeAlert")
    CancerPathway = apps.get_model("waiting_times", "CancerPathway")
    PathwayAlert = apps.get_model("waiting_times", "PathwayAlert")
    last = 0
    while batch := list(
        WaitingTimeAlert.objects.filter(pk__gt=last, standard__in=STANDARDS).order_by("pk")[:BATCH]
    ):
        pathways = dict(
            CancerPathway.objects.filter(referral_id__in={a.referral_id for a in batch}).values_list(
                "referral_id", "pk"
            )
        )
        PathwayAlert.objects.bulk_create(
            [
                PathwayAlert(
                    pathway_id=pathways[alert.referral_id],
                    kind=alert.kind,
                    standard=STANDARDS[alert.standard],
                    due_on=alert.due_on,
                    note=NOTE,
                    raised_at=alert.sent_at,
                )
                for alert in batch
                if alert.referral_id in pathways
            ],
            ignore_conflicts=True,
        )
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("waiting_times", "0005_pathway_alerts"),
        ("referrals", "0009_move_mdt_and_diagnostics_out"),
    ]

    operations = [migrations.RunPython(copy_alerts, migrations.RunPython.noop, elidable=True)]
