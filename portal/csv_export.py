"""The one CSV writer for every download the portal serves (the directory, the diagnostic
evaluation, the PTL and any extract to come): formula-safe, so a cell cannot run in a spreadsheet.

A text cell that begins with `=`, `+`, `-`, `@`, a tab, a carriage return or a line feed is read
by Excel, LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)` sends a click, with
whatever the sheet holds, elsewhere; DDE formulas ran programs). Such a cell gets a leading
apostrophe, which every spreadsheet shows as text and does not display (OWASP, "CSV Injection").
Numbers are written as numbers: -5 is a value, not a formula."""

import csv
import datetime
import decimal
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> object:
    """`value` as it may go into a CSV cell: text that a spreadsheet would take for a formula is
    prefixed with an apostrophe; numbers, dates and None pass as they are."""
    if value is None or isinstance(
        value, bool | int | float | decimal.Decimal | datetime.date | datetime.datetime
    ):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


class SafeCsvWriter:
    """csv.writer with every cell passed through `safe_cell`."""

    def __init__(self, file) -> None:
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Iterable[object]]) -> HttpResponse:
    """A CSV download: UTF-8, the header row, then `rows`, every cell formula-safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SafeCsvWriter(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
