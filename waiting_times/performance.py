"""The performance figures: per month and provider, each standard's numerator (patients whose
clock stopped in time), denominator (patients whose clock stopped) and percentage against its
operational threshold (the CWT_THRESHOLDS setting); and the breaches of each month and provider
counted by their reason. Reads only.

Counted in the database (GROUP BY month and provider) from the outcome fields each pathway
stores (CancerPathway's fds_*, rtt62_* and dtt31_*, kept by waiting_times.services with every
change of a date): never a loop over pathways.

- **Month**: the month the clock stopped (told or decided, for the FDS; the first treatment for
  the 31- and 62-day standards), as the national figures count clock stops in the month.
- **Provider**: the referral's service (the network's provider), and the other provider of an
  inter-provider transfer: the referring provider of a transfer in, the provider that treats a
  transfer out. Each side counts its share of the patient (`rules.treating_provider_halves`):
  half each on a 62-day two-provider pathway, a breach reallocated by the Breach Allocation
  Guidance (2016). Shares are kept in half patients, so sums are exact; a provider's figure can
  be 2.5 patients.
- Every pathway counts, open or closed: closing a pathway takes it off the PTL, not out of the
  figures."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from directory.models import Organisation, Service

from .models import BreachReason
from .tracking import OUTCOME_PREFIX, Standard

WHOLE = 2  # half patients in a patient
STANDARDS = (Standard.FDS, Standard.DTT_31, Standard.RTT_62)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


@dataclass(frozen=True, order=True)
class Provider:
    """A provider the figures count to: a service of the network, an organisation (the other
    side of a transfer), or one not recorded. `key` is what a URL carries: s<id>, o<id>, none."""

    sort_key: tuple
    key: str
    name: str


NOT_RECORDED = Provider((2, ""), "none", "Provider not recorded")


def _half(halves: int) -> Decimal:
    return Decimal(halves) / WHOLE


@dataclass(frozen=True)
class Figure:
    """One standard's figure for one month and provider; patients in half patients."""

    month: datetime.date
    provider: Provider
    standard: Standard
    met_halves: int
    total_halves: int

    @property
    def numerator(self) -> Decimal:
        return _half(self.met_halves)

    @property
    def denominator(self) -> Decimal:
        return _half(self.total_halves)

    @property
    def percent(self) -> Decimal | None:
        if not self.total_halves:
            return None
        return (Decimal(100) * self.met_halves / self.total_halves).quantize(Decimal("0.1"))

    @property
    def threshold(self) -> int:
        return settings.CWT_THRESHOLDS[self.standard.value]

    @property
    def meets_threshold(self) -> bool | None:
        return None if self.percent is None else self.percent >= self.threshold


@dataclass(frozen=True)
class BreachCount:
    """Breaches of one standard in one month and provider with one reason ("" not recorded)."""

    month: datetime.date
    provider: Provider
    standard: Standard
    reason: str
    halves: int

    @property
    def count(self) -> Decimal:
        return _half(self.halves)

    @property
    def reason_label(self) -> str:
        return BreachReason(self.reason).label if self.reason else "Not recorded yet"


def _sides(queryset: QuerySet, standard: Standard, first: datetime.date, last: datetime.date):
    """The two GROUP BY queries of one standard: the service's side and the other provider's,
    each a values() queryset with `month`, `provider` and the share `halves` of every pathway."""
    prefix = OUTCOME_PREFIX[standard]
    stopped = (queryset.order_by().filter(**{f"{prefix}_stopped_on__range": (first, last)})).annotate(
        month=TruncMonth(f"{prefix}_stopped_on")
    )
    service = stopped.filter(**{f"{prefix}_service_halves__gt": 0}).annotate(
        provider=F("referral__service"), halves=F(f"{prefix}_service_halves")
    )
    other = stopped.filter(**{f"{prefix}_service_halves__lt": WHOLE}).annotate(
        provider=Coalesce("referring_provider", "transfer_out_to"),
        halves=Value(WHOLE, output_field=IntegerField()) - F(f"{prefix}_service_halves"),
    )
    return prefix, (("s", service), ("o", other))


def _providers(service_ids: set[int], organisation_ids: set[int]) -> dict[tuple[str, int | None], Provider]:
    providers: dict[tuple[str, int | None], Provider] = {("s", None): NOT_RECORDED, ("o", None): NOT_RECORDED}
    for service in Service.objects.filter(pk__in=service_ids):
        providers["s", service.pk] = Provider(
            (0, service.name), f"s{service.pk}", f"{service.name} ({service.code})"
        )
    for organisation in Organisation.objects.filter(pk__in=organisation_ids):
        providers["o", organisation.pk] = Provider(
            (1, organisation.name), f"o{organisation.pk}", f"{organisation.name} ({organisation.ods_code})"
        )
    return providers


def _named(rows: list[tuple[str, dict]]) -> dict[tuple[str, int | None], Provider]:
    return _providers(
        {row["provider"] for side, row in rows if side == "s" and row["provider"]},
        {row["provider"] for side, row in rows if side == "o" and row["provider"]},
    )


def standard_figures(queryset: QuerySet, *, first: datetime.date, last: datetime.date) -> list[Figure]:
    """Each standard's figures for the months from `first` to `last` (inclusive dates), by month,
    provider and standard. Six GROUP BY queries and two to name the providers."""
    rows: list[tuple[Standard, str, dict]] = []
    for standard in STANDARDS:
        prefix, sides = _sides(queryset, standard, first, last)
        for side, grouped in sides:
            for row in grouped.values("month", "provider").annotate(
                total=Sum("halves"), met=Sum("halves", filter=Q(**{f"{prefix}_met": True}))
            ):
                rows.append((standard, side, row))
    providers = _named([(side, row) for _, side, row in rows])
    totals: dict[tuple, list[int]] = {}
    for standard, side, row in rows:
        key = (_as_date(row["month"]), providers[side, row["provider"]], standard)
        tally = totals.setdefault(key, [0, 0])
        tally[0] += row["met"] or 0
        tally[1] += row["total"] or 0
    return sorted(
        (
            Figure(month, provider, standard, met, total)
            for (month, provider, standard), (met, total) in totals.items()
        ),
        key=lambda figure: (figure.month, figure.provider, STANDARDS.index(figure.standard)),
    )


def breach_reasons(queryset: QuerySet, *, first: datetime.date, last: datetime.date) -> list[BreachCount]:
    """The clocks that stopped breached in the months from `first` to `last`, counted by month,
    provider, standard and breach reason, each provider its share of the breach."""
    rows: list[tuple[Standard, str, dict]] = []
    for standard in STANDARDS:
        prefix, sides = _sides(queryset, standard, first, last)
        for side, grouped in sides:
            breached = grouped.filter(**{f"{prefix}_met": False})
            for row in breached.values("month", "provider", "breach_reason").annotate(count=Sum("halves")):
                rows.append((standard, side, row))
    providers = _named([(side, row) for _, side, row in rows])
    counts: dict[tuple, int] = {}
    for standard, side, row in rows:
        key = (_as_date(row["month"]), providers[side, row["provider"]], standard, row["breach_reason"])
        counts[key] = counts.get(key, 0) + (row["count"] or 0)
    return sorted(
        (BreachCount(*key, halves) for key, halves in counts.items() if halves),
        key=lambda count: (count.month, count.provider, STANDARDS.index(count.standard), count.reason),
    )


def _as_date(value) -> datetime.date:
    """TruncMonth of a DateField gives a date on every backend; a datetime would be a surprise."""
    return value.date() if isinstance(value, datetime.datetime) else value


def network_totals(figures: list[Figure]) -> list[Figure]:
    """The whole network's figure per month and standard: the sum of every provider's shares
    (each patient counted once, whatever the sharing)."""
    totals: dict[tuple[datetime.date, Standard], list[int]] = {}
    for figure in figures:
        tally = totals.setdefault((figure.month, figure.standard), [0, 0])
        tally[0] += figure.met_halves
        tally[1] += figure.total_halves
    network = Provider((-1, ""), "network", "Whole network")
    return [
        Figure(month, network, standard, met, total)
        for (month, standard), (met, total) in sorted(
            totals.items(), key=lambda item: (item[0][0], STANDARDS.index(item[0][1]))
        )
    ]
