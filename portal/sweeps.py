"""Going on past a failure in a sweep (issue 17 finding 8).

A sweep that e-mails many people must not stop at the first one it cannot serve: a practitioner
whose name broke an e-mail header stopped the annual confirmation sweep for everyone after them.
`each` acts on one item at a time; an item whose action raises is logged, by its id only (no
patient data in logs), kept in `failed`, and the sweep goes on. The caller's own records say what
was done: an item that failed has no "sent" row, so the next run tries it again."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

logger = logging.getLogger(__name__)


@dataclass
class SweepResult(Generic[Item, Result]):
    done: list[Result] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)


def each(items: Iterable[Item], act: Callable[[Item], Result], *, what: str) -> SweepResult[Item, Result]:
    """`act(item)` for every item, in order. `what` names the sweep in the log ("annual
    confirmation request to practitioner %s"), with the item (an id) in place of %s."""
    result: SweepResult[Item, Result] = SweepResult()
    for item in items:
        try:
            result.done.append(act(item))
        except Exception:  # any failure of one item: record it and go on to the next
            logger.exception(f"Sweep: {what} failed; going on with the next", item)
            result.failed.append(item)
    return result
