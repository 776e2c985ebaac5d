"""Upload inspection for documents: what a file really is, judged by its content and size.

A rapporteur's upload is accepted only when its bytes are what its name says (a PDF, a
Word, PowerPoint or Excel file, a CSV or a plain-text file) and it is safe to hand to the
text extractor. A refusal is an UploadRejected whose message names the file and the reason,
in the user's language. Only the header, the tail and a zip's central directory are read;
nothing is decompressed.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext

from documents.extraction import (
    MAX_COMPRESSION_RATIO,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES,
    ZipProblem,
    find_zip_problem,
)

DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
TEXT_CHECKED_BYTES = 64 * 1024
PDF_HEADER_WITHIN = 1024
PDF_TRAILER_WITHIN = 2048

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with entries, an empty zip
OOXML_CONTENT_TYPES = "[Content_Types].xml"


class DocumentKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    PPTX = "pptx"
    XLSX = "xlsx"
    CSV = "csv"
    TXT = "txt"


# The part that makes a zip an Office Open XML file of each kind.
OOXML_MAIN_PARTS = {
    "word/document.xml": DocumentKind.DOCX,
    "ppt/presentation.xml": DocumentKind.PPTX,
    "xl/workbook.xml": DocumentKind.XLSX,
}
TEXT_KINDS = frozenset({DocumentKind.CSV, DocumentKind.TXT})


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES  # sum of declared uncompressed sizes
    max_compression_ratio: int = MAX_COMPRESSION_RATIO  # per entry larger than 1 MB unpacked
    max_zip_entries: int = MAX_ZIP_ENTRIES

    @classmethod
    def from_settings(cls) -> UploadLimits:
        max_bytes = getattr(settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None)
        return cls(
            max_bytes=max_bytes or DEFAULT_MAX_UPLOAD_BYTES,
            max_unpacked_bytes=getattr(settings, "DOCUMENT_MAX_UNPACKED_BYTES", MAX_UNPACKED_BYTES),
            max_compression_ratio=getattr(
                settings, "DOCUMENT_MAX_COMPRESSION_RATIO", MAX_COMPRESSION_RATIO
            ),
        )


class UploadRejected(ValueError):
    """An upload refused, with a code for programs and a translated sentence for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def inspect_upload(file: BinaryIO, filename: str, limits: UploadLimits) -> DocumentKind:
    """Return the kind of document the upload really is, or raise UploadRejected.

    `file` is a Django UploadedFile or any seekable binary file; it is left at position 0.
    """
    name = os.path.basename(filename.replace("\\", "/")) or filename
    try:
        return _inspect(file, name, limits)
    finally:
        file.seek(0)


def _inspect(file: BinaryIO, name: str, limits: UploadLimits) -> DocumentKind:
    size = _size_of(file)
    if size == 0:
        raise UploadRejected("empty", gettext("“%(name)s” is empty.") % {"name": name})
    if size > limits.max_bytes:
        size_text, limit_text = _human_size(size), _human_size(limits.max_bytes)
        if size_text == limit_text:  # just over the limit: rounding would hide why
            size_text, limit_text = _exact_size(size), _exact_size(limits.max_bytes)
        raise UploadRejected(
            "too_large",
            gettext("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": size_text, "limit": limit_text},
        )

    file.seek(0)
    head = file.read(TEXT_CHECKED_BYTES)

    # Old Office files and password-protected new ones are both OLE compound files.
    if head.startswith(OLE_SIGNATURE):
        raise UploadRejected(
            "password_protected",
            gettext(
                "“%(name)s” is password-protected or in an old Office format (.doc, .ppt or "
                ".xls). Open it, save it as .docx, .pptx or .xlsx without a password, and "
                "upload the new copy."
            )
            % {"name": name},
        )

    claimed = _kind_from_extension(name)
    if claimed is None:
        raise UploadRejected("unsupported_type", _unsupported_message(name))

    if b"%PDF-" in head[:PDF_HEADER_WITHIN]:
        _require(claimed, DocumentKind.PDF, name)
        _check_pdf_trailer(file, size, name)
        return DocumentKind.PDF
    if head.startswith(ZIP_SIGNATURES):
        return _inspect_zip(file, claimed, name, limits)
    foreign = _foreign_type(head)
    if foreign is not None:
        raise _mismatch(name, foreign, claimed)
    if claimed not in TEXT_KINDS:
        raise _mismatch(name, _describe_unknown(head), claimed)
    if not _is_utf8_text(head, complete=size <= TEXT_CHECKED_BYTES):
        raise UploadRejected(
            "not_text",
            gettext(
                "“%(name)s” is not a plain-text file in UTF-8. Save it as “CSV UTF-8” or "
                "“Unicode (UTF-8)” text and upload it again."
            )
            % {"name": name},
        )
    return claimed


def _size_of(file: BinaryIO) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    return file.seek(0, os.SEEK_END)


def _kind_from_extension(name: str) -> DocumentKind | None:
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    try:
        return DocumentKind(extension)
    except ValueError:
        return None


def _require(claimed: DocumentKind, actual: DocumentKind, name: str) -> None:
    if claimed != actual:
        raise _mismatch(name, _kind_description(actual), claimed)


def _check_pdf_trailer(file: BinaryIO, size: int, name: str) -> None:
    file.seek(max(0, size - PDF_TRAILER_WITHIN))
    if b"%%EOF" not in file.read(PDF_TRAILER_WITHIN):
        raise UploadRejected(
            "damaged",
            gettext(
                "“%(name)s” is an incomplete PDF: its end is missing, so the upload or the "
                "download before it was probably cut off. Upload a complete copy."
            )
            % {"name": name},
        )


def _inspect_zip(
    file: BinaryIO, claimed: DocumentKind, name: str, limits: UploadLimits
) -> DocumentKind:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UploadRejected(
            "damaged",
            gettext(
                "“%(name)s” is damaged: its contents cannot be read. Open it, save it again "
                "and upload the new copy."
            )
            % {"name": name},
        ) from exc

    names = {info.filename for info in infos}
    actual = None
    if OOXML_CONTENT_TYPES in names:
        actual = next((kind for part, kind in OOXML_MAIN_PARTS.items() if part in names), None)
    if actual is None:
        raise _mismatch(name, gettext("a ZIP archive"), claimed)
    _require(claimed, actual, name)

    problem = find_zip_problem(
        infos,
        max_unpacked_bytes=limits.max_unpacked_bytes,
        max_compression_ratio=limits.max_compression_ratio,
        max_zip_entries=limits.max_zip_entries,
    )
    if problem is not None:
        raise UploadRejected(problem.code, _zip_problem_message(name, problem, limits))
    return actual


def _zip_problem_message(name: str, problem: ZipProblem, limits: UploadLimits) -> str:
    if problem.reason == "encrypted":
        return gettext(
            "“%(name)s” is password-protected. Open it, save it again without a password, "
            "and upload the new copy."
        ) % {"name": name}
    if problem.reason == "entries":
        return gettext(
            "“%(name)s” contains %(count)s internal parts, far more than a normal document "
            "(the limit is %(limit)s), so it was refused as unsafe."
        ) % {"name": name, "count": problem.amount, "limit": limits.max_zip_entries}
    if problem.reason == "unpacked":
        return gettext(
            "“%(name)s” would unpack to %(size)s, far more than a normal document (the limit "
            "is %(limit)s), so it was refused as unsafe."
        ) % {
            "name": name,
            "size": _human_size(problem.amount),
            "limit": _human_size(limits.max_unpacked_bytes),
        }
    return gettext(
        "“%(name)s” is compressed %(ratio)s to 1, far more than a normal document (the limit "
        "is %(limit)s to 1), so it was refused as unsafe."
    ) % {"name": name, "ratio": problem.amount, "limit": limits.max_compression_ratio}


def _foreign_type(head: bytes) -> str | None:
    """A translated description of a recognisable type we do not accept, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return gettext("a PNG image")
    if head.startswith(b"\xff\xd8\xff"):
        return gettext("a JPEG image")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return gettext("a GIF image")
    if head.startswith(b"MZ") and b"\x00" in head[:64]:  # a CSV may start "MZ,..."
        return gettext("a Windows program")
    if head.startswith(b"\x7fELF"):
        return gettext("a Linux program")
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return gettext("an HTML page")
    return None


def _describe_unknown(head: bytes) -> str:
    if _is_utf8_text(head, complete=False):
        return gettext("a plain-text file")
    return gettext("a file of another type")


def _kind_description(kind: DocumentKind) -> str:
    return {
        DocumentKind.PDF: gettext("a PDF"),
        DocumentKind.DOCX: gettext("a Word document (.docx)"),
        DocumentKind.PPTX: gettext("a PowerPoint presentation (.pptx)"),
        DocumentKind.XLSX: gettext("an Excel workbook (.xlsx)"),
        DocumentKind.CSV: gettext("a CSV file"),
        DocumentKind.TXT: gettext("a plain-text file"),
    }[kind]


def _mismatch(name: str, actual: str, claimed: DocumentKind) -> UploadRejected:
    return UploadRejected(
        "type_mismatch",
        gettext("“%(name)s” is %(actual)s, not %(expected)s.")
        % {"name": name, "actual": actual, "expected": _kind_description(claimed)},
    )


def _unsupported_message(name: str) -> str:
    accepted = gettext(
        "The site accepts PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), CSV and "
        "plain-text (.txt) files."
    )
    extension = os.path.splitext(name)[1]
    if not extension:
        problem = gettext("“%(name)s” has no file extension.") % {"name": name}
    else:
        problem = gettext("“%(name)s” is a %(extension)s file.") % {
            "name": name,
            "extension": extension.lower(),
        }
    return f"{problem} {accepted}"


def _is_utf8_text(head: bytes, *, complete: bool) -> bool:
    if b"\x00" in head:
        return False
    # An incremental decoder accepts a character cut in two at the end of the sample.
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    if unit == "bytes":
        return f"{size} bytes"
    number = f"{value:.1f}".removesuffix(".0")
    return f"{number} {unit}"


def _exact_size(size: int) -> str:
    return f"{size:,} bytes"
