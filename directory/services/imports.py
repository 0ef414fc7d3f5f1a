"""CSV import of practitioners and key contacts: every row becomes a change request for the
SAG (never a direct write), all or nothing."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction

from ..models import ChangeRequest, Practitioner
from .change_requests import (
    PROPOSE_PERMISSION,
    Kind,
    NothingToChangeError,
    TargetType,
    _notify_sag_on_commit,
    change_request_propose,
)

# The exports' columns; an import takes the same, plus optional `action` (add, change, retire)
# and `reason`, so a file exported, edited and imported again proposes exactly the edits.
PRACTITIONER_EXPORT_COLUMNS = [
    "id",
    "name",
    "organisation",
    "organisation_name",
    "speciality",
    "email",
    "phone",
    "core_mdt_member",
    "designation_scope",
    "designation_date",
]
KEY_CONTACT_EXPORT_COLUMNS = ["id", "service", "service_name", "label", "phone_numbers", "email", "notes"]
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass
class ImportRowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, {self.field}: {self.message}"


class ImportRejectedError(Exception):
    """The file had errors: nothing was created. `errors` names each line and field."""

    def __init__(self, errors: list[ImportRowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    unchanged_lines: list[int] = field(default_factory=list)


def _choice_code(value: str, choices) -> str:
    """Accept a choice's code or its label, in any case (a spreadsheet shows labels)."""
    for code, label in choices:
        if value.strip().lower() in {str(code).lower(), str(label).lower()}:
            return code
    return value.strip()


def _cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


def _practitioner_row_values(row: dict[str, str]) -> dict:
    """A CSV row as PractitionerForm data; a bad yes/no raises ValidationError naming the column."""
    core = _cell(row, "core_mdt_member").lower()
    if core not in _YES | _NO:
        raise ValidationError({"core_mdt_member": ["Enter yes or no."]})
    return {
        "name": _cell(row, "name"),
        "organisation": _cell(row, "organisation"),
        "speciality": _choice_code(_cell(row, "speciality"), Practitioner.Speciality.choices),
        "email": _cell(row, "email"),
        "phone": _cell(row, "phone"),
        "is_core_mdt_member": core in _YES,
        "designation_scope": _choice_code(
            _cell(row, "designation_scope"), Practitioner.DesignationScope.choices
        ),
        "designation_date": _cell(row, "designation_date"),
        "active": True,
    }


def _key_contact_row_values(row: dict[str, str]) -> dict:
    return {
        "label": _cell(row, "label"),
        "service": _cell(row, "service"),
        "phone_numbers": _cell(row, "phone_numbers"),
        "email": _cell(row, "email"),
        "notes": _cell(row, "notes"),
        "active": True,
    }


@dataclass(frozen=True)
class _ImportFormat:
    required_columns: list[str]
    row_values: Callable[[dict[str, str]], dict]
    column_of_field: dict[str, str]


IMPORT_FORMATS = {
    TargetType.PRACTITIONER: _ImportFormat(
        ["name", "organisation", "speciality"],
        _practitioner_row_values,
        {"is_core_mdt_member": "core_mdt_member"},
    ),
    TargetType.KEY_CONTACT: _ImportFormat(["label", "service"], _key_contact_row_values, {}),
}


def _propose_row(*, row: dict[str, str], target_type: str, proposer, reason: str) -> ChangeRequest:
    record_id = _cell(row, "id")
    action = _cell(row, "action").lower() or (Kind.CHANGE if record_id else Kind.ADD)
    if action not in Kind.values:
        raise ValidationError({"action": ["Enter add, change or retire."]})
    if action != Kind.ADD and not record_id.isdigit():
        raise ValidationError({"id": [f"A {action} row needs the entry's id from the export."]})
    if action == Kind.ADD and record_id:
        raise ValidationError({"id": ["An add row has no id: leave it empty."]})
    return change_request_propose(
        proposer=proposer,
        kind=action,
        target_type=target_type,
        target_id=int(record_id) if record_id else None,
        values=IMPORT_FORMATS[target_type].row_values(row) if action != Kind.RETIRE else {},
        reason=_cell(row, "reason") or reason,
        notify=False,
    )


@transaction.atomic
def change_request_import(*, proposer, target_type: str, csv_text: str, reason: str) -> ImportResult:
    """Turn a CSV of practitioners or key contacts into change requests, never direct writes.
    All or nothing: if any row is bad, ImportRejectedError lists every bad line and field and
    nothing is created. Rows identical to the current entry are skipped."""
    if not proposer.has_perm(PROPOSE_PERMISSION):
        raise PermissionDenied("Only the MDT office and SAG members may import directory changes.")
    import_format = IMPORT_FORMATS[target_type]
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    missing = [column for column in import_format.required_columns if column not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejectedError([ImportRowError(1, column, "missing column") for column in missing])
    result = ImportResult()
    errors: list[ImportRowError] = []
    for row in reader:
        line = reader.line_num
        try:
            with transaction.atomic():
                change_request = _propose_row(
                    row=row, target_type=target_type, proposer=proposer, reason=reason
                )
        except NothingToChangeError:
            result.unchanged_lines.append(line)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = "row" if name == NON_FIELD_ERRORS else import_format.column_of_field.get(name, name)
                errors.extend(ImportRowError(line, column, message) for message in messages)
        else:
            result.created.append(change_request.pk)
    if errors:
        raise ImportRejectedError(errors)
    if result.created:
        _notify_sag_on_commit(result.created)
    return result
