"""One cancer pathway for every referral, from the clock fields the referral has had until now,
without losing a date (issue 18). The referral's fields stay where they are.

- received_on -> the first provider's receipt (the clock start);
- transferred_between_trusts -> a transfer whose first receipt date is unknown: received_on becomes
  the date the transfer reached us, the first receipt date is left empty (the PTL shows "first
  receipt date missing" until someone enters it) and the referring organisation becomes the
  referring provider;
- diagnosis_communicated_on -> the date the patient was told: "ruled out" when the diagnosis
  outcome recorded is "not sarcoma", otherwise "cancer" (a choice: an unknown outcome keeps the
  62-day clock running, so the patient stays on the PTL until someone says otherwise; see
  docs/clinical-safety.md);
- decision_to_treat_on -> the decision to treat; first_treatment_on -> the first treatment;
- how the pathway started: urgent suspected cancer referral, the network's usual route (the old
  fields ran all three clocks from the receipt, as this route does);
- a referral already closed, declined or redirected gets a closed pathway.

Each pathway gets its first history row, naming this migration. Dates the clock rules refuse (a
treatment before the decision to treat, say) are kept as they are: the PTL lists those pathways
first, as "dates to correct"."""

from django.db import migrations
from django.utils import timezone

from waiting_times.tracking import tracking_fields

BATCH = 2000
CLOSED_STATUSES = ("closed", "declined", "redirected")
REASON = "Moved from the referral's clock fields (issue 18)."
REFERRAL_FIELDS = (
    "id",
    "status",
    "received_on",
    "transferred_between_trusts",
    "referring_organisation_id",
    "diagnosis_communicated_on",
    "diagnosis_outcome",
    "decision_to_treat_on",
    "first_treatment_on",
)


def pathway_values(referral: dict) -> dict:
    """The new pathway's fields from one referral's old ones (a dict of REFERRAL_FIELDS)."""
    transfer = referral["transferred_between_trusts"]
    told_on = referral["diagnosis_communicated_on"]
    values = {
        "referral_id": referral["id"],
        "route": "urgent_suspected_cancer",
        "first_received_on": None if transfer else referral["received_on"],
        "transferred_on": referral["received_on"] if transfer else None,
        "referring_provider_id": referral["referring_organisation_id"] if transfer else None,
        "told_on": told_on,
        "outcome": ("ruled_out" if referral["diagnosis_outcome"] == "not_sarcoma" else "cancer") if told_on else "",
        "decision_to_treat_on": referral["decision_to_treat_on"],
        "treated_on": referral["first_treatment_on"],
    }
    for name in (
        "upgraded_on",
        "dna_rebooked_on",
        "offer_declined_for",
        "offer_available_from",
        "treatment_admitted",
        "ended_on",
        "closed_at",
    ):
        values.setdefault(name, None)
    values.update(ended="", breach_reason="", breach_reason_text="", close_reason="")
    if referral["status"] in CLOSED_STATUSES:
        values.update(closed_at=timezone.now(), close_reason=f"The referral was {referral['status']}. {REASON}")
    return values


class _Fields:
    """Attribute access to a pathway's values, as waiting_times.tracking reads them."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def pathways_from_referrals(apps, schema_editor) -> int:
    """Create the missing pathways, a batch at a time; returns how many. Referrals that already
    have one are left alone, so running it again creates nothing."""
    Referral = apps.get_model("referrals", "Referral")
    CancerPathway = apps.get_model("waiting_times", "CancerPathway")
    HistoricalCancerPathway = apps.get_model("waiting_times", "HistoricalCancerPathway")
    history_fields = {field.attname for field in HistoricalCancerPathway._meta.concrete_fields}
    today = timezone.localdate()
    created = 0
    missing = Referral.objects.filter(cancer_pathway__isnull=True).order_by("id").values(*REFERRAL_FIELDS)
    while batch := list(missing[:BATCH]):
        rows = []
        for referral in batch:
            values = pathway_values(referral)
            values.update(tracking_fields(_Fields(values), today=today))
            rows.append(CancerPathway(**values))
        pathways = CancerPathway.objects.bulk_create(rows)
        now = timezone.now()
        HistoricalCancerPathway.objects.bulk_create(
            HistoricalCancerPathway(
                **{name: value for name, value in vars(p).items() if name in history_fields},
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
            )
            for p in pathways
        )
        created += len(pathways)
    return created


class Migration(migrations.Migration):
    dependencies = [
        ("waiting_times", "0001_initial"),
        ("referrals", "0009_move_mdt_and_diagnostics_out"),
    ]

    operations = [migrations.RunPython(pathways_from_referrals, migrations.RunPython.noop, elidable=False)]
