"""Importing practices from a JSON Lines file: validate all of it, then write it all or nothing.

The format is the one `sitedata.open_data` exports, so an export imports back unchanged.
Records are upserted by (slug, locale). A practice whose values already match gets no new
revision, so importing the same file twice changes nothing.

The modules, each importing only those before it:

- records: one line's object checked on its own, field by field, into a PracticeRecord;
- changes: whether a record would change a practice (validation and writing both ask);
- consistency: rules across lines and against the database;
- reading: a file's lines within their limits, decoded and checked as one whole;
- writing: the records written in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sitedata.practice_import.reading import (
    ValidationResult,
    validate_practice_file,
    validate_practice_lines,
)
from sitedata.practice_import.records import (
    MAX_LENGTHS,
    OPTIONAL_KEYS,
    REQUIRED_KEYS,
    InvalidPracticeFile,
    LineError,
    PracticeRecord,
)
from sitedata.practice_import.writing import ImportReport, apply_practice_records

__all__ = [
    "MAX_LENGTHS",
    "OPTIONAL_KEYS",
    "REQUIRED_KEYS",
    "ImportReport",
    "InvalidPracticeFile",
    "LineError",
    "PracticeRecord",
    "ValidationResult",
    "apply_practice_records",
    "import_practice_file",
    "validate_practice_file",
    "validate_practice_lines",
]


def import_practice_file(
    path: Path,
    *,
    dry_run: bool = False,
    keep_existing: bool = False,
    on_validated: Callable[[int], None] | None = None,
    on_record: Callable[[], None] | None = None,
) -> ImportReport:
    """Validate the whole file, then import it. Raises InvalidPracticeFile, writing nothing."""
    result = validate_practice_file(path, keep_existing=keep_existing)
    if not result.is_valid:
        raise InvalidPracticeFile(result.errors)
    if on_validated:
        on_validated(len(result.records))
    return apply_practice_records(
        result.records, dry_run=dry_run, keep_existing=keep_existing, on_record=on_record
    )
