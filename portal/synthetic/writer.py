"""Bulk writing with history: COPY on PostgreSQL (each row with its "+" historical row), bulk_create
in batches elsewhere."""

import datetime
import json
from collections.abc import Callable, Iterable

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 5000


def first_free_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | datetime.date):
        return str(value)
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _history_columns(history_model, columns: list[str]) -> list[str]:
    """The columns the history table has, in the row's order."""
    names = {field.attname for field in history_model._meta.concrete_fields}
    return [column for column in columns if column in names]


class Writer:
    """Writes rows (dicts of column attnames) of a model and its historical "+" rows."""

    def __init__(self, *, now: datetime.datetime, progress: Callable[[str, int, int], None]) -> None:
        self.now = now
        self.progress = progress
        self.postgres = connection.vendor == "postgresql"

    def history_row(self, history_model, row: dict) -> dict:
        return {
            **row,
            "history_date": self.now,
            "history_type": "+",
            "history_change_reason": None,
            "history_user_id": None,
        }

    def write(self, model: type[models.Model], rows: Iterable[dict], *, total: int) -> None:
        history_model = model.history.model if hasattr(model, "history") else None
        label = model._meta.verbose_name_plural
        done = 0
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._flush(model, history_model, batch)
                done += len(batch)
                self.progress(str(label), done, total)
                batch = []
        if batch:
            self._flush(model, history_model, batch)
            done += len(batch)
        self.progress(str(label), done, max(total, done))
        self.reset_sequence(model)

    def flush(self, model: type[models.Model], batch: list[dict]) -> None:
        """Write one batch of `model` rows and their historical rows now."""
        self._flush(model, model.history.model if hasattr(model, "history") else None, batch)

    def _flush(self, model, history_model, batch: list[dict]) -> None:
        if self.postgres:
            # COPY does not apply Django's field defaults: give every column the row leaves out
            # its model default, so a field added later (NOT NULL, default "") needs no change here.
            missing = {
                field.attname: field.get_default()
                for field in model._meta.concrete_fields
                if field.attname not in batch[0] and not field.primary_key
            }
            if missing:
                batch = [{**missing, **row} for row in batch]
            columns = list(batch[0])
            lines = ["\t".join([_copy_text(row[c]) for c in columns]) for row in batch]
            self._copy(model._meta.db_table, columns, lines)
            if history_model is not None:
                # The historical row is the row itself (less any field the history excludes, such
                # as a pathway's derived tracking dates) plus the same four history columns.
                kept = _history_columns(history_model, columns)
                if kept != columns:
                    lines = ["\t".join([_copy_text(row[c]) for c in kept]) for row in batch]
                extra = self.history_row(history_model, {})
                suffix = "\t" + "\t".join(_copy_text(value) for value in extra.values())
                self._copy(
                    history_model._meta.db_table, kept + list(extra), [line + suffix for line in lines]
                )
            return
        model.objects.bulk_create([model(**row) for row in batch])
        if history_model is not None:
            kept = _history_columns(history_model, list(batch[0]))
            history_model.objects.bulk_create(
                [history_model(**self.history_row(history_model, {c: row[c] for c in kept})) for row in batch]
            )

    def _copy(self, table: str, columns: list[str], lines: list[str]) -> None:
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write("\n".join(lines) + "\n")

    def reset_sequence(self, model) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), [model])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def bulk_with_history(model, objects: list, *, now) -> list:
    """Small tables: simple_history's own helper, on every backend."""
    from simple_history.utils import bulk_create_with_history

    return bulk_create_with_history(objects, model, batch_size=BATCH, default_date=now)
