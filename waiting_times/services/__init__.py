"""Every write of the cancer waiting times, by topic: pathways (a pathway for each new referral,
dates recorded with a reason, breach reasons, closing, next actions) and alerts (the once-only
at-risk, breached and day-38 handover alerts). Import from here:
`from waiting_times import services; services.pathway_record(...)`."""

from .alerts import (
    AlertDeliveryFailed,
    alert_deliveries_withdraw_for_user,
    clock_alerts_due,
    handover_alerts_due,
    handover_sides,
    pathway_alerts_send,
)
from .pathways import (
    RECORDABLE,
    PathwayConflict,
    next_action_add,
    next_action_complete,
    pathway_close,
    pathway_create_for_referral,
    pathway_record,
    pathway_record_breach_reason,
    pathway_record_first_treatment,
    pathway_refresh_tracking,
    pathway_validate,
)

__all__ = [
    "RECORDABLE",
    "AlertDeliveryFailed",
    "PathwayConflict",
    "alert_deliveries_withdraw_for_user",
    "clock_alerts_due",
    "handover_alerts_due",
    "handover_sides",
    "next_action_add",
    "next_action_complete",
    "pathway_alerts_send",
    "pathway_close",
    "pathway_create_for_referral",
    "pathway_record",
    "pathway_record_breach_reason",
    "pathway_record_first_treatment",
    "pathway_refresh_tracking",
    "pathway_validate",
]
