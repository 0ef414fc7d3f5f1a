"""Pages that stay flat however big the table: keyset pages for long lists, and an admin
paginator that does not COUNT(*) the whole table.

A keyset page remembers where it ended by the id of its last row (URLs carry ids only) and asks
for the rows after it in the list's order, so page 10,000 costs what page 1 costs and nothing
counts the whole list."""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    next_after: int | None
    previous_before: int | None

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_after is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_before is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _cursor_id(value: str | None) -> int | None:
    """A cursor is a row id: ASCII digits within the range of a database integer. Anything else
    ("²" passes str.isdigit() but not int(), issue 17 finding 9) gives the first page."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def _beyond(fields: Sequence[str], anchor: Sequence, *, forward: bool) -> Q:
    """Rows after (or before) `anchor` in the order of `fields`: the row-value comparison
    (f1, f2, ...) > (a1, a2, ...) written as ORs, plus f1 >= a1 so an index range can start
    at the anchor instead of at the beginning of the index."""
    strict, loose = ("gt", "gte") if forward else ("lt", "lte")
    terms = []
    for i, field in enumerate(fields):
        equal = {name: anchor[j] for j, name in enumerate(fields[:i])}
        terms.append(Q(**equal, **{f"{field}__{strict}": anchor[i]}))
    return Q(**{f"{fields[0]}__{loose}": anchor[0]}) & reduce(or_, terms)


def keyset_page(
    queryset: QuerySet,
    *,
    fields: Sequence[str],
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    parts: Sequence[QuerySet] = (),
) -> KeysetPage:
    """One page of `queryset` in the order of `fields` (the last must be "pk"): the first page,
    the page after the row with id `after`, or the page before the row with id `before`. A cursor
    that is not a row of `queryset` gives the first page.

    `parts`, if given, are filters of `queryset` whose union is all of it (a search's
    alternatives). Each is read on its own, up to a page from the cursor in the list's order, and
    the reads are merged: each part can then use its own index range, where their OR would make
    the database walk a whole index or sort every match. The union's first rows are among the
    parts' first rows, so the page is the same. The parts' rows are merged in Python, so the
    values of `fields` must sort in Python as in the database (code point order: collation "C")."""
    after_id, before_id = _cursor_id(after), _cursor_id(before)
    cursor_id = after_id if after_id is not None else before_id
    anchor = None
    if cursor_id is not None:
        anchor = queryset.order_by().filter(pk=cursor_id).values_list(*fields).first()
    forward = anchor is None or after_id is not None
    order = list(fields) if forward else [f"-{field}" for field in fields]
    rows = _first_rows(list(parts) or [queryset], fields, order, anchor, forward, size + 1)
    if anchor is None:
        return KeysetPage(rows[:size], rows[size - 1].pk if len(rows) > size else None, None)
    if forward:
        page = rows[:size]
        next_after = page[-1].pk if len(rows) > size else None
        return KeysetPage(page, next_after, page[0].pk if page else None)
    page = list(reversed(rows[:size]))
    previous_before = page[0].pk if len(rows) > size else None
    return KeysetPage(page, page[-1].pk if page else None, previous_before)


def _first_rows(parts, fields, order, anchor, forward: bool, count: int) -> list:
    """The first `count` distinct rows of the union of `parts` in `order`, from `anchor`."""
    found: dict = {}
    for part in parts:
        ordered = part.order_by(*order)
        if anchor is not None:
            ordered = ordered.filter(_beyond(fields, anchor, forward=forward))
        for row in ordered[:count]:
            found.setdefault(row.pk, row)
    rows = list(found.values())
    if len(parts) > 1:
        rows.sort(key=lambda row: tuple(getattr(row, field) for field in fields), reverse=not forward)
    return rows[:count]


class EstimatedCountPaginator(Paginator):
    """The admin's paginator without COUNT(*) over a big table: on PostgreSQL it asks the planner
    how many rows the list has (EXPLAIN, which reads statistics, not rows) and counts exactly
    only when the estimate is small; elsewhere it counts. Page numbers past the estimate are
    simply empty, which the admin shows as an empty page."""

    exact_below = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        estimate = _planner_rows(queryset.order_by(), connection)
        if estimate < self.exact_below:
            return super().count
        return estimate


def _planner_rows(queryset: QuerySet, connection) -> int:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter Django knows matches nothing (`pk__in=[]`): no SQL to plan
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
