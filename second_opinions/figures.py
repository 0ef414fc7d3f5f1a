"""Figures for the Sarcoma Advisory Group: requests by route and decision, turnaround from request
to opinion sent, and the share of opinions that changed the plan. Reads only; aggregates only (no
patient appears)."""

import statistics
from dataclasses import dataclass

from django.db.models import Count

from .models import SecondOpinionRequest

R = SecondOpinionRequest


@dataclass(frozen=True)
class RouteDecisionCount:
    decision: str
    route: str
    count: int


@dataclass(frozen=True)
class SecondOpinionFigures:
    total: int
    by_route_and_decision: list[RouteDecisionCount]
    opinions_sent: int
    turnaround_median_days: float | None
    turnaround_mean_days: float | None
    turnaround_longest_days: int | None
    changed_plan: int
    changed_plan_percent: float | None


def second_opinion_figures(queryset=None) -> SecondOpinionFigures:
    """The SAG's figures over `queryset` (every request by default)."""
    queryset = R.objects.all() if queryset is None else queryset
    decision_labels = dict(R.Decision.choices)
    route_labels = {**dict(R.Route.choices), "": "No route"}
    rows = (
        queryset.order_by().values("decision", "route").annotate(n=Count("pk")).order_by("decision", "route")
    )
    by_route_and_decision = [
        RouteDecisionCount(decision_labels[row["decision"]], route_labels[row["route"]], row["n"])
        for row in rows
    ]
    sent = list(
        queryset.filter(opinion_sent_on__isnull=False).values_list(
            "received_on", "opinion_sent_on", "outcome"
        )
    )
    days = [(sent_on - received_on).days for received_on, sent_on, _ in sent]
    changed = sum(1 for *_, outcome in sent if outcome == R.Outcome.DIFFERS)
    return SecondOpinionFigures(
        total=queryset.count(),
        by_route_and_decision=by_route_and_decision,
        opinions_sent=len(sent),
        turnaround_median_days=statistics.median(days) if days else None,
        turnaround_mean_days=round(statistics.mean(days), 1) if days else None,
        turnaround_longest_days=max(days) if days else None,
        changed_plan=changed,
        changed_plan_percent=round(100 * changed / len(sent), 1) if sent else None,
    )
