"""Sandboxed text extraction: each kind's text comes back, and every hostile or broken file
ends as a recorded failure with a code, never an exception or a hung worker."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from documents.extraction import (
    ERROR_CODES,
    PROJECT_ROOT,
    ExtractionResult,
    _result_from_child,
    extract_in_sandbox,
    failure_message,
    normalise_text,
)
from tests.documents import files


@pytest.fixture(scope="module")
def large_docx() -> bytes:
    """40 MB of paragraphs: fine at the default limit, too much for a 128 MB child."""
    return files.docx_with_large_body(unpacked_mb=40)


@pytest.fixture(scope="module")
def twenty_page_pdf() -> bytes:
    lines = "Page {page} line {line} of the Seoul report."
    return files.pdf_with_pages(
        [[lines.format(page=page, line=line) for line in range(40)] for page in range(20)]
    )


def assert_extracted(result: ExtractionResult, *phrases: str) -> None:
    assert result.ok, (result.error_code, result.detail)
    assert result.error_code == ""
    for phrase in phrases:
        assert phrase in result.text


def test_pdf_text_comes_back():
    data = files.pdf_with_text("Drive-through screening stations", "Seoul (2020) \\ Café")
    result = extract_in_sandbox(data, "pdf")
    assert_extracted(result, "Drive-through screening stations", "Seoul (2020) \\ Café")
    assert result.text.splitlines() == [
        "Drive-through screening stations",
        "Seoul (2020) \\ Café",
    ]
    assert result.duration_s > 0


def test_every_page_of_a_pdf_is_read(twenty_page_pdf):
    result = extract_in_sandbox(twenty_page_pdf, "pdf")
    assert_extracted(result, "Page 0 line 0 of", "Page 19 line 39 of the Seoul report.")
    assert len(result.text.splitlines()) == 20 * 40


def test_docx_paragraphs_and_table_cells_come_back():
    data = files.docx_with_text(
        "Contact tracing   with\tcard data",
        "",
        "Second paragraph",
        table_rows=[["District", "Cases"], ["Jongno-gu", "12"]],
    )
    result = extract_in_sandbox(data, "docx")
    assert_extracted(result)
    assert result.text.splitlines() == [
        "Contact tracing with card data",
        "Second paragraph",
        "District",
        "Cases",
        "Jongno-gu",
        "12",
    ]


def test_pptx_shapes_tables_and_notes_come_back():
    data = files.pptx_with_text(
        "Walk-through booths",
        "Mobile testing",
        notes=["Speaker note about ventilation"],
        table_rows=[["Booths", "72"]],
    )
    result = extract_in_sandbox(data, "pptx")
    assert_extracted(
        result,
        "Walk-through booths",
        "Mobile testing",
        "Speaker note about ventilation",
        "Booths",
        "72",
    )
    assert result.text.index("Walk-through") < result.text.index("Mobile testing")


def test_xlsx_cells_come_back_row_by_row():
    data = files.xlsx_with_rows([["District", "Cases"], ["Jongno-gu", 12], [None, "closed"]])
    result = extract_in_sandbox(data, "xlsx")
    assert_extracted(result)
    assert result.text.splitlines() == ["Data", "District Cases", "Jongno-gu 12", "closed"]


@pytest.mark.parametrize("kind", ["csv", "txt"])
def test_text_files_are_decoded_as_utf8_with_or_without_bom(kind):
    result = extract_in_sandbox("구,확진자\r\n종로구,12\r\n".encode("utf-8-sig"), kind)
    assert_extracted(result)
    assert result.text == "구,확진자\n종로구,12"


def test_invalid_utf8_in_a_text_file_is_replaced_not_fatal():
    result = extract_in_sandbox(b"caf\xe9 menu", "txt")
    assert_extracted(result)
    assert result.text == "caf\ufffd menu"


def test_text_stops_at_max_chars_and_says_so(twenty_page_pdf):
    result = extract_in_sandbox(twenty_page_pdf, "pdf", max_chars=500)
    assert_extracted(result, "Page 0 line 0")
    assert result.truncated
    assert len(result.text) <= 500
    assert "Page 19" not in result.text

    short = extract_in_sandbox(b"short", "txt", max_chars=500)
    assert short.text == "short"
    assert not short.truncated


def test_an_owner_locked_pdf_opens_with_the_empty_password():
    result = extract_in_sandbox(files.owner_locked_pdf("Readable despite protection"), "pdf")
    assert_extracted(result, "Readable despite protection")


def test_a_pdf_that_needs_a_password_is_encrypted():
    result = extract_in_sandbox(files.encrypted_pdf("Secret minutes"), "pdf")
    assert not result.ok
    assert result.error_code == "encrypted"
    assert result.text == ""


def test_an_office_file_with_encrypted_zip_entries_is_encrypted():
    result = extract_in_sandbox(files.encrypted_zip_docx(), "docx")
    assert result.error_code == "encrypted"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (files.malformed_pdf(), "pdf"),
        (files.truncated_pdf(), "pdf"),
        (files.png_bytes(), "pdf"),
        (files.png_bytes(), "docx"),
        (files.pdf_with_text("not a workbook"), "xlsx"),
        (files.docx_with_text("a Word file"), "pptx"),
        (files.pptx_with_text("a presentation"), "docx"),
        (files.plain_zip({"hello.txt": b"hi"}), "xlsx"),
        (files.docx_with_text("cut")[:3000], "docx"),
    ],
)
def test_damaged_or_mislabelled_files_are_damaged(data, kind):
    result = extract_in_sandbox(data, kind)
    assert not result.ok
    assert result.error_code == "damaged"
    assert result.detail  # the exception, for editors
    assert len(result.detail) <= 500


def test_a_zip_bomb_is_refused_without_unpacking():
    result = extract_in_sandbox(files.zip_bomb_docx(unpacked_mb=200), "docx")
    assert result.error_code == "zip_bomb"
    assert "word/document.xml" in result.detail


def test_too_much_declared_unpacked_data_is_a_zip_bomb():
    result = extract_in_sandbox(files.zip_bomb_docx(unpacked_mb=310), "docx")
    assert result.error_code == "zip_bomb"
    assert "unpacked size" in result.detail


def test_a_large_but_ordinary_file_is_read_at_the_default_memory_limit(large_docx):
    result = extract_in_sandbox(large_docx, "docx")
    assert_extracted(result)
    assert result.truncated
    assert len(result.text) <= 500_000


@pytest.mark.parametrize("memory_mb", [128, 192])
def test_a_file_that_needs_more_memory_than_allowed_fails_with_memory(large_docx, memory_mb):
    # At 128 MB Python raises MemoryError; at 192 MB libxml2's own malloc fails first.
    result = extract_in_sandbox(large_docx, "docx", memory_limit_bytes=memory_mb * 1024**2)
    assert not result.ok
    assert result.error_code == "memory", result.detail


def test_a_child_that_cannot_even_read_its_input_fails_with_memory(large_docx):
    result = extract_in_sandbox(large_docx, "docx", memory_limit_bytes=8 * 1024**2)
    assert result.error_code == "memory"


def test_a_slow_extraction_is_stopped_at_the_time_limit(twenty_page_pdf):
    result = extract_in_sandbox(twenty_page_pdf, "pdf", time_limit_s=0.05)
    assert not result.ok
    assert result.error_code == "timeout"
    assert result.duration_s < 2


def test_an_unknown_kind_is_unsupported():
    result = extract_in_sandbox(b"MZ\x90\x00", "exe")
    assert result.error_code == "unsupported"


@pytest.mark.parametrize("kind", ["pdf", "docx", "pptx", "xlsx", "csv", "txt"])
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 10_000,
        bytes(range(256)) * 64,
        b"PK\x03\x04" + b"\xff" * 500,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF",
        files.ole_file_bytes(),
    ],
    ids=["empty", "zeros", "noise", "broken-zip", "self-referencing-pdf", "ole"],
)
def test_the_parent_never_raises_whatever_the_bytes(data, kind):
    result = extract_in_sandbox(data, kind, time_limit_s=20)
    assert isinstance(result, ExtractionResult)
    if kind in {"csv", "txt"}:
        assert result.ok  # any bytes decode, with replacement characters
    else:
        assert not result.ok
        assert result.error_code in ERROR_CODES
        assert result.text == ""


def completed(returncode: int, stdout: bytes = b"", stderr: bytes = b""):
    return subprocess.CompletedProcess(args=[], returncode=returncode, stdout=stdout, stderr=stderr)


@pytest.mark.parametrize(
    ("child", "error_code"),
    [
        (completed(-signal.SIGKILL), "memory"),
        (completed(-signal.SIGXCPU), "timeout"),
        (completed(-signal.SIGSEGV, stderr=b"Fatal Python error: Segmentation fault"), "crashed"),
        (completed(1, stderr=b"Traceback...\nMemoryError"), "memory"),
        (completed(1, stderr=b"Traceback...\nSystemError: boom"), "crashed"),
        (completed(0, stdout=b"Some library printed this"), "crashed"),
        (completed(0, stdout=b'{"ok": false, "error_code": "invented"}'), "crashed"),
        (completed(0, stdout=b'{"text": "no ok field"}'), "crashed"),
    ],
)
def test_how_a_child_ended_is_mapped_to_an_error_code(child, error_code):
    result = _result_from_child(child)
    assert not result.ok
    assert result.error_code == error_code
    assert result.detail


def test_the_child_module_does_not_import_django():
    probe = "import sys, documents.extraction; print('django' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, check=True
    )
    assert output.stdout.strip() == b"False"


def test_whitespace_is_normalised_to_one_line_per_paragraph():
    raw = "  Title  \r\n\r\n\r\nFirst\u00a0 \t line\x0c\n\x00second\rthird  "
    assert normalise_text(raw) == "Title\nFirst line\nsecond\nthird"


def test_every_error_code_has_its_own_message():
    messages = {code: failure_message(code) for code in ERROR_CODES}
    assert len(set(messages.values())) == len(ERROR_CODES)
    assert all(message.endswith(".") for message in messages.values())
    assert "password" in messages["encrypted"]
    assert failure_message("something-new") == messages["crashed"]
