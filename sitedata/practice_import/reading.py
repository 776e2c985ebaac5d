"""Reading an import file: each line within its limits, decoded, parsed, then the whole file
checked as one."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sitedata.import_limits import ImportLimits, read_lines
from sitedata.practice_import.consistency import check_file
from sitedata.practice_import.records import LineError, PracticeRecord, parse_record


@dataclass
class ValidationResult:
    records: list[PracticeRecord]
    errors: list[LineError]

    @property
    def is_valid(self) -> bool:
        return not self.errors


def validate_practice_lines(
    lines: Iterable[str | bytes],
    *,
    keep_existing: bool = False,
    limits: ImportLimits | None = None,
) -> ValidationResult:
    """Check every line of an import file. Line numbers count from 1, empty lines included.

    keep_existing: the import will leave practices already there alone, so their state
    (such as an editor's pending draft) does not matter. limits: by default the settings'.
    """
    limits = limits or ImportLimits.from_settings()
    records: list[PracticeRecord] = []
    errors: list[LineError] = []
    # (locale, slug) -> line, for every line that names both, valid or not.
    declared: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(lines, start=1):
        # Before any decoding or parsing: JSON takes many times a line's size in memory.
        if limits.line_too_long(raw):
            errors.append(
                LineError(
                    number,
                    _("the line is longer than %(limit)d bytes") % {"limit": limits.line_bytes},
                )
            )
            continue
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(LineError(number, _("not valid UTF-8")))
                continue
        text = raw.lstrip("\ufeff").strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            errors.append(
                LineError(
                    number,
                    _("invalid JSON: %(message)s (column %(column)d)")
                    % {"message": error.msg, "column": error.colno},
                )
            )
            continue
        except RecursionError:
            errors.append(LineError(number, _("invalid JSON: too deeply nested")))
            continue
        except ValueError as error:
            # Such as an integer longer than Python converts (sys.get_int_max_str_digits()).
            message = str(error).split(":")[0]
            errors.append(LineError(number, _("invalid JSON: %(message)s") % {"message": message}))
            continue
        if not isinstance(data, dict):
            errors.append(LineError(number, _("expected a JSON object")))
            continue
        identity = (data.get("locale"), data.get("slug"))
        if all(isinstance(part, str) for part in identity):
            identity = (identity[0].strip(), identity[1].strip())
            if identity in declared:
                errors.append(
                    LineError(
                        number,
                        _("duplicate of line %(line)d: same slug and locale")
                        % {"line": declared[identity]},
                    )
                )
                continue
            declared[identity] = number
        try:
            records.append(parse_record(number, data, limits))
        except ValidationError as error:
            errors.extend(LineError(number, message) for message in error.messages)
    check_file(records, declared, errors, keep_existing=keep_existing)
    errors.sort(key=lambda error: error.line)
    return ValidationResult(records=records if not errors else [], errors=errors)


def validate_practice_file(
    path: Path, *, keep_existing: bool = False, limits: ImportLimits | None = None
) -> ValidationResult:
    limits = limits or ImportLimits.from_settings()
    with path.open("rb") as handle:
        return validate_practice_lines(
            read_lines(handle, limits.line_bytes), keep_existing=keep_existing, limits=limits
        )
